"""Problems grouped for humans (issue 13 item 6): one line per file, column and rule, the count, the first rows, a hint.

The grouping itself, as it streams; through an import: tests/formats/test_formats_grouping.py.
"""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.errors import Problem
from peerimpact.study import grouping
from peerimpact.study.grouping import FIRST_ROWS, GroupedProblems, group_problems, range_hint, rule_of


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("value 0 is outside the range 1–5 of wemwbs (study column responses.wemwbs_1)", "value … is outside the range …–… of wemwbs (study column responses.wemwbs_1)"),
        ("'Nowhere' is not in the recode (it knows 'North', 'South')", "'…' is not in the recode (it knows '…', '…')"),
        ("participant '01' is listed twice (first at row 2)", "participant '…' is listed twice (first at row …)"),
        ("2020-01-02 is before start_date 2020-01-03", "… is before start_date …"),
        ("contact on 2020-02-17 is before the allocation on 2020-02-20", "contact on … is before the allocation on …"),
        ("151 is above the maximum 100", "… is above the maximum …"),
        ("-2.5 is below the minimum 0", "… is below the minimum …"),
        ("has 15 cells but the header has 16: no cell for wemwbs_14", "has … cells but the header has …: no cell for wemwbs_14"),
        ("unknown timepoint T3 in S1-PW01-T3.txt (version 1.2.3)", "unknown timepoint T3 in S1-PW01-T3.txt (version 1.2.3)"),
    ],
    ids=["range", "recode", "first-at", "date-order", "contact-dates", "maximum", "minimum", "width", "names-stay"],
)
def test_the_rule_is_the_message_without_its_value(message, rule):
    assert rule_of(message) == rule


@pytest.mark.parametrize(
    ("values", "hint"),
    [
        ([0, 1, 2, 3, 4], "; all values lie in 0–4 but the instrument expects 1–5: is it coded from 0? see `recode` in docs/mapping.md"),
        ([0, 2, 4], "; all values lie in 0–4 but the instrument expects 1–5: is it coded from 0? see `recode` in docs/mapping.md"),
        ([2, 3, 4, 5, 6], "; all values lie in 2–6 but the instrument expects 1–5: is it coded from 2? see `recode` in docs/mapping.md"),
        ([0, 1, 5], ""),  # 0-5 does not fit 1-5 by any shift
        ([7, 1], ""),
        (None, ""),
    ],
    ids=["zero-to-four", "some-of-zero-to-four", "two-to-six", "too-wide", "outlier", "no-values"],
)
def test_the_range_hint(values, hint):
    assert range_hint("value 0 is outside the range 1–5 of wemwbs", values) == hint


@pytest.mark.parametrize("message, asked", [
    ("value 0 is outside the range 1–5 of wemwbs", True),  # a range problem: its column's numbers give the hint
    ("unknown participant 'P2'", False),  # any other rule: the importer would read the user's file again for nothing
    ("'x' is not a date (YYYY-MM-DD)", False),
])
@pytest.mark.parametrize("rows", [1, 8])  # listed as they are, and grouped
def test_values_are_asked_for_only_for_a_range_problem(message, asked, rows):
    calls = []

    def values_of(file, column):
        calls.append((file, column))
        return [0.0, 4.0]

    out = group_problems([Problem("s.csv", r, "C", message) for r in range(2, 2 + rows)], values_of)
    assert bool(calls) is asked
    assert all(("coded from 0" in p.message) is asked for p in out)


def test_groups_keep_single_problems_and_count_the_rest():
    problems = [Problem("s.csv", r, "WEM1", f"value {r % 2} is outside the range 1–5 of wemwbs") for r in range(2, 12)]
    problems += [Problem("s.csv", r, "Site", f"'Nowhere{r}' is not in the recode") for r in (4, 9)]
    problems += [Problem("s.csv", None, None, "is empty")]
    grouped = group_problems(problems)
    assert [str(p) for p in grouped] == [
        "s.csv:2:WEM1: value 0 is outside the range 1–5 of wemwbs [10 rows break this rule: 2, 3, 4, 5, 6, ...; --all-errors lists each]",
        "s.csv:4:Site: 'Nowhere4' is not in the recode",  # five or fewer: each is listed
        "s.csv:9:Site: 'Nowhere9' is not in the recode",
        "s.csv: is empty",
    ]


def _grouped_all_at_once(problems, values_of=None, listed_max=grouping.LISTED_MAX):
    """The grouping written plainly, every Problem held: the oracle.

    A problem found twice counts once; a group of more than five is one line
    unless a row has it twice and it has at most ``listed_max`` problems or
    at most five rows.
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in dict.fromkeys(problems):
        key = (p.file, p.column, rule_of(p.message)) if p.row is not None and p.column is not None else (p,)
        groups.setdefault(key, []).append(p)

    def hinted(p):
        hint = range_hint(p.message, values_of(p.file, p.column)) if values_of is not None and p.column is not None else ""
        return Problem(p.file, p.row, p.column, p.message + hint) if hint else p

    out = []
    for members in groups.values():
        rows = [p.row for p in members]
        repeats, few_rows = len(set(rows)) < len(members), len(set(rows)) <= FIRST_ROWS
        if len(members) <= FIRST_ROWS or (repeats and (len(members) <= listed_max or few_rows)):
            out += [hinted(p) for p in members]
            continue
        first_at = {}
        for p in members:
            first_at.setdefault(p.row, p)
        lowest = sorted(first_at)[:FIRST_ROWS]
        first = first_at[lowest[0]]
        shown = ", ".join([str(r) for r in lowest] + ["..."])
        hint = hinted(first).message[len(first.message):]
        out.append(Problem(first.file, first.row, first.column,
                           f"{first.message} [{len(first_at):,} rows break this rule: {shown}; --all-errors lists each]{hint}"))
    return out


_MESSAGES = st.sampled_from([
    "value {v} is outside the range 1–5 of wemwbs", "'{v}' is not in the recode", "is not a date: '{v}'", "is empty",
])
_PROBLEM = st.builds(
    lambda f, r, c, m, v: Problem(f, r, c, m.format(v=v)),
    st.sampled_from(["a.csv", "b.csv"]), st.one_of(st.none(), st.integers(2, 14)), st.sampled_from(["X", "Y", None]),
    _MESSAGES, st.integers(0, 3),
)


@settings(max_examples=300, deadline=None)
@given(problems=st.lists(_PROBLEM, max_size=60), hinted=st.booleans(), listed_max=st.sampled_from([6, 9, 100]))
def test_problems_grouped_as_they_stream_are_grouped_as_all_at_once(problems, hinted, listed_max):
    """Also past ``LISTED_MAX`` (lowered so that 40 problems cross it), where a group keeps only its lowest rows."""
    values_of = (lambda file, column: [0.0, 4.0] if column == "X" else None) if hinted else None
    with mock.patch.object(grouping, "LISTED_MAX", listed_max):
        streamed = GroupedProblems()
        for p in problems:
            streamed.append(p)
        assert streamed.problems(values_of) == _grouped_all_at_once(problems, values_of, listed_max)
    assert len(streamed) == len(problems)
    every = GroupedProblems(keep_all=True)
    every.extend(problems)
    assert every.problems(values_of) == problems


def test_a_problem_found_twice_is_reported_once():
    """As StudyValidationError keeps one of each: the grouped count is of rows, not of times a check found them."""
    a, b, c = (Problem("responses.csv", r, "wemwbs_1", "value 0 is outside the range") for r in (2, 3, 4))
    streamed = GroupedProblems()
    streamed.extend([a, b, a, c, b, a, Problem(a.file, a.row, a.column, a.message)])
    assert streamed.problems() == [a, b, c]
    many = [Problem("responses.csv", r, "wemwbs_1", "value 0 is outside the range") for r in range(2, 12)]
    streamed = GroupedProblems()
    streamed.extend(many + many[::-1])
    (grouped,) = streamed.problems()
    assert "[10 rows break this rule: 2, 3, 4, 5, 6, ...;" in grouped.message
    whole = Problem("survey.csv", None, None, "is empty")
    streamed = GroupedProblems()
    streamed.extend([whole, whole])
    assert streamed.problems() == [whole]


def test_a_large_group_keeps_only_its_lowest_rows():
    """A rule failing on every row with each row's own value (unknown ids): one line, and the group stops growing.

    Rows arrive out of order; two rows come again with another value (a wide
    source row written as two study rows): each row is counted once, with the
    message that came first.
    """
    rows = [r for r in range(70_001, 1, -1)] + [3, 2]  # descending, then two rows again
    problems = [Problem("s.csv", r, "Name", f"'{r}-{i}' is not in the recode") for i, r in enumerate(rows)]
    streamed = GroupedProblems()
    streamed.extend(problems)
    (group,) = streamed._groups.values()
    assert group.rows is None and not group.messages and not group.index and len(group.lowest) == FIRST_ROWS
    assert len(group.seen) <= 70_001 // 8 + 1
    (grouped,) = streamed.problems()
    # row 2 first came as the 70,000th problem (index 69,999)
    assert grouped == Problem("s.csv", 2, "Name", "'2-69999' is not in the recode "
                              "[70,000 rows break this rule: 2, 3, 4, 5, 6, ...; --all-errors lists each]")
    assert streamed.problems() == _grouped_all_at_once(problems)


def test_a_small_group_with_a_row_twice_lists_each():
    """Up to ``LISTED_MAX`` problems, a row named twice (a mapping line naming two columns) lists each as it came; past it, one line."""
    problems = [Problem("m.yaml", r, "columns", f"'{c}' is not a column") for r, c in
                [(4, "A"), (4, "B"), (5, "C"), (6, "D"), (7, "E"), (8, "F")]]
    streamed = GroupedProblems()
    streamed.extend(problems)
    assert streamed.problems() == problems
    many = [Problem("m.yaml", 4 + i // 2, "columns", f"'{i}' is not a column") for i in range(grouping.LISTED_MAX + 1)]
    streamed = GroupedProblems()
    streamed.extend(many)
    (grouped,) = streamed.problems()
    assert grouped.message.startswith("'0' is not a column [51 rows break this rule: 4, 5, 6, 7, 8, ...;")  # rows, each once


@pytest.mark.parametrize(("rows", "messages", "listed"), [
    ([4] * 150, 150, True),  # a mapping line naming 150 missing columns: each named
    ([4, 5, 6] * 40, 120, True),  # three lines
    ([4, 5, 6, 7, 8, 9] * 20, 120, False),  # more than five rows and more than LISTED_MAX problems
    ([4, 5, 6, 7, 8, 9] * 10, 60, True),  # more than five rows, a row twice, at most LISTED_MAX problems
], ids=["one-row", "three-rows", "six-rows-many", "six-rows-few"])
def test_problems_on_a_few_rows_are_each_listed_however_many(rows, messages, listed):
    problems = [Problem("mapping.yaml", r, "tables.responses.instruments.wemwbs", f"column 'wem{i}' is not in people.csv")
                for i, r in enumerate(rows[:messages])]
    streamed = GroupedProblems()
    streamed.extend(problems)
    assert streamed.problems() == (problems if listed else _grouped_all_at_once(problems))
    assert len(streamed.problems()) == (len(problems) if listed else 1)


@pytest.mark.parametrize("rows", [[-3, -1, -3, 2, 5, 7, 9, 11], [2, 3, 10**9, 2**40, 10**9, 4, 5, 6]], ids=["negative", "huge"])
def test_rows_outside_a_file_are_counted_once_without_a_huge_bitmap(rows, monkeypatch):
    """Rows no spreadsheet or YAML file has (a direct caller's): counted once each, no bitmap their size."""
    monkeypatch.setattr(grouping, "LISTED_MAX", 2)
    problems = [Problem("s.csv", r, "C", f"'{i}' is bad") for i, r in enumerate(rows)]
    streamed = GroupedProblems()
    streamed.extend(problems)
    (group,) = streamed._groups.values()
    assert group.rows is None and group.seen is not None and len(group.seen) < 64
    assert streamed.problems() == _grouped_all_at_once(problems, listed_max=2)
    assert f"[{len(set(rows))} rows break this rule:" in streamed.problems()[0].message

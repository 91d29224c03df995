"""Errors grouped for humans (issue 13 item 6): one line per column and rule, the count, the first rows, a hint."""

from __future__ import annotations

from unittest import mock

import pytest

from formats_helpers import write_files
from formats_mutations import PEOPLE, REDCAP_STUDY, csv_mapping, csv_text
from peerimpact.errors import Problem, StudyValidationError
from peerimpact.formats import import_study
from peerimpact.formats.grouping import group_problems, range_hint, rule_of

MAPPING = csv_mapping(words=False)


def zero_to_four_survey(n_people: int = 3) -> list[list[str]]:
    """Every wemwbs answer coded 0-4 (the instrument is 1-5)."""
    rows = [["ID", "Visit"] + [f"WEM{i}" for i in range(1, 15)]]
    for k in range(n_people):
        for visit in ("Baseline", "6 months"):
            rows.append([PEOPLE[1 + k % 3][0] if k < 3 else f"x{k}", visit] + [str((i + k + len(rows)) % 5) for i in range(1, 15)])
    return rows


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("value 0 is outside the range 1–5 of wemwbs (study column responses.wemwbs_1)", "value … is outside the range 1–5 of wemwbs (study column responses.wemwbs_1)"),
        ("'Nowhere' is not in the recode (it knows 'North', 'South')", "'…' is not in the recode (it knows '…', '…')"),
        ("participant '01' is listed twice (first at row 2)", "participant '…' is listed twice (first at row …)"),
    ],
    ids=["range", "recode", "first-at"],
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


def seed(tmp_path, n_people=3):
    write_files(tmp_path, {"study.yaml": REDCAP_STUDY, "mapping.yaml": MAPPING})
    people = PEOPLE + [[f"x{k}", "North", "2020-03-01", "F", "30"] for k in range(3, n_people)]
    (tmp_path / "people.csv").write_text(csv_text(people), encoding="utf-8")
    (tmp_path / "survey.csv").write_text(csv_text(zero_to_four_survey(n_people)), encoding="utf-8")
    return [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml"


def zero_cells(rows: list[list[str]]) -> tuple[int, int]:
    """(item columns holding a 0, cells holding a 0), counted from the survey itself."""
    cols = [j for j in range(2, len(rows[0])) if any(r[j] == "0" for r in rows[1:])]
    return len(cols), sum(r[j] == "0" for r in rows[1:] for j in range(2, len(rows[0])))


@pytest.mark.parametrize("coded", [False, True], ids=["rows", "kept-as-codes"])
def test_a_zero_to_four_scale_gives_one_line_per_item_with_the_hint(tmp_path, monkeypatch, coded):
    if coded:  # the files read by the fast path, their rows kept as codes (as a large file's are)
        from peerimpact.formats import csv_source

        monkeypatch.setattr(csv_source, "FAST_MIN_CHARS", 0)
    sources, mapping = seed(tmp_path, n_people=40)
    columns, cells = zero_cells(zero_to_four_survey(40))
    assert (columns, cells) == (14, 224)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study")
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 14  # one per item column, not one per cell
    hint = "all values lie in 0–4 but the instrument expects 1–5: is it coded from 0? see `recode` in docs/mapping.md"
    survey = zero_to_four_survey(40)
    rows_of_zero = [n for n, r in enumerate(survey[1:], start=2) if r[2] == "0"]  # WEM1, spreadsheet rows
    first = ", ".join(map(str, rows_of_zero[:5]))
    assert (
        f"survey.csv:{rows_of_zero[0]}:WEM1: value 0 is outside the range 1–5 of wemwbs (study column responses.wemwbs_1) "
        f"[{len(rows_of_zero)} rows break this rule: {first}, ...; --all-errors lists each]; {hint}"
    ) in lines
    assert all(line.endswith(hint) for line in lines)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study", all_errors=True)
    assert len(err.value.problems) == cells


def test_the_cli_groups_unless_asked_for_every_error(tmp_path):
    import typer
    from typer.testing import CliRunner

    from peerimpact.cli import formats

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    formats.register(app)
    sources, mapping = seed(tmp_path, n_people=40)
    args = ["import", "csv", *map(str, sources), "--mapping", str(mapping), "--out", str(tmp_path / "study")]
    grouped = CliRunner().invoke(app, args)
    every = CliRunner().invoke(app, args + ["--all-errors"])
    assert (grouped.exit_code, every.exit_code) == (2, 2)
    columns, cells = zero_cells(zero_to_four_survey(40))
    assert grouped.stderr.splitlines()[-1] == f"{columns} problems found; nothing was written."
    assert every.stderr.splitlines()[-1] == f"{cells} problems found; nothing was written."
    assert cells > columns
    assert not (tmp_path / "study").exists()


# ------------------------------------------------- grouped as they stream
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from peerimpact.formats import grouping  # noqa: E402
from peerimpact.formats.grouping import FIRST_ROWS, GroupedProblems  # noqa: E402


def _grouped_all_at_once(problems, values_of=None, listed_max=grouping.LISTED_MAX):
    """The grouping written plainly, every Problem held: the oracle.

    A problem found twice counts once; a group of more than five is one line
    unless it has at most ``listed_max`` problems and a row among them twice.
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
        if len(members) <= FIRST_ROWS or (len(members) <= listed_max and len(set(rows)) < len(members)):
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
@given(problems=st.lists(_PROBLEM, max_size=40), hinted=st.booleans(), listed_max=st.sampled_from([6, 9, 100]))
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


@pytest.mark.parametrize("coded", [False, True], ids=["rows", "kept-as-codes"])
@pytest.mark.parametrize("all_errors", [True, False], ids=["every-error", "grouped"])
def test_answers_checked_while_mapping_give_the_study_checks_problems(tmp_path, monkeypatch, all_errors, coded):
    """Answers are checked as the study checks check them (memory): the same problems as when only the study checks see them.

    Kept as codes (a large file), a block whose only rejected values are answers is still built as codes.
    """
    import peerimpact.scoring.columns as columns
    from peerimpact.formats import build, csv_source

    if coded:
        monkeypatch.setattr(csv_source, "FAST_MIN_CHARS", 0)
        used: list[bool] = []
        real = build._clean_coded_block
        monkeypatch.setattr(build, "_clean_coded_block", lambda *args: used.append(real(*args)) or used[-1])

    sources, mapping = seed(tmp_path, n_people=40)
    survey = zero_to_four_survey(40)
    for i, bad in enumerate(["x", "2.5", "7", "3.0", "05", "-1", "1e1", "4"]):  # not numbers, not whole, out of range, valid
        survey[2 + 3 * i][3 + i] = bad
    (tmp_path / "survey.csv").write_text(csv_text(survey), encoding="utf-8")

    def problems() -> list[str]:
        with pytest.raises(StudyValidationError) as err:
            import_study("csv", sources, mapping, tmp_path / "study", all_errors=all_errors)
        return [str(p) for p in err.value.problems]

    checked = problems()
    if coded:
        assert used and all(used)  # every block built as codes, rejected answers included
    monkeypatch.setattr(columns, "declared_roles", lambda *args: {})  # only the study checks see the answers
    assert checked == problems()
    assert any("'x'" in line or "x" in line.split(":")[-1] for line in checked)


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


@pytest.mark.parametrize("all_errors", [False, True], ids=["grouped", "every-error"])
def test_unknown_ids_found_by_the_study_checks_are_one_line(tmp_path, all_errors):
    """Unknown participants are a ``load_study`` rule, streamed to the collector: one line counting the user's rows."""
    sources, mapping = seed(tmp_path, n_people=40)
    (tmp_path / "people.csv").write_text(csv_text(PEOPLE), encoding="utf-8")  # x3 ... x39 are no longer known: two survey rows each
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study", all_errors=all_errors)
    unknown = [str(p) for p in err.value.problems if "unknown participant" in p.message]
    if all_errors:
        assert len(unknown) == 74 and unknown[0].startswith("survey.csv:")
        return
    (line,) = unknown
    assert "unknown participant 'x3'" in line and "[74 rows break this rule:" in line, line

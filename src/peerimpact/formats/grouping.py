"""Problems grouped for humans: one line per file, column and rule, with a count and the first rows.

A 0–4 scale mapped as 1–5 breaks the same rule in every item of every row;
listing each cell (hundreds of thousands of lines) hides the one fact that
matters. :func:`group_problems` keeps problems as they are when their rule
fails on at most five rows of a column, and otherwise gives one problem at the first row that
says how many rows break the rule, which ones come first, and a hint where
one applies (:func:`range_hint`). ``--all-errors`` skips the grouping.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from ..errors import Problem

#: Rows listed in a grouped problem before "..."; a rule failing on at most this many rows is listed in full.
FIRST_ROWS = 5
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_VALUE = re.compile(r"^value \S+")
_AT_ROW = re.compile(r"\brow \d+")
_RANGE = re.compile(r"outside the range (-?[\d.]+)–(-?[\d.]+)")

#: ``(file, column) -> the column's numbers`` for hints; None when unknown.
ValuesOf = Callable[[str, str], "list[float] | None"]


def rule_of(message: str) -> str:
    """The message with its cell value taken out: problems with one rule share it."""
    text = _QUOTED.sub("'…'", message)
    text = _VALUE.sub("value …", text)
    return _AT_ROW.sub("row …", text)


def range_hint(message: str, values: list[float] | None) -> str:
    """"all values lie in 0–4 but the instrument expects 1–5: is it coded from 0?" when the scale looks shifted."""
    m = _RANGE.search(message)
    if m is None or not values:
        return ""
    lo, hi = float(m.group(1)), float(m.group(2))
    vmin, vmax = min(values), max(values)
    shift = lo - vmin
    if shift != 0 and vmin + shift >= lo and vmax + shift <= hi and float(shift).is_integer():
        return (f"; all values lie in {vmin:g}–{vmax:g} but the instrument expects {lo:g}–{hi:g}: "
                f"is it coded from {vmin:g}? see `recode` in docs/mapping.md")
    return ""


def group_problems(problems: Iterable[Problem], values_of: ValuesOf | None = None) -> list[Problem]:
    """One problem per (file, column, rule) that fails on more than five rows; the rest unchanged.

    Parameters
    ----------
    problems : iterable of Problem
        Every problem, in any order.
    values_of : callable, optional
        ``(file, column) -> numbers in that column`` for the range hint.

    Returns
    -------
    list of Problem
        A grouped problem sits at the group's first row and reads
        ``<first message> [<n> rows break this rule: 2, 3, 5, 8, 9, ...; --all-errors lists each]<hint>``.
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        key = (p.file, p.column, rule_of(p.message)) if p.row is not None and p.column is not None else (p,)
        groups.setdefault(key, []).append(p)
    out: list[Problem] = []
    for members in groups.values():
        if len(members) <= FIRST_ROWS or len({p.row for p in members}) < len(members):
            # few, or several on one row (e.g. mapping lines naming different columns): each is listed
            for p in members:
                hint = range_hint(p.message, values_of(p.file, p.column)) if values_of is not None and p.column is not None else ""
                out.append(Problem(p.file, p.row, p.column, p.message + hint) if hint else p)
            continue
        members.sort(key=lambda p: p.row or 0)
        first = members[0]
        rows = [str(p.row) for p in members[:FIRST_ROWS]] + (["..."] if len(members) > FIRST_ROWS else [])
        values = values_of(first.file, first.column) if values_of is not None and first.column is not None else None
        hint = range_hint(first.message, values)
        out.append(Problem(
            first.file, first.row, first.column,
            f"{first.message} [{len(members):,} rows break this rule: {', '.join(rows)}; --all-errors lists each]{hint}",
        ))
    return out

"""Problems grouped for humans: one line per file, column and rule, with a count and the first rows.

A 0–4 scale mapped as 1–5 breaks the same rule in every item of every row;
listing each cell (hundreds of thousands of lines) hides the one fact that
matters. :func:`group_problems` keeps problems as they are when their rule
fails on at most five rows of a column, and otherwise gives one problem at the first row that
says how many rows break the rule, which ones come first, and a hint where
one applies (:func:`range_hint`). ``--all-errors`` skips the grouping.

Problems are grouped as they stream (:class:`GroupedProblems`): a group keeps
its rows as 4-byte integers and a 1-byte index into the group's distinct
messages (wider only past 255 of them), not a :class:`~peerimpact.errors.Problem`
each, so an import that fails on every cell holds about 5 bytes a problem
(memory: bench/import_speed.py ``--errors``).
"""

from __future__ import annotations

import re
from array import array
from typing import Callable, Iterable

import numpy as np

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


class _Group:
    """The problems of one (file, column, rule), in arrival order: rows and message indexes."""

    __slots__ = ("file", "column", "rows", "which", "messages", "index")

    def __init__(self, file: str, column: str):
        self.file, self.column = file, column
        self.rows = array("i")  # spreadsheet rows and YAML lines fit in 4 bytes
        self.which = array("B")  # widened as the group's distinct messages grow past 255, 65,535
        self.messages: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, row: int, message: str) -> None:
        k = self.index.get(message)
        if k is None:
            k = self.index[message] = len(self.messages)
            self.messages.append(message)
            if k == 256 or k == 65536:
                self.which = array("H" if k == 256 else "i", self.which)
        self.rows.append(row)
        self.which.append(k)

    def emit(self, out: list[Problem], values_of: ValuesOf | None) -> None:
        """What :func:`group_problems` gives for these members, appended to ``out``."""
        n = len(self.rows)
        rows = np.frombuffer(self.rows, dtype=f"i{self.rows.itemsize}") if n else np.zeros(0, dtype=np.int32)
        if n <= FIRST_ROWS or len(np.unique(rows)) < n:
            # few, or several on one row (e.g. mapping lines naming different columns): each is listed
            for row, k in zip(self.rows, self.which):
                out.append(_with_hint(Problem(self.file, row, self.column, self.messages[k]), values_of))
            return
        first = np.argsort(rows, kind="stable")[:FIRST_ROWS].tolist()
        message = self.messages[self.which[first[0]]]
        shown = [str(self.rows[i]) for i in first] + ["..."]
        hint = _hint(message, self.file, self.column, values_of)
        out.append(Problem(
            self.file, self.rows[first[0]], self.column,
            f"{message} [{n:,} rows break this rule: {', '.join(shown)}; --all-errors lists each]{hint}",
        ))


def _hint(message: str, file: str, column: str | None, values_of: ValuesOf | None) -> str:
    """:func:`range_hint` for ``message``, asking ``values_of`` for the column's numbers only for a range problem.

    ``values_of`` may read the user's file again (the importer's), so it is not called for other rules.
    """
    if values_of is None or column is None or _RANGE.search(message) is None:
        return ""
    return range_hint(message, values_of(file, column))


def _with_hint(p: Problem, values_of: ValuesOf | None) -> Problem:
    hint = _hint(p.message, p.file, p.column, values_of)
    return Problem(p.file, p.row, p.column, p.message + hint) if hint else p


class GroupedProblems:
    """Problems collected as they stream, grouped as :func:`group_problems` groups them.

    Parameters
    ----------
    keep_all : bool
        Keep every problem as it is (``--all-errors``) instead of grouping.

    Notes
    -----
    :meth:`problems` equals ``group_problems(every problem added, values_of)``
    (``tests/formats/test_formats_grouping.py`` checks it on generated
    problem lists), but a group holds a row number and a message index per
    problem. ``append`` and ``extend`` let it stand where a list of problems is filled.
    """

    def __init__(self, keep_all: bool = False):
        self.keep_all = keep_all
        self.count = 0
        self._all: list[Problem] = []
        self._groups: dict[tuple, _Group | list[Problem]] = {}
        self._rules: dict[str, str] = {}  # message -> rule: messages repeat (one string per distinct value)

    def append(self, p: Problem) -> None:
        self.count += 1
        if self.keep_all:
            self._all.append(p)
            return
        if p.row is None or p.column is None:
            members = self._groups.setdefault((p,), [])
            assert isinstance(members, list)
            members.append(p)
            return
        rule = self._rules.get(p.message)
        if rule is None:
            rule = self._rules[p.message] = rule_of(p.message)
            if len(self._rules) > 100_000:  # messages naming every row's own value: do not keep them all
                self._rules.clear()
        key = (p.file, p.column, rule)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(p.file, p.column)
        assert isinstance(group, _Group)
        group.add(p.row, p.message)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.append(p)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def problems(self, values_of: ValuesOf | None = None) -> list[Problem]:
        """Every problem (``keep_all``), or one per (file, column, rule) failing on more than five rows and the rest as they are."""
        if self.keep_all:
            return list(self._all)
        out: list[Problem] = []
        for group in self._groups.values():
            if isinstance(group, list):
                out += [_with_hint(p, values_of) for p in group]
            else:
                group.emit(out, values_of)
        return out


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
        The same as :class:`GroupedProblems` fed the same problems.
    """
    grouped = GroupedProblems()
    grouped.extend(problems)
    return grouped.problems(values_of)

"""Problems grouped for humans: one line per file, column and rule, with a count and the first rows.

A 0–4 scale mapped as 1–5 breaks the same rule in every item of every row;
listing each cell (hundreds of thousands of lines) hides the one fact that
matters. :func:`group_problems` keeps problems as they are when their rule
fails on at most five rows of a column (or when a row has it several times,
as a mapping line naming several columns can, and it fails at most
:data:`LISTED_MAX` times or on at most five rows), and otherwise gives one
problem at the first row that
says how many rows break the rule, which ones come first, and a hint where
one applies (:func:`range_hint`). ``--all-errors`` skips the grouping.

Problems are grouped as they stream (:class:`GroupedProblems`): a group
keeps its members while it may be listed; once it has more than
:data:`LISTED_MAX` of them on more than five rows it is summarised whatever
its rows, and keeps only a bit per row of the file (a row is counted once),
a count and its five lowest rows. So an import
that fails on every cell, or names a new unknown id on every row, holds a
fixed amount per column and rule, not per problem (memory:
bench/import_speed.py ``--errors``). ``peerimpact validate`` and every import
group their problems here.
"""

from __future__ import annotations

import heapq
import re
from typing import Callable, Iterable

from ..errors import Problem

#: Rows listed in a grouped problem before "..."; a rule failing on at most this many rows is listed in full.
FIRST_ROWS = 5
#: A rule failing more times than this, on more than FIRST_ROWS rows, is summarised even when a row has it several times.
LISTED_MAX = 100
#: Rows counted in a summarised group's bitmap (2 MiB at most); any other row number in a set.
_BITMAP_ROWS = 1 << 24
#: Rules remembered per distinct message (messages repeat: one per distinct value); cleared past this.
RULES_CACHED = 4096
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_VALUE = re.compile(r"^value \S+")
_AT_ROW = re.compile(r"\brow \d+")
# a date (and time) or a number standing alone: not part of a name such as wemwbs_1, T1 or P001
_DATE = re.compile(r"(?<![\w.-])\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?![\w.-])")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_RANGE = re.compile(r"outside the range (-?[\d.]+)–(-?[\d.]+)")

#: ``(file, column) -> the column's numbers`` for hints; None when unknown.
ValuesOf = Callable[[str, str], "list[float] | None"]


def rule_of(message: str) -> str:
    """The message with its cells' values taken out: problems with one rule share it.

    Quoted text, ``value X``, ``row N``, and dates and numbers standing alone
    (``2020-01-02 is before start_date 2020-01-03``, ``151 is above the
    maximum 100``) become ``…``; a number inside a name (``wemwbs_1``, ``T1``)
    stays. Within one file and column a threshold in the message is the
    column's own, so masking it merges nothing that differs.
    """
    text = _QUOTED.sub("'…'", message)
    text = _VALUE.sub("value …", text)
    text = _AT_ROW.sub("row …", text)
    text = _DATE.sub("…", text)
    return _NUMBER.sub("…", text)


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
    """The problems of one (file, column, rule), in arrival order, until there are too many to list.

    A problem already in the group (same row, same message) is not added
    again: checks that find one problem twice report it once, as
    :class:`~peerimpact.errors.StudyValidationError` does. While listed, a
    group keeps each problem's row and an index into its distinct messages,
    since it may be listed in full (at most five rows, or several problems on
    one row). Once it has more than :data:`LISTED_MAX` problems on more than
    :data:`FIRST_ROWS` rows it is summarised for good: it keeps a bit per row
    seen (a problem on a row already seen is the same cell breaking the same
    rule), the count of rows and the :data:`FIRST_ROWS` lowest rows with their
    messages, so its memory no longer grows with its problems. Problems on a
    few rows are never summarised (a mapping line naming many columns lists
    each column).
    """

    __slots__ = ("file", "column", "count", "rows", "which", "messages", "index", "seen", "far", "lowest", "seq")

    def __init__(self, file: str, column: str):
        self.file, self.column = file, column
        self.count = 0  # problems while listed; rows once summarised
        self.rows: list[int] | None = []  # None once summarised
        self.which: list[int] = []
        self.messages: list[str] = []
        self.index: dict[str, int] = {}
        # once summarised (made then: most groups never are, and a file may have many small ones):
        self.seen: bytearray | None = None  # bit ``row`` set when a problem on ``row`` was counted (rows below _BITMAP_ROWS)
        self.far: set[int] | None = None  # the rows counted outside the bitmap (never spreadsheet rows or YAML lines)
        self.lowest: list[tuple[int, int, str]] | None = None  # max-heap of the lowest rows: (-row, -arrival, message)
        self.seq = 0

    def add(self, row: int, message: str) -> None:
        if self.rows is None:
            self._count_row(row, message)
            return
        k = self.index.get(message)
        if k is None:
            k = self.index[message] = len(self.messages)
            self.messages.append(message)
        elif any(r == row and w == k for r, w in zip(self.rows, self.which)):
            return  # found twice
        self.rows.append(row)
        self.which.append(k)
        self.count += 1
        if self.count > LISTED_MAX and len(set(self.rows)) > FIRST_ROWS:
            self._summarise()

    def _summarise(self) -> None:
        """From now on only the rows and the lowest of them matter: count the members so far by row."""
        assert self.rows is not None
        members, messages = list(zip(self.rows, self.which)), self.messages
        self.rows, self.which, self.messages, self.index = None, [], [], {}
        self.count, self.seen, self.far, self.lowest = 0, bytearray(), set(), []
        for r, j in members:
            self._count_row(r, messages[j])

    def _count_row(self, row: int, message: str) -> None:
        """Count ``row`` once, and keep it if it is among the FIRST_ROWS lowest (on a tie the earlier arrival stays)."""
        assert self.seen is not None and self.far is not None and self.lowest is not None  # summarised
        if 0 <= row < _BITMAP_ROWS:
            byte, bit = divmod(row, 8)
            if byte >= len(self.seen):
                self.seen.extend(bytes(byte + 1 - len(self.seen)))
            if self.seen[byte] & (1 << bit):
                return
            self.seen[byte] |= 1 << bit
        elif row in self.far:
            return
        else:
            self.far.add(row)
        self.count += 1
        self.seq += 1
        entry = (-row, -self.seq, message)
        if len(self.lowest) < FIRST_ROWS:
            heapq.heappush(self.lowest, entry)
        elif entry > self.lowest[0]:  # lower than the highest row kept
            heapq.heapreplace(self.lowest, entry)

    def emit(self, out: list[Problem], values_of: ValuesOf | None) -> None:
        """What :func:`group_problems` gives for these members, appended to ``out``."""
        if self.rows is not None:
            n = len(self.rows)
            if n <= FIRST_ROWS or len(set(self.rows)) < n:
                # few, or several on one row (e.g. mapping lines naming different columns): each is listed
                for row, k in zip(self.rows, self.which):
                    out.append(_with_hint(Problem(self.file, row, self.column, self.messages[k]), values_of))
                return
            lowest = sorted(zip(self.rows, range(n)))[:FIRST_ROWS]
            first_row, message = lowest[0][0], self.messages[self.which[lowest[0][1]]]
            shown = [str(r) for r, _ in lowest]
        else:
            assert self.lowest is not None
            kept = sorted((-r, -s, m) for r, s, m in self.lowest)
            first_row, message = kept[0][0], kept[0][2]
            shown = [str(r) for r, _, _ in kept]
        hint = _hint(message, self.file, self.column, values_of)
        out.append(Problem(
            self.file, first_row, self.column,
            f"{message} [{self.count:,} rows break this rule: {', '.join(shown + ['...'])}; --all-errors lists each]{hint}",
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
    (``tests/study/test_study_grouping.py`` checks it against a plain oracle on generated
    problem lists), but a group holds a row and a message index per problem
    only up to :data:`LISTED_MAX` problems, and a fixed amount after. ``append``
    and ``extend`` let it stand where a list of problems is filled.
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
        if p.row is None or p.column is None:  # not grouped; found twice, listed once
            self._groups.setdefault((p,), [p])
            return
        rule = self._rules.get(p.message)
        if rule is None:
            rule = self._rules[p.message] = rule_of(p.message)
            if len(self._rules) > RULES_CACHED:  # messages naming every row's own value: do not keep them all
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

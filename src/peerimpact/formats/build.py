"""Source tables + mapping plans -> the text tables of a study folder.

Each output row remembers where it came from (:class:`Origin`), so that a
problem the study validator finds in ``responses.csv`` row 7 column
``wemwbs_3`` is reported as, say, ``survey.xlsx[Wave 2]`` row 12 column
``WEM3``.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import Problem
from .plan import _PLACEHOLDER, ROW, BlockPlan, FieldPlan
from .source import CodedRows, SourceTable, canonical_text
from .targets import TABLES
from .values import convert, to_date


class Origin(NamedTuple):
    """Where an output row came from: the source label, row, and target -> source column.

    A named tuple: an import keeps one per output row (hundreds of thousands).
    """

    label: str
    row: int
    columns: dict[str, str]
    failed: tuple[str, ...] = ()  # study columns whose source value was rejected


class Origins:
    """The origins of a table's rows, in row order: a list of :class:`Origin`, stored compactly.

    A clean block's rows share their label and columns, so they are kept as one
    run of spreadsheet row numbers (an integer array, not an ``Origin`` each);
    indexing and iterating give the same ``Origin`` values a list would.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []  # first row index of each segment
        self._segments: list = []  # a list of Origin, or (label, array of row numbers, columns)
        self._n = 0
        self.any_failed = False  # whether some row has a rejected value

    def append(self, origin: Origin) -> None:
        if origin.failed:
            self.any_failed = True
        if not self._segments or not isinstance(self._segments[-1], list):
            self._starts.append(self._n)
            self._segments.append([])
        self._segments[-1].append(origin)
        self._n += 1

    def add_run(self, label: str, numbers, columns: dict[str, str]) -> None:
        """Rows from ``label`` at spreadsheet rows ``numbers``, sharing ``columns`` and with nothing failed."""
        run = numbers.astype(np.int64) if isinstance(numbers, np.ndarray) else array("q", numbers)
        if len(run):
            self._starts.append(self._n)
            self._segments.append((label, run, columns))
            self._n += len(run)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> Origin:
        if not 0 <= i < self._n:
            raise IndexError(i)
        k = bisect_right(self._starts, i) - 1
        seg, offset = self._segments[k], i - self._starts[k]
        if isinstance(seg, list):
            return seg[offset]
        label, run, columns = seg
        return Origin(label, int(run[offset]), columns)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Origins, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def failed(self):
        """(row index, failed study columns) of every row with a rejected value (runs have none)."""
        for start, seg in zip(self._starts, self._segments):
            if isinstance(seg, list):
                for i, origin in enumerate(seg, start):
                    if origin.failed:
                        yield i, origin.failed

    def __iter__(self):
        for seg in self._segments:
            if isinstance(seg, list):
                yield from seg
            else:
                label, run, columns = seg
                for number in run.tolist():
                    yield Origin(label, number, columns)


class BuiltRows(Sequence):
    """The rows of a :class:`BuiltTable`, read as one list: its parts (lists of rows, :class:`CodedRows`) in order."""

    def __init__(self, parts: list):
        self._parts = parts
        self._starts: list[int] = []
        n = 0
        for part in parts:
            self._starts.append(n)
            n += len(part)
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        k = bisect_right(self._starts, i) - 1
        return self._parts[k][i - self._starts[k]]

    def __iter__(self):
        for part in self._parts:
            yield from part

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (BuiltRows, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class BuiltTable:
    """One study table as text: each row holds a value per column (``""`` = empty), in ``columns`` order.

    The rows are kept in parts: lists of rows (a row is a list, or a tuple) as
    rows are mapped one by one, and :class:`CodedRows` (columns of codes) for a
    clean block built at once. :attr:`rows` reads them as one list.
    """

    def __init__(self, name: str, columns: list[str]):
        self.name = name
        self.columns = columns
        self._parts: list = []
        self.origins = Origins()
        self.position = {c: i for i, c in enumerate(self.columns)}
        #: contacts: (worker, person) -> the discharge date a derived phase was read from
        self.discharges: dict[tuple[str, str], str] = {}

    @property
    def rows(self) -> BuiltRows:
        return BuiltRows(self._parts)

    @rows.setter
    def rows(self, value: list) -> None:
        self._parts = [list(value)] if len(value) else []

    def parts(self) -> list:
        """The parts of the rows, in order: lists of rows and :class:`CodedRows`."""
        return list(self._parts)

    def append(self, row) -> None:
        if not self._parts or not isinstance(self._parts[-1], list):
            self._parts.append([])
        self._parts[-1].append(row)

    def extend(self, rows) -> None:
        if isinstance(rows, CodedRows):
            if len(rows):
                self._parts.append(rows)
            return
        for row in rows:
            self.append(row)

    def matrix(self) -> BuiltRows:
        return self.rows

    def new_row(self) -> list[str]:
        return [""] * len(self.columns)


@dataclass
class BuildResult:
    tables: dict[str, BuiltTable]
    problems: list[Problem]
    skipped: dict[str, int]  # reason -> rows skipped
    failed: "FailedCells | set[tuple[str, int, str]]" = field(default_factory=set)  # (table, output row index, column) rejected


def _template(text: str, row: tuple, index: dict[str, int], position: int = 0) -> str:
    def sub(m: re.Match) -> str:
        if m.group(1) == ROW:
            return str(position)
        return canonical_text(row[index[m.group(1)]])

    return _PLACEHOLDER.sub(sub, text.replace("{{", "\x00").replace("}}", "\x01")).replace("\x00", "{").replace("\x01", "}")


@dataclass
class _Row:
    """One source row being mapped: its cells, spreadsheet row and 1-based position."""

    cells: tuple
    number: int
    position: int
    index: dict[str, int]
    source: SourceTable
    missing: set[str]

    def text(self, column: str) -> str:
        return canonical_text(self.cells[self.index[column]])

    def value(self, plan: FieldPlan) -> tuple[str, str | None, str]:
        """(text, problem, source column label) of one field."""
        if plan.column is not None:
            return (*convert(self.cells[self.index[plan.column]], plan, self.source, plan.column, self.missing), plan.column)
        if plan.template is not None:
            filled = _template(plan.template, self.cells, self.index, self.position)
            return (*convert(filled, plan, self.source, None, self.missing), f"template {plan.template!r}")
        return (*convert(plan.value, plan, self.source, None, set()), "a constant of the mapping")

    def raw_text(self, plan: FieldPlan) -> str:
        """What to write in a rejected cell: the source text, so the study checks see a value.

        The study validator's own complaint about that cell is dropped as already
        reported; keeping the text avoids knock-on problems (e.g. "no consent
        date" for a date that is present but unreadable).
        """
        if plan.column is None:
            return "?"
        return self.text(plan.column).replace("\x00", "") or "?"


def _columns_for(table: str, plans: list[BlockPlan]) -> list[str]:
    declared = TABLES[table].column_names
    extra: list[str] = []
    for p in plans:
        for f in p.fields:
            if f.target.name not in declared and f.target.name not in extra:
                extra.append(f.target.name)
    return declared + extra


def build_tables(
    plans: list[BlockPlan], sources: dict[str, SourceTable], missing_values: list, problems=None, roles: dict | None = None
) -> BuildResult:
    """Run every plan over its source; collect rows, origins and cell problems.

    ``problems`` receives the cell problems as they are found (anything with
    ``append`` and ``extend``, such as a
    :class:`~peerimpact.study.grouping.GroupedProblems`); a new list by default.
    ``roles`` (``responses`` column -> :class:`~peerimpact.scoring.columns.ColumnRole`)
    checks each answer as the study checks will (not a number, not whole,
    out of range), with their message: a rejected answer is then a problem
    here, at the user's cell, and written empty, instead of a second problem
    per cell from the study checks (memory: bench/import_speed.py ``--errors``).
    """
    missing = {canonical_text(v) for v in missing_values} | {""}
    by_table: dict[str, list[BlockPlan]] = {}
    for p in plans:
        by_table.setdefault(p.table, []).append(p)
    tables = {t: BuiltTable(t, _columns_for(t, ps)) for t, ps in by_table.items()}
    problems = [] if problems is None else problems
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for group in _groups(plans):
        first = group[0]
        source = sources[first.source]
        index = source.index()
        out = tables[first.table]
        readers = [_PlanReader.of(plan, out, index, roles) for plan in group]
        for reader in readers:
            for fr in reader.fields:
                fr.convert_column(source, missing)
        if not (len(group) == 1 and _clean_block(first, readers[0], source, out, skip, problems)):
            for reader in readers:
                for fr in reader.fields:
                    fr.materialise(source)
            for position, (cells, number) in enumerate(zip(source.rows, source.row_numbers), start=1):
                row = _Row(cells, number, position, index, source, missing)
                for plan, reader in zip(group, readers):
                    _run_row(plan, reader, row, out, problems, skip)
        for reader in readers:  # the converted columns are not needed any more: free them
            for fr in reader.fields:
                fr.converted = fr.table = fr.coded = None
    return BuildResult(tables, problems, skipped, _failed_cells(tables))


def _groups(plans: list[BlockPlan]) -> list[list[BlockPlan]]:
    """Plans in blocks: the timepoint expansions of one wide block together, so rows come out participant by participant."""
    groups: list[list[BlockPlan]] = []
    for p in plans:
        if groups and groups[-1][0].path == p.path:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


class FailedCells:
    """``(table, output row index, column) in cells``: whether that cell's source value was rejected.

    Read from each row's origin (its ``failed`` columns), not a set of every
    rejected cell: an import failing on every cell keeps no second copy of them.
    """

    def __init__(self, tables: dict[str, BuiltTable]):
        self._tables = tables

    def __contains__(self, cell: object) -> bool:
        if not isinstance(cell, tuple) or len(cell) != 3:
            return False
        table, i, column = cell
        built = self._tables.get(table)
        if built is None or not built.origins.any_failed or not 0 <= i < len(built.origins):
            return False
        return column in built.origins[i].failed

    def __iter__(self):
        for t in self._tables.values():
            for i, failed_columns in t.origins.failed():
                for col in failed_columns:
                    yield (t.name, i, col)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (set, FailedCells)):
            return set(self) == set(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _failed_cells(tables: dict[str, BuiltTable]) -> FailedCells:
    return FailedCells(tables)


@dataclass
class _FieldReader:
    """One field of a plan: where its value goes, where it comes from, and the values converted so far."""

    plan: FieldPlan
    out: int  # position in the output row
    source: int | None  # position of its source column, None for templates and constants
    label: str  # how problems and origins name the source
    memo: dict = field(default_factory=dict)  # (cell type, cell) -> (text, problem): each distinct value converted once

    converted: list | None = None  # (text, problem) per source row, for a column field
    clean: bool = False  # no converted value of the column has a problem
    #: text or None cell -> (text, problem), for a CSV or REDCap column: ``converted`` is made from it
    #: only when the rows are mapped one by one (a clean block reads the texts straight into its rows)
    table: dict | None = None
    #: (codes, cells) of the source column when the source keeps its rows as codes (:class:`CodedRows`)
    coded: tuple | None = None
    #: the responses column's role: each converted answer is checked as the study checks will
    role: object | None = None
    checked: dict = field(default_factory=dict)  # answer text -> the study checks' message, or None

    def _convert(self, cell, source: SourceTable, missing: set[str]) -> tuple[str, str | None]:
        """``convert``, then the study checks' rule for an answer (:func:`build_tables`, ``roles``)."""
        text, why = convert(cell, self.plan, source, self.plan.column, missing)
        self._check_answers([text])
        return self._with_rule(text, why)

    def _convert_distinct(self, cells, source: SourceTable, missing: set[str]) -> dict:
        """``cell -> (text, problem)`` for distinct ``cells``: converted one by one, the answers checked in one call."""
        converted = {cell: convert(cell, self.plan, source, self.plan.column, missing) for cell in cells}
        self._check_answers([text for text, why in converted.values() if not why])
        return {cell: self._with_rule(text, why) for cell, (text, why) in converted.items()}

    def _check_answers(self, texts: list[str]) -> None:
        """Fill ``checked`` for the answers among ``texts`` not seen yet, with one ``check_values`` call (a pandas call
        per value cost about 0.1 ms, 1.9 s for a pre-scored column of 10,000 distinct values)."""
        if self.role is None:
            return
        new = list(dict.fromkeys(t for t in texts if t and t == t.strip() and t not in self.checked))
        if not new:
            return
        from ..scoring.validate import check_values

        # check_values names each value by its spreadsheet row: index + 2
        found = {p.row: p.message for p in check_values(pd.Series(new, dtype=object), self.role, "")}  # type: ignore[arg-type]
        for i, text in enumerate(new):
            self.checked[text] = found.get(i + 2)

    def _with_rule(self, text: str, why: str | None) -> tuple[str, str | None]:
        """``(text, why)``, or the study checks' message for an answer that breaks their rule (checked already)."""
        if why or self.role is None:
            return text, why
        message = self.checked.get(text)
        if message is None:
            return text, None
        target = self.plan.target.name
        # what translating the study checks' problem to this cell would say
        return text, message + (f" (study column responses.{target})" if self.label != target else "")

    def convert_column(self, source: SourceTable, missing: set[str]) -> None:
        """Convert the whole source column up front, each distinct value once."""
        if self.source is None:
            return
        memo = self.memo
        if isinstance(source.rows, CodedRows):  # text or None cells, each value a cell of some row
            self.coded = source.rows.column(self.source)
            self.table = self._convert_distinct(set(self.coded[1]), source, missing)
            self.clean = not any(why for _, why in self.table.values())
            return
        cells = list(map(itemgetter(self.source), source.rows))
        if source.kind in ("csv", "redcap"):  # text or None only: equal cells are the same value
            self.table = self._convert_distinct(set(cells), source, missing)
            self.clean = not any(why for _, why in self.table.values())
            return
        out: list[tuple[str, str | None]] = []
        append = out.append
        for cell in cells:  # typed cells: 1, 1.0 and True are equal keys but not the same value
            key = (cell.__class__, cell)
            done = memo.get(key)
            if done is None:
                done = memo[key] = self._convert(cell, source, missing)
            append(done)
        self.converted = out
        self.clean = not any(why for _, why in memo.values())

    def materialise(self, source: SourceTable) -> None:
        """``converted`` from ``table``: one (text, problem) per source row."""
        if self.table is not None and self.source is not None:
            if self.coded is not None:
                codes, cells = self.coded
                self.converted = list(map([self.table[c] for c in cells].__getitem__, codes.tolist()))
            else:
                self.converted = list(map(self.table.__getitem__, map(itemgetter(self.source), source.rows)))
            self.table = self.coded = None

    def texts(self, source: SourceTable):
        """The converted texts in row order, as an iterator (no list of the column is made)."""
        if self.table is not None and self.source is not None:
            text_of = {cell: text for cell, (text, _) in self.table.items()}
            return map(text_of.__getitem__, map(itemgetter(self.source), source.rows))
        return map(_TEXT, self.converted or ())

    def read(self, row: _Row) -> tuple[str, str | None]:
        if self.converted is not None:
            return self.converted[row.position - 1]
        text, why, _ = row.value(self.plan)
        return text, why


@dataclass
class _PlanReader:
    """A plan's fields prepared once per source, and the origin columns its rows share."""

    fields: list[_FieldReader]
    origin_cols: dict[str, str]
    timepoint: int | None
    date: int | None = None  # output position of a contact's date, for a phase derived from it
    derived: list[_FieldReader] = field(default_factory=list)  # fields computed from other fields
    people: tuple[int, int] | None = None  # output positions of worker_id and person_id (contacts)
    discharges: dict | None = None  # the table's discharge dates by (worker, person)
    #: responses: a rejected answer is written empty, not as its text (see :func:`_fields`)
    blank_rejected: bool = False
    failed_tuples: dict = field(default_factory=dict)  # each distinct tuple of failed columns, shared by its rows

    @classmethod
    def of(cls, plan: BlockPlan, out: BuiltTable, index: dict[str, int], roles: dict | None = None) -> "_PlanReader":
        readers = []
        origin_cols: dict[str, str] = {}
        if plan.timepoint_column is not None:
            origin_cols["timepoint"] = plan.timepoint_column
        elif plan.timepoint is not None:
            origin_cols["timepoint"] = "a timepoint of the mapping"
        for f in plan.fields:
            if f.column is not None:
                label = f.column
            elif f.discharge is not None:
                label = f.discharge
            elif f.template is not None:
                label = f"template {f.template!r}"
            else:
                label = "a constant of the mapping"
            origin_cols[f.target.name] = label
            role = roles.get(f.target.name) if roles and plan.table == "responses" and f.column is not None else None
            readers.append(_FieldReader(f, out.position[f.target.name], index[f.column] if f.column is not None else None, label, role=role))
        derived = [r for r in readers if r.plan.discharge is not None]
        pos = out.position
        people = (pos["worker_id"], pos["person_id"]) if "worker_id" in pos and "person_id" in pos else None
        return cls(readers, origin_cols, pos.get("timepoint"), pos.get("date"), derived, people, out.discharges, plan.table == "responses")


_TEXT = itemgetter(0)


def _clean_block(plan: BlockPlan, reader: _PlanReader, source: SourceTable, out: BuiltTable, skip, problems=None) -> bool:
    """The whole block at once when nothing in it can fail; False (nothing done) otherwise.

    Applies to a long-layout block without filters, services, templates or
    derived fields whose every converted value is valid and whose every row
    has a mapped timepoint: the common case of a clean file. Rows, origins and
    skipped counts are exactly what the row-by-row path gives (the import tests
    run both). A responses block kept as codes may also have rejected answers
    (not ids or timepoints): they are written empty, as the row-by-row path
    writes them, and their problems go to ``problems``.
    """
    simple = not (plan.where or plan.require or plan.services or reader.derived)
    if not simple or any(fr.converted is None and fr.table is None for fr in reader.fields):
        return False
    if isinstance(source.rows, CodedRows) and problems is not None and _answers_only_fail(plan, reader):
        return _clean_coded_block(plan, reader, source, out, skip, problems)
    if not all(fr.clean for fr in reader.fields):
        return False
    if isinstance(source.rows, CodedRows):
        return _clean_coded_block(plan, reader, source, out, skip, problems)
    n = len(source.rows)
    timepoints = _block_timepoints(plan, source)
    if timepoints is False:
        return False
    # the rows are zipped straight from each column's texts: no list per column is held alongside them
    columns: list = [repeat("", n) for _ in out.columns]
    if timepoints is not None and reader.timepoint is not None:
        columns[reader.timepoint] = timepoints
    value_positions: list[int] = []
    for fr in reader.fields:
        columns[fr.out] = fr.texts(source)
        if fr.plan.target.name not in ("participant_id", "timepoint"):
            value_positions.append(fr.out)
    rows = list(zip(*columns))
    del columns
    for fr in reader.fields:
        fr.converted = fr.table = None
    keep: range | list[int] = range(n)
    if plan.table in ("responses", "service_use") and plan.skip_empty:
        if value_positions:
            values = itemgetter(*value_positions, value_positions[0])  # always a tuple, even for one column
            keep = [i for i, row in enumerate(rows) if any(values(row))]
        else:
            keep = []
        for _ in range(n - len(keep)):
            skip(f"{source.label}: empty {plan.table} rows (every mapped value empty)")
    numbers = source.row_numbers
    label, cols = source.label, reader.origin_cols
    if isinstance(keep, range):
        out.extend(rows)
        out.origins.add_run(label, numbers, cols)
    else:
        out.extend([rows[i] for i in keep])
        out.origins.add_run(label, (numbers[i] for i in keep), cols)
    return True


def _block_timepoints(plan: BlockPlan, source: SourceTable) -> list | None | bool:
    """Each row's timepoint for :func:`_clean_block` (None: the table has none); False when a row's is not mapped."""
    if plan.timepoint_column is not None:
        cells = list(map(itemgetter(source.index()[plan.timepoint_column]), source.rows))
        if source.kind in ("csv", "redcap"):
            text_of = {c: canonical_text(c) for c in set(cells)}
            raw = list(map(text_of.__getitem__, cells))
        else:
            raw = [canonical_text(c) for c in cells]
        timepoints = raw if plan.timepoint_values is None else [plan.timepoint_values.get(t) for t in raw]
        return False if any(tp is None for tp in timepoints) else timepoints
    if plan.timepoint is not None:
        return [plan.timepoint] * len(source.rows)
    return None


def _answers_only_fail(plan: BlockPlan, reader: _PlanReader) -> bool:
    """Whether the only rejected values of a responses block are answers (written empty), not its ids or timepoints."""
    return plan.table == "responses" and all(
        fr.clean or fr.plan.target.name not in ("participant_id", "timepoint") for fr in reader.fields
    )


def _clean_coded_block(plan: BlockPlan, reader: _PlanReader, source: SourceTable, out: BuiltTable, skip, problems=None) -> bool:
    """:func:`_clean_block` for a source kept as codes: the block's rows are kept as codes too.

    Each output column is the source column's codes with the converted text of
    each distinct cell (a constant column: one code); no row tuple is made.
    """
    rows = source.rows
    assert isinstance(rows, CodedRows)
    n = len(rows)
    blank = np.zeros(n, dtype=np.int8)
    codes: list[np.ndarray] = [blank] * len(out.columns)
    texts: list[list] = [[""] for _ in out.columns]
    if plan.timepoint_column is not None:
        tp_codes, cells = rows.column(source.index()[plan.timepoint_column])
        raw = [canonical_text(c) for c in cells]
        timepoints = raw if plan.timepoint_values is None else [plan.timepoint_values.get(t) for t in raw]
        if any(tp is None for tp in timepoints):  # every cell is some row's: a row would be refused
            return False
        if reader.timepoint is not None:
            codes[reader.timepoint], texts[reader.timepoint] = tp_codes, timepoints
    elif plan.timepoint is not None and reader.timepoint is not None:
        texts[reader.timepoint] = [plan.timepoint]
    value_positions: list[int] = []
    rejected = np.zeros(n, dtype=bool)  # rows with a rejected answer: kept even when every value is empty
    numbers = np.asarray(getattr(source.row_numbers, "array", source.row_numbers))
    for fr in reader.fields:
        assert fr.coded is not None and fr.table is not None
        field_codes, cells = fr.coded
        converted = [fr.table[c] for c in cells]
        codes[fr.out], texts[fr.out] = field_codes, ["" if why else text for text, why in converted]
        if not fr.clean and problems is not None:
            rejected |= _report_rejected(fr, field_codes, converted, numbers, source.label, problems)
        if fr.plan.target.name not in ("participant_id", "timepoint"):
            value_positions.append(fr.out)
        fr.converted = fr.table = fr.coded = None
    keep: np.ndarray | None = None
    if plan.table in ("responses", "service_use") and plan.skip_empty:
        keep = rejected.copy()
        for pos in value_positions:
            present = np.array([bool(t) for t in texts[pos]], dtype=bool)
            keep |= present[codes[pos]]
        for _ in range(n - int(keep.sum())):
            skip(f"{source.label}: empty {plan.table} rows (every mapped value empty)")
        if keep.all():
            keep = None
    built = CodedRows(codes, texts)
    if keep is None:
        out.extend(CodedRows.observed(built.codes, built.values))
        out.origins.add_run(source.label, numbers, reader.origin_cols)
    else:
        out.extend(built.take(keep))
        out.origins.add_run(source.label, numbers[keep], reader.origin_cols)
    return True


def _report_rejected(fr: "_FieldReader", field_codes: np.ndarray, converted: list, numbers: np.ndarray, label: str, problems) -> np.ndarray:
    """Each rejected answer of a column kept as codes, as a problem at its row (in row order); the rows' mask."""
    bad = np.array([bool(why) for _, why in converted], dtype=bool)
    rows = bad[field_codes]
    column = fr.plan.column or fr.label
    for i in np.flatnonzero(rows).tolist():
        problems.append(Problem(label, int(numbers[i]), column, converted[field_codes[i]][1]))
    return rows


def _run_row(plan: BlockPlan, reader: _PlanReader, row: _Row, out: BuiltTable, problems: list[Problem], skip) -> None:
    reason = _filtered(plan, row)
    if reason:
        skip(reason)
        return
    record = out.new_row()
    tp = _timepoint(plan, row, problems, skip)
    if tp is False:
        return
    if isinstance(tp, str) and reader.timepoint is not None:
        record[reader.timepoint] = tp
    cell_problems: list[Problem] = []
    failed: list[str] = []
    values_present = _fields(reader, row, record, cell_problems, failed)
    if plan.services:
        _service_rows(plan, row, record, reader.origin_cols, cell_problems, failed, out)
        problems.extend(cell_problems)
        return
    if plan.table in ("responses", "service_use") and plan.skip_empty and not values_present and not cell_problems:
        skip(f"{row.source.label}: empty {plan.table} rows (every mapped value empty)")
        return
    problems.extend(cell_problems)
    out.append(record)
    failed_key = tuple(failed)
    failed_key = reader.failed_tuples.setdefault(failed_key, failed_key)  # one tuple for every row failing alike
    out.origins.append(Origin(row.source.label, row.number, reader.origin_cols, failed_key))


def _filtered(plan: BlockPlan, row: _Row) -> str | None:
    """Why a row is left out by the block's ``where``/``require``, or None."""
    for col, wanted, _ in plan.where:
        if row.text(col) not in wanted:
            return f"{row.source.label}: rows not matching `where` of tables.{plan.table}"
    if plan.require and all(row.text(c) in row.missing for c, _ in plan.require):
        return f"{row.source.label}: rows without any `require` column of tables.{plan.table}"
    return None


def _timepoint(plan: BlockPlan, row: _Row, problems: list[Problem], skip) -> str | None | bool:
    """The row's timepoint (None when the table has none); False when the row is skipped or refused."""
    if plan.timepoint_column is not None:
        raw = row.text(plan.timepoint_column)
        tp = raw if plan.timepoint_values is None else plan.timepoint_values.get(raw)
        if tp is None:
            if plan.unmapped == "skip":
                skip(f"{row.source.label}: rows whose {plan.timepoint_column} is not mapped to a timepoint")
                return False
            known = ", ".join(plan.timepoint_values or {})
            problems.append(Problem(row.source.label, row.number, plan.timepoint_column, f"{raw!r} is not mapped to a timepoint (mapped: {known}); add it to timepoint.values or set unmapped: skip"))
            return False
        return tp
    return plan.timepoint


def _fields(reader: _PlanReader, row: _Row, record: list[str], cell_problems: list[Problem], failed: list[str]) -> bool:
    """Fill the mapped columns; True when any value other than the keys is present."""
    values_present = False
    i = row.position - 1
    for fr in reader.fields:
        if fr.plan.discharge is not None:
            continue  # needs the contact's date: filled below
        text, why = fr.converted[i] if fr.converted is not None else fr.read(row)
        if why:
            cell_problems.append(Problem(row.source.label, row.number, fr.plan.column or fr.label, why))
            failed.append(fr.plan.target.name)
            # The study checks see the source text, so a rejected value has no knock-on problems
            # (e.g. "no consent date"); their own complaint about the cell is dropped as reported.
            # An answer in responses has no rule beyond its own cell: it is written empty, so that
            # the study checks do not make a second problem for every rejected answer (memory).
            blank = reader.blank_rejected and fr.plan.target.name not in ("participant_id", "timepoint")
            text = "" if blank else row.raw_text(fr.plan)
        record[fr.out] = text
        if text and fr.plan.target.name not in ("participant_id", "timepoint"):
            values_present = True
    for fr in reader.derived:
        _phase(fr, row, record, reader, cell_problems, failed)
    return values_present


def _phase(fr: "_FieldReader", row: _Row, record: list[str], reader: "_PlanReader", cell_problems: list[Problem], failed: list[str]) -> None:
    """contacts.phase from the contact's date and the person's discharge date (none yet: before discharge)."""
    contact = record[reader.date] if reader.date is not None else ""
    if not contact or "date" in failed:
        record[fr.out] = "?"
        failed.append(fr.plan.target.name)  # the date's own problem says what is wrong
        return
    cell = row.cells[row.index[fr.plan.discharge or ""]]
    if cell is None or canonical_text(cell) in row.missing:
        record[fr.out] = "pre_discharge"
        return
    discharge, why = to_date(cell, row.source, fr.plan.date_format)
    if why:
        cell_problems.append(Problem(row.source.label, row.number, fr.plan.discharge, why))
        failed.append(fr.plan.target.name)
        record[fr.out] = "?"
        return
    record[fr.out] = "pre_discharge" if contact < discharge else "post_discharge"
    if reader.discharges is not None and reader.people is not None:
        reader.discharges.setdefault((record[reader.people[0]], record[reader.people[1]]), discharge)


def _service_rows(plan: BlockPlan, row: _Row, record: list[str], origin_cols: dict, cell_problems: list[Problem], failed: list[str], out: BuiltTable) -> None:
    """One service_use row per service of a wide layout that has a value."""
    pos = out.position
    for s in plan.services:
        sfailed = list(failed)
        used, why, ulabel = row.value(s.used)
        if why:
            cell_problems.append(Problem(row.source.label, row.number, s.used.column or ulabel, why))
            sfailed.append("used")
        count, clabel = "", ""
        if s.count is not None:
            count, why, clabel = row.value(s.count)
            if why:
                cell_problems.append(Problem(row.source.label, row.number, s.count.column or clabel, why))
                sfailed.append("count")
        if used == "" and count == "" and len(sfailed) == len(failed):
            continue
        rec = list(record)
        rec[pos["service"]], rec[pos["used"]], rec[pos["count"]] = s.service, used, count
        out.append(rec)
        cols = dict(origin_cols, service="a service of the mapping", used=ulabel, count=clabel or "count")
        out.origins.append(Origin(row.source.label, row.number, cols, tuple(sfailed)))

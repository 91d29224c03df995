"""A table read from a user's file, before any mapping is applied.

Every reader (CSV, XLSX, SPSS, REDCap) produces :class:`SourceTable` objects:
column names, rows of plain Python values, and the spreadsheet row of each
row, so that every later problem can name the user's file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import Problem
from ..study.write import format_number

SourceKind = Literal["csv", "xlsx", "spss", "redcap"]

#: A cell value: ``None`` (empty), text, a number, a boolean or a date.
Cell = None | str | int | float | bool | dt.date | dt.datetime


@dataclass
class SourceTable:
    """One rectangular table from a source file.

    Attributes
    ----------
    name : str
        The name a mapping uses in ``from:`` (file stem, sheet name, or
        ``records`` / a repeating instrument for REDCap).
    label : str
        How problems name the file: ``survey.csv`` or ``data.xlsx[Sheet1]``.
    columns : list of str
        Header cells, unique and non-empty.
    rows : list of tuple, or CodedRows
        Cell values; ``None`` is an empty cell. A large CSV's rows are a
        :class:`CodedRows` (columns of category codes) that reads like the list.
    row_numbers : list of int, or RowNumbers
        Spreadsheet row of each row (header = row 1 unless the header is lower).
    kind : str
        ``csv``, ``xlsx``, ``spss`` or ``redcap``.
    value_labels : dict
        Column -> {code as canonical text -> label} (SPSS value labels, REDCap choices).
    variable_labels : dict
        Column -> variable label (SPSS variable labels, REDCap field labels).
    decimal : str
        ``.``, ``,`` or ``auto`` (CSV only): how text numbers are read.
    excel_epoch : datetime or None
        The workbook's date epoch (XLSX only), for Excel serial dates.
    user_missing : dict
        Column -> number of SPSS user-missing codes turned into empty cells.
    encoding : str
        The text encoding a CSV was read with (empty for other kinds).
    """

    name: str
    label: str
    columns: list[str]
    rows: "list[tuple[Cell, ...]] | CodedRows"
    row_numbers: "list[int] | RowNumbers"
    kind: SourceKind
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    decimal: str = "."
    excel_epoch: dt.datetime | None = None
    user_missing: dict[str, int] = field(default_factory=dict)
    encoding: str = ""

    def index(self) -> dict[str, int]:
        """Column name -> position."""
        return {c: i for i, c in enumerate(self.columns)}


#: Rows made at a time when :class:`CodedRows` is iterated (a chunk's tuples are freed before the next).
_CHUNK_ROWS = 4096


def blank_header_problem(label: str, header_row: int) -> Problem:
    """The header row is blank but rows below it hold data: say where the names should be and how to move it."""
    return Problem(label, header_row, None,
                   f"row {header_row}, the header row, is empty: it must hold the column names; if they are on a later row, "
                   "set `header_row:` for this source under `sources:` in the mapping")


class CodedRows(Sequence):
    """A table's rows kept as columns: per column, one code per row and the distinct cells the codes name.

    Reads as the list of row tuples it stands for (length, indexing, slicing,
    iteration, equality with a list), but holds one small integer per cell
    instead of a tuple per row: the importer's memory (bench/import_speed.py).
    Rows are made only while iterated, a few thousand at a time.

    Parameters
    ----------
    codes : list of numpy.ndarray
        Per column, an integer code per row.
    values : list of list
        Per column, the cell value of each code.
    """

    def __init__(self, codes: list[np.ndarray], values: list[list[Cell]]):
        self.codes = codes
        self.values = values
        self._n = len(codes[0]) if codes else 0

    @classmethod
    def observed(cls, codes: list[np.ndarray], values: list[list[Cell]]) -> "CodedRows":
        """Keep only the values some row uses, so that every value of a column is a cell of it."""
        kept_codes, kept_values = [], []
        for col, vals in zip(codes, values):
            used = np.bincount(col, minlength=len(vals)) > 0
            if used.all():
                kept_codes.append(col)
                kept_values.append(list(vals))
                continue
            renumber = np.cumsum(used) - 1
            kept_codes.append(renumber[col].astype(code_type(int(used.sum())), copy=False))
            kept_values.append([v for v, u in zip(vals, used.tolist()) if u])
        return cls(kept_codes, kept_values)

    def column(self, j: int) -> tuple[np.ndarray, list[Cell]]:
        """(codes, values) of column ``j``."""
        return self.codes[j], self.values[j]

    def take(self, keep: np.ndarray) -> "CodedRows":
        """The rows at positions (or boolean mask) ``keep``."""
        return CodedRows.observed([c[keep] for c in self.codes], self.values)

    def __len__(self) -> int:
        return self._n

    def _rows(self, start: int, stop: int) -> list[tuple[Cell, ...]]:
        cols = [list(map(vals.__getitem__, c[start:stop].tolist())) for c, vals in zip(self.codes, self.values)]
        return list(zip(*cols)) if cols else [() for _ in range(start, stop)]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return tuple(vals[int(c[i])] for c, vals in zip(self.codes, self.values))

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        for start in range(0, self._n, _CHUNK_ROWS):
            yield from self._rows(start, min(self._n, start + _CHUNK_ROWS))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (CodedRows, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CodedRows({len(self)} rows x {len(self.codes)} columns)"


def code_type(n: int) -> type:
    """The smallest signed integer type holding codes 0..n-1."""
    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32


class RowNumbers(Sequence):
    """Spreadsheet row numbers as one integer array; reads like the list of ints (equal to it too)."""

    def __init__(self, numbers: np.ndarray):
        self.array = np.asarray(numbers, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.array[i].tolist()
        return int(self.array[i])

    def __iter__(self) -> Iterator[int]:
        for start in range(0, len(self.array), _CHUNK_ROWS):
            yield from self.array[start:start + _CHUNK_ROWS].tolist()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (RowNumbers, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RowNumbers({self.array.tolist()!r})" if len(self.array) <= 10 else f"RowNumbers({len(self.array)} rows)"


def canonical_text(value: Any) -> str:
    """The text form used to compare a cell with recode keys and value labels.

    Whole floats lose their ``.0`` (``1.0`` -> ``"1"``), text is stripped,
    booleans become ``"1"``/``"0"`` and dates become ISO ``YYYY-MM-DD``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "" if math.isnan(value) else format_number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()

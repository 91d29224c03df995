"""A table read from a user's file, before any mapping is applied.

Every reader (CSV, XLSX, SPSS, REDCap) produces :class:`SourceTable` objects:
column names, rows of plain Python values, and the spreadsheet row of each
row, so that every later problem can name the user's file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

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
    rows : list of tuple
        Cell values; ``None`` is an empty cell.
    row_numbers : list of int
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
    rows: list[tuple[Cell, ...]]
    row_numbers: list[int]
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

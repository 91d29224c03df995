"""Read the sheets of an Excel workbook (.xlsx) as :class:`SourceTable` objects.

Cells keep their Excel types (numbers, text, dates); a number in a date
column is converted as an Excel serial date later, with the workbook's own
epoch. A header row that contains merged cells is rejected, because a merged
header hides which column a value belongs to. Problems name the sheet in the
file field, e.g. ``data.xlsx[Sheet1]``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from .sniff import read_bytes, require_kind
from .source import Cell, SourceTable, blank_header_problem

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')


def sheet_label(file_label: str, sheet: str) -> str:
    return f"{file_label}[{sheet}]"


@dataclass
class Workbook:
    """An open workbook (read-only, values not formulas) and its zip, for merged-cell checks."""

    book: object
    archive: zipfile.ZipFile
    label: str

    @property
    def sheetnames(self) -> list[str]:
        return list(self.book.sheetnames)  # type: ignore[attr-defined]

    def sheet_xml(self, ws) -> bytes:
        path = getattr(ws, "_worksheet_path", None)
        if not path:
            return b""
        try:
            return self.archive.read(path.lstrip("/"))
        except KeyError:
            return b""

    def uncached_formulas(self, ws) -> list[str]:
        """Cells (``C7``) holding a formula whose result was never saved (openpyxl reads them as empty)."""
        xml = self.sheet_xml(ws)
        if b"<f" not in xml and b":f" not in xml:
            return []
        from lxml import etree

        out = []
        for _, cell in etree.iterparse(io.BytesIO(xml), events=("end",), tag="{*}c"):
            children = {etree.QName(c).localname: c for c in cell}
            if "f" in children and (children.get("v") is None or not (children["v"].text or "")) and "is" not in children:
                out.append(cell.get("r", ""))
            cell.clear()
        return out

    def merged_ranges(self, ws) -> list[tuple[str, int, int]]:
        """``(A1:C1 text, first row, last row)`` of every merged range of a sheet."""
        path = getattr(ws, "_worksheet_path", None)
        if not path:
            return []
        try:
            xml = self.archive.read(path)
        except KeyError:
            return []
        out = []
        for m in _MERGE.finditer(xml):
            c1, r1, c2, r2 = m.group(1).decode(), int(m.group(2)), (m.group(3) or m.group(1)).decode(), int(m.group(4) or m.group(2))
            out.append((f"{c1}{r1}:{c2}{r2}", r1, r2))
        return out


def open_workbook(path: Path, label: str) -> Workbook:
    """Open a workbook; any parser failure is a user error naming the file."""
    import openpyxl

    data = read_bytes(path, label)
    require_kind(data, "xlsx", label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        bad = archive.testzip()
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise UserInputError(f"{label}: is damaged or truncated: not a readable workbook ({exc})") from None
    except Exception as exc:  # zlib.error and friends from a damaged member
        raise UserInputError(f"{label}: is damaged or truncated: not a readable workbook ({type(exc).__name__}: {exc})") from None
    if bad is not None:
        raise UserInputError(f"{label}: is damaged: the part {bad!r} fails its checksum")
    if "xl/workbook.xml" not in names:
        raise UserInputError(f"{label}: is a zip file but not an Excel workbook (.xlsx)")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it ignores (data validation, styles); values are unaffected.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged parts; none must escape
        raise UserInputError(f"{label}: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") from None
    return Workbook(book, archive, label)


def _cell_value(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400.0
    return value  # type: ignore[return-value]


def _header_text(v: Cell) -> str:
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    from .source import canonical_text

    return canonical_text(v)


def read_sheet(wb: Workbook, ws, header_row: int = 1, name: str | None = None) -> SourceTable:
    """One worksheet as a source table.

    Raises
    ------
    StudyValidationError
        Merged header cells, empty or duplicate header cells (a column with
        values but no name), Excel error values, formulas whose result was
        never saved (``Sheet1!C7``: open and save the file in Excel or
        LibreOffice).
    """
    label = sheet_label(wb.label, ws.title)
    merges = sorted(coord for coord, r1, r2 in wb.merged_ranges(ws) if r1 <= header_row <= r2)
    if merges:
        raise StudyValidationError(
            [
                Problem(label, header_row, None,
                        f"the header has merged cells ({', '.join(merges)}): unmerge them so that every column "
                        "has its own name in one header row")
            ]
        )
    header, rows, numbers, errors_at = _sheet_cells(ws, label, header_row)
    if header is None or not any(header):
        if any(any(v is not None for v in r) for r in rows):
            raise StudyValidationError([blank_header_problem(label, header_row)])
        raise UserInputError(f"{label}: has no header row" + (f" at row {header_row}" if header_row > 1 else ""))
    width = len(header)
    while width and header[width - 1] == "" and all(len(v) < width or v[width - 1] is None for v in rows):
        width -= 1
    header = header[:width]
    problems = _header_problems(header, label, header_row)
    # Trailing columns beyond ``width`` are empty (checked above); short rows are padded.
    fixed = [tuple(values[:width]) + (None,) * max(0, width - len(values)) for values in rows]
    problems += _cell_problems(wb, ws, label, header, header_row, errors_at)
    if problems:
        raise StudyValidationError(problems)
    return SourceTable(
        name=name or ws.title,
        label=label,
        columns=header,
        rows=fixed,
        row_numbers=numbers,
        kind="xlsx",
        excel_epoch=getattr(wb.book, "epoch", None),
    )


def _sheet_cells(ws, label: str, header_row: int) -> tuple[list[str] | None, list[tuple[Cell, ...]], list[int], list[tuple[int, int, str]]]:
    """Header, non-empty rows, their row numbers and the Excel error cells of a sheet."""
    header: list[str] | None = None
    rows: list[tuple[Cell, ...]] = []
    numbers: list[int] = []
    errors_at: list[tuple[int, int, str]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            rows_iter = list(ws.iter_rows())
        for r, cells in enumerate(rows_iter, start=1):
            if r < header_row:
                continue
            values = [_cell_value(c.value) for c in cells]
            errors_at += [(r, i, str(c.value)) for i, c in enumerate(cells) if getattr(c, "data_type", None) == "e" and c.value is not None]
            if r == header_row:
                header = [_header_text(v) for v in values]
            elif any(v is not None for v in values):
                rows.append(tuple(values))
                numbers.append(r)
    except Exception as exc:  # damaged sheet XML surfaces while iterating
        raise UserInputError(f"{label}: cannot be read: the sheet is damaged ({type(exc).__name__}: {exc})") from None
    return header, rows, numbers, errors_at


def _header_problems(header: list[str], label: str, header_row: int) -> list[Problem]:
    from openpyxl.utils import get_column_letter

    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, col in enumerate(header, start=1):
        if col == "":
            problems.append(Problem(label, header_row, get_column_letter(pos), "header cell is empty: every column needs a name"))
        elif col in seen:
            problems.append(Problem(label, header_row, col, f"duplicate column name (also column {get_column_letter(seen[col])})"))
        else:
            seen[col] = pos
    return problems


def _cell_problems(wb: Workbook, ws, label: str, header: list[str], header_row: int, errors_at: list[tuple[int, int, str]]) -> list[Problem]:
    """Excel error values and formulas without a saved result, in the table's columns below the header."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    width = len(header)
    problems = [
        Problem(label, r, header[c_idx] or get_column_letter(c_idx + 1), f"holds the Excel error {err}")
        for r, c_idx, err in errors_at
        if r > header_row and c_idx < width
    ]
    for coord in wb.uncached_formulas(ws):
        try:
            letters, r = coordinate_from_string(coord)
            c_idx = column_index_from_string(letters) - 1
        except ValueError:
            continue
        if r > header_row and c_idx < width:
            problems.append(Problem(
                label, r, header[c_idx] or letters,
                f"{ws.title}!{coord} holds a formula whose result was never saved (files written by scripts often lack it), "
                "so its value is unknown: open the file in Excel or LibreOffice and save it, then import again",
            ))
    return problems


def tables_from_workbook(wb: Workbook, sheets: dict[str, str] | None = None, header_rows: dict[str, int] | None = None) -> list[SourceTable]:
    """The requested sheets (source name -> sheet title; default all, by title)."""
    titles = wb.sheetnames
    wanted = sheets or {t: t for t in titles}
    problems: list[Problem] = []
    out: list[SourceTable] = []
    for name, title in wanted.items():
        if title not in titles:
            problems.append(Problem(wb.label, None, None, f"has no sheet {title!r}; its sheets are: {', '.join(titles)}"))
            continue
        ws = wb.book[title]  # type: ignore[index]
        if not hasattr(ws, "iter_rows"):
            problems.append(Problem(sheet_label(wb.label, title), None, None, "is a chart sheet, not a table"))
            continue
        try:
            out.append(read_sheet(wb, ws, (header_rows or {}).get(title, 1), name))
        except StudyValidationError as exc:
            problems += exc.problems
        except UserInputError as exc:
            problems.append(Problem(sheet_label(wb.label, title), None, None, str(exc).split(": ", 1)[-1]))
    if problems:
        raise StudyValidationError(problems)
    return out


def read_xlsx_sources(
    path: Path,
    *,
    label: str | None = None,
    sheets: dict[str, str] | None = None,
    header_rows: dict[str, int] | None = None,
) -> list[SourceTable]:
    """Read the sheets of a workbook.

    Parameters
    ----------
    path : Path
        The workbook.
    label : str, optional
        File name used in problems.
    sheets : dict, optional
        Source name -> sheet title, to read only these sheets under these
        names. By default every sheet is read, named by its title.
    header_rows : dict, optional
        Sheet title -> spreadsheet row of its header (default 1).
    """
    return tables_from_workbook(open_workbook(path, label or path.name), sheets, header_rows)

"""Read a delimited text file (CSV, semicolon- or tab-separated) as a :class:`SourceTable`.

Text is UTF-8 (with or without a byte-order mark) unless the mapping names
another encoding or asks for ``auto`` detection; the delimiter
(``,`` ``;`` tab ``|``) is detected unless the mapping names it; a decimal
comma is accepted when the delimiter is not a comma (or when the mapping says
``decimal: ","``). Every structural problem is reported at once.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from .sniff import decode_text, read_bytes, require_kind
from .source import SourceTable

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_ROWS = 50


def _rows_sample(text: str, delimiter: str) -> list[list[str]] | None:
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if any(c.strip() for c in row):
                rows.append(row)
            if len(rows) >= _SAMPLE_ROWS:
                break
    except csv.Error:
        return None
    return rows


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter giving the widest header that every sampled row agrees with.

    Ties go to the earlier of ``, ; tab |``; a file with one column is read
    with a comma.
    """
    best, best_score = ",", (False, 0.0, 0)
    for delim in DELIMITERS:
        rows = _rows_sample(text, delim)
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agree = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (agree == 1.0, agree, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def parse_delimited(
    text: str, label: str, delimiter: str, header_row: int = 1, strip: bool = True
) -> tuple[list[str], list[tuple[str | None, ...]], list[int]]:
    """Split text into header, rows and spreadsheet row numbers.

    Cells are stripped of surrounding spaces unless ``strip`` is false (free
    text kept exactly); empty cells become ``None``.

    Raises
    ------
    StudyValidationError
        Empty or duplicate header cells, rows of the wrong width, broken quoting.
    """
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            records.append(row)
    except csv.Error as exc:
        raise StudyValidationError(
            [Problem(label, len(records) + 1, None, f"cannot be read as delimited text ({exc}); is the file truncated or a quote unclosed?")]
        ) from None
    if len(records) < header_row or not any(c.strip() for c in records[header_row - 1]):
        raise UserInputError(f"{label}: has no header row" + (f" at row {header_row}" if header_row > 1 else ""))
    header = [c.strip() for c in records[header_row - 1]]
    body = [(i + 1, r) for i, r in enumerate(records) if i >= header_row and any(c.strip() for c in r)]
    # Trailing header cells that are empty and hold no data are formatting leftovers.
    while header and header[-1] == "" and all(len(r) < len(header) or not r[len(header) - 1].strip() for _, r in body):
        header.pop()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, col in enumerate(header, start=1):
        if col == "":
            problems.append(Problem(label, header_row, f"#{pos}", "header cell is empty: every column needs a name"))
        elif col in seen:
            problems.append(Problem(label, header_row, col, f"duplicate column name (also column {seen[col]})"))
        else:
            seen[col] = pos
    width = len(header)
    rows: list[tuple[str | None, ...]] = []
    numbers: list[int] = []
    for number, raw in body:
        if len(raw) > width and not any(c.strip() for c in raw[width:]):
            raw = raw[:width]
        if len(raw) != width:
            problems.append(Problem(label, number, None, f"has {len(raw)} cells but the header has {width}"))
            continue
        rows.append(tuple((c.strip() if strip else c) or None for c in raw))
        numbers.append(number)
    if problems:
        raise StudyValidationError(problems)
    return header, rows, numbers


def read_csv_source(
    path: Path,
    *,
    name: str | None = None,
    label: str | None = None,
    encoding: str = "utf-8",
    delimiter: str = "auto",
    decimal: str = "auto",
    header_row: int = 1,
) -> SourceTable:
    """Read one delimited text file.

    Parameters
    ----------
    path : Path
        The file.
    name : str, optional
        Name used by the mapping's ``from:`` (default: the file stem).
    label : str, optional
        Name used in problems (default: the file name).
    encoding : str
        ``utf-8`` (default; a byte-order mark is allowed), ``auto`` (detect)
        or a fixed encoding.
    delimiter, decimal : str
        ``auto`` (detect) or a fixed value.
    header_row : int
        Spreadsheet row of the header (rows above it are skipped).
    """
    label = label or path.name
    data = read_bytes(path, label)
    require_kind(data, "csv", label)
    text, used = decode_text(data, label, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UserInputError(f"{label}: is empty")
    delim = sniff_delimiter(text) if delimiter == "auto" else delimiter
    header, rows, numbers = parse_delimited(text, label, delim, header_row)
    dec = decimal if decimal != "auto" else ("," if delim != "," else ".")
    return SourceTable(
        name=name or path.stem,
        label=label,
        columns=header,
        rows=rows,
        row_numbers=numbers,
        kind="csv",
        decimal=dec,
        encoding=used,
    )

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
import re
from pathlib import Path

import numpy as np

from ..errors import Problem, StudyValidationError, UserInputError
from .sniff import DELIMITERS, decode_text, read_bytes, require_kind, sniff_delimiter
from .source import Cell, CodedRows, RowNumbers, SourceTable

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
__all__ = ["DELIMITERS", "FAST_MIN_CHARS", "parse_delimited", "read_csv_source", "sniff_delimiter"]

#: Files shorter than this are read by the careful parser only (pandas' set-up costs more than it saves).
FAST_MIN_CHARS = 64 * 1024


def parse_delimited(
    text: str, label: str, delimiter: str, header_row: int = 1, strip: bool = True
) -> tuple[list[str], list[tuple[str | None, ...]] | CodedRows, list[int] | RowNumbers]:
    """Split text into header, rows and spreadsheet row numbers.

    Cells are stripped of surrounding spaces unless ``strip`` is false (free
    text kept exactly); empty cells become ``None``.

    Raises
    ------
    StudyValidationError
        Empty or duplicate header cells, rows of the wrong width, broken quoting.
    """
    fast = _parse_with_pandas(text, delimiter, header_row, strip)
    if fast is not None:
        return fast
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


def _parse_with_pandas(
    text: str, delimiter: str, header_row: int, strip: bool
) -> tuple[list[str], CodedRows, RowNumbers] | None:
    """The fast path of :func:`parse_delimited`: pandas' C parser for plain, well-formed files.

    Used only when the result is certain to equal the ``csv`` module's: no
    quote characters (so no quoted delimiters, line breaks or quoting
    mistakes), every record as wide as the header, a header with unique,
    non-empty names. Anything else returns ``None`` and the careful parser
    reads the file and names each problem.
    """
    if len(text) < FAST_MIN_CHARS:
        return None
    return _parse_with_pandas_unchecked(text, delimiter, header_row, strip)


def _same_width(text: str, delimiter: str, header_row: int) -> int | None:
    """The header's delimiter count when every non-blank record after it has the same (None otherwise or with no header line).

    Text with ``\n`` line ends only is counted in chunks of lines (no list of
    every line is made); other line ends line by line.
    """
    if "\r" not in text:
        start = 0
        for _ in range(header_row - 1):
            end = text.find("\n", start)
            if end < 0:
                return None
            start = end + 1
        end = text.find("\n", start)
        commas = text.count(delimiter, start, len(text) if end < 0 else end)
        while 0 <= end < len(text):  # chunks of about 1 MiB of whole lines
            stop = text.find("\n", end + 1 + (1 << 20))
            stop = len(text) if stop < 0 else stop
            if any(line.count(delimiter) != commas for line in text[end + 1:stop].split("\n") if line.strip()):
                return None
            end = stop
        return commas
    lines = _LINE_BREAK.split(text)
    if len(lines) < header_row:
        return None
    commas = lines[header_row - 1].count(delimiter)
    return None if any(line.count(delimiter) != commas for line in lines[header_row:] if line.strip()) else commas


def _parse_with_pandas_unchecked(
    text: str, delimiter: str, header_row: int, strip: bool
) -> tuple[list[str], CodedRows, RowNumbers] | None:
    """:func:`_parse_with_pandas` for a text of any length (its tests use short ones).

    The rows are kept as columns of category codes (:class:`CodedRows`): the
    parser makes one string per distinct value, and no tuple per row is made.
    """
    if '"' in text or "\x00" in text:
        return None
    commas = _same_width(text, delimiter, header_row)
    if commas is None:
        return None  # no header, or a record of another width: the careful parser names it
    import pandas as pd

    try:
        # bytes, not an io.StringIO of the text (that holds 4 bytes a character)
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=delimiter, header=None, dtype="category",
            na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c", skiprows=header_row - 1,
        )
    except Exception:  # noqa: BLE001 - any doubt: the careful parser decides and explains
        return None
    if frame.empty or frame.shape[1] != commas + 1:
        return None
    header = [str(c).strip() if isinstance(c, str) else "" for c in frame.iloc[0]]
    if any(h == "" for h in header) or len(set(header)) != len(header):
        return None
    codes: list[np.ndarray] = []
    values: list[list[Cell]] = []
    blank = np.ones(len(frame) - 1, dtype=bool)
    for c in frame.columns:
        col = frame[c]
        col_codes = col.cat.codes.to_numpy()[1:]
        if len(col_codes) and col_codes.min() < 0:
            return None
        texts = [v if isinstance(v, str) else "" for v in col.cat.categories]
        cleaned: list[Cell] = [(t.strip() if strip else t) or None for t in texts]
        # like the careful parser: a record whose cells are all blank is not a row
        empty = np.array([not t.strip() for t in texts] or [True], dtype=bool)
        blank &= empty[col_codes]
        codes.append(col_codes)
        values.append(cleaned)
    numbers = frame.index.to_numpy()[1:] + header_row
    del frame
    keep = ~blank
    if keep.all():
        return header, CodedRows.observed(codes, values), RowNumbers(numbers)
    return header, CodedRows.observed([c[keep] for c in codes], values), RowNumbers(numbers[keep])


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
    del data  # decoded: only the text is needed from here on
    header, rows, numbers = parse_delimited(text, label, delim, header_row)
    del text
    cells: list[tuple[Cell, ...]] | CodedRows = rows if isinstance(rows, CodedRows) else list(rows)
    dec = decimal if decimal != "auto" else ("," if delim != "," else ".")
    return SourceTable(
        name=name or path.stem,
        label=label,
        columns=header,
        rows=cells,
        row_numbers=numbers,
        kind="csv",
        decimal=dec,
        encoding=used,
    )

"""Read a delimited text file (CSV, semicolon- or tab-separated) as a :class:`SourceTable`.

Text is UTF-8 (with or without a byte-order mark) unless the mapping names
another encoding or asks for ``auto`` detection; the delimiter
(``,`` ``;`` tab ``|``) is detected unless the mapping names it; a decimal
comma is accepted when the delimiter is not a comma (or when the mapping says
``decimal: ","``). Every structural problem is reported at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np

from ..errors import Problem, StudyValidationError, UserInputError
from ..study.csvio import quoting_problem, record_lines, unclosed_quote, width_problem
from .heap import release_freed_memory
from .sniff import _SAMPLE_CHARS, DELIMITERS, decode_text, read_bytes, require_kind, scan_utf8, sniff_delimiter
from .source import Cell, CodedRows, RowNumbers, SourceTable, blank_header_problem, code_type

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
        raise StudyValidationError(_quoting_problems(text, label, delimiter, header_row, len(records) + 1, exc)) from None
    if len(records) < header_row or not any(c.strip() for c in records[header_row - 1]):
        if any(any(c.strip() for c in r) for r in records[header_row:]):
            raise StudyValidationError([blank_header_problem(label, header_row)])
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
            problems.append(width_problem(label, number, len(raw), header, record_lines(raw)))
            continue
        rows.append(tuple((c.strip() if strip else c) or None for c in raw))
        numbers.append(number)
    if problems:
        raise StudyValidationError(problems)
    return header, rows, numbers


def _quoting_problems(text: str, label: str, delimiter: str, header_row: int, row: int, error: csv.Error) -> list[Problem]:
    """The strict reader's ``error`` at ``row``, and a quote never closed at its own row and cell.

    The strict reader stops at the first quoting mistake, which may be a
    harmless ``"x"y`` well before the quote that swallows the rest of the
    file; when the mistake is that quote, only it is named.
    """
    unclosed = unclosed_quote(text, label, delimiter, header_row)
    if unclosed is None:
        return [quoting_problem(label, row, error)]
    return [unclosed] if unclosed.row == row else [quoting_problem(label, row, error), unclosed]


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


def _parse_with_pandas_unchecked(
    text: str, delimiter: str, header_row: int, strip: bool
) -> tuple[list[str], CodedRows, RowNumbers] | None:
    """:func:`_parse_with_pandas` for a text of any length (its tests use short ones)."""
    return parse_utf8(text.encode("utf-8"), delimiter, header_row, strip)


#: Rows parsed at a time by :func:`parse_utf8` (each chunk's categories are merged into the columns' codes).
_PARSE_ROWS = 8_192
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def _same_width(data: bytes, delimiter: bytes, header_row: int) -> int | None:
    """The header's delimiter count when every non-blank record after it has the same (None otherwise or with no header line).

    Text with line feeds only is counted in chunks of about 1 MiB of whole
    lines (no list of every line is made); other line ends line by line. A
    line is blank when its bytes are ASCII white space (a line of other white
    space is counted, at worst sending the file to the careful parser).
    """
    if b"\r" not in data:
        start = 0
        for _ in range(header_row - 1):
            end = data.find(b"\n", start)
            if end < 0:
                return None
            start = end + 1
        end = data.find(b"\n", start)
        commas = data.count(delimiter, start, len(data) if end < 0 else end)
        while 0 <= end < len(data):
            stop = data.find(b"\n", end + 1 + (1 << 20))
            stop = len(data) if stop < 0 else stop
            if any(line.count(delimiter) != commas for line in data[end + 1:stop].split(b"\n") if line.strip()):
                return None
            end = stop
        return commas
    lines = _LINE_BREAK_BYTES.split(data)
    if len(lines) < header_row:
        return None
    commas = lines[header_row - 1].count(delimiter)
    return None if any(line.count(delimiter) != commas for line in lines[header_row:] if line.strip()) else commas


def parse_utf8(
    data: bytes, delimiter: str, header_row: int, strip: bool = True
) -> tuple[list[str], CodedRows, RowNumbers] | None:
    """The fast path on UTF-8 bytes (no byte-order mark): header, rows kept as codes, row numbers; or None.

    None whenever the careful parser must decide (see :func:`_parse_with_pandas`).
    pandas parses ``_PARSE_ROWS`` rows at a time as categoricals (one string
    per distinct value of a chunk), and each chunk's codes are renumbered into
    the column's codes: neither the text, a tuple per row nor a string per
    cell is made (memory: bench/import_speed.py).
    """
    width = plain_width(data, delimiter, header_row)
    return None if width is None else parse_plain(data, delimiter, header_row, width, strip)


def plain_width(data: bytes, delimiter: str, header_row: int) -> int | None:
    """The number of columns when ``data`` can be read by the fast path (no quote, no NUL, every record as wide as the header); else None."""
    if b'"' in data or b"\x00" in data:
        return None
    commas = _same_width(data, delimiter.encode("utf-8"), header_row)
    return None if commas is None else commas + 1  # None: no header, or a record of another width


def parse_plain(
    source: bytes | Path, delimiter: str, header_row: int, width: int, strip: bool = True
) -> tuple[list[str], CodedRows, RowNumbers] | None:
    """:func:`parse_utf8` once :func:`plain_width` has accepted the bytes (``source``: them, or the file they were read from)."""
    parsed = _parse_chunks(source, delimiter, header_row, width)
    if parsed is None:
        return None
    header, parts, lookups, index_parts = parsed
    if any(h == "" for h in header) or len(set(header)) != len(header):
        return None
    numbers = np.concatenate(index_parts) + header_row if index_parts else np.zeros(0, dtype=np.int64)
    codes: list[np.ndarray] = []
    values: list[list[Cell]] = []
    blank = np.ones(len(numbers), dtype=bool)
    for j in range(len(parts)):
        col_parts, parts[j] = parts[j], []  # each column's chunks are freed once joined
        texts, lookups[j] = list(lookups[j]), {}
        col_codes = np.concatenate(col_parts).astype(code_type(len(texts)), copy=False) if col_parts else np.zeros(0, dtype=np.int8)
        del col_parts
        # like the careful parser: a record whose cells are all blank is not a row
        empty = np.array([not t.strip() for t in texts] or [True], dtype=bool)
        blank &= empty[col_codes]
        codes.append(col_codes)
        values.append([(t.strip() if strip else t) or None for t in texts])
    keep = ~blank
    if keep.all():
        return header, CodedRows.observed(codes, values), RowNumbers(numbers)
    return header, CodedRows.observed([c[keep] for c in codes], values), RowNumbers(numbers[keep])


def _parse_chunks(data: bytes | Path, delimiter: str, header_row: int, width: int):
    """(header, per column its chunks of codes, per column text -> code, chunks of row indexes), or None."""
    import pandas as pd

    header: list[str] | None = None
    parts: list[list[np.ndarray]] = [[] for _ in range(width)]
    lookups: list[dict[str, int]] = [{} for _ in range(width)]
    index_parts: list[np.ndarray] = []
    try:
        reader = pd.read_csv(
            data if isinstance(data, Path) else io.BytesIO(data), encoding="utf-8", sep=delimiter, header=None, dtype="category",
            na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c",
            skiprows=header_row - 1, chunksize=_PARSE_ROWS,
        )
        with reader:
            for chunk in reader:
                if chunk.shape[1] != width:
                    return None
                first = 0
                if header is None:
                    header = [str(v).strip() if isinstance(v, str) else "" for v in chunk.iloc[0]]
                    first = 1
                index_parts.append(chunk.index.to_numpy()[first:])
                for j, c in enumerate(chunk.columns):
                    col = chunk[c]
                    chunk_codes = col.cat.codes.to_numpy()[first:]
                    if len(chunk_codes) and chunk_codes.min() < 0:
                        return None
                    lookup = lookups[j]
                    texts = [v if isinstance(v, str) else "" for v in col.cat.categories]
                    renumber = np.fromiter((lookup.setdefault(t, len(lookup)) for t in texts), dtype=np.int64, count=len(texts))
                    parts[j].append(renumber[chunk_codes].astype(code_type(len(lookup)), copy=False))
    except Exception:  # noqa: BLE001 - any doubt: the careful parser decides and explains
        return None
    if header is None:
        return None
    return header, parts, lookups, index_parts


def _stamp(path: Path) -> tuple[int, int] | None:
    """(size, modification time) of ``path``, to tell that it did not change between two reads; None when unknown."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _utf8_body(data: bytes, used: str, text: str) -> bytes | None:
    """``data`` without its byte-order mark when those bytes are exactly ``text`` in UTF-8 (else None)."""
    if used != "utf-8" or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    return None if body.startswith(codecs.BOM_UTF8) or len(body) < len(text) else body


def _scan_utf8_body(data: bytes, encoding: str) -> tuple[bytes, int, str, bool] | None:
    """(UTF-8 bytes without the byte-order mark, characters, the text's first characters, blank) when ``data`` reads as plain UTF-8; else None.

    For the encodings that :func:`~peerimpact.formats.sniff.decode_text`
    reads as UTF-8 (``utf-8``, ``utf-8-sig``, ``auto``, or any with a UTF-8
    byte-order mark). The head is long enough for
    :func:`~peerimpact.formats.sniff.sniff_delimiter` to choose as it would
    on the whole text. None for UTF-16, a second byte-order mark, a NUL
    byte or bytes that are not UTF-8: then ``decode_text`` decodes, detects
    or names the first bad byte, as before (a NUL byte is valid UTF-8, but
    pandas ends a cell at it; ``decode_text`` names it).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if encoding not in ("utf-8", "auto", "utf-8-sig") and not data.startswith(codecs.BOM_UTF8):
        return None
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if body.startswith(codecs.BOM_UTF8) or b"\x00" in body:
        return None
    try:
        scan = scan_utf8(body, _SAMPLE_CHARS + 1)
    except UnicodeDecodeError:
        return None
    return body, scan.chars, scan.head, scan.blank


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
    stamp = _stamp(path)
    data = read_bytes(path, label)
    require_kind(data, "csv", label)
    whole = not data.startswith(codecs.BOM_UTF8)
    scanned = _scan_utf8_body(data, encoding)
    utf8 = scanned is not None
    body: bytes | None
    if scanned is not None:  # valid UTF-8, checked without its whole text (memory)
        body, chars, head, blank = scanned
        scanned = None  # (the tuple would keep the bytes alive while pandas reads the file)
        text, used = head, "utf-8"
    else:
        text, used = decode_text(data, label, encoding, header_row, delimiter)
        if text.startswith("\ufeff"):
            text = text[1:]
        chars, head, blank = len(text), text, not text or text.isspace()  # (strip() would copy the whole text)
        body = _utf8_body(data, used, text)
    if blank:
        raise UserInputError(f"{label}: is empty")
    delim = sniff_delimiter(head, header_row) if delimiter == "auto" else delimiter
    del data, head
    parsed = None
    if utf8 and body is not None and chars < FAST_MIN_CHARS:
        text = body.decode("utf-8")  # short: the careful parser reads its text
    elif body is not None and chars >= FAST_MIN_CHARS:
        # decoded once (valid UTF-8), the text is freed: the fast path checks the file's bytes, and
        # then pandas reads the file itself when the bytes are the whole file (memory)
        del text
        width = plain_width(body, delim, header_row)
        if width is not None and whole and stamp is not None:
            del body
            parsed = parse_plain(path, delim, header_row, width)
            if _stamp(path) != stamp:  # changed while read: read it again, whole and carefully
                parsed = None
            if parsed is None:
                text, _ = decode_text(read_bytes(path, label), label, encoding, header_row, delimiter)
                text = text.removeprefix("\ufeff")
        else:
            parsed = parse_plain(body, delim, header_row, width) if width is not None else None
            if parsed is None:
                text = body.decode("utf-8")
            del body
    if parsed is not None:  # pandas' chunks are freed: hand their memory back before the next file or stage
        release_freed_memory()
    header, rows, numbers = parsed if parsed is not None else parse_delimited(text, label, delim, header_row)
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

"""Read a study CSV exactly as written: every cell a string, empty = ``""``.

Row numbers in problems are spreadsheet rows: the header is row 1, so the
DataFrame index ``i`` is row ``i + 2``.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import io
import itertools
import re
import sys
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .tables import TABLES

# The csv module refuses a cell longer than csv.field_size_limit() (131,072 characters by default) with
# an uncaught `_csv.Error`, yet a transcript quote or a free-text note can be longer. The limit is
# process-global (the module keeps one value, read by every reader), so it is raised here once, when
# the package is imported (the importers import this module too), rather than set and restored
# around each reader, which would race with readers in other threads. It is never lowered, and it
# is bounded by a C long, which holds it (sys.maxsize overflows where a long is 32 bits, on Windows).
csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2 ** (8 * ctypes.sizeof(ctypes.c_long) - 1) - 1)))

_LINES = re.compile(r"\r\n|\r|\n")
_EDGE_PAIRS = (" ,", ", ", " \n", "\n ", " \r", "\r ", '" ', ' "', '"\n', '\n"', '"\r', '\r"')


def _may_need_trim(text: str) -> bool:
    """False only when no cell can have white space at its edges (most files): trimming is then skipped.

    Conservative: any non-ASCII text, tab or other white-space control character, or a
    space or quote next to a delimiter or line end answers True.
    """
    if not text.isascii() or text[:1].isspace() or text[-1:] in (" ", '"'):
        return True
    if any(c in text for c in "\t\x0b\x0c\x1c\x1d\x1e\x1f"):
        return True
    if " " not in text and '"' not in text:
        # every pair holds a space or a quote; a one-character search is far faster than a
        # two-character one whose first character (a comma, a line end) is everywhere
        return False
    return any(pair in text for pair in _EDGE_PAIRS)


def per_distinct(values: pd.Series, func) -> pd.Series:
    """Apply a vectorised string function to the distinct values only, then map back.

    Study columns (ids, dates, codes) repeat a few values over many rows, so
    this turns per-cell regex and strip work into per-value work.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    result = np.asarray(func(pd.Series(uniques, dtype=object)))
    return pd.Series(result[codes], index=values.index)


def spreadsheet_row(index: int) -> int:
    return int(index) + 2


def read_raw_csv(
    path: Path, name: str, verbatim: tuple[str, ...] | None = None, categorical: Callable[[str], bool] | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read ``path`` as strings. Returns ``(frame, problems)``; frame is None when unreadable.

    Cells are trimmed of surrounding whitespace, except in the ``verbatim`` columns
    (text that is data, such as a coded quote), which are kept exactly as written.
    By default these are the ones the table declarations (:mod:`.tables`) give for
    the file ``name``.

    The columns for which ``categorical(name)`` is true are pandas categoricals of
    the same strings (the parser then makes one string per distinct value, and
    the checks read the codes): for columns repeating a few values, such as
    questionnaire items, dates and codes (speed: bench/import_speed.py). Their
    values, comparisons with strings, ``isin`` and ``at`` are those of the plain
    columns; a column whose cells need trimming becomes plain.
    """
    if verbatim is None:
        verbatim = next((t.verbatim for t in TABLES if t.file == name), ())
    try:
        checked = _check_plain(path, name)
        if checked is None:  # not plain ASCII: read and decoded whole
            data = path.read_bytes()
            checked = _check_text(data, name)
            del data
    except OSError as exc:
        return None, [Problem(name, None, None, f"cannot be read: {exc.strerror}")]
    if isinstance(checked, list):
        return None, checked
    header, trim, ragged_text = checked
    try:
        frame = _read_frame(path if ragged_text is None else _cut_to_width(ragged_text, len(header)), header, categorical)
    except (pd.errors.ParserError, ValueError):
        text = path.read_bytes().decode("utf-8-sig") if ragged_text is None else ragged_text
        problems = _unparsed(text, header, name)
        if problems:
            return None, problems
        try:  # pandas refused a file the csv module reads with every record fitting the header: the csv module's records
            frame = _read_frame(_cut_to_width(text, len(header)), header, categorical)
        except (pd.errors.ParserError, ValueError):  # last resort, not reached by any file known
            return None, [Problem(name, None, None, "could not be parsed as CSV")]
    del ragged_text
    # Blank lines (empty, or white space only: trimmed to empty) are kept as empty rows, so that
    # later rows keep their spreadsheet numbers; trailing blank lines are dropped.
    if trim:
        frame = frame.apply(
            lambda col: col if col.name in verbatim else per_distinct(col, lambda u: u.str.strip())
        )
        frame = _blank_white_records(frame, [c for c in frame.columns if c in verbatim])
    plain = [c for c, dtype in frame.dtypes.items() if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype))]
    if plain:
        frame = frame.astype({c: object for c in plain})
    last = _last_nonblank_row(frame)
    if last == len(frame) - 1:
        return frame, []
    return frame.loc[:last].reset_index(drop=True), []


def _read_frame(source: Path | io.BytesIO, header: list[str], categorical: Callable[[str], bool] | None) -> pd.DataFrame:
    """pandas' reading of a file (or of :func:`_cut_to_width`'s bytes) whose first record is the header, every cell a string.

    The file itself is read by the parser, after the text and bytes are freed (it held both while
    parsing; an io.StringIO would even hold 4 bytes a character; memory: bench/import_speed.py).
    The header line, with any byte-order mark, is skipped by the parser.
    """
    return pd.read_csv(
        source, encoding="utf-8", keep_default_na=False, na_filter=False,
        dtype={h: "category" if categorical is not None and categorical(h) else str for h in header},
        skip_blank_lines=False, engine="c", header=0, names=header, index_col=False,
    )


def _cut_to_width(text: str, width: int) -> io.BytesIO:
    """The csv module's records of ``text`` cut to ``width`` cells, written again as UTF-8 CSV for :func:`_read_frame`.

    For a file with a record of another width than the header (checked by
    :func:`_ragged_rows`: cells beyond the header are empty or white space,
    a narrower record is blank), or one pandas refused. pandas' C parser
    read a record wider than the header with ``usecols`` wrongly or not at
    all ("Buffer overflow caught" for ``h0,h1\\n,,,,,\\n\\n5,8\\n``, read
    once a byte-order mark was added), so the cells are the csv module's.
    A Python loop over the records, as :func:`_ragged_rows` runs on such a
    file anyway; the records are not kept (only the text written).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for record in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(record[:width])
    return io.BytesIO(out.getvalue().encode("utf-8"))


def _blank_white_records(frame: pd.DataFrame, verbatim: list[str]) -> pd.DataFrame:
    """``frame`` with each row whose cells are all white space made blank, its ``verbatim`` (untrimmed) cells too.

    A line of white space is a blank row whatever its columns: a verbatim
    column (a coded quote) keeps a cell's white space, which would
    otherwise make a line of spaces a row with a value in its first column.
    Whole-column operations, on the distinct values of the verbatim columns.
    """
    if not verbatim or frame.empty:
        return frame
    white = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        if column not in verbatim:
            white &= (frame[column] == "").to_numpy(dtype=bool)
    for column in verbatim:
        if white.any():
            white &= per_distinct(frame[column], lambda u: u.str.strip() == "").to_numpy(dtype=bool)
    if not white.any():
        return frame
    frame = frame.copy()
    for column in verbatim:
        cells = frame[column]
        if isinstance(cells.dtype, pd.CategoricalDtype) and "" not in cells.cat.categories:
            cells = cells.cat.add_categories([""])
        frame[column] = cells.mask(white, "")
    return frame


def _plain_ascii(data: bytes) -> bool:
    """Whether ``data`` is ASCII without quote characters, carriage returns or NUL bytes (most study files)."""
    return data.isascii() and b'"' not in data and b"\r" not in data and b"\x00" not in data


#: The ASCII characters ``str.isspace`` accepts (``bytes.isspace`` leaves out ``\x1c``-``\x1f``).
_ASCII_SPACE = b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_ASCII_CONTROLS = (b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
_ASCII_EDGE_PAIRS = tuple(pair.encode("ascii") for pair in _EDGE_PAIRS)


def _check_plain(path: Path, name: str) -> tuple[list[str], bool, str | None] | list[Problem] | None:
    """:func:`_check_text` of a :func:`_plain_ascii` file, read in chunks of whole lines; None for any other file.

    Such a file's text is its bytes, so the header, the comma count of every
    line and the signs of cells to trim (:func:`_may_need_trim`) are found on
    the bytes, a chunk at a time: neither the whole file nor a decoded copy is
    held (memory: bench/import_speed.py). None also when the header line is
    not within the first chunk or is blank: the caller then reads the file whole.
    """
    with path.open("rb") as fh:
        block = fh.read(_SCAN_CHUNK)
        end = block.find(b"\n")
        if end < 0 or not _plain_ascii(block[: end + 1]) or not block[:end].strip(_ASCII_SPACE):
            return None
        head = block[: end + 1]
        header = [h.strip() for h in next(csv.reader(io.StringIO(head.decode("ascii"), newline="")))]
        trim = block[:1] in _ASCII_SPACE or _trim_signs(head)
        # a header ending in an empty cell: which of its columns hold data is read from the records (_checked)
        pending, previous, ragged = block[end + 1:], head[-1:], header[-1:] == [""]
        del block
        while True:
            more = fh.read(_SCAN_CHUNK)
            if more:
                pending += more
                cut = pending.rfind(b"\n") + 1
                lines, pending = pending[:cut], pending[cut:]
            else:
                lines, pending = pending, b""
            if lines:
                if not _plain_ascii(lines):
                    return None
                ragged = ragged or _ragged_chunk(np.frombuffer(lines, dtype=np.uint8), len(header))
                trim = trim or _trim_signs(lines) or _trim_signs(previous + lines[:1])
                previous = lines[-1:]
            if not more:
                break
    trim = trim or previous == b" "  # the last character (a space there is a cell's edge)
    return _checked(header, trim, name, path.read_bytes().decode("ascii") if ragged else None)


#: Bytes :func:`_check_plain` reads at once (its arrays take about 6 bytes a byte read).
_SCAN_CHUNK = 1 << 18


def _trim_signs(data: bytes) -> bool:
    """Whether plain ASCII ``data`` holds a white-space control character or a space next to a delimiter or line end."""
    return any(c in data for c in _ASCII_CONTROLS) or (b" " in data and any(pair in data for pair in _ASCII_EDGE_PAIRS))


def _check_text(data: bytes, name: str) -> tuple[list[str], bool, str | None] | list[Problem]:
    """:func:`_checked` of a file's bytes, or the problems that stop it being read."""
    if b"\x00" in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # pandas' parser ends a cell at a NUL byte, dropping the rest of it: never read such a file
        return [_nul_problem(data, name)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # after a byte-order mark the codec counts from the text's start: count the mark's bytes too
        return [_bad_byte(data, exc.start + len(data) - len(exc.object), name)]
    if not text or text.isspace():
        return [Problem(name, None, None, "is empty: a header row is required")]
    header = [h.strip() for h in next(csv.reader(io.StringIO(_first_record_text(text), newline="")))]
    body = memoryview(data)[3:] if data.startswith(codecs.BOM_UTF8) else data
    ragged = header[-1:] == [""] or _ragged(text, len(header), body)
    return _checked(header, _may_need_trim(text), name, text if ragged else None)


def _checked(
    header: list[str], trim: bool, name: str, ragged_text: str | None
) -> tuple[list[str], bool, str | None] | list[Problem]:
    """``(header, whether cells may need trimming, ragged_text)``, or the problems.

    ``ragged_text`` is the file's text when the quick count found a record of
    another width than the header, or the header ends in an empty cell (else
    None). The quick count takes a line of white space, or of commas only,
    for such a record, and a row with empty cells beyond the header too:
    when every record of another width is one of these, the file is read
    (:func:`_cut_to_width`), the blank records are blank rows like an empty
    line, and the empty cells beyond the header are dropped. So are the
    header's empty cells at its end over columns holding no data
    (:func:`_named_header`).
    """
    if not any(header):  # a blank first line: every row would be "wider than the header"
        return [Problem(name, 1, None, "the first line is empty: the column names (the header) must be on the first line")]
    if ragged_text is not None:
        header = _named_header(header, ragged_text)
    problems = _header_problems(header, name)
    ragged = [] if ragged_text is None else _ragged_rows(ragged_text, header, name)
    if problems or ragged:
        return problems + ragged
    return header, trim, ragged_text


def _named_header(header: list[str], text: str) -> list[str]:
    """``header`` without its empty cells at the end over columns where no record has a value.

    Excel writes such a cell (``a,b,``) when its used range goes past the
    table; the importers drop it the same way
    (:func:`peerimpact.formats.csv_source.parse_delimited`). A column with a
    value keeps its empty header cell, a problem; a header of empty cells
    keeps its first.
    """
    named = len(header)
    while named > 1 and header[named - 1] == "":
        named -= 1
    if named == len(header):
        return header
    used: set[int] = set()
    for record in itertools.islice(csv.reader(io.StringIO(text, newline="")), 1, None):
        used.update(j for j in range(named, min(len(record), len(header))) if record[j].strip())
    width = len(header)
    while width > named and width - 1 not in used:
        width -= 1
    return header[:width]


def _bad_byte(data: bytes, offset: int, name: str) -> Problem:
    """The problem at the row and column of ``data[offset]``, the first byte that is not UTF-8."""
    row, column = locate_byte(data, offset)
    return Problem(
        name, row, column,
        f"byte 0x{data[offset]:02x} is not valid UTF-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): "
        "save the file again as CSV UTF-8",
    )


#: The one rule of a NUL byte in a CSV file, for the study loader and the importers.
NUL_RULE = "byte 0x00 (a NUL byte) is not text: the file is damaged, or was saved in another encoding such as UTF-16"

#: Bytes at the start of a file looked at by :func:`utf16_order`.
_UTF16_SAMPLE = 4096


def utf16_order(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` looks like UTF-16 text, else None.

    It does when it starts with a UTF-16 byte-order mark, or when, in its
    first 4 KiB, at least a quarter of the two-byte units (and at least 4)
    have a NUL byte on the same side (the high byte of an ASCII character:
    CSV's delimiters, digits and line ends) and the other side has at most a
    quarter as many. A damaged file, with a few NUL bytes or a run of them,
    is not UTF-16.

    Examples
    --------
    >>> utf16_order("id,score".encode("utf-16-le")), utf16_order("id,score".encode("utf-16-be")), utf16_order(b"id," + bytes(1) + b"score")
    ('utf-16-le', 'utf-16-be', None)
    """
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    units = min(len(data), _UTF16_SAMPLE) // 2
    even, odd = data[0:2 * units:2].count(0), data[1:2 * units:2].count(0)
    if max(even, odd) < max(4, units / 4) or min(even, odd) * 4 > max(even, odd):
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def utf16_evidence(data: bytes) -> str:
    """Why :func:`utf16_order` took ``data`` for UTF-16, for a message."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "it starts with a UTF-16 byte-order mark"
    return "a NUL byte beside most characters"


def _nul_problem(data: bytes, name: str) -> Problem:
    """The problem of a study CSV holding NUL bytes: UTF-16 text (the whole file), or a NUL byte at its row and column."""
    if utf16_order(data) is not None:
        return Problem(name, None, None, f"looks like UTF-16 text ({utf16_evidence(data)}), not UTF-8: save the file again as CSV UTF-8")
    row, column = locate_byte(data, data.index(b"\x00"))
    return Problem(name, row, column, f"{NUL_RULE}: check this cell, then save the file again as CSV UTF-8")


def locate_byte(data: bytes, offset: int, delimiter: str = ",", header_row: int = 1) -> tuple[int, str | None]:
    """Spreadsheet row and column name of the cell holding byte ``offset`` of delimited text.

    The study loader (:func:`read_raw_csv`) and the importers
    (:func:`peerimpact.formats.sniff.decode_text`) both use it. Bytes that
    are not UTF-8 are read as one replacement character each, so any text
    encoding whose delimiters, quotes and line ends are ASCII is located.

    Parameters
    ----------
    data : bytes
        The whole file, a byte-order mark included.
    offset : int
        Position of the byte in ``data`` (the mark's bytes counted).
    delimiter : str
        The delimiter of the file's cells.
    header_row : int
        Spreadsheet row of the header (an importer's ``header_row``; rows
        above it are titles).

    Returns
    -------
    tuple of (int, str or None)
        The row of the record holding the byte (the file's first record is
        row 1; a quoted cell spanning lines is one row), and the header's
        name of its cell (``#N`` when unnamed, beyond the header, above the
        header row, or when the name holds a NUL byte; None when the text
        cannot be split into records, the row then being the line's).
    """
    before = data[:offset].decode("utf-8-sig", errors="replace")
    try:
        # the sentinel ends the text inside the cell holding the byte, so the last record is that cell's
        records = list(csv.reader(io.StringIO(before + "\x00", newline=""), delimiter=delimiter))
        header = _record(data, header_row, delimiter) if len(records) >= header_row else []
    except csv.Error:
        return before.count("\n") + 1, None
    if not records:
        return 1, None
    position = len(records[-1]) - 1
    column = header[position].strip() if position < len(header) and "\x00" not in header[position] else ""
    return len(records), column or f"#{position + 1}"


def _record(data: bytes, row: int, delimiter: str) -> list[str]:
    """The cells of record ``row`` (1-based) of delimited ``data`` (no cells when the file has fewer records)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""), delimiter=delimiter)
    return next(itertools.islice(reader, row - 1, None), [])


def _last_nonblank_row(frame: pd.DataFrame) -> int:
    """Index of the last row with a non-empty cell (-1 when none): trailing blank rows are dropped.

    Only the rows at the end are looked at until a non-blank one is found
    (usually the last row itself).
    """
    end = len(frame)
    step = 8
    while end > 0:
        start = max(0, end - step)
        blank = (frame.iloc[start:end] == "").to_numpy().all(axis=1)
        if not blank.all():
            return start + int(np.flatnonzero(~blank)[-1])
        end, step = start, step * 8
    return -1


def _first_record_text(text: str) -> str:
    """The text up to the end of the first line when it holds no quote (the header then ends there), else all of it."""
    end = text.find("\n")
    head = text if end < 0 else text[: end + 1]
    return text if '"' in head else head


def _ragged(text: str, width: int, data: bytes | memoryview | None = None) -> bool:
    """Whether a record has another width than the header (blank lines do not count).

    Without quote characters a record is a line and its width is its comma count
    plus one, much faster to count than to parse (speed: bench/import_speed.py).
    """
    if '"' not in text and "\r" not in text:
        return _ragged_lines(text.encode("utf-8") if data is None else data, width)
    if '"' not in text:
        return any(line.count(",") != width - 1 for line in _LINES.split(text)[1:] if line)
    return any(len(r) not in (0, width) for r in itertools.islice(csv.reader(io.StringIO(text, newline="")), 1, None))


def _ragged_lines(data: bytes | memoryview, width: int) -> bool:
    """Whether a non-blank line after the first has another comma count than ``width - 1``.

    For text with ``\\n`` line ends and no quote characters. Commas are counted
    per line with numpy (positions of the commas between each line's bounds),
    not in a Python loop over the lines. In UTF-8 a comma or line-feed byte is
    always that character.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    n = len(arr)
    start = _first_line_end(arr)  # the header's line is not counted
    while 0 < start < n:  # chunks of whole lines: the comma positions of the whole file would take 8 bytes a comma
        end = start + _CHUNK
        if end >= n:
            end = n
        else:
            after = _first_line_end(arr[end:])
            end = end + after if after else n
        if _ragged_chunk(arr[start:end], width):
            return True
        start = end
    return False


#: Bytes looked at at once by :func:`_ragged_lines` (whole lines are added to reach a line end).
_CHUNK = 1 << 20


def _first_line_end(arr: np.ndarray) -> int:
    """Position just after the first line feed (0 when there is none)."""
    pos = 0
    while pos < len(arr):
        found = np.flatnonzero(arr[pos:pos + _CHUNK] == 10)
        if len(found):
            return pos + int(found[0]) + 1
        pos += _CHUNK
    return 0


def _ragged_chunk(arr: np.ndarray, width: int) -> bool:
    """Whether a non-blank line of ``arr`` (whole lines) has another comma count than ``width - 1``."""
    ends = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(arr)]))
    commas = np.flatnonzero(arr == 44)
    counts = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    nonblank = ends > starts
    return bool(np.any(nonblank & (counts != width - 1)))


def _header_problems(header: list[str], name: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, col in enumerate(header, start=1):
        if col == "":
            problems.append(Problem(name, 1, f"#{pos}", "header cell is empty"))
        elif col in seen:
            problems.append(Problem(name, 1, col, f"duplicate column (also column {seen[col]})"))
        else:
            seen[col] = pos
    return problems


def unclosed_quote(text: str, name: str, delimiter: str = ",", header_row: int = 1) -> Problem | None:
    """The problem of the record of ``text`` whose quote is never closed (:func:`unclosed_quote_problem`), or None.

    Its column is named from the header at ``header_row`` (an importer's).
    """
    header: list[str] = []
    for i, (record, unclosed) in enumerate(lenient_records(text, delimiter)):
        if i == header_row - 1:
            header = record
        if unclosed:
            return unclosed_quote_problem(name, i + 1, record, header if i >= header_row else [])
    return None


def _ragged_rows(text: str, header: list[str], name: str) -> list[Problem]:
    """Slow path, only on failure: name every non-blank row whose cell count differs from the header's, and an unclosed quote.

    A record whose cells are all white space (a line of spaces, or of commas)
    is a blank row, whatever its width: it is not named. Nor is a row whose
    cells beyond the header are all empty or white space: spreadsheet
    leftovers (Excel writes ``1,2,`` when a cell right of the table was ever
    used), dropped as the importers drop them
    (:func:`peerimpact.formats.csv_source.parse_delimited`). A record whose
    quote is never closed (it runs to the end of the file) is named as such
    (:func:`unclosed_quote_problem`), whatever its width.
    """
    width = len(header)
    problems = []
    for i, (record, unclosed) in enumerate(lenient_records(text)):
        if unclosed:
            problems.append(unclosed_quote_problem(name, i + 1, record, header if i else []))  # (in the header: #N)
        elif i and record and len(record) != width and any(c.strip() for c in record) and (
            len(record) < width or any(c.strip() for c in record[width:])
        ):
            problems.append(width_problem(name, i + 1, len(record), header, record_lines(record)))
    return problems


#: Appended to a text by :func:`lenient_records`: it is a record of its own unless a quote is still open.
#: (A NUL character is never in a text read: the study loader and the importers refuse it first.)
_END = "\x00"


def lenient_records(text: str, delimiter: str = ",") -> Iterator[tuple[list[str], bool]]:
    """Each record of ``text`` as the lenient csv reader reads it, with whether it is one whose quote is never closed.

    Only the last record can be: a quote opened and never closed makes the
    rest of the file one cell (the strict reader stops at the first
    quoting mistake instead, which may be a harmless ``"x"y`` read as
    ``xy``). Told by a sentinel after the text: it ends inside that cell
    rather than being a record of its own.

    Examples
    --------
    >>> list(lenient_records('a,b\\n"x"y,"2\\n3,4\\n'))
    [(['a', 'b'], False), (['xy', '2\\n3,4\\n'], True)]
    """
    for record in csv.reader(itertools.chain(io.StringIO(text, newline=""), [_END]), delimiter=delimiter):
        if record and record[-1].endswith(_END):
            if record != [_END]:
                yield record[:-1] + [record[-1][: -len(_END)]], True
            return
        yield record, False


def record_lines(record: Sequence[str]) -> int:
    """The number of lines a record spans (1 plus the line breaks in its cells; used by the importers too)."""
    return 1 + sum(len(_LINES.findall(c)) for c in record if "\n" in c or "\r" in c)


def unclosed_quote_problem(name: str, row: int, record: Sequence[str], header: Sequence[str]) -> Problem:
    """The problem of the ``record`` at ``row`` whose last cell opens a quote never closed (:func:`lenient_records`).

    The study loader and the importers
    (:func:`peerimpact.formats.csv_source.parse_delimited`) both use it.

    Examples
    --------
    >>> str(unclosed_quote_problem("t.csv", 3, ["4", "5,6\\n7,8,9\\n"], ["a", "b", "c"]))
    't.csv:3:b: a quote opened in this cell is never closed, so the rest of the file (2 lines) is read as one cell: close the quote where the cell ends, or double it ("") if it is text'
    """
    cells = len(record)
    column = (header[cells - 1].strip() if cells - 1 < len(header) else "") or f"#{cells}"
    lines = record_lines([*record[:-1], record[-1].rstrip("\r\n")])  # (the file's last line break starts no line)
    return Problem(
        name, row, column,
        f"a quote opened in this cell is never closed, so the rest of the file ({lines} line{'s' if lines != 1 else ''}) is read "
        'as one cell: close the quote where the cell ends, or double it ("") if it is text',
    )


def width_problem(name: str, row: int, cells: int, header: Sequence[str], lines: int = 1) -> Problem:
    """The problem of a row of ``cells`` cells under a ``header`` of another width.

    The study loader and the importers
    (:func:`peerimpact.formats.csv_source.parse_delimited`) both use it.

    Parameters
    ----------
    name : str
        The file, as problems name it.
    row : int
        Spreadsheet row (header = row 1).
    cells : int
        The row's number of cells.
    header : sequence of str
        The header's column names (``""`` for an unnamed column).
    lines : int
        The lines the row spans: more than one when a quoted cell holds a
        line break, and then the likely cause is a quote closed in the
        wrong place, not a delimiter.

    Returns
    -------
    Problem
        At the first column with no cell when the row is short (``#N`` when
        unnamed), or at the first cell with no column, ``#N``, when it is long.

    Examples
    --------
    >>> str(width_problem("t.csv", 3, 2, ["a", "b", "c"]))
    't.csv:3:c: has 2 cells but the header has 3: no cell for c (a missing delimiter?)'
    >>> str(width_problem("t.csv", 3, 3, ["a", "b"]))
    't.csv:3:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)'
    >>> str(width_problem("t.csv", 3, 2, ["a", "b", "c"], lines=4))
    't.csv:3:c: has 2 cells but the header has 3: no cell for c (a quote opened in this row is closed 3 lines below: is it closed where the cell ends?)'
    """
    width = len(header)
    start = f"has {cells} cells but the header has {width}"
    quote = f"a quote opened in this row is closed {lines - 1} line{'s' if lines > 2 else ''} below: is it closed where the cell ends?"
    if cells < width:
        column = header[cells] or f"#{cells + 1}"
        onwards = " onwards" if cells < width - 1 else ""
        return Problem(name, row, column, f"{start}: no cell for {column}{onwards} ({quote if lines > 1 else 'a missing delimiter?'})")
    column = f"#{width + 1}"
    guess = quote if lines > 1 else "an unquoted delimiter inside a cell?"
    return Problem(name, row, column, f"{start}: the header has no column {column} ({guess})")


def quoting_problem(name: str, row: int, error: csv.Error) -> Problem:
    """The problem of a record that the ``csv`` module cannot read (an unclosed quote, most often)."""
    return Problem(name, row, None, f"cannot be read as delimited text ({error}); is the file truncated or a quote unclosed?")


def _unparsed(text: str, header: list[str], name: str) -> list[Problem]:
    """Why pandas could not parse a file that passed the checks: a row of another width, or a quote never closed.

    No problem when neither: the caller then reads the csv module's records
    (:func:`_cut_to_width`). pandas' C parser refuses some files the csv
    module reads, each record fitting the header (a record wider than the
    header made it fail with "Buffer overflow caught").
    """
    return _ragged_rows(text, header, name)

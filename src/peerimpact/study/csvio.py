"""Read a study CSV exactly as written: every cell a string, empty = ``""``.

Row numbers in problems are spreadsheet rows: the header is row 1, so the
DataFrame index ``i`` is row ``i + 2``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .tables import TABLES

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
    header, trim, odd_width = checked
    # checked: the parser reads the file itself, after the text and bytes are freed (it held
    # both while parsing; an io.StringIO would even hold 4 bytes a character; memory:
    # bench/import_speed.py). The header line, with any byte-order mark, is skipped by the parser.
    try:
        frame = pd.read_csv(
            path, encoding="utf-8", keep_default_na=False, na_filter=False,
            dtype={h: "category" if categorical is not None and categorical(h) else str for h in header},
            skip_blank_lines=False, engine="c", header=0, names=header, index_col=False,
            # a record wider than the header with nothing beyond it (a line of commas, a row's spreadsheet
            # leftovers `1,2,`) is read to the header's width
            usecols=list(range(len(header))) if odd_width else None,
        )
    except (pd.errors.ParserError, ValueError):
        return None, _unparsed(path.read_bytes().decode("utf-8-sig"), header, name)
    # Blank lines (empty, or white space only: trimmed to empty) are kept as empty rows, so that
    # later rows keep their spreadsheet numbers; trailing blank lines are dropped.
    if trim:
        frame = frame.apply(
            lambda col: col if col.name in verbatim else per_distinct(col, lambda u: u.str.strip())
        )
    plain = [c for c, dtype in frame.dtypes.items() if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype))]
    if plain:
        frame = frame.astype({c: object for c in plain})
    last = _last_nonblank_row(frame)
    if last == len(frame) - 1:
        return frame, []
    return frame.loc[:last].reset_index(drop=True), []


def _plain_ascii(data: bytes) -> bool:
    """Whether ``data`` is ASCII without quote characters, carriage returns or NUL bytes (most study files)."""
    return data.isascii() and b'"' not in data and b"\r" not in data and b"\x00" not in data


#: The ASCII characters ``str.isspace`` accepts (``bytes.isspace`` leaves out ``\x1c``-``\x1f``).
_ASCII_SPACE = b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_ASCII_CONTROLS = (b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
_ASCII_EDGE_PAIRS = tuple(pair.encode("ascii") for pair in _EDGE_PAIRS)


def _check_plain(path: Path, name: str) -> tuple[list[str], bool, bool] | list[Problem] | None:
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
        pending, previous, ragged = block[end + 1:], head[-1:], False
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


def _check_text(data: bytes, name: str) -> tuple[list[str], bool, bool] | list[Problem]:
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
    return _checked(header, _may_need_trim(text), name, text if _ragged(text, len(header), body) else None)


def _checked(
    header: list[str], trim: bool, name: str, ragged_text: str | None
) -> tuple[list[str], bool, bool] | list[Problem]:
    """``(header, whether cells may need trimming, whether a record is wider or narrower than the header)``, or the problems.

    ``ragged_text`` is the file's text when the quick count found a record of
    another width than the header (else None). The quick count takes a line
    of white space, or of commas only, for such a record, and a row with
    empty cells beyond the header too: when every record of another width is
    one of these, the file is read, the blank records are blank rows like an
    empty line, and the empty cells beyond the header are dropped.
    """
    problems = _header_problems(header, name)
    ragged = [] if ragged_text is None else _ragged_rows(ragged_text, header, name)
    if problems or ragged:
        return problems + ragged
    return header, trim, ragged_text is not None


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


def _ragged_rows(text: str, header: list[str], name: str) -> list[Problem]:
    """Slow path, only on failure: name every non-blank row whose cell count differs from the header's.

    A record whose cells are all white space (a line of spaces, or of commas)
    is a blank row, whatever its width: it is not named. Nor is a row whose
    cells beyond the header are all empty or white space: spreadsheet
    leftovers (Excel writes ``1,2,`` when a cell right of the table was ever
    used), dropped as the importers drop them
    (:func:`peerimpact.formats.csv_source.parse_delimited`).
    """
    width = len(header)
    rows = itertools.islice(csv.reader(io.StringIO(text, newline="")), 1, None)
    return [
        width_problem(name, i + 2, len(r), header)
        for i, r in enumerate(rows)
        if r and len(r) != width and any(c.strip() for c in r) and (len(r) < width or any(c.strip() for c in r[width:]))
    ]


def width_problem(name: str, row: int, cells: int, header: Sequence[str]) -> Problem:
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
    """
    width = len(header)
    start = f"has {cells} cells but the header has {width}"
    if cells < width:
        column = header[cells] or f"#{cells + 1}"
        onwards = " onwards" if cells < width - 1 else ""
        return Problem(name, row, column, f"{start}: no cell for {column}{onwards} (a missing delimiter?)")
    column = f"#{width + 1}"
    return Problem(name, row, column, f"{start}: the header has no column {column} (an unquoted delimiter inside a cell?)")


def quoting_problem(name: str, row: int, error: csv.Error) -> Problem:
    """The problem of a record that the ``csv`` module cannot read (an unclosed quote, most often)."""
    return Problem(name, row, None, f"cannot be read as delimited text ({error}); is the file truncated or a quote unclosed?")


def _unparsed(text: str, header: list[str], name: str) -> list[Problem]:
    """Why pandas could not parse a file that passed the checks: a row of another width, or broken quoting."""
    problems = _ragged_rows(text, header, name)
    if problems:
        return problems
    records = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            records += 1
    except csv.Error as exc:  # an unclosed quote: the lenient reader ran it to the end of the file as one cell
        return [quoting_problem(name, records + 1, exc)]
    # Last resort, with no row to name: pandas refused a file that the csv module reads strictly with
    # every non-blank record as wide as the header, so neither says where. No such file is known (a
    # short row is filled, a blank wide one cut to the header, an unclosed quote is named above).
    return [Problem(name, None, None, "could not be parsed as CSV")]

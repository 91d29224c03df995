"""Recognise what a file really is before parsing it, and decode text.

A ``.sav`` that is really a CSV, a CSV that is really a workbook, an empty
file or a text file in an unexpected encoding must each give one clear
:class:`~peerimpact.errors.UserInputError`, never a parser traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from ..study.csvio import NUL_RULE, utf16_evidence, utf16_order
from ..study.csvio import locate_byte as locate_cell

FORMAT_NAMES = {"csv": "CSV text", "xlsx": "an Excel workbook (.xlsx)", "spss": "an SPSS data file (.sav)"}


def read_bytes(path: Path, label: str) -> bytes:
    """Read a file, turning a missing or unreadable file into a user error."""
    if not path.exists():
        raise UserInputError(f"{label}: no such file")
    if path.is_dir():
        raise UserInputError(f"{label}: is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserInputError(f"{label}: cannot be read ({exc.strerror})") from None
    if not data or data.isspace():  # (data.strip() would copy the whole file)
        raise UserInputError(f"{label}: is empty")
    return data


def detect_kind(data: bytes) -> str:
    """``xlsx``, ``xls``, ``spss``, ``binary`` or ``text`` from the first bytes."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if data.startswith((b"$FL2", b"$FL3")):
        return "spss"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    head = data[:4096]
    if b"\x00" in head and utf16_order(head) is None and _BINARY_CONTROL.search(head):
        return "binary"
    return "text"


#: Control bytes that text does not hold (a NUL byte alone is text with a damaged cell, named where it is).
_BINARY_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


def require_kind(data: bytes, wanted: str, label: str) -> None:
    """Raise a user error naming what the file is when it is not ``wanted``."""
    kind = detect_kind(data)
    if kind == wanted or (wanted == "csv" and kind == "text"):
        return
    what = {
        "xlsx": "an Excel workbook or another zip file",
        "xls": "an old Excel 97-2003 workbook (.xls); save it as .xlsx",
        "spss": "an SPSS data file (.sav)",
        "binary": "a binary file, not text",
        "text": "text (it looks like CSV)",
    }[kind]
    hint = {"xlsx": "peerimpact import xlsx", "spss": "peerimpact import spss", "text": "peerimpact import csv"}.get(kind)
    msg = f"{label}: is not {FORMAT_NAMES[wanted]}: it is {what}"
    if hint and kind != wanted:
        msg += f" (use `{hint}`)"
    raise UserInputError(msg)


ENCODINGS = ("utf-8", "auto", "utf-8-sig", "cp1252", "latin-1", "utf-16")


def decode_text(data: bytes, label: str, encoding: str = "utf-8", header_row: int = 1, delimiter: str = "auto") -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding used)``.

    ``utf-8`` (the default) reads UTF-8 with or without a byte-order mark
    (and UTF-16 when the file starts with its mark). ``auto`` reads a file
    with a byte-order mark or valid UTF-8 as such and otherwise lets
    charset-normalizer choose; the caller reports the choice. Any other
    name is used as given, except that a UTF-8 byte-order mark always means
    UTF-8 (REDCap's dictionary beside a record export saved on Windows). Text that is not valid in the encoding is a
    problem naming the first bad byte's row and column, with the hint to set
    ``encoding:`` in the mapping; nothing is ever replaced silently.

    UTF-16 without a byte-order mark (told by its NUL bytes,
    :func:`peerimpact.study.csvio.utf16_order`) is read with ``utf-16`` or
    ``auto``, its byte order told the same way; with any other encoding it
    is a user error with the hint to set ``encoding: utf-16``. A NUL byte
    (or character) in the text is a problem at its row and column, never
    kept in a cell (pandas' parser, which reads study CSVs, ends a cell at
    it). ``header_row`` and ``delimiter`` (``auto``: sniffed from the header
    row on) name the column of a problem.
    """
    order = utf16_order(data)
    if order is not None:
        text, used = _decode_utf16(data, label, encoding, order)
    else:
        if encoding != "utf-16" and b"\x00" in data:  # the byte is the character: named before any later bad byte
            raise _nul_byte(data, data.index(b"\x00"), label, header_row, delimiter)
        text, used = _decode(data, label, encoding, header_row, delimiter)
    if "\x00" in text:
        at = text.index("\x00")
        raise _nul_byte(text.encode("utf-8"), len(text[:at].encode("utf-8")), label, header_row, delimiter)
    return text, used


def _decode_utf16(data: bytes, label: str, encoding: str, order: str) -> tuple[str, str]:
    """Text that looks like UTF-16 (``order``) decoded when ``encoding`` reads it; else the user error saying what it looks like."""
    marked = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not (encoding in ("utf-16", "auto") or (marked and encoding == "utf-8")):
        raise UserInputError(
            f"{label}: looks like UTF-16 text ({utf16_evidence(data)}), not {encoding}: set `encoding: utf-16` for this source "
            "under `sources:` in the mapping, or save the file again as CSV UTF-8"
        )
    try:
        return (data.decode("utf-16"), "utf-16") if marked else (data.decode(order), order)
    except UnicodeDecodeError:
        if marked:
            raise UserInputError(f"{label}: starts with a UTF-16 mark but is not valid UTF-16 text") from None
        raise UserInputError(f"{label}: looks like UTF-16 text ({utf16_evidence(data)}) but is not valid {order} text") from None


def _decode(data: bytes, label: str, encoding: str, header_row: int, delimiter: str) -> tuple[str, str]:
    """:func:`decode_text` of text that does not look like UTF-16."""
    if encoding in ("utf-8", "auto", "utf-8-sig") or data.startswith(codecs.BOM_UTF8):
        # a UTF-8 byte-order mark settles it, whatever encoding the mapping names for the source
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError as exc:
            if encoding != "auto":
                # the codec reports positions after a byte-order mark it skipped: count them in the file
                raise _bad_byte(data, exc.start + len(data) - len(exc.object), label, "utf-8", header_row, delimiter) from None
        return _detect(data, label)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise _bad_byte(data, exc.start, label, encoding, header_row, delimiter) from None
    except LookupError:
        raise UserInputError(f"{label}: unknown encoding {encoding!r}") from None


#: Bytes decoded at a time by :func:`scan_utf8`.
SCAN_BYTES = 1 << 16


@dataclass(frozen=True)
class Utf8Scan:
    """What :func:`scan_utf8` learns of valid UTF-8 bytes without keeping their text.

    Attributes
    ----------
    chars : int
        Number of characters of the decoded text.
    head : str
        The text's first ``head_chars`` characters (all of it when shorter).
    blank : bool
        True when the text is empty or white space only (``not text or text.isspace()``).
    """

    chars: int
    head: str
    blank: bool


def scan_utf8(data: bytes, head_chars: int, chunk: int = SCAN_BYTES) -> Utf8Scan:
    """Check that ``data`` is UTF-8, ``chunk`` bytes at a time, keeping only the first ``head_chars`` characters.

    The text of one chunk exists at a time (decoding all of ``data`` at once
    holds its bytes and its text together: memory, bench/import_speed.py). A
    character split between two chunks is completed from the next one.

    Raises
    ------
    UnicodeDecodeError
        At the first byte that is not valid UTF-8, with ``start`` and ``end``
        counted in ``data`` (as ``data.decode("utf-8")`` reports them).
    """
    view = memoryview(data)
    chars, head, blank, start = 0, "", True, 0
    try:
        while start < len(view):
            stop = min(start + chunk, len(view))
            try:
                text, used = codecs.utf_8_decode(view[start:stop], "strict", stop == len(view))
            except UnicodeDecodeError as exc:
                raise UnicodeDecodeError("utf-8", bytes(data), start + exc.start, start + exc.end, exc.reason) from None
            if not used and stop < len(view):  # a character longer than a chunk cannot be: chunk < 4
                chunk = 4
                continue
            chars += len(text)
            if len(head) < head_chars:
                head += text[: head_chars - len(head)]
            blank = blank and (not text or text.isspace())
            start += used
    finally:
        view.release()
    return Utf8Scan(chars, head, blank)


def _detect(data: bytes, label: str) -> tuple[str, str]:
    """charset-normalizer's best guess for text that is not UTF-8."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UserInputError(f"{label}: the text encoding could not be detected; name it with `encoding:` under `sources:` in the mapping")
    return str(best), best.encoding


def _bad_byte(data: bytes, offset: int, label: str, encoding: str, header_row: int = 1, delimiter: str = "auto") -> UserInputError:
    """A problem at the row and column of ``data[offset]``, the first byte that is not valid ``encoding``."""
    row, column = locate_byte(data, offset, header_row, delimiter)
    byte = data[offset]
    hint = "; it may be Windows-1252 (what Excel writes for 'CSV')" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else ""
    message = (
        f"byte 0x{byte:02x} is not valid {encoding} text{hint}: set `encoding:` for this source under "
        "`sources:` in the mapping (e.g. `encoding: cp1252`, or `encoding: auto` to detect it), "
        "or save the file again as CSV UTF-8"
    )
    return StudyValidationError([Problem(label, row, column, message)])


def _nul_byte(data: bytes, offset: int, label: str, header_row: int, delimiter: str) -> UserInputError:
    """The problem of the NUL byte ``data[offset]`` (UTF-8 ``data``), at its row and column."""
    row, column = locate_byte(data, offset, header_row, delimiter)
    message = (
        f"{NUL_RULE}: check this cell, then save the file again as CSV UTF-8 (or, if it is UTF-16, set `encoding: utf-16` "
        "for this source under `sources:` in the mapping)"
    )
    return StudyValidationError([Problem(label, row, column, message)])


def locate_byte(data: bytes, offset: int, header_row: int = 1, delimiter: str = "auto") -> tuple[int, str | None]:
    """Spreadsheet row and column name of the cell holding byte ``offset`` of delimited text.

    The locating is :func:`peerimpact.study.csvio.locate_byte`'s, the study
    loader's; the column is named from the header at ``header_row`` (the
    mapping's), and the delimiter is sniffed when ``auto``.
    """
    if delimiter == "auto":
        delimiter = sniff_delimiter(data.decode("utf-8-sig", errors="replace"), header_row)
    return locate_cell(data, offset, delimiter, header_row)


# ------------------------------------------------------------------ delimiter
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_ROWS = 50


def _rows_sample(text: str, delimiter: str, header_row: int = 1) -> list[list[str]] | None:
    """The first non-blank records from the header row on (at most ``_SAMPLE_ROWS``), or None when the quoting breaks."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    rows: list[list[str]] = []
    try:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        for row in itertools.islice(reader, header_row - 1, None):
            if any(c.strip() for c in row):
                rows.append(row)
            if len(rows) >= _SAMPLE_ROWS:
                break
    except csv.Error:
        return None
    return rows


def sniff_delimiter(text: str, header_row: int = 1) -> str:
    """Pick the delimiter giving the widest header that every sampled row agrees with.

    Ties go to the earlier of ``, ; tab |``; a file with one column is read
    with a comma. The rows above ``header_row`` (titles) are not sampled.
    """
    best, best_score = ",", (False, 0.0, 0)
    for delim in DELIMITERS:
        rows = _rows_sample(text, delim, header_row)
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

"""Recognise what a file really is before parsing it, and decode text.

A ``.sav`` that is really a CSV, a CSV that is really a workbook, an empty
file or a text file in an unexpected encoding must each give one clear
:class:`~peerimpact.errors.UserInputError`, never a parser traceback.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import UserInputError

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
    if not data.strip():
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
    if b"\x00" in data[:4096]:
        return "binary"
    return "text"


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


ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")


def decode_text(data: bytes, label: str, encoding: str = "auto") -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding used)``.

    ``auto`` tries, in order: a UTF-16 or UTF-8 byte-order mark, UTF-8, then
    Windows-1252 (what Excel on Windows writes for "CSV"). A file that is
    none of these is a user error naming the first bad byte's line.
    """
    if encoding != "auto":
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UserInputError(
                f"{label}: line {line}: is not valid {encoding} text (byte 0x{data[exc.start]:02x}); "
                "check the encoding in the mapping or save the file as CSV UTF-8"
            ) from None
        except LookupError:
            raise UserInputError(f"{label}: unknown encoding {encoding!r}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UserInputError(f"{label}: starts with a UTF-16 mark but is not valid UTF-16 text") from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UserInputError(
                f"{label}: line {line}: starts with a UTF-8 mark but is not valid UTF-8 "
                f"(byte 0x{data[exc.start]:02x}); save it again as CSV UTF-8"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserInputError(
            f"{label}: line {line}: is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x}); "
            "save it as CSV UTF-8 or name its encoding in the mapping"
        ) from None

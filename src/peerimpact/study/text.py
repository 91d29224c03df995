"""Transcript text normalisation, shared by the loader, qualitative analysis and exchange."""

from __future__ import annotations

import hashlib


def normalise_text(raw: str) -> str:
    """Strip a leading BOM and turn CRLF / CR line ends into LF.

    Coded spans are counted in Unicode code points of this normalised text.
    """
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def text_sha256(text: str) -> str:
    """SHA-256 of the UTF-8 encoding of already-normalised text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

"""The shape of one code's entry in the demo's sentence bank."""

from __future__ import annotations

from typing import TypedDict


class CodeEntry(TypedDict):
    """Interview questions that raise a code, and its lines as ``(tone, text)``."""

    questions: list[str]
    lines: list[tuple[str, str]]

"""YAML documents of a study folder, kept as text in the database.

YAML (not JSON) keeps what ``yaml.safe_load`` produced exactly: dates stay
dates, key order stays, so export writes what import read.
"""

from __future__ import annotations

from typing import Any

import yaml


def to_text(data: Any) -> str:
    """``""`` for an absent document, else its YAML text."""
    if data is None:
        return ""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def from_text(text: str) -> Any:
    return yaml.safe_load(text) if text else None

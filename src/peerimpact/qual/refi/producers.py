"""What each producing tool is known to do, keyed on the project's ``origin`` attribute.

The defaults are used only when a source's own evidence (quoted selection
names, ``line:N`` names, positions that fit or do not fit the text) cannot
decide; see :func:`.anchor.anchor_source`. Observed conventions are listed in
``docs/qual.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .anchor import STANDARD, Convention


@dataclass(frozen=True)
class Producer:
    """A producing tool and how it counts positions by default."""

    name: str
    default: Convention | None  # None: no known default (ambiguous selections are not guessed)
    line_names: bool = False  # selections named ``line:N`` (N from 0) cover line N


UTF16_CRLF2 = Convention("UTF-16 code unit", 2)
UTF16 = Convention("UTF-16 code unit", 1)

# (pattern on origin, producer); first match wins.
PRODUCERS: tuple[tuple[re.Pattern[str], Producer], ...] = (
    (re.compile(r"^NVivo", re.I), Producer("NVivo", UTF16_CRLF2)),
    (re.compile(r"^qc\b", re.I), Producer("qc", STANDARD, line_names=True)),
    (re.compile(r"^QualCoder", re.I), Producer("QualCoder", UTF16)),
    (re.compile(r"^PeerImpact", re.I), Producer("PeerImpact", STANDARD)),
)
UNKNOWN = Producer("unknown", None)


def producer(origin: str | None) -> Producer:
    """The producer that wrote a project, from its ``origin``.

    >>> producer("NVivo for Windows 12.6").default.describe()
    'UTF-16 code units, line ends counted as 2, no BOM counted'
    >>> producer("qc 1.3.2").line_names, producer(None).name
    (True, 'unknown')
    """
    for pattern, prod in PRODUCERS:
        if origin and pattern.search(origin.strip()):
            return prod
    return UNKNOWN

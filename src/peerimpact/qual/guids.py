"""Stable GUIDs for codes, themes, sources, selections and the rest.

REFI-QDA identifies everything by GUID. Ours are UUID version 5 (SHA-1 of a
fixed namespace and a readable key such as ``code:lived_experience``), so the
same study exported twice gives byte-identical files, and a code keeps its
GUID across exports as long as its id does not change.
"""

from __future__ import annotations

import re
import uuid

#: Namespace of every PeerImpact GUID (itself ``uuid5(NAMESPACE_URL, ...)``).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/peerimpact/peerimpact/refi-qda")

_GUID_RE = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)


def stable_guid(kind: str, *parts: str) -> str:
    """A lower-case GUID derived from ``kind`` and ``parts``.

    >>> stable_guid("code", "lived_experience") == stable_guid("code", "lived_experience")
    True
    >>> stable_guid("code", "a") != stable_guid("theme", "a")
    True
    """
    key = kind + ":" + "\x1f".join(parts)
    return str(uuid.uuid5(NAMESPACE, key))


def normalise_guid(value: object) -> str | None:
    """Canonical form of a REFI-QDA GUID (lower case, no braces), or ``None`` when invalid.

    The REFI-QDA ``GUIDType`` accepts 8-4-4-4-12 hex digits with or without
    curly braces, in either case.

    >>> normalise_guid("{7496BA52-9C8D-4396-8FAB-CC438614E453}")
    '7496ba52-9c8d-4396-8fab-cc438614e453'
    >>> normalise_guid("not-a-guid") is None
    True
    """
    if not isinstance(value, str):
        return None
    m = _GUID_RE.match(value.strip())
    if not m or (value.strip().startswith("{") != value.strip().endswith("}")):
        return None
    return m.group(1).lower()

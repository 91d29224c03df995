"""Names and helpers shared by REFI-QDA export and import."""

from __future__ import annotations

import json
import re

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
METADATA_NOTE = "PeerImpact metadata (do not edit)"
METADATA_FORMAT = "peerimpact-qdpx"
METADATA_VERSION = 1
INCLUSION = "\n\nInclusion: "
EXCLUSION = "\n\nExclusion: "

# Characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def xml_unsafe(text: str) -> list[str]:
    """The characters of ``text`` that XML 1.0 cannot hold, as ``U+XXXX`` at their code-point index.

    >>> xml_unsafe("a\x01b\x0c")
    ['U+0001 at 1', 'U+000C at 3']
    """
    return [f"U+{ord(m.group()):04X} at {m.start()}" for m in _XML_INVALID.finditer(text)]


def json_for_xml(value: object) -> str:
    """``value`` as JSON that XML 1.0 can hold: characters it cannot are written as ``\\uXXXX`` escapes.

    ``json.dumps`` escapes control characters itself; lone surrogates and
    U+FFFE/U+FFFF (and any left over) are escaped here, so ``json.loads``
    gives every string back exactly.

    >>> import json
    >>> json.loads(json_for_xml({"a": "x\ufffe\x01"})) == {"a": "x\ufffe\x01"}
    True
    >>> xml_unsafe(json_for_xml(["\uffff"]))
    []
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1)
    return _XML_INVALID.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def code_description(description: str, inclusion: str, exclusion: str) -> str:
    """The REFI-QDA ``Description`` of a code: description, then inclusion and exclusion notes."""
    out = description
    if inclusion:
        out += INCLUSION + inclusion
    if exclusion:
        out += EXCLUSION + exclusion
    return out


def split_code_description(text: str) -> tuple[str, str, str]:
    """Inverse of :func:`code_description` (text from other tools is all description)."""
    exclusion = inclusion = ""
    if EXCLUSION in text:
        text, exclusion = text.rsplit(EXCLUSION, 1)
    if INCLUSION in text:
        text, inclusion = text.rsplit(INCLUSION, 1)
    return text, inclusion, exclusion


_SLUG_RE = re.compile(r"[^A-Za-z0-9_.]+")


def slug(name: str, fallback: str) -> str:
    """An id (letters, digits, ``_`` and ``.``) made from a display name.

    >>> slug("Feeling valued!", "x")
    'feeling_valued'
    >>> slug("  ", "code_1")
    'code_1'
    """
    s = _SLUG_RE.sub("_", name.strip().lower()).strip("_.")
    return s if s and s[0].isalnum() else fallback


MEDIA = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}
CODING_COLUMNS = ["segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp", "quote"]


def local(el) -> str:
    """Local name of an lxml element (``""`` for comments and processing instructions)."""
    tag = el.tag
    return tag[tag.rfind("}") + 1:] if isinstance(tag, str) else ""


_CANONICAL_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def guid_of(value: object) -> str | None:
    """:func:`peerimpact.qual.guids.normalise_guid`, with a fast path for GUIDs already in canonical form.

    >>> guid_of("7496ba52-9c8d-4396-8fab-cc438614e453"), guid_of("{7496BA52-9C8D-4396-8FAB-CC438614E453}")
    ('7496ba52-9c8d-4396-8fab-cc438614e453', '7496ba52-9c8d-4396-8fab-cc438614e453')
    """
    if isinstance(value, str) and _CANONICAL_GUID.match(value):
        return value
    from ..guids import normalise_guid

    return normalise_guid(value)


def kids(el, name: str) -> list:
    """Children of ``el`` with local name ``name``, in any namespace (none when ``el`` is None)."""
    return [] if el is None else list(el.iterchildren("{*}" + name))


def kid(el, name: str):
    """First child of ``el`` with local name ``name``, or None."""
    found = kids(el, name)
    return found[0] if found else None


def text_of(el) -> str:
    return "" if el is None else (el.text or "")

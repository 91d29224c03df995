"""The study's codebook as held in the database (``StudyConfig.codebook_yaml``)."""

from __future__ import annotations

import functools

from ...qual.codebook import Code, Codebook, parse_codebook
from ...qual.versions import Fate, active_codes, code_fate, infer_version
from ..prepared import PreparedQuery
from ..records.models import Coding, StudyConfig
from ..services.yamltext import from_text

# Colour-blind-safe fallback palette (Okabe-Ito without black) for codes without a colour.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")


def study_config() -> StudyConfig | None:
    return StudyConfig.objects.order_by("id").first()


# every coding request reads the codebook: its SQL is compiled once (see web/prepared.py)
_CODEBOOK_TEXT = PreparedQuery(lambda: StudyConfig.objects.order_by("id").only("codebook_yaml")[:1])


def current_codebook(config: StudyConfig | None = None) -> Codebook:
    """The validated codebook; without one, a version-1 codebook of the codes already used."""
    text = (config if config is not None else _CODEBOOK_TEXT.first() or StudyConfig()).codebook_yaml
    if not text:
        ids = sorted(set(Coding.objects.values_list("code", flat=True)))
        return Codebook(version=1, codes=[Code(id=i, name=i) for i in ids])
    return _parsed(text)


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Codebook:
    """The codebook of a YAML text (parsing YAML and validating costs tens of milliseconds: once per text)."""
    return parse_codebook(from_text(text))


def active_code_ids(book: Codebook) -> set[str]:
    """Codes in force at the current version (what a new coding may use); a new set on every call."""
    found = _ACTIVE.get(id(book))
    if found is None or found[0] is not book:  # codebooks are parsed once per text (_parsed): cached by identity
        found = (book, frozenset(active_codes(book).get(book.version, set(book.code_ids))))
        if len(_ACTIVE) >= 8:
            _ACTIVE.clear()
        _ACTIVE[id(book)] = found  # the entry holds the book: its id is not reused while cached
    return set(found[1])


_ACTIVE: dict[int, tuple[Codebook, frozenset[str]]] = {}


def colour_of(book: Codebook, code_id: str) -> str:
    ids = book.code_ids
    try:
        code = book.code(code_id)
    except KeyError:
        return PALETTE[sum(map(ord, code_id)) % len(PALETTE)]
    return code.colour or PALETTE[ids.index(code_id) % len(PALETTE)]


def codebook_dict(book: Codebook) -> dict:
    active = active_code_ids(book)
    return {
        "version": book.version,
        "codes": [{"id": c.id, "name": c.name, "description": c.description, "parent": c.parent,
                   "colour": colour_of(book, c.id), "active": c.id in active, "themes": book.themes_of(c.id)}
                  for c in book.codes],
        "themes": [{"id": t.id, "name": t.name, "codes": list(t.codes)} for t in book.themes],
        "versions": [{"version": v.version, "date": v.date.isoformat() if v.date else None, "reason": v.reason,
                      "changes": [ch.model_dump(by_alias=True, exclude_none=True) for ch in v.changes]} for v in book.versions],
    }


class CodeFates:
    """What became of a code used under a codebook version, at the current version (cached per code and version)."""

    def __init__(self, book: Codebook):
        self.book = book
        self._cache: dict[tuple[str, int | None], Fate] = {}

    def __call__(self, code: str, version: int | None) -> Fate:
        key = (code, version)
        if key not in self._cache:
            v = version if version is not None else (infer_version(self.book, code) or self.book.version)
            self._cache[key] = code_fate(self.book, code, v)
        return self._cache[key]

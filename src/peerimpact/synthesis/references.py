"""What a synthesis file may refer to, gathered once from a :class:`Study`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class CodebookIndex:
    """The codebook as the synthesis needs it.

    ``themes`` and ``codes`` map an id to the code ids it covers: a theme's
    codes and their sub-codes; a code and its sub-codes (the same rule as
    :mod:`peerimpact.qual.queries`).
    """

    themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    theme_names: Mapping[str, str] = field(default_factory=dict)
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    code_names: Mapping[str, str] = field(default_factory=dict)


def codebook_index(study: Any) -> CodebookIndex:
    """Index the study's codebook (validated by :func:`peerimpact.qual.codings.codebook_of`).

    Raises
    ------
    StudyValidationError
        When ``qual/codebook.yaml`` is invalid.
    """
    if study.codebook is None:
        return CodebookIndex()
    from ..qual.codings import codebook_of

    book = codebook_of(study)
    return CodebookIndex(
        themes={t.id: tuple(book.theme_codes(t.id)) for t in book.themes},
        theme_names={t.id: t.name for t in book.themes},
        codes={c.id: tuple(book.descendants(c.id)) for c in book.codes},
        code_names={c.id: c.name for c in book.codes},
    )


@dataclass(frozen=True)
class StudyReferences:
    """Referenceable ids of a study.

    Attributes
    ----------
    outcomes : tuple of str
        Outcome ids of the study's instruments (``wemwbs.total`` ...).
    timepoints : tuple of str
        Timepoint ids ordered by month.
    comparisons : tuple of (str, str)
        The study's declared (or default) comparisons.
    themes : mapping
        Theme id -> the code ids it covers (``qual/codebook.yaml``).
    codes : mapping
        Code id -> the code ids it covers (itself and its sub-codes).
    segments : mapping
        Segment id -> code ids applied to it (``qual/codings.csv``).
    """

    outcomes: tuple[str, ...]
    timepoints: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...]
    themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    segments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_study(cls, study: Any) -> "StudyReferences":
        definition = study.definition
        index = codebook_index(study)
        segments: dict[str, tuple[str, ...]] = {}
        codings = study.codings
        if codings is not None and len(codings) and {"segment_id", "code"} <= set(codings.columns):
            grouped = codings.groupby("segment_id", sort=True)["code"]
            segments = {str(k): tuple(dict.fromkeys(str(c) for c in v)) for k, v in grouped}
        return cls(
            outcomes=tuple(study_outcome_ids(study)),
            timepoints=tuple(definition.timepoint_ids),
            comparisons=tuple((str(a), str(b)) for a, b in definition.comparison_pairs),
            themes=dict(index.themes),
            codes=dict(index.codes),
            segments=segments,
        )


def study_outcome_ids(study: Any) -> list[str]:
    """Outcome ids of the study's declared instruments, in declaration order."""
    out: list[str] = []
    for inst in (study.instruments or {}).values():
        for oid in inst.outcome_ids():
            if oid not in out:
                out.append(oid)
    return out

"""What a synthesis file may refer to, gathered once from a :class:`Study`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


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
        Theme id -> the code ids it gathers (``qual/codebook.yaml``).
    codes : mapping
        Code id -> code name.
    segments : mapping
        Segment id -> code ids applied to it (``qual/codings.csv``).
    """

    outcomes: tuple[str, ...]
    timepoints: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...]
    themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)
    segments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_study(cls, study: Any) -> "StudyReferences":
        definition = study.definition
        themes, codes = codebook_index(study.codebook)
        segments: dict[str, tuple[str, ...]] = {}
        codings = study.codings
        if codings is not None and len(codings) and {"segment_id", "code"} <= set(codings.columns):
            grouped = codings.groupby("segment_id", sort=True)["code"]
            segments = {str(k): tuple(dict.fromkeys(str(c) for c in v)) for k, v in grouped}
        return cls(
            outcomes=tuple(study_outcome_ids(study)),
            timepoints=tuple(definition.timepoint_ids),
            comparisons=tuple((str(a), str(b)) for a, b in definition.comparison_pairs),
            themes=themes,
            codes=codes,
            segments=segments,
        )


def codebook_index(codebook: Any) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Theme id -> code ids and code id -> name from a parsed ``qual/codebook.yaml``."""
    themes: dict[str, tuple[str, ...]] = {}
    codes: dict[str, str] = {}
    if not isinstance(codebook, Mapping):
        return themes, codes
    for code in codebook.get("codes") or []:
        if isinstance(code, Mapping) and code.get("id") is not None:
            codes[str(code["id"])] = str(code.get("name") or code["id"])
    for theme in codebook.get("themes") or []:
        if isinstance(theme, Mapping) and theme.get("id") is not None:
            themes[str(theme["id"])] = tuple(str(c) for c in theme.get("codes") or [])
    return themes, codes


def theme_names(codebook: Any) -> dict[str, str]:
    """Theme id -> display name."""
    out: dict[str, str] = {}
    if isinstance(codebook, Mapping):
        for theme in codebook.get("themes") or []:
            if isinstance(theme, Mapping) and theme.get("id") is not None:
                out[str(theme["id"])] = str(theme.get("name") or theme["id"])
    return out


def study_outcome_ids(study: Any) -> list[str]:
    """Outcome ids of the study's declared instruments, in declaration order."""
    out: list[str] = []
    for inst_id, inst in (study.instruments or {}).items():
        for oid in instrument_outcome_ids(inst_id, inst):
            if oid not in out:
                out.append(oid)
    return out


def instrument_outcome_ids(inst_id: str, inst: Any) -> list[str]:
    """The outcome ids one instrument definition produces (``<instrument>.<subscale>``)."""
    ids = getattr(inst, "outcome_ids", None)
    if ids is not None:
        return [str(x) for x in (ids() if callable(ids) else ids)]
    subscales = getattr(inst, "subscales", None) or []
    out = []
    for sub in subscales:
        sid = getattr(sub, "id", None) or (sub.get("id") if isinstance(sub, Mapping) else None)
        if sid is not None:
            out.append(sid if "." in str(sid) else f"{inst_id}.{sid}")
    return out

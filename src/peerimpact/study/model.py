"""The one `Study` object that every downstream stage reads from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from .definition import StudyDefinition
from .responses import normalise_responses

if TYPE_CHECKING:  # pragma: no cover - type-only imports: study/ never imports these at run time
    from ..instruments import InstrumentDefinition
    from ..qual.codings import QualData
    from ..synthesis.model import Synthesis


@dataclass(frozen=True)
class Transcript:
    """An interview transcript, linked to participant, site and timepoint.

    ``text`` is normalised (no BOM, LF line ends); coded spans count Unicode
    code points of it. ``sha256`` is of its UTF-8 encoding.
    """

    interview_id: str
    site: str
    participant_id: str
    timepoint: str
    text: str
    sha256: str
    file: str  # path relative to the study folder


@dataclass(frozen=True)
class StudySource:
    """Where a study came from, for provenance."""

    root: Path | None
    kind: str = "folder"  # folder | import | database | memory
    file_hashes: Mapping[str, str] = field(default_factory=dict)  # relative path -> sha256


@dataclass(frozen=True, eq=False)
class StudyParts:
    """The study's YAML documents parsed and validated by the packages that own them.

    Filled in by the load stages (:mod:`peerimpact.study.stages`) of
    :func:`peerimpact.load_study`; empty for a study built in memory, whose
    parts the owning packages parse on demand (``qual.qual_data``,
    ``quant.norms.norms_for``, ``synthesis.load_synthesis``).

    Attributes
    ----------
    qualitative : QualData, optional
        Codebook, codings (with quotes), their migration to the current
        codebook version, and memos (``qual/``).
    norms : DataFrame, optional
        The study's own norms table (``quant/``), before the shipped defaults
        are merged in.
    synthesis : Synthesis, optional
        ``synthesis.yaml`` resolved against the study (``synthesis/``).
    """

    qualitative: "QualData | None" = None
    norms: pd.DataFrame | None = None
    synthesis: "Synthesis | None" = None


def _empty_absence() -> pd.DataFrame:
    from .checks import empty_table
    from .tables import ABSENCE

    return empty_table(ABSENCE)


@dataclass(frozen=True, eq=False)
class Study:
    """A whole study: definition and typed tables.

    Produced by :func:`peerimpact.load_study` (and by importers and the web
    database); scoring, analysis, qualitative analysis, synthesis and reporting
    read only from it. Tables are pandas DataFrames with the columns declared
    in :mod:`peerimpact.study.tables`; ids are strings, dates are
    ``datetime64[ns]`` (NaT when empty), numbers are float64 (NaN when empty).
    Optional tables are present but empty when their file is absent.

    ``responses`` is normalised on construction (:mod:`peerimpact.study.responses`):
    ``participant_id`` and ``timepoint`` are categorical, and the item columns
    of whole-number questionnaires are nullable ``Int16``.
    """

    definition: StudyDefinition
    participants: pd.DataFrame
    responses: pd.DataFrame
    service_use: pd.DataFrame
    employment: pd.DataFrame
    allocations: pd.DataFrame
    contacts: pd.DataFrame
    instruments: Mapping[str, "InstrumentDefinition"]
    transcripts: Mapping[str, Transcript]
    codings: pd.DataFrame
    # The YAML documents as read (what a writer writes back); their parsed forms are in `parts`.
    norms: Mapping[str, Any] | None = None  # the norms file
    codebook: Mapping[str, Any] | None = None  # qual/codebook.yaml
    memos: Mapping[str, Any] | None = None  # qual/memos.yaml
    synthesis: Mapping[str, Any] | None = None  # synthesis.yaml
    # absence.csv (format version 2): dated sickness-absence spells; empty when absent.
    absence: pd.DataFrame = field(default_factory=lambda: _empty_absence())
    source: StudySource = field(default_factory=lambda: StudySource(None, "memory"))
    # Set only by the loader's stages; init=False, so dataclasses.replace() gives a copy without
    # them (a copy with other raw documents must not keep stale parsed ones).
    parts: StudyParts = field(default_factory=StudyParts, init=False, repr=False)

    def __post_init__(self) -> None:
        normalised = normalise_responses(self.responses, self.definition, self.instruments)
        if normalised is not self.responses:
            object.__setattr__(self, "responses", normalised)

    def with_parts(self, **parts: Any) -> "Study":
        """A copy of this study carrying the given parsed parts (for the load stages)."""
        copy = dataclasses.replace(self)
        object.__setattr__(copy, "parts", dataclasses.replace(self.parts, **parts))
        return copy

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def synthetic(self) -> bool:
        return self.definition.synthetic

    @property
    def timepoint_ids(self) -> list[str]:
        return self.definition.timepoint_ids

    @property
    def root(self) -> Path | None:
        return self.source.root

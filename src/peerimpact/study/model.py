"""The one `Study` object that every downstream stage reads from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from .definition import StudyDefinition
from .responses import normalise_responses

if TYPE_CHECKING:  # pragma: no cover
    from ..instruments import InstrumentDefinition


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
    norms: Any = None  # parsed norms file (raw mapping) or None
    codebook: Any = None  # parsed qual/codebook.yaml (raw mapping) or None
    memos: Any = None  # parsed qual/memos.yaml or None
    synthesis: Any = None  # parsed synthesis.yaml or None
    source: StudySource = field(default_factory=lambda: StudySource(None, "memory"))

    def __post_init__(self) -> None:
        normalised = normalise_responses(self.responses, self.definition, self.instruments)
        if normalised is not self.responses:
            object.__setattr__(self, "responses", normalised)

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

"""What a REFI-QDA import gives: the data in PeerImpact's terms and the data-loss report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..codebook import Codebook
from ..memos import Memos

# Kinds of report item whose data were not imported (the others are notes: the data came in).
LOST_KINDS = ("unsupported", "unanchored", "media", "external")


@dataclass(frozen=True)
class Loss:
    """One thing that was not imported, or imported with a caveat."""

    kind: str  # unsupported | unanchored | media | external (lost) ; relocated | placed | assumed | renamed | convention (notes)
    element: str
    detail: str
    guid: str | None = None

    def __str__(self) -> str:
        guid = f" {self.guid}" if self.guid else ""
        return f"{self.kind}: {self.element}{guid}: {self.detail}"


@dataclass
class DataLossReport:
    """What the import dropped or changed, in as much detail as possible (REFI-QDA section 7)."""

    items: list[Loss] = field(default_factory=list)

    def add(self, kind: str, element: str, detail: str, guid: str | None = None) -> None:
        self.items.append(Loss(kind, element, detail, guid))

    @property
    def lost(self) -> list[Loss]:
        """Items whose data were not imported."""
        return [i for i in self.items if i.kind in LOST_KINDS]

    def lines(self) -> list[str]:
        return [str(i) for i in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class QualImport:
    """What a ``.qdpx`` project holds, in PeerImpact's terms.

    Attributes
    ----------
    project_name : str
    codebook : Codebook
    codings : DataFrame
        :data:`~.common.CODING_COLUMNS` (``version`` nullable Int64, ``timestamp`` str or None).
    memos : Memos
    transcripts : dict
        interview id -> normalised text.
    sources : DataFrame
        ``interview_id, guid, name, participant_id, site, timepoint, convention, why``
        (how positions were counted, and the evidence for it).
    report : DataLossReport
    origin : str
        The producing tool, as the project's ``origin`` attribute gives it.
    """

    project_name: str
    codebook: Codebook
    codings: pd.DataFrame
    memos: Memos
    transcripts: dict[str, str]
    sources: pd.DataFrame
    report: DataLossReport
    origin: str = ""

"""The synthesis grid (the seed study's Table 5 layout, plus the fit judgement).

Each row is a proposition: its statement, the quantitative results it cites
(read from the analysis results), the qualitative evidence (themes and codes
with the participants coded under them per timepoint, and the exemplar quotes
with their interview ids) and the fit. Formatting into a table is done by
:mod:`peerimpact.report.tables_synthesis`; here everything stays unrounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .evidence import evidence_values
from .model import Proposition, Synthesis
from .references import codebook_index
from .segments import coverage, interviews, segment_table


@dataclass(frozen=True)
class Quote:
    """A quoted segment with where it came from."""

    segment_id: str
    interview_id: str
    participant_id: str
    timepoint: str
    text: str


@dataclass(frozen=True)
class QualSummary:
    """A theme or code cited by a proposition, with its coverage per timepoint.

    ``coverage`` has columns ``timepoint``, ``n_coded``, ``n_segments``,
    ``n_interviewed``, ``percent``.
    """

    kind: str  # "theme" | "code"
    id: str
    name: str
    coverage: pd.DataFrame


@dataclass(frozen=True)
class GridRow:
    proposition: Proposition
    evidence: pd.DataFrame
    qualitative: tuple[QualSummary, ...]
    exemplars: tuple[Quote, ...]


@dataclass(frozen=True)
class SynthesisGrid:
    """The resolved synthesis: one :class:`GridRow` per proposition.

    ``evidence`` holds every cited number in long form (see
    :func:`peerimpact.synthesis.evidence.evidence_values`); ``warnings``
    collects the synthesis file's consistency remarks and missing results.
    """

    rows: tuple[GridRow, ...]
    evidence: pd.DataFrame
    warnings: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per proposition with its ids (for JSON export)."""
        recs = []
        for row in self.rows:
            p = row.proposition
            recs.append(
                {
                    "proposition_id": p.id,
                    "statement": p.statement,
                    "fit": p.fit,
                    "interpretation": p.interpretation,
                    "outcomes": [e.outcome for e in p.quantitative],
                    "themes": list(p.qualitative.themes),
                    "codes": list(p.qualitative.codes),
                    "exemplars": [q.segment_id for q in row.exemplars],
                }
            )
        return pd.DataFrame(recs)


def build_grid(study: Any, synthesis: Synthesis, results: Any, segments: pd.DataFrame | None = None) -> SynthesisGrid:
    """Resolve every reference of ``synthesis`` into numbers, coverage and quotes.

    Parameters
    ----------
    study : Study
    synthesis : Synthesis
        From :func:`peerimpact.synthesis.load_synthesis`.
    results : AnalysisResults
        Needs ``descriptives`` and ``change`` frames.
    segments : DataFrame, optional
        From :func:`peerimpact.synthesis.segments.segment_table`; computed
        from ``study`` when omitted.
    """
    segments = segment_table(study) if segments is None else segments
    interviewed = interviews(study)
    timepoints = list(study.definition.timepoint_ids)
    index = codebook_index(study)
    evidence, warnings = evidence_values(synthesis, results)
    by_segment = segments.drop_duplicates("segment_id").set_index("segment_id") if len(segments) else None

    rows = []
    for prop in synthesis.propositions:
        quals: list[QualSummary] = []
        for kind, ids in (("theme", prop.qualitative.themes), ("code", prop.qualitative.codes)):
            for gid in ids:
                group = index.themes[gid] if kind == "theme" else index.codes[gid]
                cov = coverage(segments, interviewed, {gid: group}, timepoints).drop(columns="group")
                name = index.theme_names[gid] if kind == "theme" else index.code_names[gid]
                quals.append(QualSummary(kind, gid, name, cov))
        quotes = []
        for seg in prop.qualitative.exemplars:
            if by_segment is None or seg not in by_segment.index:
                warnings.append(f"proposition {prop.id}: exemplar {seg} has no transcript text")
                continue
            r = by_segment.loc[seg]
            quotes.append(Quote(seg, r["interview_id"], r["participant_id"], r["timepoint"], r["text"]))
        rows.append(GridRow(prop, evidence[evidence["proposition_id"] == prop.id].reset_index(drop=True), tuple(quals), tuple(quotes)))
    return SynthesisGrid(tuple(rows), evidence, tuple(synthesis.warnings) + tuple(warnings))

"""The longitudinal statistics-by-themes joint display.

Rows are the codebook's themes, columns the study's timepoints (ordered by
month). Each cell holds the participants coded under the theme at that
timepoint (n and % of those interviewed), the linked outcomes' mean (SD) at
that timepoint and their paired change into it with its 95% CI, and up to two
exemplar quotes with their interview ids. An outcome is linked to a theme when
a synthesis proposition cites both (the theme itself or one of its codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .grid import Quote
from .model import Synthesis
from .references import codebook_index
from .segments import coverage, interviews, pick_quotes, segment_table


@dataclass(frozen=True)
class OutcomeCell:
    """A linked outcome at one timepoint; change fields are NaN/None at the baseline."""

    outcome: str
    n: float
    mean: float
    sd: float
    change_from: str | None
    change_n: float
    mean_change: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class JointCell:
    theme: str
    timepoint: str
    n_coded: int
    n_interviewed: int
    percent: float
    outcomes: tuple[OutcomeCell, ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class JointDisplay:
    """Themes x timepoints. ``cells[(theme, timepoint)]`` is a :class:`JointCell`."""

    themes: tuple[str, ...]
    theme_names: dict[str, str]
    timepoints: tuple[str, ...]
    cells: dict[tuple[str, str], JointCell]
    linked_outcomes: dict[str, list[str]]

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Tidy frames ``coverage``, ``outcomes`` and ``quotes`` (unrounded)."""
        cov, outs, quotes = [], [], []
        for theme in self.themes:
            for tp in self.timepoints:
                c = self.cells[(theme, tp)]
                cov.append((theme, tp, c.n_coded, c.n_interviewed, c.percent))
                for o in c.outcomes:
                    outs.append((theme, tp, o.outcome, o.n, o.mean, o.sd, o.change_from, o.change_n, o.mean_change, o.ci_low, o.ci_high))
                for rank, q in enumerate(c.quotes, start=1):
                    quotes.append((theme, tp, rank, q.segment_id, q.interview_id, q.participant_id, q.text))
        return {
            "coverage": pd.DataFrame(cov, columns=["theme", "timepoint", "n_coded", "n_interviewed", "percent"]),
            "outcomes": pd.DataFrame(
                outs,
                columns=["theme", "timepoint", "outcome", "n", "mean", "sd", "change_from", "change_n", "mean_change", "ci_low", "ci_high"],
            ),
            "quotes": pd.DataFrame(quotes, columns=["theme", "timepoint", "rank", "segment_id", "interview_id", "participant_id", "text"]),
        }


def _change_source(timepoint: str, comparisons: list[tuple[str, str]], baseline: str) -> tuple[str, str] | None:
    into = [c for c in comparisons if c[1] == timepoint]
    if not into:
        return None
    for c in into:
        if c[0] == baseline:
            return c
    return into[0]


def build_joint_display(
    study: Any,
    results: Any,
    synthesis: Synthesis | None = None,
    segments: pd.DataFrame | None = None,
    max_quotes: int = 2,
) -> JointDisplay:
    """Build the themes x timepoints joint display.

    Parameters
    ----------
    study : Study
    results : AnalysisResults
        ``descriptives`` (mean, SD, n per outcome and timepoint) and
        ``change`` (paired change with its CI) are read from it.
    synthesis : Synthesis, optional
        Links outcomes to themes and supplies preferred exemplars; without
        it cells show the qualitative columns only.
    segments : DataFrame, optional
        From :func:`peerimpact.synthesis.segments.segment_table`.
    max_quotes : int
        Quotes per cell (default 2).
    """
    segments = segment_table(study) if segments is None else segments
    interviewed = interviews(study)
    definition = study.definition
    timepoints = list(definition.timepoint_ids)
    index = codebook_index(study)
    themes = dict(index.themes)
    names = dict(index.theme_names)
    linked = synthesis.outcomes_by_theme({t: list(c) for t, c in themes.items()}) if synthesis else {t: [] for t in themes}
    preferred: dict[str, list[str]] = {t: [] for t in themes}
    if synthesis is not None:
        for prop in synthesis.propositions:
            for t, codes in themes.items():
                if t in prop.qualitative.themes or set(codes) & set(prop.qualitative.codes):  # a cited code of the theme
                    preferred[t] += [s for s in prop.qualitative.exemplars if s not in preferred[t]]
    cov = coverage(segments, interviewed, themes, timepoints).set_index(["group", "timepoint"])
    desc = results.descriptives.set_index(["outcome", "timepoint"])
    change = results.change.set_index(["outcome", "from", "to"])
    comparisons = [tuple(c) for c in definition.comparison_pairs]

    cells: dict[tuple[str, str], JointCell] = {}
    for theme, codes in themes.items():
        for tp in timepoints:
            c = cov.loc[(theme, tp)]
            src = _change_source(tp, comparisons, definition.baseline_id)
            outcomes = []
            for oid in linked.get(theme, []):
                d = desc.loc[(oid, tp)] if (oid, tp) in desc.index else None
                ch = change.loc[(oid, src[0], src[1])] if src and (oid, src[0], src[1]) in change.index else None
                outcomes.append(
                    OutcomeCell(
                        oid,
                        _f(d, "n"), _f(d, "mean"), _f(d, "sd"),
                        src[0] if src else None,
                        _f(ch, "n"), _f(ch, "mean_change"), _f(ch, "ci_low"), _f(ch, "ci_high"),
                    )
                )
            picked = pick_quotes(segments, codes, tp, tuple(preferred[theme]), max_quotes)
            quotes = tuple(
                Quote(r.segment_id, r.interview_id, r.participant_id, r.timepoint, r.text) for r in picked.itertuples(index=False)
            )
            cells[(theme, tp)] = JointCell(theme, tp, int(c["n_coded"]), int(c["n_interviewed"]), float(c["percent"]), tuple(outcomes), quotes)
    return JointDisplay(tuple(themes), {t: names.get(t, t) for t in themes}, tuple(timepoints), cells, linked)


def _f(row: Any, key: str) -> float:
    if row is None:
        return float("nan")
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return float("nan")

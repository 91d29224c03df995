"""Look up the numbers a proposition cites in the quantitative results.

Numbers are never typed into the synthesis file: each statistic named there is
mapped to result fields (columns of ``descriptives`` or ``change``) and read
from the analysis results.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .model import QuantEvidence, Synthesis

#: statistic name -> result fields, for a timepoint (``descriptives`` rows).
TIMEPOINT_FIELDS = {
    "n": ("n",),
    "mean": ("mean",),
    "sd": ("sd",),
    "min": ("min",),
    "max": ("max",),
    "norm": ("norm_mean", "norm_sd"),
}
#: statistic name -> result fields, for a comparison (``change`` rows).
COMPARISON_FIELDS = {
    "n": ("n",),
    "mean": ("mean_from", "mean_to"),
    "mean_change": ("mean_change",),
    "ci": ("ci_low", "ci_high"),
    "t": ("t", "df"),
    "p": ("p",),
    "p_holm": ("p_holm",),
    "wilcoxon_p": ("wilcoxon_p",),
    "effect_size": ("effect_size",),
}

EVIDENCE_COLUMNS = ["proposition_id", "evidence", "outcome", "timepoint", "from", "to", "statistic", "field", "value"]


def result_row(results: Any, ev: QuantEvidence) -> dict | None:
    """The ``descriptives`` or ``change`` record an evidence entry refers to, or ``None``."""
    if ev.timepoint is not None:
        frame = results.descriptives
        sel = frame[(frame["outcome"] == ev.outcome) & (frame["timepoint"] == ev.timepoint)]
    else:
        frame = results.change
        a, b = ev.comparison  # type: ignore[misc]
        sel = frame[(frame["outcome"] == ev.outcome) & (frame["from"] == a) & (frame["to"] == b)]
    if sel.empty:
        return None
    return sel.iloc[0].to_dict()


def evidence_values(synthesis: Synthesis, results: Any) -> tuple[pd.DataFrame, list[str]]:
    """Every number the synthesis cites, in long form, with lookup warnings.

    Returns
    -------
    values : DataFrame
        ``proposition_id``, ``evidence`` (0-based position in the proposition),
        ``outcome``, ``timepoint``, ``from``, ``to``, ``statistic``, ``field``
        (result column) and ``value`` (float, unrounded, NaN when the result
        has no value).
    warnings : list of str
        One per evidence entry with no matching result record.
    """
    rows = []
    warnings = []
    for prop in synthesis.propositions:
        for k, ev in enumerate(prop.quantitative):
            rec = result_row(results, ev)
            if rec is None:
                where = f"at {ev.timepoint}" if ev.timepoint else f"for {ev.comparison[0]} to {ev.comparison[1]}"  # type: ignore[index]
                warnings.append(f"proposition {prop.id}: no result for {ev.outcome} {where}")
            fields = TIMEPOINT_FIELDS if ev.timepoint is not None else COMPARISON_FIELDS
            a, b = ev.comparison if ev.comparison else (None, None)
            for stat in ev.statistics:
                for fld in fields[stat]:
                    value = float("nan") if rec is None else _float(rec.get(fld))
                    rows.append((prop.id, k, ev.outcome, ev.timepoint, a, b, stat, fld, value))
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS), warnings


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out

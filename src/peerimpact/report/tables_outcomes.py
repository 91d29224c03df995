"""Outcomes: scores at each timepoint against norms (Table 3), the standardised difference from the norm, reliability.

Cells are formatted from the analysis results (``descriptives`` and
``reliability``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt
from .labels import Labels, instrument_id, sorted_records
from .table_model import ReportTable


def outcome_decimals(results: Any) -> dict[str, int]:
    """Display decimals per outcome, from the size of its observed scores (see :func:`fmt.decimals_for`)."""
    desc = results.descriptives
    out = {}
    for outcome, rows in desc.groupby("outcome", sort=False):
        out[str(outcome)] = fmt.decimals_for(list(rows["max"]) + list(rows["mean"]))
    return out


def ordered_outcomes(labels: Labels, frame: pd.DataFrame) -> list[str]:
    return labels.outcome_order([str(o) for o in frame["outcome"].unique()])


def table_outcomes_vs_norms(results: Any, study: Any, labels: Labels | None = None) -> ReportTable:
    """Table 3: n, mean (SD) and range per outcome and timepoint, beside the norm.

    Reads ``results.descriptives`` (``outcome``, ``timepoint``, ``n``,
    ``mean``, ``sd``, ``min``, ``max``, ``norm_mean``, ``norm_sd``,
    ``norm_source``).
    """
    labels = labels or Labels(study)
    desc = results.descriptives
    tps = [t for t in study.definition.timepoint_ids if t in set(desc["timepoint"])]
    dps = outcome_decimals(results)
    by = desc.set_index(["outcome", "timepoint"])
    rows, ids, groups = [], [], []
    sources: dict[str, list[str]] = {}
    for outcome in ordered_outcomes(labels, desc):
        dp = dps.get(outcome, 2)
        mine = desc[desc["outcome"] == outcome]
        rdp = fmt.range_decimals(list(mine["min"]) + list(mine["max"]), dp)
        cells = [labels.outcome(outcome)]
        norm_mean = norm_sd = float("nan")
        for tp in tps:
            if (outcome, tp) in by.index:
                r = by.loc[(outcome, tp)]
                cells += [fmt.count(r["n"]), fmt.mean_sd(r["mean"], r["sd"], dp), fmt.value_range(r["min"], r["max"], rdp)]
                if fmt.is_missing(norm_mean) and not fmt.is_missing(r.get("norm_mean")):
                    norm_mean, norm_sd = r["norm_mean"], r["norm_sd"]
                    src = r.get("norm_source")
                    if isinstance(src, str) and src:
                        sources.setdefault(src, []).append(labels.outcome_long(outcome))
            else:
                cells += ["0", fmt.MISSING, fmt.MISSING]
        cells.append(fmt.mean_sd(norm_mean, norm_sd, dp))
        rows.append(tuple(cells))
        ids.append(outcome)
        groups.append(labels.instrument(instrument_id(outcome)))
    notes = [
        "Mean (SD) and range of scores at each timepoint, among participants with a score; "
        f"{fmt.MISSING} = not available (no norm is shipped or supplied for that outcome).",
    ]
    for src, outs in sources.items():
        notes.append(f"Norm source for {', '.join(outs)}: {src}.")
    columns = ("Outcome",) + tuple(c for _ in tps for c in ("n", "Mean (SD)", "Range")) + ("Mean (SD)",)
    col_groups = (("", 1),) + tuple((labels.timepoint(tp), 3) for tp in tps) + (("Norm", 1),)
    numeric = (False,) + tuple(True for _ in tps for _ in range(3)) + (True,)
    return ReportTable(
        key="table3_outcomes_vs_norms",
        title="Outcomes at each timepoint compared with published norms",
        columns=columns,
        rows=tuple(rows),
        notes=tuple(notes),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        column_groups=col_groups,
        numeric=numeric,
    )


def table_norm_difference(results: Any, study: Any, labels: Labels) -> ReportTable | None:
    """Standardised difference from the norm, ``(mean - norm_mean) / norm_sd``, with its 95% CI."""
    desc = results.descriptives
    if "std_diff" not in desc or desc["std_diff"].isna().all():
        return None
    tps = [t for t in study.definition.timepoint_ids if t in set(desc["timepoint"])]
    by = desc.set_index(["outcome", "timepoint"])
    outcomes = [o for o in labels.outcome_order([str(o) for o in desc["outcome"].unique()]) if desc.loc[desc["outcome"] == o, "std_diff"].notna().any()]
    rows, ids, groups = [], [], []
    for o in outcomes:
        cells = [labels.outcome(o)]
        for tp in tps:
            if (o, tp) not in by.index:
                cells.append(fmt.MISSING)
                continue
            r = by.loc[(o, tp)]
            cells.append(fmt.MISSING if fmt.is_missing(r["std_diff"]) else f"{fmt.num(r['std_diff'], 2)} ({fmt.ci(r['std_diff_ci_low'], r['std_diff_ci_high'], 2)})")
        rows.append(tuple(cells))
        ids.append(o)
        groups.append(labels.instrument(instrument_id(o)))
    methods = sorted({str(m) for m in desc["std_diff_method"].dropna()})
    how = {
        "welch": "Welch's interval from summary statistics (norm n known)",
        "one_sample": "the one-sample t interval treating the norm mean as fixed",
    }
    return ReportTable(
        key="norm_difference",
        title="Standardised difference from the norm by timepoint",
        columns=("Outcome",) + tuple(labels.timepoint(t) for t in tps),
        rows=tuple(rows),
        notes=(
            f"(mean {fmt.MINUS} norm mean) / norm SD, with its 95% CI ({'; '.join(how.get(m, m) for m in methods)}); "
            "positive = above the norm.",
        ),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False,) + (True,) * len(tps),
    )


def table_reliability(results: Any, study: Any, labels: Labels) -> ReportTable:
    """Cronbach's alpha (Feldt CI) and McDonald's omega per outcome and timepoint."""
    recs = sorted_records(results.reliability, labels, "timepoint", list(study.definition.timepoint_ids))
    rows, ids, groups = [], [], []
    for r in recs:
        rows.append((
            labels.outcome(r["outcome"]),
            str(r["timepoint"]),
            fmt.count(r["n"]),
            fmt.num(r["alpha"], 2),
            fmt.ci(r.get("alpha_ci_low"), r.get("alpha_ci_high"), 2),
            fmt.num(r.get("omega"), 2),
        ))
        ids.append(str(r["outcome"]))
        groups.append(labels.instrument(instrument_id(str(r["outcome"]))))
    notes = ["Participants with every item of the outcome answered at that timepoint."]
    warns = [str(w) for w in results.reliability.get("warning", pd.Series(dtype=object)).dropna() if str(w)]
    notes += sorted(set(warns))
    return ReportTable(
        key="reliability",
        title="Internal consistency: Cronbach's alpha and McDonald's omega",
        columns=("Outcome", "Timepoint", "n", "Alpha", "95% CI (Feldt)", "Omega"),
        rows=tuple(rows),
        notes=tuple(notes),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False, True, True, True, True),
    )

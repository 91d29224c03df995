"""The seed study's outcome tables: Table 3 (outcomes against norms) and Table 4 (paired change).

Cells are formatted from the analysis results (``descriptives`` and
``change``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt
from .labels import Labels, instrument_id
from .table_model import ReportTable

ARROW = "\u2192"


def outcome_decimals(results: Any) -> dict[str, int]:
    """Display decimals per outcome, from the size of its observed scores (see :func:`fmt.decimals_for`)."""
    desc = results.descriptives
    out = {}
    for outcome, rows in desc.groupby("outcome", sort=False):
        out[str(outcome)] = fmt.decimals_for(list(rows["max"]) + list(rows["mean"]))
    return out


def _ordered(labels: Labels, frame: pd.DataFrame) -> list[str]:
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
    for outcome in _ordered(labels, desc):
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


def effect_size_note(results: Any) -> str:
    methods = sorted({str(m) for m in results.change.get("effect_size_method", pd.Series(dtype=object)).dropna()})
    denom = {
        "paired_baseline": "the SD of the earlier scores of the same pairs",
        "all_baseline": "the SD of the earlier scores of every respondent at the earlier timepoint",
    }
    what = "; ".join(denom.get(m, m) for m in methods) or "the SD of the earlier scores"
    return (
        f"Effect size = mean change (later {fmt.MINUS} earlier) / {what}. "
        "A negative effect size means the score fell; the seed study reported falls as positive effect sizes."
    )


def table_paired_change(results: Any, study: Any, labels: Labels | None = None) -> ReportTable:
    """Table 4: paired change per comparison and outcome.

    Reads ``results.change`` (``outcome``, ``from``, ``to``, ``n``,
    ``mean_from``, ``mean_to``, ``mean_change``, ``ci_low``, ``ci_high``,
    ``t``, ``df``, ``p``, ``p_holm``, ``wilcoxon_p``, ``effect_size``,
    ``effect_size_method``).
    """
    labels = labels or Labels(study)
    ch = results.change
    dps = outcome_decimals(results)
    order = {o: i for i, o in enumerate(_ordered(labels, ch))}
    pairs = [tuple(c) for c in study.definition.comparison_pairs]
    pair_rank = {p: i for i, p in enumerate(pairs)}
    recs = sorted(
        ch.to_dict("records"),
        key=lambda r: (order.get(r["outcome"], len(order)), pair_rank.get((r["from"], r["to"]), len(pairs))),
    )
    rows, ids, groups = [], [], []
    for r in recs:
        dp = dps.get(r["outcome"], 2)
        t_df = fmt.MISSING if fmt.is_missing(r["t"]) else f"{fmt.num(r['t'], 2)} ({fmt.count(r['df'])})"
        rows.append(
            (
                labels.outcome(r["outcome"]),
                f"{r['from']} {ARROW} {r['to']}",
                fmt.count(r["n"]),
                fmt.num(r["mean_from"], dp),
                fmt.num(r["mean_to"], dp),
                fmt.num(r["mean_change"], dp),
                fmt.ci(r["ci_low"], r["ci_high"], dp),
                t_df,
                fmt.p_value(r["p"]),
                fmt.p_value(r["p_holm"]),
                fmt.p_value(r["wilcoxon_p"]),
                fmt.num(r["effect_size"], 2),
            )
        )
        ids.append(str(r["outcome"]))
        groups.append(labels.instrument(instrument_id(str(r["outcome"]))))
    notes = (
        "Paired t-tests on participants with scores at both timepoints; mean change = later "
        f"{fmt.MINUS} earlier, with its 95% confidence interval (CI). p values are two-sided; "
        "p (Holm) adjusts across the outcomes of the same instrument within a comparison; "
        "the Wilcoxon signed-rank p is shown beside the t-test.",
        effect_size_note(results),
    )
    return ReportTable(
        key="table4_paired_change",
        title="Paired change in outcomes between timepoints",
        columns=("Outcome", "Comparison", "n", "Mean before", "Mean after", "Mean change", "95% CI", "t (df)", "p", "p (Holm)", "Wilcoxon p", "Effect size"),
        rows=tuple(rows),
        notes=notes,
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False) + (True,) * 10,
    )

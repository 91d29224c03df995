"""Change over time: paired change (Table 4), mixed models, reliable change.

Cells are formatted from the analysis results (``change``, ``models`` and
``reliable_change``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from . import fmt
from .labels import Labels, instrument_id, sorted_records
from .table_model import ReportTable
from .tables_outcomes import ordered_outcomes, outcome_decimals

ARROW = "\u2192"
ETA2_PARTIAL = "\u03b7\u00b2p"  # η²p


def reversed_direction(study: Any) -> bool:
    """True when the study prints change as earlier minus later (``change_direction: earlier_minus_later``)."""
    return getattr(study.definition, "change_direction", "later_minus_earlier") == "earlier_minus_later"


def difference_words(study: Any) -> str:
    """``later − earlier`` or ``earlier − later``: how every change in the report is signed."""
    return f"earlier {fmt.MINUS} later" if reversed_direction(study) else f"later {fmt.MINUS} earlier"


def falls_are(study: Any) -> str:
    """``negative`` or ``positive``: the sign a fall in the score has under the study's change direction."""
    return "positive" if reversed_direction(study) else "negative"


def effect_size_note(results: Any, study: Any) -> str:
    methods = sorted({str(m) for m in results.change.get("effect_size_method", pd.Series(dtype=object)).dropna()})
    denom = {
        "paired_baseline": "the SD of the earlier scores of the same pairs",
        "all_baseline": "the SD of the earlier scores of every respondent at the earlier timepoint",
    }
    what = "; ".join(denom.get(m, m) for m in methods) or "the SD of the earlier scores"
    seed = (
        "as the seed study reported them." if reversed_direction(study) else "the seed study reported falls as positive effect sizes."
    )
    return (
        f"Effect size = mean change ({difference_words(study)}) / {what}; Cohen's d_z = mean change / SD of the changes; "
        f"{ETA2_PARTIAL} = partial eta squared of the timepoint effect, t\u00b2 / (t\u00b2 + df), which has no sign. "
        f"A {falls_are(study)} effect size or d_z means the score fell; {seed}"
    )


def table_paired_change(results: Any, study: Any, labels: Labels | None = None) -> ReportTable:
    """Table 4: paired change per comparison and outcome.

    Reads ``results.change`` (``outcome``, ``from``, ``to``, ``n``,
    ``mean_from``, ``mean_to``, ``mean_change``, ``ci_low``, ``ci_high``,
    ``t``, ``df``, ``p``, ``p_holm``, ``wilcoxon_p``, ``effect_size``,
    ``d_z``, ``eta2_partial``, ``effect_size_method``), signed as the
    study's ``change_direction`` says.
    """
    labels = labels or Labels(study)
    ch = results.change
    dps = outcome_decimals(results)
    order = {o: i for i, o in enumerate(ordered_outcomes(labels, ch))}
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
                fmt.num(r.get("d_z"), 2),
                fmt.num(r.get("eta2_partial"), 2),
            )
        )
        ids.append(str(r["outcome"]))
        groups.append(labels.instrument(instrument_id(str(r["outcome"]))))
    notes = (
        "Paired t-tests on participants with scores at both timepoints; mean change = "
        f"{difference_words(study)}, with its 95% confidence interval (CI). p values are two-sided; "
        "p (Holm) adjusts across the outcomes of the same instrument within a comparison; "
        "the Wilcoxon signed-rank p is shown beside the t-test.",
        effect_size_note(results, study),
    )
    return ReportTable(
        key="table4_paired_change",
        title="Paired change in outcomes between timepoints",
        columns=("Outcome", "Comparison", "n", "Mean before", "Mean after", "Mean change", "95% CI", "t (df)", "p", "p (Holm)", "Wilcoxon p", "Effect size", "d_z", ETA2_PARTIAL),
        rows=tuple(rows),
        notes=notes,
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False) + (True,) * 12,
    )


def _model_difference(study: Any) -> str:
    return f"baseline {fmt.MINUS} timepoint" if reversed_direction(study) else f"timepoint {fmt.MINUS} baseline"


def table_models(results: Any, study: Any, decimals: Mapping[str, int], labels: Labels) -> ReportTable:
    """Mixed models: timepoint estimates against the baseline per outcome."""
    recs = sorted_records(results.models, labels, "term", list(study.definition.timepoint_ids))
    rows, ids, groups = [], [], []
    for r in recs:
        dp = decimals.get(r["outcome"], 2)
        rows.append((
            labels.outcome(r["outcome"]),
            f"{r['term']} vs {study.definition.baseline_id}" if str(r["term"]) in study.definition.timepoint_ids else str(r["term"]),
            fmt.num(r["estimate"], dp),
            fmt.num(r["se"], dp),
            fmt.ci(r["ci_low"], r["ci_high"], dp),
            fmt.num(r["df"], 1),
            fmt.p_value(r["p"]),
            fmt.count(r["n_obs"]),
            fmt.count(r["n_participants"]),
        ))
        ids.append(str(r["outcome"]))
        groups.append(labels.instrument(instrument_id(str(r["outcome"]))))
    return ReportTable(
        key="models_mixed",
        title="Linear mixed models: change from baseline using every available observation",
        columns=("Outcome", "Term", "Estimate", "SE", "95% CI", "df", "p", "Observations", "Participants"),
        rows=tuple(rows),
        notes=(
            "Random intercept per participant, timepoint as a fixed factor (baseline = reference), REML. "
            f"Estimates are mean differences from the baseline in score points ({_model_difference(study)}); p values and 95% CIs use t "
            "with Satterthwaite's degrees of freedom.",
        ),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False) + (True,) * 7,
    )


def table_reliable_change(results: Any, study: Any, decimals: Mapping[str, int], labels: Labels) -> ReportTable | None:
    rc = results.reliable_change
    if rc is None or not len(rc):
        return None
    pairs = [tuple(c) for c in study.definition.comparison_pairs]
    order = {o: i for i, o in enumerate(labels.outcome_order([str(o) for o in rc["outcome"].unique()]))}
    crit_order = {"jacobson_truax": 0, "fixed_points": 1}
    recs = sorted(
        rc.to_dict("records"),
        key=lambda r: (order.get(r["outcome"], 99), pairs.index((r["from"], r["to"])) if (r["from"], r["to"]) in pairs else 99, crit_order.get(r["criterion"], 9)),
    )
    crit = {"jacobson_truax": "Jacobson–Truax", "fixed_points": "Fixed points"}
    rows, ids, groups = [], [], []
    for r in recs:
        rows.append((
            labels.outcome(r["outcome"]),
            f"{r['from']} \u2192 {r['to']}",
            crit.get(r["criterion"], str(r["criterion"])),
            fmt.count(r["n"]),
            fmt.num(r["threshold"], decimals.get(r["outcome"], 2)),
            fmt.count(r["improved"]),
            fmt.count(r["no_change"]),
            fmt.count(r["deteriorated"]),
        ))
        ids.append(str(r["outcome"]))
        groups.append(labels.instrument(instrument_id(str(r["outcome"]))))
    return ReportTable(
        key="reliable_change",
        title="Reliable change between timepoints: participants improved, unchanged and deteriorated",
        columns=("Outcome", "Comparison", "Criterion", "n", "Threshold", "Improved", "No reliable change", "Deteriorated"),
        rows=tuple(rows),
        notes=(
            "Jacobson–Truax: |change| > 1.96 × √2 × SD(earlier) × √(1 − alpha); fixed points: a change of at least the "
            "stated number of points (WEMWBS: 3). Improvement follows the direction of the scale (a fall in burnout "
            "exhaustion or depersonalisation is an improvement).",
        ),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False, False) + (True,) * 5,
    )

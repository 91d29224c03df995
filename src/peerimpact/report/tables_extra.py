"""Tables beyond the seed study: mixed models, reliability, the code x timepoint matrix."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..synthesis.segments import coverage
from . import fmt
from .labels import Labels, instrument_id
from .table_model import ReportTable


def _sorted_records(frame: pd.DataFrame, labels: Labels, then: str, then_order: list[str]) -> list[dict]:
    order = {o: i for i, o in enumerate(labels.outcome_order([str(o) for o in frame["outcome"].unique()]))}
    rank = {t: i for i, t in enumerate(then_order)}
    return sorted(frame.to_dict("records"), key=lambda r: (order.get(r["outcome"], len(order)), rank.get(str(r[then]), len(rank)), str(r[then])))


def table_models(results: Any, study: Any, decimals: Mapping[str, int], labels: Labels) -> ReportTable:
    """Mixed models: timepoint estimates against the baseline per outcome."""
    recs = _sorted_records(results.models, labels, "term", list(study.definition.timepoint_ids))
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
            "Estimates are mean differences from the baseline in score points; p values and 95% CIs use t "
            "with Satterthwaite's degrees of freedom.",
        ),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False, False) + (True,) * 7,
    )


def table_reliability(results: Any, study: Any, labels: Labels) -> ReportTable:
    """Cronbach's alpha (Feldt CI) and McDonald's omega per outcome and timepoint."""
    recs = _sorted_records(results.reliability, labels, "timepoint", list(study.definition.timepoint_ids))
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


def code_matrix(segments: pd.DataFrame, interviewed: pd.DataFrame, study: Any) -> pd.DataFrame:
    """Participants and segments per code and timepoint (codebook order), unrounded."""
    cb = study.codebook or {}
    codes = [str(c["id"]) for c in cb.get("codes") or [] if isinstance(c, dict) and "id" in c]
    codes += sorted(set(segments["code"]) - set(codes)) if len(segments) else []
    cov = coverage(segments, interviewed, {c: (c,) for c in codes}, list(study.definition.timepoint_ids))
    return cov.rename(columns={"group": "code"})


def table_code_matrix(matrix: pd.DataFrame, study: Any, labels: Labels) -> ReportTable:
    cb = study.codebook or {}
    names = {str(c["id"]): str(c.get("name", c["id"])) for c in cb.get("codes") or [] if isinstance(c, dict) and "id" in c}
    theme_of: dict[str, str] = {}
    for t in cb.get("themes") or []:
        for c in t.get("codes") or []:
            theme_of.setdefault(str(c), str(t.get("name", t["id"])))
    tps = list(study.definition.timepoint_ids)
    by = matrix.set_index(["code", "timepoint"])
    rows, ids, groups = [], [], []
    codes = list(dict.fromkeys(matrix["code"]))
    codes.sort(key=lambda c: (list(theme_of.values()).index(theme_of[c]) if c in theme_of else 99,))
    for code in codes:
        cells = [names.get(code, code)]
        for tp in tps:
            r = by.loc[(code, tp)]
            cells.append(f"{fmt.count(r['n_coded'])} ({fmt.pct(r['percent'])}%); {fmt.count(r['n_segments'])}" if r["n_interviewed"] else fmt.MISSING)
        rows.append(tuple(cells))
        ids.append(code)
        groups.append(theme_of.get(code, "No theme"))
    return ReportTable(
        key="qual_code_timepoint",
        title="Codes by timepoint: participants coded (% of those interviewed); segments",
        columns=("Code",) + tuple(labels.timepoint(t) for t in tps),
        rows=tuple(rows),
        notes=("A participant counts when any coder applied the code to their interview at the timepoint.",),
        row_ids=tuple(ids),
        row_id_name="code",
        groups=tuple(groups),
        numeric=(False,) + (True,) * len(tps),
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


def _attrition(results: Any, name: str) -> pd.DataFrame | None:
    att = getattr(results, "attrition", None)
    if isinstance(att, Mapping):
        return att.get(name)
    return None


def table_completion(results: Any, study: Any, labels: Labels) -> ReportTable | None:
    comp = _attrition(results, "completion")
    if comp is None or not len(comp):
        return None
    tps = list(study.definition.timepoint_ids)
    by = comp.set_index(["site", "timepoint"])
    sites = list(dict.fromkeys(comp["site"]))
    rows = []
    for site in sites:
        first = comp[comp["site"] == site].iloc[0]
        cells = ["All sites" if site == "all" else f"Site {site}", fmt.count(first["n_participants"])]
        for tp in tps:
            if (site, tp) in by.index:
                r = by.loc[(site, tp)]
                cells.append(f"{fmt.count(r['n_completed'])} ({fmt.pct(r['percent'])}%)")
            else:
                cells.append(fmt.MISSING)
        rows.append(tuple(cells))
    return ReportTable(
        key="attrition_completion",
        title="Questionnaire completion by timepoint and site",
        columns=("Site", "Participants") + tuple(labels.timepoint(t) for t in tps),
        rows=tuple(rows),
        notes=("A participant completed a timepoint with at least one outcome score there; n (% of the site's participants).",),
        row_ids=tuple(sites),
        row_id_name="site",
        numeric=(False,) + (True,) * (len(tps) + 1),
    )


def table_attrition_scores(results: Any, study: Any, decimals: Mapping[str, int], labels: Labels) -> ReportTable | None:
    bs = _attrition(results, "baseline_scores")
    if bs is None or not len(bs):
        return None
    follow = [t for t in study.definition.timepoint_ids if t in set(bs["follow_up"])]
    by = bs.set_index(["outcome", "follow_up", "group"])
    outcomes = labels.outcome_order([str(o) for o in bs["outcome"].unique()])
    rows, ids, groups = [], [], []
    for o in outcomes:
        dp = decimals.get(o, 2)
        cells = [labels.outcome(o)]
        for tp in follow:
            for g in ("followed_up", "not_followed_up"):
                if (o, tp, g) in by.index:
                    r = by.loc[(o, tp, g)]
                    cells.append(f"{fmt.mean_sd(r['mean'], r['sd'], dp)}, n = {fmt.count(r['n'])}")
                else:
                    cells.append(fmt.MISSING)
        rows.append(tuple(cells))
        ids.append(o)
        groups.append(labels.instrument(instrument_id(o)))
    base = study.definition.baseline_id
    return ReportTable(
        key="attrition_baseline_scores",
        title=f"Baseline ({base}) scores of participants with and without follow-up",
        columns=("Outcome",) + tuple(c for _ in follow for c in ("Followed up", "Not followed up")),
        column_groups=(("", 1),) + tuple((f"Follow-up at {tp}", 2) for tp in follow),
        rows=tuple(rows),
        notes=("Mean (SD) at baseline, n = participants of the group with a baseline score.",),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False,) + (True,) * (2 * len(follow)),
    )

"""Attrition: questionnaire completion, and the baseline scores and characteristics of participants with and without follow-up.

Formatted from ``results.attrition`` (``completion``, ``baseline_scores``,
``baseline_characteristics``; fields in ``docs/results-schema.md``);
nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from . import fmt
from .labels import Labels, instrument_id
from .table_model import ReportTable

GROUPS = (("followed_up", "Followed up"), ("not_followed_up", "Not followed up"))


def baseline_words(study: Any) -> str:
    """``baseline (T1)``, or just ``baseline`` when the baseline's id already says so (no ``baseline (baseline)``)."""
    base = study.definition.baseline_id
    return "baseline" if "baseline" in base.casefold() else f"baseline ({base})"


def _characteristics(results: Any) -> pd.DataFrame | None:
    att = getattr(results, "attrition", None)
    frame = att.get("baseline_characteristics") if isinstance(att, Mapping) else None
    return frame if frame is not None and len(frame) else None


def _cell(r: Mapping[str, Any]) -> str:
    if r["type"] == "categorical":
        pct = "" if fmt.is_missing(r["percent"]) else f" ({fmt.pct(r['percent'])}%)"
        return f"{fmt.count(r['n'])}{pct}"
    return fmt.mean_sd(r["mean"], r["sd"], 1)


def table_attrition_characteristics(results: Any, study: Any) -> ReportTable | None:
    """Baseline characteristics of those with and without follow-up, per later timepoint.

    One column pair (followed up, not followed up) per follow-up timepoint;
    rows as in Table 1 (categories n (%) of those who answered; continuous
    columns mean (SD)), after a first row with the number of participants in
    each group (``n_total``). Every cell is read from
    ``attrition.baseline_characteristics``; the tests check each shown number
    against ``results.json``.
    """
    bc = _characteristics(results)
    if bc is None:
        return None
    follow = [t for t in study.definition.timepoint_ids if t in set(bc["follow_up"])]
    records = bc.to_dict("records")

    def category(r: Mapping[str, Any]) -> str | None:
        return str(r["category"]) if r["type"] == "categorical" else None

    by = {(r["follow_up"], r["group"], r["column"], category(r)): r for r in records}
    totals = {(r["follow_up"], r["group"]): r["n_total"] for r in records}
    items = list(dict.fromkeys((r["column"], r["label"], category(r)) for r in records))

    rows = [("Participants (n)", *[fmt.count(totals[(tp, g)]) if (tp, g) in totals else fmt.MISSING for tp in follow for g, _ in GROUPS])]
    ids, groups = ["n_total"], ["Sample"]
    for column, label, cat in items:
        cells = []
        for tp in follow:
            for g, _ in GROUPS:
                r = by.get((tp, g, column, cat))
                cells.append(fmt.MISSING if r is None else _cell(r))
        rows.append(("Mean (SD)" if cat is None else cat, *cells))
        ids.append(column if cat is None else f"{column}={cat}")
        groups.append(str(label))
    return ReportTable(
        key="attrition_baseline_characteristics",
        title=f"Characteristics at {baseline_words(study)} of participants with and without follow-up",
        columns=("Characteristic",) + tuple(name for _ in follow for _, name in GROUPS),
        column_groups=(("", 1),) + tuple((f"Follow-up at {tp}", len(GROUPS)) for tp in follow),
        rows=tuple(rows),
        notes=(
            "Followed up: completed the later timepoint (at least one outcome score there). Categories: n (%) of the "
            "group's participants who answered the question; continuous characteristics: mean (SD).",
        ),
        row_ids=tuple(ids),
        row_id_name="item",
        groups=tuple(groups),
        numeric=(False,) + (True,) * (len(GROUPS) * len(follow)),
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
    return ReportTable(
        key="attrition_baseline_scores",
        title=f"Scores at {baseline_words(study)} of participants with and without follow-up",
        columns=("Outcome",) + tuple(c for _ in follow for c in ("Followed up", "Not followed up")),
        column_groups=(("", 1),) + tuple((f"Follow-up at {tp}", 2) for tp in follow),
        rows=tuple(rows),
        notes=("Mean (SD) at baseline, n = participants of the group with a baseline score.",),
        row_ids=tuple(ids),
        row_id_name="outcome",
        groups=tuple(groups),
        numeric=(False,) + (True,) * (2 * len(follow)),
    )

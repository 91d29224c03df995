"""Sickness absence in the report: the NHS absence rate (FTE days lost ÷ FTE days available) and spells by reason.

The figures come from :func:`peerimpact.study.absence.absence_rates` and
:func:`~peerimpact.study.absence.absence_by_reason`; this module only
formats them. :func:`absence_sections` is what the report assembly adds.
"""

from __future__ import annotations

from typing import Any

from ..study.absence import absence_by_reason, absence_rates
from . import fmt
from .document import Section
from .table_model import ReportTable

REASON_LABELS = {
    "mental_health": "Mental health (anxiety, stress, depression, other psychiatric)",
    "musculoskeletal": "Musculoskeletal (back and other)",
    "respiratory": "Respiratory (cold, cough, flu and other)",
    "gastrointestinal": "Gastrointestinal",
    "injury": "Injury or fracture",
    "other": "Other",
    "unknown": "Not recorded",
}


def table_absence_rate(study: Any) -> ReportTable | None:
    """Absence rate overall and per site; None when no contracted worker has hours, a start date and known absence."""
    rates = absence_rates(study)
    if not len(rates) or int(rates.iloc[0]["n_workers"]) == 0:
        return None
    names = {s.id: s.name for s in study.definition.sites}
    rows, ids = [], []
    for r in rates.to_dict("records"):
        rows.append((
            "All sites" if r["site"] == "all" else names.get(r["site"], r["site"]),
            fmt.count(r["n_workers"]),
            fmt.count(r["n_with_spells"]),
            fmt.num(r["fte"], 1),
            fmt.num(r["fte_days_lost"], 1),
            fmt.num(r["fte_days_available"], 0),
            fmt.pct(100 * r["rate"], 1),
        ))
        ids.append(str(r["site"]))
    format_note = (
        "Days lost come from the dated spells of absence.csv."
        if study.definition.format >= 2 else
        "Days lost are the recorded sick-day totals of employment.csv (format version 1: no dated spells)."
    )
    return ReportTable(
        key="absence_rate",
        title="Sickness absence: FTE days lost as a percentage of FTE days available",
        columns=("Site", "Contracted workers", "With dated spells", "FTE", "FTE days lost", "FTE days available", "Absence rate (%)"),
        rows=tuple(rows),
        row_ids=tuple(ids),
        row_id_name="site",
        numeric=(False, True, True, True, True, True, True),
        notes=(
            "As NHS England's NHS Sickness Absence Rates: calendar days, each worker weighted by FTE (contracted hours / 37.5). "
            "Days available run from the worker's start date to their end date or, still in post, to the end of the study; "
            "bank staff and workers whose absence is unknown are left out. " + format_note,
        ),
    )


def table_absence_reasons(study: Any) -> ReportTable | None:
    """Spells and days of absence by reason category; None without spells."""
    reasons = absence_by_reason(study)
    if not len(reasons):
        return None
    rows = tuple(
        (REASON_LABELS.get(r["reason"], r["reason"]), fmt.count(r["n_spells"]), fmt.count(r["days"]), fmt.pct(100 * r["share"], 0))
        for r in reasons.to_dict("records")
    )
    return ReportTable(
        key="absence_reasons",
        title="Sickness absence spells by reason",
        columns=("Reason", "Spells", "Calendar days", "% of days"),
        rows=rows,
        row_ids=tuple(reasons["reason"]),
        row_id_name="reason",
        numeric=(False, True, True, True),
        notes=("Reasons as recorded, grouped into categories (docs/facts.md, section 5). Open spells run to the end of the study.",),
    )


def absence_sections(study: Any) -> list[Section]:
    """The report's sickness-absence section, or nothing when the study has no absence data."""
    tables = tuple(t for t in (table_absence_rate(study), table_absence_reasons(study)) if t is not None)
    return [Section("absence", "Sickness absence", tables)] if tables else []

"""The sample: Table 1 (demographics), Table 2 (service use), the workforce and contact log.

Formatted from the ``demographics``, ``service_use`` and ``workforce``
results (fields in ``docs/results-schema.md``).
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from . import fmt
from .labels import Labels
from .table_model import ReportTable

TOTAL = "total"


def table_demographics(results: Any, study: Any) -> ReportTable:
    """Table 1: categorical n (%) of those who answered; continuous mean (SD) and range."""
    demo = results.demographics
    rows, ids, groups = [], [], []
    for r in demo.to_dict("records"):
        answered = f"{fmt.count(r['denominator'])} of {fmt.count(r['n_total'])}"
        if r["type"] == "categorical":
            pct = "" if fmt.is_missing(r["percent"]) else f" ({fmt.pct(r['percent'])}%)"
            rows.append((str(r["category"]), f"{fmt.count(r['n'])}{pct}", fmt.MISSING, answered))
            ids.append(f"{r['column']}={r['category']}")
        else:
            rdp = fmt.range_decimals([r["min"], r["max"]], 1)
            rows.append(("Mean (SD)", fmt.mean_sd(r["mean"], r["sd"], 1), fmt.value_range(r["min"], r["max"], rdp), answered))
            ids.append(str(r["column"]))
        groups.append(str(r["label"]))
    return ReportTable(
        key="table1_demographics",
        title="Socio-demographic characteristics of the participants",
        columns=("Characteristic", "n (%) or mean (SD)", "Range", "Answered"),
        rows=tuple(rows),
        notes=("Percentages are of the participants who answered the question (Answered: those who answered of all participants).",),
        row_ids=tuple(ids),
        row_id_name="item",
        groups=tuple(groups),
        numeric=(False, True, True, True),
    )


def table_service_use(results: Any, study: Any, labels: Labels) -> ReportTable | None:
    """Table 2: participants using each service at each timepoint collected (with disclosure control)."""
    su = results.service_use
    if su is None or not len(su):
        return None
    tps = [t for t in study.definition.timepoint_ids if t in set(su["timepoint"])]
    has_total_col = (su["timepoint"] == TOTAL).any()
    idx = su.set_index(["service", "timepoint"])
    services = [s for s in dict.fromkeys(su["service"]) if s != TOTAL]

    def cell(service: str, tp: str) -> str:
        if (service, tp) not in idx.index:
            return fmt.MISSING
        r = idx.loc[(service, tp)]
        shown = str(r["display"])
        if not fmt.is_missing(r["percent"]):
            shown += f" ({fmt.pct(r['percent'])}%)"
        return shown

    rows, ids = [], []
    responded = []
    for tp in tps:
        sub = su[(su["timepoint"] == tp) & (su["service"] != TOTAL)]
        responded.append(fmt.count(sub["n_responded"].max()) if len(sub) else fmt.MISSING)
    rows.append(("Participants responding", *responded) + ((fmt.MISSING,) if has_total_col else ()))
    ids.append("n_responded")
    for s in services:
        rows.append((labels.service(s), *[cell(s, t) for t in tps]) + ((cell(s, TOTAL),) if has_total_col else ()))
        ids.append(s)
    if (su["service"] == TOTAL).any():
        rows.append(("Total (service uses)", *[cell(TOTAL, t) for t in tps]) + ((cell(TOTAL, TOTAL),) if has_total_col else ()))
        ids.append(TOTAL)
    notes = ["n (%) of the participants responding at the timepoint who used the service in the recall period."]
    if su["suppression"].notna().any():
        k = study.definition.suppress_below
        notes.append(f"Counts from 1 to {k - 1} are shown as <{k}; * marks cells suppressed so that those counts cannot be worked out from the totals.")
    columns = ("Service", *[labels.timepoint(t) for t in tps]) + (("Total",) if has_total_col else ())
    return ReportTable(
        key="table2_service_use",
        title="Use of services in the recall period before each timepoint",
        columns=columns,
        rows=tuple(rows),
        notes=tuple(notes),
        row_ids=tuple(ids),
        row_id_name="service",
        numeric=(False,) + (True,) * (len(columns) - 1),
    )


def _mean_range(r: pd.Series | dict, prefix: str, dp: int = 1) -> str:
    if fmt.is_missing(r.get(f"{prefix}_mean")):
        return fmt.MISSING
    return f"{fmt.num(r[f'{prefix}_mean'], dp)} ({fmt.value_range(r[f'{prefix}_min'], r[f'{prefix}_max'], 0)})"


def _mean_sd_range(r: dict, prefix: str, dp: int = 1) -> str:
    if fmt.is_missing(r.get(f"{prefix}_mean")):
        return fmt.MISSING
    return f"{fmt.mean_sd(r[f'{prefix}_mean'], r[f'{prefix}_sd'], dp)}; {fmt.value_range(r[f'{prefix}_min'], r[f'{prefix}_max'], dp)}"


WORKFORCE_ROWS: tuple[tuple[str, str], ...] = (
    ("n_workers", "Peer workers"),
    ("contract", "Contracted / bank staff"),
    ("hours", "Contracted hours per week, mean (SD); range"),
    ("months_in_post", "Months in post, mean (SD); range"),
    ("sick_none", "Contracted staff with no recorded sick leave"),
    ("sick_days_mean", "Sick days, mean over contracted staff"),
    ("sick_any", "Sick days among those with any, median (range)"),
    ("no_contacts", "Workers with no contact-log entry"),
    ("people", "People allocated per worker, mean (range)"),
    ("f2f", "Completed face-to-face contacts per worker, mean (range)"),
    ("f2f_total", "Completed face-to-face contacts, total"),
    ("tel", "Completed telephone contacts per worker, mean (range)"),
    ("tel_total", "Completed telephone contacts, total"),
    ("f2f_minutes", "Face-to-face contact length (minutes), mean (SD); range"),
    ("tel_minutes", "Telephone contact length (minutes), mean (SD); range"),
    ("pre", "Completed contacts per person before discharge, mean (range)"),
    ("post", "Completed contacts per person after discharge, mean (range)"),
)


def _sick_any(r: dict) -> str:
    if fmt.is_missing(r["sick_any_median"]):
        return fmt.MISSING
    return f"{fmt.num(r['sick_any_median'], 1)} ({fmt.value_range(r['sick_any_min'], r['sick_any_max'], 0)}), n = {fmt.count(r['sick_any_n'])}"


#: Row key of :data:`WORKFORCE_ROWS` -> how its cell is written from one ``workforce`` record.
WORKFORCE_CELLS: dict[str, Callable[[dict], str]] = {
    "n_workers": lambda r: fmt.count(r["n_workers"]),
    "contract": lambda r: f"{fmt.count(r['n_contracted'])} / {fmt.count(r['n_bank'])}",
    "hours": lambda r: _mean_sd_range(r, "hours"),
    "months_in_post": lambda r: _mean_sd_range(r, "months_in_post"),
    "sick_none": lambda r: f"{fmt.count(r['sick_none_n'])} of {fmt.count(r['sick_n'])}",
    "sick_days_mean": lambda r: fmt.num(r["sick_days_mean"], 1),
    "sick_any": _sick_any,
    "no_contacts": lambda r: f"{fmt.count(r['workers_without_contacts_n'])} of {fmt.count(r['n_workers'])}",
    "people": lambda r: _mean_range(r, "people_per_worker"),
    "f2f": lambda r: _mean_range(r, "face_to_face_per_worker"),
    "f2f_total": lambda r: fmt.count(r["face_to_face_per_worker_total"]),
    "tel": lambda r: _mean_range(r, "telephone_per_worker"),
    "tel_total": lambda r: fmt.count(r["telephone_per_worker_total"]),
    "f2f_minutes": lambda r: _mean_sd_range(r, "face_to_face_duration", 0),
    "tel_minutes": lambda r: _mean_sd_range(r, "telephone_duration", 0),
    "pre": lambda r: _mean_range(r, "contacts_per_person_pre_discharge"),
    "post": lambda r: _mean_range(r, "contacts_per_person_post_discharge"),
}


def _workforce_cell(r: dict, key: str) -> str:
    return WORKFORCE_CELLS[key](r)


def table_workforce(results: Any, study: Any) -> ReportTable | None:
    """Workforce and contact log: all sites, then one column per site."""
    wf = results.workforce
    if wf is None or not len(wf) or (study.employment.empty and study.contacts.empty):
        return None
    recs = wf.to_dict("records")
    names = {s.id: s.name for s in study.definition.sites}
    columns = ("Measure",) + tuple("All sites" if r["site"] == "all" else f"Site {r['site']}" for r in recs)
    rows = tuple((label,) + tuple(_workforce_cell(r, key) for r in recs) for key, label in WORKFORCE_ROWS)
    ref = next((r.get("reference_date") for r in recs if r.get("reference_date")), None)
    notes = [
        "Hours and sick leave are over contracted staff (bank staff have no contracted hours). Contacts count "
        "completed contacts; per-worker figures are over workers with any contact-log entry.",
    ]
    if ref:
        notes.append(f"Months in post for workers still in post run to {ref}, the latest date in the study's records.")
    site_names = "; ".join(f"Site {k}: {v}" for k, v in names.items() if k in set(wf["site"]))
    if site_names:
        notes.append(site_names + ".")
    return ReportTable(
        key="workforce_contacts",
        title="Peer-worker employment, sickness absence and the contact log, overall and by site",
        columns=columns,
        rows=rows,
        notes=tuple(notes),
        row_ids=tuple(k for k, _ in WORKFORCE_ROWS),
        row_id_name="measure",
        numeric=(False,) + (True,) * (len(columns) - 1),
    )


def _were(n: Any) -> str:
    return "was" if int(n) == 1 else "were"


def _no_contacts_sentence(r: dict) -> str:
    """``Every peer worker recorded contacts.`` or ``2 workers recorded no contacts.`` (never ``0 workers ...``)."""
    n = int(r["workers_without_contacts_n"])
    if n == 0:
        return "Every peer worker recorded at least one contact."
    return f"{fmt.plural(n, 'worker')} recorded no contacts."


def workforce_paragraph(results: Any) -> str:
    """A sentence-level summary of the ``all`` row, in the style of a results section."""
    wf = results.workforce
    if wf is None or not len(wf):
        return ""
    r = wf[wf["site"] == "all"].iloc[0].to_dict()
    parts = []
    if r["n_with_employment"]:
        parts.append(
            f"Of {fmt.count(r['n_workers'])} peer workers, {fmt.count_or_none(r['n_bank'])} {_were(r['n_bank'])} bank (casual) staff; the "
            f"{fmt.count(r['n_contracted'])} contracted staff worked a mean of {fmt.num(r['hours_mean'], 1)} hours per week "
            f"({fmt.value_range(r['hours_min'], r['hours_max'], 0)}). Workers had been in post a mean of "
            f"{fmt.num(r['months_in_post_mean'], 1)} months ({fmt.value_range(r['months_in_post_min'], r['months_in_post_max'], 1)})."
        )
    if r["sick_n"]:
        parts.append(
            fmt.sentence(f"{fmt.count_or_none(r['sick_none_n'])} of {fmt.count(r['sick_n'])} contracted staff had no recorded sick leave; ")
            + f"the mean was {fmt.num(r['sick_days_mean'], 1)} days."
        )
    if r["workers_with_contacts_n"] and not fmt.is_missing(r.get("face_to_face_per_worker_total")):
        parts.append(
            _no_contacts_sentence(r)
            + f" The {fmt.plural(r['workers_with_contacts_n'], 'worker')} with contacts {_were(r['workers_with_contacts_n'])} "
            f"allocated a mean of {fmt.num(r['people_per_worker_mean'], 1)} people "
            f"({fmt.value_range(r['people_per_worker_min'], r['people_per_worker_max'], 0)}) and completed "
            f"{fmt.value_range(r['face_to_face_per_worker_min'], r['face_to_face_per_worker_max'], 0)} face-to-face contacts each "
            f"(mean {fmt.num(r['face_to_face_per_worker_mean'], 1)}; {fmt.count(r['face_to_face_per_worker_total'])} in total)."
        )
    return " ".join(parts)

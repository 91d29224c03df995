"""Workforce and contact-log summaries (employment, allocations, contacts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..study.absence import observation_end
from ..study.model import Study
from .schema import WORKFORCE

#: Days per month used for months in post (365.25 / 12).
DAYS_PER_MONTH = 30.4375


def reference_date(study: Study) -> pd.Timestamp | None:
    """The study's ``end_date``, else the latest date anywhere in its tables (None when there is none).

    Used as the end of employment for workers still in post, so that the
    result depends on the data only, never on the day the analysis runs
    (:func:`peerimpact.study.absence.observation_end`).
    """
    return observation_end(study)


def _stats(x: np.ndarray | pd.Series, prefix: str, which: tuple[str, ...]) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    out: dict[str, float] = {}
    for s in which:
        if s == "total":
            out[f"{prefix}_total"] = float(x.sum()) if x.size else np.nan
        elif not x.size or (s == "sd" and x.size < 2):
            out[f"{prefix}_{s}"] = np.nan
        elif s == "sd":
            out[f"{prefix}_sd"] = float(np.std(x, ddof=1))
        else:
            out[f"{prefix}_{s}"] = float(getattr(np, s)(x))
    return out


def _per_worker(study: Study, ref: pd.Timestamp | None) -> pd.DataFrame:
    workers = study.participants[["participant_id", "site"]].astype({"participant_id": str, "site": str})
    emp = study.employment.copy()
    if len(emp):
        end = emp["end_date"].fillna(ref) if ref is not None else emp["end_date"]
        emp["months_in_post"] = (pd.to_datetime(end) - pd.to_datetime(emp["start_date"])).dt.days / DAYS_PER_MONTH
        emp = emp[["participant_id", "contract", "hours_per_week", "sick_days", "months_in_post"]]
        emp = emp.assign(has_employment=True)
    else:
        emp = pd.DataFrame(columns=["participant_id", "contract", "hours_per_week", "sick_days", "months_in_post", "has_employment"])
    w = workers.merge(emp, on="participant_id", how="left")
    w["has_employment"] = w["has_employment"].eq(True)
    con = study.contacts
    done = con[con["status"] == "completed"] if len(con) else con
    w["any_contact"] = w["participant_id"].isin(set(con["worker_id"])) if len(con) else False
    for mode in ("face_to_face", "telephone"):
        counts = done[done["mode"] == mode].groupby("worker_id").size() if len(done) else pd.Series(dtype=float)
        w[mode] = w["participant_id"].map(counts).fillna(0).astype(float)
    alloc = study.allocations
    people = alloc.groupby("worker_id")["person_id"].nunique() if len(alloc) else pd.Series(dtype=float)
    w["people"] = w["participant_id"].map(people).fillna(0).astype(float)
    return w


def _per_person(study: Study, site_of: pd.Series) -> pd.DataFrame:
    pairs = []
    if len(study.allocations):
        pairs.append(study.allocations[["person_id", "worker_id"]])
    if len(study.contacts):
        pairs.append(study.contacts[["person_id", "worker_id"]])
    if not pairs:
        return pd.DataFrame(columns=["person_id", "site", "pre_discharge", "post_discharge"])
    links = pd.concat(pairs, ignore_index=True)
    links["site"] = links["worker_id"].map(site_of)
    persons = links[["person_id", "site"]].drop_duplicates()
    con = study.contacts
    done = con[con["status"] == "completed"].assign(site=lambda d: d["worker_id"].map(site_of)) if len(con) else None
    for phase in ("pre_discharge", "post_discharge"):
        if done is None:
            persons[phase] = 0.0
            continue
        counts = done[done["phase"] == phase].groupby(["person_id", "site"]).size()
        idx = pd.MultiIndex.from_frame(persons[["person_id", "site"]])
        persons[phase] = counts.reindex(idx, fill_value=0).to_numpy(dtype=float)
    return persons


def _summarise(
    site: str, w: pd.DataFrame, persons: pd.DataFrame, durations: pd.DataFrame, allocations: pd.DataFrame, ref
) -> dict:
    contracted = w[w["contract"] == "contracted"]
    sick = contracted["sick_days"].dropna().to_numpy(dtype=float)
    active = w[w["any_contact"]]
    row = {
        "site": site,
        "n_workers": len(w),
        "n_with_employment": int(w["has_employment"].sum()),
        "n_contracted": len(contracted),
        "n_bank": int((w["contract"] == "bank").sum()),
        "hours_n": int(contracted["hours_per_week"].notna().sum()),
        **_stats(contracted["hours_per_week"], "hours", ("mean", "sd", "min", "max")),
        "months_in_post_n": int(w["months_in_post"].notna().sum()),
        **_stats(w["months_in_post"], "months_in_post", ("mean", "sd", "min", "max")),
        "sick_n": int(sick.size),
        "sick_none_n": int((sick == 0).sum()),
        "sick_days_mean": float(sick.mean()) if sick.size else np.nan,
        "sick_any_n": int((sick > 0).sum()),
        **_stats(sick[sick > 0], "sick_any", ("median", "min", "max")),
        "workers_with_contacts_n": len(active),
        "workers_without_contacts_n": len(w) - len(active),
        "people_total": int(allocations.loc[allocations["worker_id"].isin(w["participant_id"]), "person_id"].nunique())
        if len(allocations) else 0,
        **_stats(active["people"], "people_per_worker", ("mean", "min", "max")),
        **_stats(active["face_to_face"], "face_to_face_per_worker", ("mean", "min", "max", "total")),
        **_stats(active["telephone"], "telephone_per_worker", ("mean", "min", "max", "total")),
    }
    for mode in ("face_to_face", "telephone"):
        d = durations.loc[durations["mode"] == mode, "duration_minutes"].dropna()
        row[f"{mode}_duration_n"] = len(d)
        row.update(_stats(d, f"{mode}_duration", ("mean", "sd", "median", "min", "max")))
    row["persons_n"] = len(persons)
    for phase in ("pre_discharge", "post_discharge"):
        row.update(_stats(persons[phase], f"contacts_per_person_{phase}", ("mean", "min", "max")))
    row["reference_date"] = ref.date().isoformat() if ref is not None else None
    return row


def workforce(study: Study) -> pd.DataFrame:
    """Workforce and contact-log summary, overall and per site.

    Contract type; hours per week among contracted workers; months in post
    (``end_date`` or, while in post, the reference date of
    :func:`reference_date`, minus ``start_date``, in days / 30.4375);
    sickness absence among contracted workers (number with none, mean
    including zeros, median and range among those with any; an empty cell
    is unknown and left out); people allocated and completed face-to-face
    and telephone contacts per worker, over workers with any contact-log
    entry (as the seed study reported them); durations of completed contacts
    by mode; completed contacts per person before and after discharge.

    Parameters
    ----------
    study : Study
        Reads ``participants`` (worker -> site), ``employment``,
        ``allocations`` and ``contacts``.

    Returns
    -------
    pandas.DataFrame
        Fields of ``workforce`` in ``docs/results-schema.md``; first the row
        ``site = "all"``, then one row per declared site.

    Notes
    -----
    Every figure is checked against a hand-computed study in
    ``tests/quant/test_workforce.py``.
    """
    ref = reference_date(study)
    w = _per_worker(study, ref)
    site_of = w.set_index("participant_id")["site"]
    persons = _per_person(study, site_of)
    con = study.contacts
    durations = (
        con[con["status"] == "completed"].assign(site=lambda d: d["worker_id"].map(site_of))[["site", "mode", "duration_minutes"]]
        if len(con) else pd.DataFrame(columns=["site", "mode", "duration_minutes"])
    )
    all_persons = persons.groupby("person_id", as_index=False)[["pre_discharge", "post_discharge"]].sum()
    alloc = study.allocations
    rows = [_summarise("all", w, all_persons, durations, alloc, ref)]
    for site in study.definition.site_ids:
        rows.append(_summarise(site, w[w["site"] == site], persons[persons["site"] == site],
                               durations[durations["site"] == site], alloc, ref))
    out = pd.DataFrame(rows, columns=WORKFORCE.columns)
    return out

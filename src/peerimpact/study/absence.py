"""Sickness absence as dated spells (``absence.csv``, study format version 2).

A spell is a run of calendar days off sick, ``start_date`` to ``end_date``
with both days counted; an open spell (no ``end_date``) runs to the end of the
observation period (:func:`observation_end`). ``employment.sick_days`` is
derived from the spells of each worker who has any; a worker without spells
keeps the ``sick_days`` given: a number is an undated total (``0``: no
absence; e.g. from a return that gives totals only), an empty cell is unknown.

Format version 1 (no ``format_version`` in ``study.yaml``) has no
``absence.csv``; its ``sick_days`` are undated totals and load unchanged.
:func:`peerimpact.study.upgrade.upgrade_study` moves a folder from 1 to 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Problem
from .checks import parse_dates
from .csvio import spreadsheet_row
from .definition import StudyDefinition
from .tables import ABSENCE, EMPLOYMENT

if TYPE_CHECKING:  # pragma: no cover
    from .model import Study

_DATE_COLUMNS = {
    "participants": ("consent_date",),
    "employment": ("start_date", "end_date"),
    "allocations": ("allocated_on", "discharged_on", "ended_on"),
    "contacts": ("date",),
    "absence": ("start_date", "end_date"),
}


def observation_end(study: "Study") -> pd.Timestamp | None:
    """The study's ``end_date``, else the latest date anywhere in its tables (None when there is none).

    Employment and open absence spells of people still in post run to it, so
    that results depend on the data only, never on the day the analysis runs.
    """
    if study.definition.end_date is not None:
        return pd.Timestamp(study.definition.end_date)
    latest = []
    for table, cols in _DATE_COLUMNS.items():
        frame = getattr(study, table)
        for col in cols:
            if frame is not None and col in frame.columns and frame[col].notna().any():
                latest.append(pd.to_datetime(frame[col]).max())
    return max(latest) if latest else None


def spell_days(absence: pd.DataFrame, end: pd.Timestamp | None) -> pd.Series:
    """Calendar days of each spell, both ends counted; an open spell runs to ``end`` (NaN without one)."""
    last = pd.to_datetime(absence["end_date"])
    if end is not None:
        last = last.fillna(end)
    return ((last - pd.to_datetime(absence["start_date"])).dt.days + 1).astype(float)


def check_absence(raw: pd.DataFrame, definition: StudyDefinition, participant_ids: set[str], employment_raw: pd.DataFrame | None) -> list[Problem]:
    """The rules of ``absence.csv`` across files (its columns are checked by the table declaration).

    The study is format version 2; each spell's worker is a participant with a
    row in ``employment.csv``; spells end on or after they start, lie within
    the worker's time in post, and do not overlap another spell of the worker.
    """
    file = ABSENCE.file
    if definition.format < 2:
        return [Problem(file, None, None, "absence spells need study format version 2: add `format_version: 2` to study.yaml "
                                          "(or run `peerimpact upgrade STUDY`), so that sick_days are derived from them")]
    if not {"participant_id", "start_date", "end_date"} <= set(raw.columns):
        return []
    problems: list[Problem] = []
    start, _ = parse_dates(raw["start_date"])
    end, _ = parse_dates(raw["end_date"])
    posts: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
    if employment_raw is not None and {"participant_id", "start_date", "end_date"} <= set(employment_raw.columns):
        e_start, _ = parse_dates(employment_raw["start_date"])
        e_end, _ = parse_dates(employment_raw["end_date"])
        posts = {pid: (s, e) for pid, s, e in zip(employment_raw["participant_id"], e_start, e_end)}
    spells: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int]]] = {}
    for i in raw.index:
        pid, row = raw.at[i, "participant_id"], spreadsheet_row(i)
        if pid == "":
            continue
        if pid not in participant_ids:
            problems.append(Problem(file, row, "participant_id", f"unknown participant {pid!r}"))
            continue
        if pid not in posts:
            problems.append(Problem(file, row, "participant_id", f"participant {pid!r} has no row in employment.csv (days available run over the time in post)"))
        s, e = start[i], end[i]
        if pd.isna(s):
            continue
        if not pd.isna(e) and e < s:
            problems.append(Problem(file, row, "end_date", f"end_date {e.date()} is before start_date {s.date()}"))
            continue
        if pid in posts:
            problems += _outside_post(pid, s, e, posts[pid], row)
        spells.setdefault(pid, []).append((s, e, row))
    return problems + _overlaps(spells)


def _outside_post(pid: str, s: pd.Timestamp, e: pd.Timestamp, post: tuple[pd.Timestamp, pd.Timestamp], row: int) -> list[Problem]:
    """A spell starting before the worker's start_date or running past their end_date."""
    problems: list[Problem] = []
    p_start, p_end = post
    if not pd.isna(p_start) and s < p_start:
        problems.append(Problem(ABSENCE.file, row, "start_date", f"spell starts {s.date()}, before {pid}'s start_date {p_start.date()} in employment.csv"))
    if not pd.isna(p_end) and (pd.isna(e) or e > p_end):
        what = "is open" if pd.isna(e) else f"ends {e.date()}"
        problems.append(Problem(ABSENCE.file, row, "end_date", f"spell {what}, after {pid}'s end_date {p_end.date()} in employment.csv"))
    return problems


def _overlaps(spells: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int]]]) -> list[Problem]:
    """Each spell that starts before the worker's previous spell (in start order) has ended."""
    problems: list[Problem] = []
    for pid, items in spells.items():
        items.sort(key=lambda t: t[0])
        for (_s1, e1, r1), (s2, _e2, r2) in zip(items, items[1:]):
            if pd.isna(e1) or s2 <= e1:
                problems.append(Problem(ABSENCE.file, r2, "start_date", f"spell overlaps the spell of {pid} at row {r1}"))
    return problems


def derive_sick_days(study: "Study", employment_raw: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """``employment`` with ``sick_days`` derived from the spells (format version 2), and conflicts.

    A ``sick_days`` cell given for a worker with spells must equal the derived
    days (a written-back study carries them); otherwise it is a problem, named
    at its ``employment.csv`` row when ``employment_raw`` is given.
    """
    employment = study.employment
    if study.definition.format < 2 or not len(employment):
        return employment, []
    days = spell_days(study.absence, observation_end(study)).groupby(study.absence["participant_id"].astype(str)).sum()
    out = employment.copy()
    given = out["sick_days"].astype(float)
    derived = out["participant_id"].astype(str).map(days)
    problems = []
    clash = derived.notna() & given.notna() & ~np.isclose(given.fillna(-1), derived.fillna(-2))
    for i in out.index[clash]:
        problems.append(Problem(EMPLOYMENT.file, spreadsheet_row(i) if employment_raw is not None else None, "sick_days",
                                f"sick_days {given[i]:g} for {out.at[i, 'participant_id']} differs from the {derived[i]:g} days of their spells "
                                "in absence.csv (format version 2 derives it: leave it empty)"))
    out["sick_days"] = derived.where(derived.notna(), given)
    return out, problems


#: Contracted hours of a full-time post under NHS Agenda for Change (docs/facts.md, section "Sickness absence").
FULL_TIME_HOURS = 37.5
RATE_COLUMNS = ["site", "n_workers", "n_with_spells", "fte", "fte_days_lost", "fte_days_available", "rate"]


def absence_rates(study: "Study") -> pd.DataFrame:
    """Sickness-absence rate as the NHS publishes it: FTE days lost ÷ FTE days available, overall and per site.

    For each contracted worker with contracted hours, a start date and a known
    ``sick_days`` (derived from spells in format 2):

    * **FTE** = contracted hours per week / 37.5 (a full-time NHS post);
    * **days available** = calendar days in post during the study, from
      ``start_date`` to ``end_date`` (or, still in post, to
      :func:`observation_end`), both days counted;
    * **days lost** = calendar days of sickness absence (``sick_days``);
    * **rate** = Σ FTE × days lost / Σ FTE × days available (a proportion;
      the NHS figure is this × 100, in percent).

    Calendar days, not working days, on both sides, as in NHS England's
    *NHS Sickness Absence Rates* (docs/facts.md). Bank staff (no contracted
    hours) and workers whose absence is unknown (an empty ``sick_days`` in
    format 1) are left out and counted in no row.

    Returns
    -------
    DataFrame
        One row for ``all`` and one per site with workers:
        :data:`RATE_COLUMNS`; ``rate`` is NaN when no day is available.
    """
    emp = study.employment
    sites = study.participants.set_index(study.participants["participant_id"].astype(str))["site"].astype(str)
    if not len(emp):
        return pd.DataFrame(columns=RATE_COLUMNS)
    end = observation_end(study)
    e = emp.assign(participant_id=emp["participant_id"].astype(str))
    e = e[(e["contract"] == "contracted") & (e["hours_per_week"].astype(float) > 0) & e["start_date"].notna() & e["sick_days"].notna()]
    last = pd.to_datetime(e["end_date"])
    if end is not None:
        last = last.fillna(end)
    available = ((last - pd.to_datetime(e["start_date"])).dt.days + 1).clip(lower=0).astype(float)
    fte = e["hours_per_week"].astype(float) / FULL_TIME_HOURS
    spells = set(study.absence["participant_id"].astype(str))
    frame = pd.DataFrame({
        "site": e["participant_id"].map(sites).to_numpy(),
        "spells": e["participant_id"].isin(spells).to_numpy(),
        "fte": fte.to_numpy(),
        "lost": (fte * e["sick_days"].astype(float)).to_numpy(),
        "available": (fte * available).to_numpy(),
    })
    rows = []
    for site, part in [("all", frame)] + [(s, frame[frame["site"] == s]) for s in study.definition.site_ids]:
        if site != "all" and not len(part):
            continue
        lost, avail = float(part["lost"].sum()), float(part["available"].sum())
        rows.append([site, len(part), int(part["spells"].sum()), float(part["fte"].sum()), lost, avail, lost / avail if avail > 0 else np.nan])
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def absence_by_reason(study: "Study") -> pd.DataFrame:
    """Calendar days of the spells by reason: ``reason``, ``n_spells``, ``days``, ``share`` (of all spell days)."""
    from .tables import ABSENCE_REASONS

    a = study.absence
    if not len(a):
        return pd.DataFrame(columns=["reason", "n_spells", "days", "share"])
    days = spell_days(a, observation_end(study))
    grouped = pd.DataFrame({"reason": a["reason"].astype(str), "days": days}).groupby("reason")["days"].agg(["size", "sum"])
    total = float(days.sum())
    rows = [[r, int(grouped.at[r, "size"]), float(grouped.at[r, "sum"]), float(grouped.at[r, "sum"]) / total if total else np.nan]
            for r in ABSENCE_REASONS if r in grouped.index]
    return pd.DataFrame(rows, columns=["reason", "n_spells", "days", "share"])

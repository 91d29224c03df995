"""The demo's allocations and contact log.

Calibrated to ``docs/facts.md``: 2 of 32 peer workers recorded no contacts; the
other 30 were allocated 291 people (mean 9.7, range 1-39) and had 2-273
completed face-to-face contacts each, 1,682 in total. Each person's support
follows the intervention schedule (one or two meetings on the ward before
discharge, weekly meetings for about ten weeks afterwards, then fortnightly),
with telephone calls, and some cancelled or missed meetings. No contact is
before its person's allocation or outside its worker's time in post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .calibrate import integers_with

N_WITHOUT_CONTACTS = 2
F2F = {"min": 2, "max": 273, "total": 1682}
PEOPLE = {"min": 1, "max": 39, "total": 291}
MAX_MINUTES = 120


@dataclass
class Contact:
    worker_id: str
    person: int  # index into the plans, mapped to a person id later
    date: date
    mode: str
    duration: int | None
    status: str
    phase: str


@dataclass
class Plan:
    worker_id: str
    allocated_on: date
    discharged_on: date
    ended_on: date = date.min
    contacts: list[Contact] = field(default_factory=list)


def _counts(rng: np.random.Generator, people) -> dict[str, tuple[int, int]]:
    """Completed face-to-face contacts and people allocated, per active worker."""
    n = len(people)
    silent = {int(i) for i in rng.choice(n, size=N_WITHOUT_CONTACTS, replace=False)}
    active = [i for i in range(n) if i not in silent]
    f2f = np.sort(integers_with(rng, len(active), F2F["min"], F2F["max"], F2F["total"], sigma=1.0))
    alloc = np.sort(integers_with(rng, len(active), PEOPLE["min"], PEOPLE["max"], PEOPLE["total"], sigma=0.8))
    for k in range(len(alloc)):  # nobody is allocated more people than they met face to face
        while alloc[k] > f2f[k]:
            room = [j for j in range(len(alloc)) if 1 < alloc[j] < PEOPLE["max"] - 1 and alloc[j] < f2f[j] and j != k]
            alloc[k] -= 1
            alloc[room[-1]] += 1
    # Busier workers: more hours and longer in post, with some noise.
    load = [((people[i].job.hours or 8.0) * people[i].months_in_post) * rng.lognormal(0.0, 0.3) for i in active]
    ranked = [active[j] for j in np.argsort(load, kind="stable")]
    return {people[i].participant_id: (int(f2f[k]), int(alloc[k])) for k, i in enumerate(ranked)}


def _offsets(rng: np.random.Generator, n_f2f: int) -> tuple[list[int], int]:
    """Days after allocation of each face-to-face contact, and of discharge."""
    n_pre = 1 if n_f2f == 1 or rng.random() >= 0.3 else 2
    days = [int(rng.integers(0, 5))]
    if n_pre == 2:
        days.append(days[-1] + int(rng.integers(2, 7)))
    discharge = days[-1] + int(rng.integers(2, 22))
    day = discharge + int(rng.integers(1, 8))
    for j in range(n_f2f - n_pre):
        days.append(day)
        day += int(rng.integers(5, 10)) if j < 9 else int(rng.integers(11, 18))
    return days, discharge


def _plan(rng: np.random.Generator, worker_id: str, n_f2f: int, start: date, end: date) -> Plan:
    offsets, discharge = _offsets(rng, n_f2f)
    span = max(offsets[-1], discharge) + 14
    window = (end - start).days
    if span > window:  # squeeze the schedule into the worker's time in post
        factor = window / span
        offsets = [int(o * factor) for o in offsets]
        discharge = int(discharge * factor)
        span = window
    alloc = start + timedelta(days=int(rng.integers(0, window - span + 1)))
    plan = Plan(worker_id, alloc, alloc + timedelta(days=discharge))

    def phase(d: date) -> str:
        return "pre_discharge" if d < plan.discharged_on else "post_discharge"

    for o in offsets:
        d = alloc + timedelta(days=o)
        minutes = rng.normal(50, 15) if phase(d) == "pre_discharge" else rng.normal(70, 22)
        dur = int(np.clip(5 * round(minutes / 5), 15, MAX_MINUTES))
        plan.contacts.append(Contact(worker_id, -1, d, "face_to_face", dur, "completed", phase(d)))
    last = max(offsets)
    for _ in range(int(rng.binomial(n_f2f, 0.12))):
        d = alloc + timedelta(days=int(rng.integers(0, last + 1)))
        status = "cancelled" if rng.random() < 0.6 else "did_not_attend"
        plan.contacts.append(Contact(worker_id, -1, d, "face_to_face", None, status, phase(d)))
    for _ in range(int(rng.poisson(0.5 * n_f2f))):
        d = min(alloc + timedelta(days=int(rng.integers(0, last + 15))), end)
        if rng.random() < 0.8:
            plan.contacts.append(Contact(worker_id, -1, d, "telephone", 5 * int(rng.integers(1, 9)), "completed", phase(d)))
        else:
            plan.contacts.append(Contact(worker_id, -1, d, "telephone", None, "attempted", phase(d)))
    if rng.random() < 0.05:
        d = alloc + timedelta(days=int(rng.integers(0, last + 1)))
        plan.contacts.append(Contact(worker_id, -1, d, "other", 10, "completed", phase(d)))
    latest = max([c.date for c in plan.contacts] + [plan.discharged_on])
    plan.ended_on = min(latest + timedelta(days=int(rng.integers(0, 15))), end)
    return plan


def make_plans(rng: np.random.Generator, people) -> list[Plan]:
    """Every person's allocation and contacts, ordered by allocation date (person ids follow)."""
    counts = _counts(rng, people)
    plans: list[Plan] = []
    for p in people:
        if p.participant_id not in counts:
            continue
        n_f2f, n_people = counts[p.participant_id]
        split = 1 + rng.multinomial(n_f2f - n_people, rng.dirichlet(np.full(n_people, 2.0)))
        for k in split:
            plans.append(_plan(rng, p.participant_id, int(k), p.job.first_allocation, p.job.end))
    plans.sort(key=lambda pl: (pl.allocated_on, pl.worker_id))
    return plans


def person_id(index: int) -> str:
    return f"P{index + 1:03d}"


def allocation_rows(plans: list[Plan]) -> list[list[object]]:
    rows: list[list[object]] = [["person_id", "worker_id", "allocated_on", "discharged_on", "ended_on"]]
    for i, pl in enumerate(plans):
        rows.append([person_id(i), pl.worker_id, pl.allocated_on.isoformat(), pl.discharged_on.isoformat(),
                     pl.ended_on.isoformat()])
    return rows


def contact_rows(plans: list[Plan]) -> list[list[object]]:
    every = [(c, i) for i, pl in enumerate(plans) for c in pl.contacts]
    order = {"face_to_face": 0, "telephone": 1, "other": 2}
    every.sort(key=lambda ci: (ci[0].date, ci[0].worker_id, ci[1], order[ci[0].mode], ci[0].status))
    rows: list[list[object]] = [["contact_id", "worker_id", "person_id", "date", "mode", "duration_minutes", "status", "phase"]]
    for k, (c, i) in enumerate(every):
        rows.append([f"C{k + 1:05d}", c.worker_id, person_id(i), c.date.isoformat(), c.mode,
                     "" if c.duration is None else c.duration, c.status, c.phase])
    return rows

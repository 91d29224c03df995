"""Caseloads against the cap: ``caseload_per_fte`` x the worker's FTE (default 8 per FTE).

FTE = contracted hours / ``full_time_hours`` (37.5 by default); bank staff,
who have no contracted hours, count as ``bank_fte`` (configurable). A person
is on a worker's caseload on a day when allocated on or before it and support has not stopped by then: support
stops on the allocation's end date when one is recorded, else at the end of
its support schedule after discharge (``weekly_weeks`` weekly then
``fortnightly_count`` fortnightly meetings); an allocation with neither an
end nor a discharge date counts (the person is still on the ward). So an
imported allocation without an end date does not count against the cap
forever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..records.models import Allocation, Participant, Policy


def fte_of(contract: str | None, hours_per_week: float | None, policy: Policy) -> float | None:
    if contract == "bank":
        return policy.bank_fte
    if contract is None or hours_per_week is None:
        return None
    return hours_per_week / policy.full_time_hours


def cap_of(fte: float | None, policy: Policy) -> float | None:
    return None if fte is None else policy.caseload_per_fte * fte


def support_ends(discharged_on: dt.date | None, ended_on: dt.date | None, policy: Policy) -> dt.date | None:
    """The first day an allocation no longer counts: its end date, else the end of the post-discharge schedule."""
    if ended_on is not None:
        return ended_on
    if discharged_on is None:
        return None
    return discharged_on + dt.timedelta(weeks=policy.weekly_weeks + 2 * policy.fortnightly_count)


def active_on(allocated_on: dt.date, stops_on: dt.date | None, day: dt.date) -> bool:
    return allocated_on <= day and (stops_on is None or stops_on > day)


@dataclass
class WorkerCaseload:
    worker: Participant
    fte: float | None
    cap: float | None
    people: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # over-cap reasons given for the people counted

    @property
    def active(self) -> int:
        return len(self.people)

    @property
    def room(self) -> float | None:
        """How many more people fit under the cap (None without a cap)."""
        return None if self.cap is None else self.cap - self.active

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.active > self.cap


@dataclass(frozen=True)
class SiteCaseload:
    site: str
    workers: int
    active: int
    cap: float
    over_cap_workers: int


def worker_caseloads(workers, day: dt.date, policy: Policy) -> list[WorkerCaseload]:
    """One row per worker in ``workers`` (a queryset), people active on ``day``."""
    workers = list(workers.select_related("site").order_by("site__site_id", "participant_id"))
    rows = {}
    for w in workers:
        emp = getattr(w, "employment", None)
        emp = emp if emp is not None and emp.deleted_at is None else None
        fte = fte_of(emp.contract if emp else None, emp.hours_per_week if emp else None, policy)
        rows[w.pk] = WorkerCaseload(w, fte, cap_of(fte, policy))
    allocations = Allocation.objects.filter(worker__in=[w.pk for w in workers]).select_related("person").order_by("person__person_id")
    for a in allocations:
        if active_on(a.allocated_on, support_ends(a.discharged_on, a.ended_on, policy), day):
            rows[a.worker_id].people.append(a.person.person_id)
            if a.over_cap_reason:
                rows[a.worker_id].reasons.append(f"{a.person.person_id} (allocated {a.allocated_on.isoformat()}): {a.over_cap_reason}")
    return list(rows.values())


def site_caseloads(rows: list[WorkerCaseload]) -> list[SiteCaseload]:
    by_site: dict[str, list[WorkerCaseload]] = {}
    for r in rows:
        by_site.setdefault(r.worker.site.site_id, []).append(r)
    return [
        SiteCaseload(site, len(rs), sum(r.active for r in rs), sum(r.cap or 0.0 for r in rs), sum(r.over_cap for r in rs))
        for site, rs in sorted(by_site.items())
    ]


def caseload_after_allocation(worker: Participant, day: dt.date, policy: Policy) -> tuple[int, float | None]:
    """(people active on ``day`` including one more, cap) for an allocation being made."""
    row = worker_caseloads(Participant.objects.filter(pk=worker.pk), day, policy)[0]
    return row.active + 1, row.cap

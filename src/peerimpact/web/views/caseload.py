"""Operations pages: caseloads (with the over-cap warning), allocation, schedule adherence, workforce."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from ..access import ADMIN, COORDINATOR, WORKER, allocations_for, contacts_for, employment_for, persons_for, workers_for
from ..records.models import Policy
from ..services.allocations import allocate, update_allocation
from ..services.caseload import site_caseloads, worker_caseloads
from ..services.contacts import today
from ..services.errors import FieldErrors
from ..services.schedule import adherence as adherence_of
from ..services.schedule import schedule_slots
from .common import page, roles
from .forms import AllocationDatesForm, AllocationForm, EmploymentForm, apply_errors


def _as_of(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return today()


@roles(ADMIN, COORDINATOR)
def caseloads(request):
    day = _as_of(request)
    policy = Policy.current()
    rows = worker_caseloads(workers_for(request.user), day, policy)
    over = [r for r in rows if r.over_cap]
    return page(request, "web/caseloads.html", {
        "rows": rows, "sites": site_caseloads(rows), "over": over, "as_of": day, "policy": policy,
    })


@roles(ADMIN, COORDINATOR)
def allocation_new(request):
    day = today()
    loads = worker_caseloads(workers_for(request.user), day, Policy.current())
    form = AllocationForm(request.POST or None, user=request.user, loads=loads, initial={"allocated_on": day})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for key in ("allocated_on", "discharged_on"):
            data[key] = data[key].isoformat() if data[key] else None
        try:
            allocation, warnings = allocate(request.user, data)
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            for w in warnings:
                messages.warning(request, "Over the caseload cap: " + w + ".")
            messages.success(request, f"{allocation.person.person_id} allocated to {allocation.worker.participant_id}.")
            return redirect("caseloads")
    return page(request, "web/allocation_form.html", {"form": form, "loads": loads, "as_of": day})


@roles(ADMIN, COORDINATOR)
def allocation_edit(request, uid):
    """The discharge and end dates of one allocation (the schedule, the cap and the contact phase depend on them)."""
    allocation = get_object_or_404(allocations_for(request.user), uid=uid)
    form = AllocationDatesForm(request.POST or None, initial={"discharged_on": allocation.discharged_on, "ended_on": allocation.ended_on})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            changed = update_allocation(request.user, allocation, {k: d[k].isoformat() if d[k] else None for k in d})
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            who = f"{allocation.person.person_id} with {allocation.worker.participant_id}"
            messages.success(request, f"Allocation of {who} saved." if changed else f"Nothing changed for {who}.")
            return redirect("adherence")
    return page(request, "web/allocation_edit.html", {"form": form, "allocation": allocation})


def adherence_rows(user, day: dt.date, policy: Policy):
    """Each allocation the user may see with its adherence to the support schedule on ``day``."""
    contacts: dict[tuple[int, int], list] = {}
    for c in contacts_for(user).values_list("worker_id", "person_id", "date", "status", "phase"):
        contacts.setdefault((c[0], c[1]), []).append(c[2:])
    rows = []
    for a in allocations_for(user).order_by("worker__participant_id", "person__person_id", "allocated_on"):
        slots = schedule_slots(a.allocated_on, a.discharged_on, pre_discharge_meetings=policy.pre_discharge_meetings,
                               weekly_weeks=policy.weekly_weeks, fortnightly_count=policy.fortnightly_count)
        result = adherence_of(slots, contacts.get((a.worker_id, a.person_id), []), day, a.ended_on, policy.engaged_sessions)
        rows.append((a, result))
    return rows


@roles(ADMIN, COORDINATOR, WORKER)
def adherence(request):
    day = _as_of(request)
    policy = Policy.current()
    rows = adherence_rows(request.user, day, policy)
    engaged = sum(r.engaged for _, r in rows)
    return page(request, "web/adherence.html", {"rows": rows, "as_of": day, "policy": policy, "engaged": engaged})


@roles(ADMIN, COORDINATOR, WORKER)
def person_detail(request, uid):
    person = get_object_or_404(persons_for(request.user), uid=uid)
    day = _as_of(request)
    policy = Policy.current()
    rows = [(a, r) for a, r in adherence_rows(request.user, day, policy) if a.person_id == person.pk]
    return page(request, "web/person.html", {"person": person, "rows": rows, "as_of": day})


@roles(ADMIN, COORDINATOR)
def workforce(request):
    qs = employment_for(request.user).select_related("participant__site").order_by("participant__participant_id")
    return page(request, "web/workforce.html", {"rows": qs})


@roles(ADMIN, COORDINATOR)
def employment_edit(request, uid):
    employment = get_object_or_404(employment_for(request.user), uid=uid)
    fields = ("contract", "hours_per_week", "start_date", "end_date", "sick_days")
    form = EmploymentForm(request.POST or None, initial={f: getattr(employment, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.success(request, f"Nothing changed for {employment.participant.participant_id}.")
            return redirect("workforce")
        for f in fields:
            setattr(employment, f, form.cleaned_data[f])
        employment._history_user = request.user
        employment.save()
        messages.success(request, f"Employment of {employment.participant.participant_id} saved.")
        return redirect("workforce")
    return page(request, "web/employment_form.html", {"form": form, "employment": employment})

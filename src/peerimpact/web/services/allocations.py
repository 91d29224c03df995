"""Allocating a person to a peer worker, within the caseload cap unless confirmed with a reason."""

from __future__ import annotations

from django.db import transaction

from ..access import persons_for, workers_for
from ..records.models import Allocation, Person, Policy
from .caseload import caseload_after_allocation
from .contacts import parse_date
from .errors import Collector


def allocate(user, data: dict) -> tuple[Allocation, list[str]]:
    """Store an allocation; returns it with warnings.

    Raises
    ------
    FieldErrors
        Unknown worker, a person id used at another site, dates out of
        order or in the future, or a cap exceeded without confirmation and reason.
    """
    errors = Collector()
    worker = workers_for(user).filter(participant_id=data.get("worker_id")).select_related("site").first()
    if worker is None:
        errors.add("worker_id", "is not a peer worker you manage")
    allocated_on = parse_date(data.get("allocated_on"), "allocated_on", errors)
    discharged_on = None
    if data.get("discharged_on"):
        discharged_on = parse_date(data["discharged_on"], "discharged_on", errors)
        if allocated_on and discharged_on and discharged_on < allocated_on:
            errors.add("discharged_on", "is before the allocation date")
    person_id = data.get("person_id")
    person = Person.all_objects.filter(person_id=person_id).first()
    if person is not None and (person.deleted_at or not persons_for(user).filter(pk=person.pk).exists()
                               or (worker is not None and person.site_id != worker.site_id)):
        errors.add("person_id", "this id is already used for someone you do not manage: choose another")
    warnings: list[str] = []
    if worker is not None and allocated_on is not None:
        policy = Policy.current()
        active, cap = caseload_after_allocation(worker, allocated_on, policy)
        if cap is not None and active > cap:
            message = f"{worker.participant_id} would support {active} people, above the cap of {round(cap, 2):g}"
            if not data.get("confirm_over_cap"):
                errors.add("confirm_over_cap", message + ": tick to confirm and give a reason")
            elif not (data.get("over_cap_reason") or "").strip():
                errors.add("over_cap_reason", "is required when exceeding the cap")
            else:
                warnings.append(message)
    errors.raise_if_any()
    with transaction.atomic():
        if person is None:
            person = Person(person_id=person_id, site=worker.site)
            person._history_user = user
            person.save()
        allocation = Allocation(person=person, worker=worker, allocated_on=allocated_on, discharged_on=discharged_on,
                                over_cap_reason=(data.get("over_cap_reason") or "").strip() if warnings else "")
        allocation._history_user = user
        allocation.save()
    return allocation, warnings


def update_allocation(user, allocation: Allocation, data: dict) -> bool:
    """Record an allocation's discharge and end dates (``discharged_on``, ``ended_on``: ISO text or None); audited.

    Returns whether anything changed (an untouched form stores nothing).

    Raises
    ------
    FieldErrors
        A date in the future, before 2000, or before the allocation date; an end before the discharge.
    """
    errors = Collector()
    values = {}
    for key in ("discharged_on", "ended_on"):
        values[key] = parse_date(data[key], key, errors) if data.get(key) else None
        if values[key] is not None and values[key] < allocation.allocated_on:
            errors.add(key, f"{values[key].isoformat()} is before the allocation on {allocation.allocated_on.isoformat()}")
    if values["discharged_on"] and values["ended_on"] and values["ended_on"] < values["discharged_on"]:
        errors.add("ended_on", f"{values['ended_on'].isoformat()} is before the discharge on {values['discharged_on'].isoformat()}")
    errors.raise_if_any()
    if all(getattr(allocation, k) == v for k, v in values.items()):
        return False
    for k, v in values.items():
        setattr(allocation, k, v)
    allocation._history_user = user
    allocation.save()
    return True

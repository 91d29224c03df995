"""The contact log: one validator and writer shared by the pages and the API.

Rules (also those of ``peerimpact.load_study``, so an export stays valid):
the person must be allocated to the worker on or before the contact date; the
date is a real date, not in the future and not before 2000; the duration is
0-1440 minutes (a warning above the policy's long-contact threshold, 2 hours
by default); a peer worker records only their own contacts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError
from django.db.models import Subquery
from django.utils import timezone

from ..access import ADMIN, WORKER, membership, persons_for, role_of
from ..audited import insert_audited
from ..prepared import PreparedQuery
from ..records.models import Allocation, Contact, Participant, Policy
from ..records.models.operations import CONTACT_MODES, CONTACT_PHASES, CONTACT_STATUSES
from .errors import Collector, Conflict, FieldErrors

EARLIEST = dt.date(2000, 1, 1)
_DEFAULT_LONG_CONTACT = Policy._meta.get_field("long_contact_minutes").get_default()  # Policy.current() without a row
# The allocations of a person (by person_id) to a worker (by primary key), with the person, oldest first,
# each annotated with the policy's long-contact threshold (None without a policy row): the same statement
# reads both, so a POST needs no separate policy query (the statement :meth:`Policy.current` runs).
ALLOCATIONS_OF = PreparedQuery(lambda worker_pk, person_id: Allocation.objects.filter(worker_id=worker_pk, person__person_id=person_id)
                               .select_related("person").order_by("allocated_on", "id")
                               .annotate(policy_long_contact_minutes=Subquery(Policy.objects.order_by("id").values("long_contact_minutes")[:1])),
                               -7_654_321, "<person_id>")
FIELDS = ("contact_id", "worker_id", "person_id", "date", "mode", "duration_minutes", "status", "phase")


@dataclass(frozen=True)
class Saved:
    contact: Contact
    warnings: list[str]


def today() -> dt.date:
    return timezone.localdate()


def parse_date(value, field: str, errors: Collector) -> dt.date | None:
    """A date from ISO text, not in the future and not before 2000; None (and an error) otherwise."""
    if isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, f"{value!r} is not a valid date (expected YYYY-MM-DD)")
            return None
    if date > today():
        errors.add(field, f"{date.isoformat()} is in the future")
        return None
    if date < EARLIEST:
        errors.add(field, f"{date.isoformat()} is before {EARLIEST.isoformat()}")
        return None
    return date


def writable_by(user) -> str:
    """The writer's role; only peer workers (own log) and research admins write contacts."""
    m = membership(user)
    if m is None or m.role not in (ADMIN, WORKER):
        raise PermissionError("only peer workers and research admins record contacts")
    return m.role


def _resolve_worker(user, worker_id, errors: Collector) -> Participant | None:
    m = membership(user)
    if m.role == WORKER:
        own = m.participant
        if worker_id not in (None, own.participant_id):
            errors.add("worker_id", "you can record only your own contacts")
            return None
        return own
    if worker_id is None:
        errors.add("worker_id", "is required")
        return None
    worker = Participant.objects.filter(participant_id=worker_id).first()
    if worker is None:
        errors.add("worker_id", f"unknown worker {worker_id!r}")
    return worker


def _check_allocation(user, worker, person_id, date, errors: Collector, phase=None, warnings: list[str] | None = None):
    """The person (allocated to ``worker`` and visible to ``user``) in one query; None with an error otherwise.

    Only research admins (every person) and peer workers (``worker`` is their
    own participant, see :func:`_resolve_worker`) write contacts, so a person
    allocated to ``worker`` is visible to ``user``; any other role is scoped
    explicitly. Skipping the scope subquery for these two roles saves a
    third of this query's cost on the load test's hot path.

    The phase is checked against the discharge date of the allocation in
    force on the contact date (see :func:`check_phase`).

    Returns the person (None with an error) and the policy's long-contact threshold when the
    statement read it (None otherwise: :func:`duration_warnings` then reads the policy).
    """
    allocations, limit = [], None
    if person_id is not None and role_of(user) in (ADMIN, WORKER):
        allocations = ALLOCATIONS_OF.all(worker.pk, person_id)
        if allocations:
            limit = allocations[0].policy_long_contact_minutes
            limit = _DEFAULT_LONG_CONTACT if limit is None else limit
    elif person_id is not None:
        qs = Allocation.objects.filter(worker=worker, person__person_id=person_id, person__in=persons_for(user))
        allocations = list(qs.select_related("person").order_by("allocated_on", "id"))
    if not allocations:
        errors.add("person_id", f"{person_id!r} is not a person allocated to this worker")
        return None, None
    first = allocations[0]
    if date is not None and date < first.allocated_on:
        errors.add("date", f"contact on {date.isoformat()} is before the allocation on {first.allocated_on.isoformat()}")
    elif date is not None and phase is not None:
        current = [a for a in allocations if a.allocated_on <= date][-1]
        check_phase(phase, date, current.discharged_on, first.person.person_id, errors, warnings)
    return first.person, limit


def check_phase(phase: str, date: dt.date, discharged_on: dt.date | None, person_id: str, errors: Collector,
                warnings: list[str] | None = None) -> None:
    """A contact's phase against the discharge date (both phases are allowed on the day of discharge).

    ``pre_discharge`` after a recorded discharge and ``post_discharge`` before it
    are errors: they would credit the wrong slot of the support schedule.
    ``post_discharge`` without a recorded discharge date is a warning (the
    coordinator may not have entered it yet).
    """
    if phase == "pre_discharge" and discharged_on is not None and date > discharged_on:
        errors.add("phase", f"{person_id} was discharged on {discharged_on.isoformat()}, before this contact on "
                            f"{date.isoformat()}: choose after discharge")
    elif phase == "post_discharge" and discharged_on is not None and date < discharged_on:
        errors.add("phase", f"{person_id} is discharged on {discharged_on.isoformat()}, after this contact on "
                            f"{date.isoformat()}: choose before discharge")
    elif phase == "post_discharge" and discharged_on is None and warnings is not None:
        warnings.append(f"phase: no discharge date is recorded for {person_id}: ask the coordinator to enter it")


def _check_values(data: dict, errors: Collector) -> None:
    choices = {"mode": CONTACT_MODES, "status": CONTACT_STATUSES, "phase": CONTACT_PHASES}
    for field, allowed in choices.items():
        if field in data and data[field] not in {c for c, _ in allowed}:
            errors.add(field, f"{data[field]!r} is not one of: {', '.join(c for c, _ in allowed)}")
    if "duration_minutes" in data and data["duration_minutes"] is not None:
        d = data["duration_minutes"]
        if isinstance(d, bool) or not isinstance(d, (int, float)) or d != d:
            errors.add("duration_minutes", "must be a number of minutes")
        elif not 0 <= d <= 24 * 60:
            errors.add("duration_minutes", f"{d:g} is outside 0-1440 minutes")


def duration_warnings(duration, limit: int | None = None) -> list[str]:
    """The long-contact warning; ``limit`` is the policy's threshold when already read (else it is read here)."""
    if duration is None:
        return []
    if limit is None:
        limit = Policy.current().long_contact_minutes
    if duration > limit:
        return [f"duration_minutes: {duration:g} minutes is more than {limit} minutes ({limit / 60:g} hours): please check it"]
    return []


def new_contact_id() -> str:
    return "C" + uuid.uuid4().hex[:20].upper()


def _validate_new(user, data: dict):
    writable_by(user)
    errors = Collector()
    for field in ("person_id", "date", "mode", "status", "phase"):
        if data.get(field) in (None, ""):
            errors.add(field, "is required")
    _check_values(data, errors)
    date = parse_date(data["date"], "date", errors) if data.get("date") not in (None, "") else None
    worker = _resolve_worker(user, data.get("worker_id"), errors)
    warnings: list[str] = []
    person, limit = _check_allocation(user, worker, data.get("person_id"), date, errors, data.get("phase"), warnings) if worker else (None, None)
    return errors, worker, person, date, warnings, limit


def contact_problems(user, data: dict) -> list[tuple[str | None, str]]:
    """Every problem :func:`create_contact` would report for ``data``, without storing anything.

    The pages call it when their own form already has errors, so that all the problems are shown at
    once (a missing mode and a date before the allocation in the same round).
    """
    return _validate_new(user, data)[0].errors


def create_contact(user, data: dict) -> Saved:
    """Validate ``data`` (study-folder column names) and store one contact with its audit record.

    Raises
    ------
    FieldErrors
        Listing every problem (nothing stored).
    Conflict
        When ``contact_id`` is already used (by any record, deleted or not).
    """
    errors, worker, person, date, warnings, limit = _validate_new(user, data)
    errors.raise_if_any()
    contact_id = data.get("contact_id") or new_contact_id()
    contact = Contact(contact_id=contact_id, worker=worker, person=person, date=date, mode=data["mode"],
                      duration_minutes=data.get("duration_minutes"), status=data["status"], phase=data["phase"], created_by=user)
    contact._history_user = user
    try:
        insert_contact(contact)
    except IntegrityError:
        if Contact.all_objects.filter(contact_id=contact_id).exists():
            raise Conflict([("contact_id", f"{contact_id!r} is already used by another contact")]) from None
        raise
    return Saved(contact, duration_warnings(contact.duration_minutes, limit) + warnings)


def insert_contact(contact: Contact) -> None:
    """Store a new contact and its audit row, all or nothing (``contact.save()``, see :mod:`peerimpact.web.audited`)."""
    insert_audited(contact)


def update_contact(user, contact: Contact, data: dict) -> Saved:
    """Change some fields of a contact the user may write (``contact_id`` and ``worker_id`` are fixed)."""
    writable_by(user)
    errors = Collector()
    fixed = {"contact_id": contact.contact_id, "worker_id": contact.worker.participant_id}
    for field, current in fixed.items():
        if field in data and data[field] != current:
            errors.add(field, "cannot be changed")
    for field in ("person_id", "date", "mode", "status", "phase"):
        if field in data and data[field] in (None, ""):
            errors.add(field, "is required")
    _check_values(data, errors)
    date = contact.date
    if data.get("date") not in (None, ""):
        date = parse_date(data["date"], "date", errors)
    person_id = data.get("person_id") or contact.person.person_id
    warnings: list[str] = []
    person, limit = _check_allocation(user, contact.worker, person_id, date, errors, data.get("phase") or contact.phase, warnings)
    errors.raise_if_any()
    contact.person, contact.date = person, date
    for field in ("mode", "status", "phase", "duration_minutes"):
        if field in data:
            setattr(contact, field, data[field])
    contact._history_user = user
    contact.save()
    return Saved(contact, duration_warnings(contact.duration_minutes, limit) + warnings)


def contact_dict(contact: Contact) -> dict:
    return {
        "contact_id": contact.contact_id, "worker_id": contact.worker.participant_id, "person_id": contact.person.person_id,
        "date": contact.date.isoformat(), "mode": contact.mode, "duration_minutes": contact.duration_minutes,
        "status": contact.status, "phase": contact.phase,
    }


__all__ = ["FIELDS", "FieldErrors", "Saved", "contact_dict", "create_contact", "update_contact"]

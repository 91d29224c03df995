"""Service use (CSRI-style) for one participant x timepoint: the services come from the study's
declared ``service_use`` instrument definitions (``csri`` ships with PeerImpact).

Consent first: nothing is stored for a participant without recorded consent.
Rows are kept one per participant x timepoint x service; a change updates the
row (audited, before and after) rather than adding another.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ..records.models import Participant, ServiceUse
from .errors import Collector, FieldErrors
from .studyctx import study_context

MAX_COUNT = 10_000


@dataclass(frozen=True)
class ServiceRow:
    service: str
    label: str
    unit: str | None
    instrument: str


def service_schedule() -> list[ServiceRow]:
    """The services of every declared service-use instrument, in the order the definitions list them."""
    ctx = study_context()
    return [ServiceRow(s.id, s.label, s.unit, d.id) for i in ctx.definition.instruments
            if (d := ctx.instruments.get(i)) is not None and d.kind == "service_use" for s in d.services]


def stored_service_use(participant: Participant, timepoint: str) -> dict[str, ServiceUse]:
    return {r.service: r for r in ServiceUse.objects.filter(participant=participant, timepoint=timepoint)}


def save_service_use(by, participant: Participant, timepoint: str, values: dict[str, tuple[bool, int | None]],
                     *, reason: str = "service-use form") -> int:
    """Store ``{service: (used, count)}`` for one participant x timepoint; returns how many rows changed.

    ``reason`` goes into the audit trail (``service-use form``, ``api``).

    Raises
    ------
    FieldErrors
        Every problem at once: no consent, unknown timepoint or service, a
        count for a service not used, a count out of range. Nothing is stored.
    """
    errors = Collector()
    ctx = study_context()
    if participant.consent_or_none is None:
        errors.add(None, f"participant {participant.participant_id} has no recorded consent: record consent before any service-use data")
    if timepoint not in ctx.definition.timepoint_ids:
        errors.add("timepoint", f"unknown timepoint {timepoint!r}")
    known = {r.service for r in service_schedule()}
    if not known:
        errors.add(None, "the study declares no service-use instrument (e.g. csri)")
    for service, (used, count) in values.items():
        if service not in known:
            errors.add(service, f"unknown service {service!r}")
        elif count is not None and not (0 <= count <= MAX_COUNT):
            errors.add(f"count__{service}", f"count must be between 0 and {MAX_COUNT}")
        elif count and not used:
            errors.add(f"count__{service}", f"{count} given for {service} but it is not marked as used")
    errors.raise_if_any()
    changed = 0
    with transaction.atomic():
        stored = {r.service: r for r in ServiceUse.objects.select_for_update().filter(participant=participant, timepoint=timepoint)}
        for service, (used, count) in values.items():
            row = stored.get(service)
            if row is not None and (row.used, row.count) == (used, count):
                continue
            row = row or ServiceUse(participant=participant, timepoint=timepoint, service=service)
            row.used, row.count = used, count
            row._history_user, row._change_reason = by, reason
            row.save()
            changed += 1
    return changed


__all__ = ["FieldErrors", "ServiceRow", "save_service_use", "service_schedule", "stored_service_use"]

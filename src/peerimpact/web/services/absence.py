"""Sickness-absence spells entered by coordinators: the rules of ``absence.csv`` (``peerimpact.study.absence``).

A spell ends on or after its start (or is open, still going on), is not in
the future, lies within the worker's time in post (employment start and end
dates) and does not overlap another spell of the worker. The study must be
format version 2 (the version that holds ``absence.csv``), or its export
could not carry the spell.
"""

from __future__ import annotations

import datetime as dt

from ...study import StudyDefinition
from ..absence.models import AbsenceSpell
from ..records.models import Employment, StudyConfig
from .contacts import parse_date
from .errors import Collector


def _study_format() -> int:
    config = StudyConfig.objects.order_by("id").only("definition").first()
    return StudyDefinition.model_validate(config.definition).format if config else 1


def add_spell(user, employment: Employment, data: dict) -> AbsenceSpell:
    """Store one spell of ``employment``'s worker (``start_date``, ``end_date`` or None, ``reason``), audited.

    Raises
    ------
    FieldErrors
        Every problem at once; nothing stored.
    """
    errors = Collector()
    if _study_format() < 2:
        errors.add(None, "this study is format version 1, which has no absence spells: run `peerimpact upgrade` on the study "
                         "folder and import it again")
    start = parse_date(data.get("start_date"), "start_date", errors) if data.get("start_date") else None
    if not data.get("start_date"):
        errors.add("start_date", "is required")
    end = parse_date(data["end_date"], "end_date", errors) if data.get("end_date") else None
    reason = data.get("reason")
    if reason not in {r for r, _ in AbsenceSpell.REASONS}:
        errors.add("reason", "is not one of the reasons")
    pid = employment.participant.participant_id
    if start and end and end < start:
        errors.add("end_date", f"{end.isoformat()} is before the start {start.isoformat()}")
    if start and start < employment.start_date:
        errors.add("start_date", f"{start.isoformat()} is before {pid} started in post ({employment.start_date.isoformat()})")
    if employment.end_date and ((end or dt.date.max) > employment.end_date):
        errors.add("end_date", f"the spell runs past {pid}'s end in post ({employment.end_date.isoformat()}): give an end date on or before it")
    if start and not errors.errors:
        for other in AbsenceSpell.objects.filter(participant=employment.participant):
            if start <= (other.end_date or dt.date.max) and other.start_date <= (end or dt.date.max):
                until = other.end_date.isoformat() if other.end_date else "still open"
                errors.add("start_date", f"overlaps the spell from {other.start_date.isoformat()} ({until})")
    errors.raise_if_any()
    spell = AbsenceSpell(participant=employment.participant, start_date=start, end_date=end, reason=reason)
    spell._history_user = user
    spell.save()
    return spell

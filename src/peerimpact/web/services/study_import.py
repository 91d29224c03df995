"""``peerimpact db import-study DIR``: a study folder into the database, losslessly.

The folder is read with :func:`peerimpact.load_study` (so it is validated by
the same rules as everywhere else) and written in one transaction, each row
with its audit record (reason ``import-study``). A database that already
holds a study is refused: nothing is merged silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from ...errors import UserInputError
from ...instruments import shipped_instruments
from ...study import Study, load_study
from ..absence.study_io import store_spells
from ..coding.state import bump as bump_coding_stamp
from ..records.models import (
    Allocation,
    Coding,
    Consent,
    Contact,
    Employment,
    Participant,
    Person,
    Policy,
    QuestionnaireResponse,
    ServiceUse,
    Site,
    StudyConfig,
    Transcript,
)
from .response_columns import split_response_row
from .yamltext import to_text

REASON = "import-study"
PARTICIPANT_KEYS = ("participant_id", "site", "consent_date")
CODING_KEYS = ("segment_id", "interview_id", "start", "end", "code", "coder")


@dataclass(frozen=True)
class ImportSummary:
    title: str
    counts: dict[str, int]

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"imported {self.title!r}: {parts}"


def _date(value: Any):
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _cell(value: Any) -> Any:
    """A participants.csv / codings.csv extra cell as JSON: str, float or None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    return float(value)


def _custom_instruments(study: Study) -> dict[str, Any]:
    shipped = shipped_instruments()
    return {
        inst_id: inst.model_dump(mode="json", exclude_none=True)
        for inst_id, inst in study.instruments.items()
        if shipped.get(inst_id) != inst
    }


def _bulk(model, objs: list, user) -> list:
    if model is Coding:
        bump_coding_stamp()  # bulk_create sends no post_save: the suggestion model's cache must see the new codings
    if not objs:
        return []
    return bulk_create_with_history(objs, model, batch_size=500, default_user=user, default_change_reason=REASON)


def database_holds_study() -> bool:
    return StudyConfig.objects.exists()


def import_study(path: str | Path, user=None) -> ImportSummary:
    """Load the study folder at ``path`` and store it.

    Raises
    ------
    StudyValidationError
        When the folder breaks any rule (nothing is stored).
    UserInputError
        When the database already holds a study.
    """
    return import_loaded_study(load_study(path), user)


def import_loaded_study(study: Study, user=None) -> ImportSummary:
    """Store a study already loaded (and so validated) by :func:`peerimpact.load_study`."""
    with transaction.atomic():
        if database_holds_study():
            raise UserInputError("the database already holds a study; export it and use a new database to import another")
        return _store(study, user)


def _store(study: Study, user) -> ImportSummary:
    d = study.definition
    _bulk(StudyConfig, [StudyConfig(
        title=d.title,
        definition=d.model_dump(mode="json"),
        norms_yaml=to_text(study.norms),
        codebook_yaml=to_text(study.codebook),
        memos_yaml=to_text(study.memos),
        synthesis_yaml=to_text(study.synthesis),
        instruments_yaml=to_text(_custom_instruments(study) or None),
        participant_columns=list(study.participants.columns),
        response_columns=list(study.responses.columns),
        coding_columns=list(study.codings.columns),
    )], user)
    if not Policy.objects.exists():
        _bulk(Policy, [Policy()], user)
    sites = {s.site_id: s for s in _bulk(Site, [Site(site_id=s.id, name=s.name) for s in d.sites], user)}

    parts = study.participants
    extra_cols = [c for c in parts.columns if c not in PARTICIPANT_KEYS]
    people = _bulk(Participant, [
        Participant(participant_id=r["participant_id"], site=sites[r["site"]], extra={c: _cell(r[c]) for c in extra_cols})
        for r in parts.to_dict("records")
    ], user)
    by_pid = {p.participant_id: p for p in people}
    _bulk(Consent, [
        Consent(participant=by_pid[r["participant_id"]], consent_date=_date(r["consent_date"]), form_version="imported", recorded_by=user)
        for r in parts.to_dict("records") if not pd.isna(r["consent_date"])
    ], user)
    _bulk(Employment, [
        Employment(participant=by_pid[r["participant_id"]], contract=r["contract"], hours_per_week=_num(r["hours_per_week"]),
                   start_date=_date(r["start_date"]), end_date=_date(r["end_date"]), sick_days=_num(r["sick_days"]))
        for r in study.employment.to_dict("records")
    ], user)
    n_spells = store_spells(study, by_pid, _bulk, user)
    _bulk(ServiceUse, [
        ServiceUse(participant=by_pid[r["participant_id"]], timepoint=r["timepoint"], service=r["service"],
                   used=bool(r["used"]), count=None if pd.isna(r["count"]) else int(r["count"]))
        for r in study.service_use.to_dict("records")
    ], user)

    persons: dict[str, Person] = {}
    for r in study.allocations.to_dict("records"):
        persons.setdefault(r["person_id"], Person(person_id=r["person_id"], site=by_pid[r["worker_id"]].site))
    persons = {p.person_id: p for p in _bulk(Person, list(persons.values()), user)}
    _bulk(Allocation, [
        Allocation(person=persons[r["person_id"]], worker=by_pid[r["worker_id"]], allocated_on=_date(r["allocated_on"]),
                   discharged_on=_date(r["discharged_on"]), ended_on=_date(r["ended_on"]))
        for r in study.allocations.to_dict("records")
    ], user)
    _bulk(Contact, [
        Contact(contact_id=r["contact_id"], worker=by_pid[r["worker_id"]], person=persons[r["person_id"]], date=_date(r["date"]),
                mode=r["mode"], duration_minutes=_num(r["duration_minutes"]), status=r["status"], phase=r["phase"], created_by=user)
        for r in study.contacts.to_dict("records")
    ], user)

    responses = []
    for r in study.responses.to_dict("records"):
        for instrument, values in split_response_row(r, study).items():
            responses.append(QuestionnaireResponse(
                participant=by_pid[r["participant_id"]], timepoint=r["timepoint"], instrument=instrument, values=values,
                status=QuestionnaireResponse.SUBMITTED, source="import", submitted_by=user,
            ))
    _bulk(QuestionnaireResponse, responses, user)

    transcripts = {t.interview_id: t for t in _bulk(Transcript, [
        Transcript(interview_id=t.interview_id, participant=by_pid[t.participant_id], site=t.site, timepoint=t.timepoint,
                   text=t.text, sha256=t.sha256, file=t.file)
        for t in study.transcripts.values()
    ], user)}
    coding_extra = [c for c in study.codings.columns if c not in CODING_KEYS]
    _bulk(Coding, [
        Coding(segment_id=r["segment_id"], transcript=transcripts[r["interview_id"]], start=int(r["start"]), end=int(r["end"]),
               code=r["code"], coder=r["coder"], extra={c: _cell(r[c]) for c in coding_extra})
        for r in study.codings.to_dict("records")
    ], user)
    counts = {
        "participants": len(people), "responses": len(study.responses), "contacts": len(study.contacts),
        "allocations": len(study.allocations), "transcripts": len(transcripts), "codings": len(study.codings),
    }
    if n_spells:
        counts["absence spells"] = n_spells
    return ImportSummary(d.title, counts)

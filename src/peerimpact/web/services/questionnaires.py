"""Questionnaires generated from the instrument definitions.

A form lists an instrument's items (id, anchors, and wording only when the
study's own instrument file supplies it under a licence) and its pre-scored
subscales. Values are checked by :func:`peerimpact.scoring.check_responses`,
the validator the study loader uses, and scored by
:func:`peerimpact.scoring.score`, the engine the report uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone

from ...instruments import InstrumentDefinition
from ...scoring import check_responses, score
from ...study import Study
from ...study.checks import empty_table
from ...study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, SERVICE_USE
from ...study.write import format_cell
from ..access import ADMIN, COORDINATOR, WORKER, membership, participants_for
from ..records.models import Policy, QuestionnaireResponse
from .contacts import today
from .errors import Collector, Conflict, FieldErrors
from .studyctx import StudyContext, study_context
from .windows import anchor_of, due_window


@dataclass(frozen=True)
class FormField:
    key: str  # the key in a submission: item id ("3") or pre-scored column ("mjs.personal")
    column: str  # responses.csv column
    label: str
    text: str | None  # item wording, only when licensed and supplied
    low: float
    high: float
    integer: bool
    prescored: bool


@dataclass(frozen=True)
class Form:
    instrument: InstrumentDefinition
    fields: tuple[FormField, ...]

    @property
    def key(self) -> str:
        """Stored form: the column prefix (a short form is saved on its parent's form)."""
        return self.instrument.column_prefix

    @property
    def anchors(self) -> list[tuple[int, str]]:
        inst = self.instrument
        return [(v, inst.anchors.get(v, "")) for v in range(int(inst.response_min), int(inst.response_max) + 1)]


def build_form(inst: InstrumentDefinition) -> Form:
    fields = [
        FormField(item.id, inst.item_column(item.id), f"Item {item.id}", item.text, float(inst.response_min),
                  float(inst.response_max), inst.integer_responses, False)
        for item in inst.items
    ]
    for sub in inst.subscales:
        if sub.prescored:
            lo, hi = inst.score_range(sub.id)
            column = f"{inst.id}.{sub.id}"
            fields.append(FormField(column, column, f"{sub.label} (score)", None, lo, hi, False, True))
    return Form(inst, tuple(fields))


def study_forms(ctx: StudyContext | None = None) -> dict[str, Form]:
    """Forms of the declared questionnaires (a short form is left out when its parent is declared)."""
    ctx = ctx or study_context()
    declared = set(ctx.definition.instruments)
    out = {}
    for inst_id, inst in ctx.instruments.items():
        if inst.kind != "questionnaire" or (inst.parent and inst.parent in declared):
            continue
        form = build_form(inst)
        if form.fields:
            out[inst_id] = form
    return out


def _columns(form: Form, responses: dict[str, Any], errors: Collector) -> dict[str, Any]:
    by_key = {f.key: f for f in form.fields}
    values = {}
    for key, value in responses.items():
        field = by_key.get(key)
        if field is None:
            errors.add(f"responses.{key}", f"not an item or pre-scored subscale of {form.instrument.id}")
        elif value is not None:
            values[field.column] = value
    return values


def _check_values(ctx: StudyContext, form: Form, participant_id: str, timepoint: str, values: dict, errors: Collector) -> None:
    raw = pd.DataFrame({"participant_id": [participant_id], "timepoint": [timepoint],
                        **{c: [format_cell(v)] for c, v in values.items()}}, dtype=object)
    key_of = {f.column: f.key for f in form.fields}
    for problem in check_responses(raw, ctx.definition, ctx.instruments):
        errors.add(f"responses.{key_of.get(problem.column, problem.column)}", problem.message)


def scores_for(ctx: StudyContext, form: Form, participant, timepoint: str, values: dict) -> list[dict]:
    """Scores of one response by the scoring engine (one-participant study)."""
    consent = participant.consent_or_none
    participants = pd.DataFrame({"participant_id": [participant.participant_id], "site": [participant.site.site_id],
                                 "consent_date": pd.to_datetime([consent.consent_date if consent else None])})
    responses = pd.DataFrame({"participant_id": [participant.participant_id], "timepoint": [timepoint]}, dtype=object)
    for column, value in values.items():
        responses[column] = pd.Series([float(value)], dtype="float64")
    study = Study(
        definition=ctx.definition, participants=participants, responses=responses,
        service_use=empty_table(SERVICE_USE), employment=empty_table(EMPLOYMENT), allocations=empty_table(ALLOCATIONS),
        contacts=empty_table(CONTACTS), instruments=ctx.instruments, transcripts={}, codings=empty_table(CODINGS),
    )
    table = score(study)
    mine = {i.id for i in ctx.instruments.values() if i.column_prefix == form.key}
    table = table[table["outcome"].str.split(".").str[0].isin(mine)]
    out = []
    for r in table.to_dict("records"):
        out.append({
            "outcome": r["outcome"],
            "score": None if pd.isna(r["score"]) else float(r["score"]),
            "status": r["status"],
            "items_answered": None if pd.isna(r["items_answered"]) else int(r["items_answered"]),
            "items_missing": None if pd.isna(r["items_missing"]) else int(r["items_missing"]),
        })
    return out


def _participant(user, participant_id: str, errors: Collector):
    m = membership(user)
    if m is None or m.role not in (ADMIN, WORKER):
        raise PermissionError("only peer workers (their own) and research admins enter questionnaires")
    participant = participants_for(user).select_related("site").filter(participant_id=participant_id).first()
    if participant is None:
        errors.add("participant_id", "you can enter only your own questionnaires" if m.role == WORKER else f"unknown participant {participant_id!r}")
    return participant


def submit_questionnaire(user, data: dict, source: str = "web") -> dict:
    """Save a draft (``submit`` false) or submit one participant x timepoint x instrument response.

    Raises
    ------
    FieldErrors
        Every problem at once (nothing stored): unknown participant, timepoint
        or instrument, no consent, window not open yet, bad item values.
    Conflict
        When this form was already submitted for the participant and timepoint.
    """
    ctx = study_context()
    errors = Collector()
    participant = _participant(user, data["participant_id"], errors)
    timepoint = data["timepoint"]
    if timepoint not in ctx.definition.timepoint_ids:
        errors.add("timepoint", f"unknown timepoint {timepoint!r}; the study's are {', '.join(ctx.definition.timepoint_ids)}")
    forms = study_forms(ctx)
    form = forms.get(data["instrument"])
    if form is None:
        errors.add("instrument", f"{data['instrument']!r} is not a questionnaire of this study ({', '.join(forms) or 'none'})")
        errors.raise_if_any()
    values = _columns(form, data.get("responses") or {}, errors)
    if participant is not None and participant.consent_or_none is None:
        errors.add("participant_id", "has no recorded consent: record consent before any questionnaire data")
    warnings: list[str] = []
    in_window = None
    if participant is not None and not errors.errors:
        window = due_window(anchor_of(participant), ctx.definition.timepoint(timepoint).month, Policy.current().window_weeks)
        state = window.state(today()) if window else None
        if state == "not_open":
            errors.add("timepoint", f"the {timepoint} questionnaire opens on {window.opens.isoformat()} (due {window.due.isoformat()})")
        elif state == "late":
            warnings.append(f"late: the {timepoint} window closed on {window.closes.isoformat()}")
        in_window = None if state is None else state == "open"
    _check_values(ctx, form, data["participant_id"], timepoint, values, errors)
    errors.raise_if_any()
    submit = bool(data.get("submit", True))
    record = _save(user, participant, timepoint, form, values, submit, in_window, source)
    scores = scores_for(ctx, form, participant, timepoint, values) if submit else []
    return {"participant_id": participant.participant_id, "timepoint": timepoint, "instrument": form.instrument.id,
            "status": record.status, "in_window": in_window, "scores": scores, "warnings": warnings}


def _save(user, participant, timepoint, form: Form, values, submit: bool, in_window, source) -> QuestionnaireResponse:
    duplicate = Conflict([("instrument", f"{form.instrument.id} for {timepoint} was already submitted for this participant")])
    try:
        with transaction.atomic():
            record = (QuestionnaireResponse.objects.select_for_update()
                      .filter(participant=participant, timepoint=timepoint, instrument=form.key).first())
            if record is not None and record.status == QuestionnaireResponse.SUBMITTED:
                raise duplicate
            if record is not None and not submit and record.values == values:
                return record  # an untouched draft saved again: nothing to store (4 == 4.0: imported values stay as they are)
            record = record or QuestionnaireResponse(participant=participant, timepoint=timepoint, instrument=form.key, source=source)
            record.values = values
            if submit:
                record.status = QuestionnaireResponse.SUBMITTED
                record.submitted_at, record.submitted_by, record.in_window = timezone.now(), user, in_window
            record._history_user = user
            record.save()
    except IntegrityError:
        raise duplicate from None
    return record


def reopen_questionnaire(user, participant, timepoint: str, form: Form) -> QuestionnaireResponse:
    """Turn a submitted response back into a draft (values kept) so that it can be corrected and submitted again.

    Research admins (any participant) and site coordinators (their site) only;
    the audit trail records who reopened it and when (change reason "reopened").

    Raises
    ------
    FieldErrors
        When the response is not submitted (nothing to reopen).
    """
    m = membership(user)
    if m is None or m.role not in (ADMIN, COORDINATOR):
        raise PermissionError("only research admins and site coordinators reopen questionnaires")
    with transaction.atomic():
        record = (QuestionnaireResponse.objects.select_for_update()
                  .filter(participant=participant, timepoint=timepoint, instrument=form.key).first())
        if record is None or record.status != QuestionnaireResponse.SUBMITTED:
            raise FieldErrors([("instrument", f"{form.instrument.name} at {timepoint} is not submitted: there is nothing to reopen")])
        record.status, record.submitted_at, record.submitted_by, record.in_window = QuestionnaireResponse.DRAFT, None, None, None
        record._history_user = user
        record._change_reason = "reopened"
        record.save()
    return record


def draft_of(participant, timepoint: str, form: Form) -> QuestionnaireResponse | None:
    return QuestionnaireResponse.objects.filter(participant=participant, timepoint=timepoint, instrument=form.key).first()


__all__ = ["FieldErrors", "Form", "build_form", "draft_of", "reopen_questionnaire", "study_forms", "submit_questionnaire"]

"""Questionnaires: forms generated from the instrument definitions, with save and resume.

Submitting with unanswered items lists them and asks to confirm; a research
admin or the site coordinator can reopen a submitted questionnaire (audited).
Item wording appears only when the study's own instrument file supplies it;
otherwise items are "Item 3 of 14" and the page says to use the licensed
paper form for the wording.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from ..access import ADMIN, COORDINATOR, WORKER, participants_for
from ..records.models import Policy, QuestionnaireResponse
from ..services.contacts import today
from ..services.errors import FieldErrors
from ..services.questionnaires import Form, draft_of, reopen_questionnaire, study_forms, submit_questionnaire
from ..services.studyctx import study_context
from ..services.windows import anchor_of, due_window
from .common import page, roles
from .wording import plain_error, plain_warning, score_status, sentence, window_state


def score_sentence(form: Form, score: dict) -> str:
    """One score in plain words: "Mental wellbeing (WEMWBS): 7 of 14 items answered — too few to score"."""
    inst = form.instrument
    sub_id = score["outcome"].split(".", 1)[-1]
    names = {s.id: s.label for s in inst.subscales}
    name = names.get(sub_id, score["outcome"])
    answered, missing = score["items_answered"], score["items_missing"]
    counted = f"{answered} of {answered + missing} items answered" if answered is not None and missing is not None else ""
    if score["score"] is None:
        return f"{name}: {counted} — {score_status(score['status'])}" if counted else f"{name}: {score_status(score['status'])}"
    detail = ", ".join(x for x in (counted, score_status(score["status"]) if score["status"] != "complete" else "") if x)
    return f"{name}: {score['score']:g}" + (f" ({detail})" if detail else "")


@roles(ADMIN, COORDINATOR, WORKER)
def questionnaire_list(request):
    ctx = study_context()
    forms = study_forms(ctx)
    policy = Policy.current()
    participants = participants_for(request.user).select_related("site", "consent", "employment").order_by("participant_id")
    done = {(r.participant_id, r.timepoint, r.instrument): r
            for r in QuestionnaireResponse.objects.filter(participant__in=participants)}
    day = today()
    rows = []
    for p in participants:
        anchor = anchor_of(p)
        for tp in ctx.definition.ordered_timepoints:
            window = due_window(anchor, tp.month, policy.window_weeks)
            for inst_id, form in forms.items():
                record = done.get((p.pk, tp.id, form.key))
                status = record.status if record else "not started"
                # A submitted questionnaire is late only when it was submitted after its window (in_window false);
                # an imported one carries no submission date, so it is never flagged.
                state = window.state(day) if window else "unknown"
                late = record.in_window is False if status == QuestionnaireResponse.SUBMITTED else state == "late"
                rows.append({
                    "participant": p, "timepoint": tp, "instrument": inst_id, "name": form.instrument.name,
                    "window": window, "state": state, "state_words": window_state(state), "late": late,
                    "status": status, "consented": p.consent_or_none is not None,
                })
    return page(request, "web/questionnaires.html", {"rows": rows, "can_fill": request.membership.role in (ADMIN, WORKER),
                                                     "can_reopen": request.membership.role in (ADMIN, COORDINATOR)})


def _parse(form: Form, post) -> tuple[dict, dict[str, list[str]]]:
    responses, errors = {}, {}
    for field in form.fields:
        raw = post.get(field.column, "").strip()
        if raw == "":
            responses[field.key] = None
            continue
        try:
            responses[field.key] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            errors.setdefault(field.column, []).append(f"“{raw}” is not a number.")
    return responses, errors


@roles(ADMIN, WORKER)
def questionnaire_fill(request, uid, timepoint, instrument):
    ctx = study_context()
    participant = get_object_or_404(participants_for(request.user).select_related("site"), uid=uid)
    form = study_forms(ctx).get(instrument)
    if form is None or timepoint not in ctx.definition.timepoint_ids:
        raise Http404
    record = draft_of(participant, timepoint, form)
    submitted = record is not None and record.status == QuestionnaireResponse.SUBMITTED
    values = dict(record.values) if record else {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    missing: list[str] = []
    if request.method == "POST" and not submitted:
        responses, errors = _parse(form, request.POST)
        action = request.POST.get("action")
        submit = action in ("submit", "submit-confirmed")
        unanswered = [f for f in form.fields if responses.get(f.key) is None]
        ask_first = action == "submit" and bool(unanswered)  # save as a draft and ask to confirm the missing items
        if not errors:
            try:
                result = submit_questionnaire(request.user, {"participant_id": participant.participant_id, "timepoint": timepoint,
                                                             "instrument": instrument, "responses": responses,
                                                             "submit": submit and not ask_first})
            except FieldErrors as exc:
                by_key = {f.key: f.column for f in form.fields}
                for field, message in exc.errors:
                    key = field.split(".", 1)[1] if field and field.startswith("responses.") else None
                    if key in by_key:
                        errors.setdefault(by_key[key], []).append(sentence(message))
                    else:
                        general.append(plain_error(field, message))
            else:
                for w in result["warnings"]:
                    messages.warning(request, plain_warning(w))
                if ask_first:
                    missing = [f.label for f in unanswered]
                    record = draft_of(participant, timepoint, form)
                elif submit:
                    for s in result["scores"]:
                        messages.success(request, score_sentence(form, s))
                    messages.success(request, f"{form.instrument.name} at {ctx.definition.timepoint(timepoint).label} submitted.")
                    return redirect("questionnaires")
                else:
                    messages.success(request, "Saved: you can come back and finish later.")
                    return redirect("questionnaire-fill", uid=uid, timepoint=timepoint, instrument=instrument)
        values = {f.column: request.POST.get(f.column, "") for f in form.fields}
    n_items = sum(not f.prescored for f in form.fields)
    fields = [{"f": f, "value": values.get(f.column, ""), "errors": errors.get(f.column, []),
               "heading": f.text or (f"Item {f.key} of {n_items}" if not f.prescored else f.label)} for f in form.fields]
    return page(request, "web/questionnaire_form.html", {
        "form": form, "fields": fields, "participant": participant, "timepoint": ctx.definition.timepoint(timepoint),
        "submitted": submitted, "general": general, "record": record, "missing": missing,
        "wording_missing": any(f.text is None and not f.prescored for f in form.fields),
    })


@require_POST
@roles(ADMIN, COORDINATOR)
def questionnaire_reopen(request, uid, timepoint, instrument):
    ctx = study_context()
    participant = get_object_or_404(participants_for(request.user), uid=uid)
    form = study_forms(ctx).get(instrument)
    if form is None or timepoint not in ctx.definition.timepoint_ids:
        raise Http404
    try:
        reopen_questionnaire(request.user, participant, timepoint, form)
    except FieldErrors as exc:
        for field, message in exc.errors:
            messages.warning(request, plain_error(field, message))
    else:
        messages.success(request, f"{form.instrument.name} at {timepoint} of {participant.participant_id} reopened: "
                                  "it can be corrected and submitted again.")
    return redirect("questionnaires")

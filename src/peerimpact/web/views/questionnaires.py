"""Questionnaires: forms generated from the instrument definitions, with save and resume."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from ..access import ADMIN, WORKER, participants_for
from ..records.models import Policy, QuestionnaireResponse
from ..services.contacts import today
from ..services.errors import FieldErrors
from ..services.questionnaires import draft_of, study_forms, submit_questionnaire
from ..services.studyctx import study_context
from ..services.windows import anchor_of, due_window
from .common import page, roles


@roles(ADMIN, WORKER)
def questionnaire_list(request):
    ctx = study_context()
    forms = study_forms(ctx)
    policy = Policy.current()
    participants = participants_for(request.user).select_related("site", "consent", "employment").order_by("participant_id")
    done = {(r.participant_id, r.timepoint, r.instrument): r.status
            for r in QuestionnaireResponse.objects.filter(participant__in=participants)}
    day = today()
    rows = []
    for p in participants:
        anchor = anchor_of(p)
        for tp in ctx.definition.ordered_timepoints:
            window = due_window(anchor, tp.month, policy.window_weeks)
            for inst_id, form in forms.items():
                rows.append({
                    "participant": p, "timepoint": tp, "instrument": inst_id, "name": form.instrument.name,
                    "window": window, "state": window.state(day) if window else "unknown",
                    "status": done.get((p.pk, tp.id, form.key), "not started"), "consented": p.consent_or_none is not None,
                })
    return page(request, "web/questionnaires.html", {"rows": rows})


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
    if request.method == "POST" and not submitted:
        responses = {}
        for field in form.fields:
            raw = request.POST.get(field.column, "").strip()
            if raw == "":
                responses[field.key] = None
                continue
            try:
                responses[field.key] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
            except ValueError:
                errors.setdefault(field.column, []).append(f"{raw!r} is not a number")
        submit = request.POST.get("action") == "submit"
        if not errors:
            try:
                result = submit_questionnaire(request.user, {"participant_id": participant.participant_id, "timepoint": timepoint,
                                                             "instrument": instrument, "responses": responses, "submit": submit})
            except FieldErrors as exc:
                by_key = {f.key: f.column for f in form.fields}
                for field, message in exc.errors:
                    key = field.split(".", 1)[1] if field and field.startswith("responses.") else None
                    if key in by_key:
                        errors.setdefault(by_key[key], []).append(message)
                    else:
                        general.append(f"{field}: {message}" if field else message)
            else:
                for w in result["warnings"]:
                    messages.warning(request, w)
                if submit:
                    scores = "; ".join(f"{s['outcome']} = {s['score']:g}" if s["score"] is not None else f"{s['outcome']}: {s['status']}"
                                       for s in result["scores"])
                    messages.success(request, f"Submitted. Scores: {scores}")
                    return redirect("questionnaires")
                messages.success(request, "Saved: you can come back and finish later.")
                return redirect("questionnaire-fill", uid=uid, timepoint=timepoint, instrument=instrument)
        values = {f.column: request.POST.get(f.column, "") for f in form.fields}
    fields = [{"f": f, "value": values.get(f.column, ""), "errors": errors.get(f.column, [])} for f in form.fields]
    return page(request, "web/questionnaire_form.html", {
        "form": form, "fields": fields, "participant": participant, "timepoint": ctx.definition.timepoint(timepoint),
        "submitted": submitted, "general": general, "record": record,
    })

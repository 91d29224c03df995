"""Service-use entry (CSRI services from the instrument definition) for a participant x timepoint.

Research admins (any site) and site coordinators (their site) only; consent first.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from ..access import ADMIN, COORDINATOR, participants_for
from ..services.errors import FieldErrors
from ..services.service_use import MAX_COUNT, save_service_use, service_schedule, stored_service_use
from ..services.studyctx import study_context
from .common import page, roles
from .forms import apply_errors


def service_use_form(schedule, data=None, initial=None) -> forms.Form:
    form = forms.Form(data, initial=initial)
    for row in schedule:
        form.fields[f"used__{row.service}"] = forms.BooleanField(required=False, label=row.label)
        form.fields[f"count__{row.service}"] = forms.IntegerField(
            required=False, min_value=0, max_value=MAX_COUNT, label=f"{row.label}: number of {row.unit or 'times'}")
    return form


@roles(ADMIN, COORDINATOR)
def service_use_list(request):
    timepoints = study_context().definition.timepoint_ids
    rows = participants_for(request.user).select_related("site", "consent").order_by("participant_id")
    return page(request, "web/service_use.html", {"rows": rows, "timepoints": timepoints,
                                                   "declared": bool(service_schedule())})


@roles(ADMIN, COORDINATOR)
def service_use_entry(request, uid, timepoint):
    participant = get_object_or_404(participants_for(request.user), uid=uid)
    if timepoint not in study_context().definition.timepoint_ids:
        raise Http404("unknown timepoint")
    schedule = service_schedule()
    stored = stored_service_use(participant, timepoint)
    initial = {}
    for service, row in stored.items():
        initial[f"used__{service}"], initial[f"count__{service}"] = row.used, row.count
    form = service_use_form(schedule, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = {r.service: (d[f"used__{r.service}"], d[f"count__{r.service}"]) for r in schedule}
        try:
            changed = save_service_use(request.user, participant, timepoint, values)
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Service use of {participant.participant_id} at {timepoint} saved ({changed} changed).")
            return redirect("service-use")
    rows = [(r, form[f"used__{r.service}"], form[f"count__{r.service}"]) for r in schedule]
    return page(request, "web/service_use_form.html", {
        "form": form, "rows": rows, "participant": participant, "timepoint": timepoint,
        "consented": participant.consent_or_none is not None,
    })

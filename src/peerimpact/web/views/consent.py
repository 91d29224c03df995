"""Consent first: a research admin records each participant's consent (date, form version, who)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from ..access import ADMIN, participants_for
from ..records.models import Consent
from ..services.contacts import parse_date
from ..services.errors import Collector, FieldErrors
from .common import page, roles
from .forms import ConsentForm, apply_errors


@roles(ADMIN)
def consent_list(request):
    rows = participants_for(request.user).select_related("site", "consent", "consent__recorded_by").order_by("participant_id")
    return page(request, "web/consent.html", {"rows": rows})


@roles(ADMIN)
def consent_record(request, uid):
    participant = get_object_or_404(participants_for(request.user), uid=uid)
    consent = participant.consent_or_none
    initial = {"consent_date": consent.consent_date, "form_version": consent.form_version} if consent else {}
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and consent is not None and not form.has_changed():
        messages.success(request, f"Nothing changed in the consent of {participant.participant_id}.")
        return redirect("consent")
    if request.method == "POST" and form.is_valid():
        errors = Collector()
        date = parse_date(form.cleaned_data["consent_date"], "consent_date", errors)
        try:
            errors.raise_if_any()
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            record = consent or Consent(participant=participant)
            record.consent_date, record.form_version = date, form.cleaned_data["form_version"]
            record.recorded_by = request.user
            record._history_user = request.user
            record.save()
            messages.success(request, f"Consent of {participant.participant_id} recorded.")
            return redirect("consent")
    return page(request, "web/consent_form.html", {"form": form, "participant": participant, "consent": consent})

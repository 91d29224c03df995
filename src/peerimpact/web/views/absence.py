"""Coordinators enter sickness-absence spells of their site's peer workers (research admins: any site)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from ..absence.models import AbsenceSpell
from ..access import ADMIN, COORDINATOR, employment_for
from ..services.absence import add_spell
from ..services.errors import FieldErrors
from .common import page, roles
from .forms import AbsenceForm, apply_errors


def spells_of(employment):
    return AbsenceSpell.objects.filter(participant=employment.participant).order_by("start_date")


@roles(ADMIN, COORDINATOR)
def absence_new(request, uid):
    employment = get_object_or_404(employment_for(request.user).select_related("participant"), uid=uid)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            add_spell(request.user, employment, {"start_date": d["start_date"], "end_date": d["end_date"], "reason": d["reason"]})
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Absence of {employment.participant.participant_id} from {d['start_date'].isoformat()} recorded.")
            return redirect("absence-new", uid=employment.uid)
    return page(request, "web/absence.html", {"form": form, "employment": employment, "spells": spells_of(employment)})


@roles(ADMIN, COORDINATOR)
def absence_delete(request, uid):
    """GET: ask to confirm; POST: soft-delete (audited)."""
    sites = employment_for(request.user).values("participant_id")
    spell = get_object_or_404(AbsenceSpell.objects.filter(participant_id__in=sites).select_related("participant"), uid=uid)
    employment = get_object_or_404(employment_for(request.user), participant=spell.participant)
    if request.method != "POST":
        return page(request, "web/absence_delete.html", {"spell": spell, "employment": employment})
    spell.soft_delete(request.user)
    messages.success(request, f"Absence of {spell.participant.participant_id} from {spell.start_date.isoformat()} deleted "
                              "(kept in the audit trail).")
    return redirect("absence-new", uid=employment.uid)

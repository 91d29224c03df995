"""Research admins manage accounts (create with a role, deactivate) and add participants with their consent.

No identifier appears in these URLs: the account to deactivate is named in
the POST body. Every change is audited (accounts through the registered
history of Django's User model, participants and consent as study records).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..access import ADMIN
from ..services.accounts import add_participant, create_account, deactivate_account
from ..services.errors import FieldErrors
from .common import page, roles
from .forms import AccountForm, DeactivateForm, ParticipantForm, apply_errors


@roles(ADMIN)
def account_list(request):
    users = get_user_model().objects.select_related("membership__site", "membership__participant").order_by("username")
    return page(request, "web/accounts.html", {"users": users})


@roles(ADMIN)
def account_new(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = create_account(request.user, d["username"], d["password1"], d["role"],
                                  site_id=d["site_id"] or None, participant_id=d["participant_id"] or None)
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Account {user.username} created.")
            return redirect("accounts")
    return page(request, "web/account_form.html", {"form": form})


@roles(ADMIN)
@require_POST
def account_deactivate(request):
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            user = deactivate_account(request.user, form.cleaned_data["username"])
        except FieldErrors as exc:
            messages.error(request, "; ".join(m for _, m in exc.errors))
        else:
            messages.success(request, f"Account {user.username} deactivated.")
    return redirect("accounts")


@roles(ADMIN)
def participant_new(request):
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            participant = add_participant(request.user, d["participant_id"], d["site_id"], d["consent_date"], d["form_version"])
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Participant {participant.participant_id} added with consent.")
            return redirect("consent")
    return page(request, "web/participant_form.html", {"form": form})

"""Research admins manage accounts (create with a role, change the role, deactivate, reactivate, reset a
password) and add participants with their consent; every user changes their own password.

No identifier appears in these URLs: the account to change is named in
the POST body. Every change is audited (accounts through the registered
history of Django's User model, participants and consent as study records).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..access import ADMIN, membership
from ..services.accounts import add_participant, create_account, deactivate_account
from ..services.errors import FieldErrors
from ..services.lifecycle import change_own_password, change_role, reactivate_account, reset_password
from .common import page, roles
from .forms import AccountForm, DeactivateForm, OwnPasswordForm, ParticipantForm, RoleChangeForm, apply_errors


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


def _account_action(request, action, done: str):
    """Apply ``action(by, username)`` to the account named in the POST body, then list accounts."""
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            user = action(request.user, form.cleaned_data["username"])
        except FieldErrors as exc:
            messages.error(request, "; ".join(m for _, m in exc.errors))
        else:
            messages.success(request, f"Account {user.username} {done}.")
    return redirect("accounts")


@roles(ADMIN)
@require_POST
def account_deactivate(request):
    return _account_action(request, deactivate_account, "deactivated")


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


@roles(ADMIN)
def account_change(request):
    """Change an account's role (and site / participant link); the account is named in the POST body."""
    form = RoleChangeForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = change_role(request.user, d["username"], d["role"], site_id=d["site_id"] or None,
                               participant_id=d["participant_id"] or None)
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Account {user.username} is now: {user.membership.get_role_display()}.")
            return redirect("accounts")
    return page(request, "web/account_change.html", {"form": form})


@roles(ADMIN)
@require_POST
def account_reactivate(request):
    return _account_action(request, reactivate_account, "reactivated")


@roles(ADMIN)
@require_POST
def account_reset_password(request):
    """Set a one-time temporary password and show it once (this response is never cached: ``no-store``)."""
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            user, password = reset_password(request.user, form.cleaned_data["username"])
        except FieldErrors as exc:
            messages.error(request, "; ".join(m for _, m in exc.errors))
        else:
            return page(request, "web/password_reset_done.html", {"account": user, "temporary_password": password})
    return redirect("accounts")


@login_required
def password_change(request):
    """Any signed-in user changes their own password (required after an admin chose it)."""
    form = OwnPasswordForm(request.POST or None)
    member = membership(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            change_own_password(request.user, d["old_password"], d["new_password1"], d["new_password2"])
        except FieldErrors as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Your password has been changed.")
            return redirect("home")
    return page(request, "web/password_change.html", {"form": form, "required": bool(member and member.must_change_password)})

"""An account's life after creation: role changes, reactivation, password resets and changes.

Accounts are named by username in the request body, never in a URL. Every
change is audited through the history of ``User`` and ``Membership`` (who,
when, before and after, and a reason); the password hash never is.

Password resets work without email: the admin is shown a one-time temporary
password once (it is never stored in clear), and the user must choose a new
password at their next sign-in (``Membership.must_change_password``; pages
redirect to the password page, ``POST /api/token`` refuses).
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..records.models import ApiToken, Membership
from .accounts import role_scope
from .errors import Collector, FieldErrors

# 4 groups of 5 characters from an alphabet without look-alikes (0/O, 1/l/I): about 103 bits.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMP_GROUPS, TEMP_GROUP_LEN = 4, 5


def temporary_password() -> str:
    """A random one-time password such as ``aB3kq-9XmPz-...`` (``secrets``; passes the validators)."""
    return "-".join("".join(secrets.choice(TEMP_ALPHABET) for _ in range(TEMP_GROUP_LEN)) for _ in range(TEMP_GROUPS))


def _account(by, username: str, *, not_self: str | None = None):
    User = get_user_model()
    user = User.objects.select_related("membership").filter(username=username).first()
    if user is None:
        raise FieldErrors([("username", f"no account named {username!r}")])
    if not_self and user.pk == by.pk:
        raise FieldErrors([("username", not_self)])
    return user


def _save(obj, by, reason: str, fields: list[str]) -> None:
    obj._history_user, obj._change_reason = by, reason
    obj.save(update_fields=fields)


def change_role(by, username: str, role: str, *, site_id: str | None = None, participant_id: str | None = None):
    """Give an account another role (and site / participant link), under the rules of ``create_account``.

    You cannot change your own role (an admin could lock every admin out).
    The account's API tokens stop working: a new token carries the new role.
    Raises :class:`FieldErrors` listing every problem; nothing is stored then.
    """
    user = _account(by, username, not_self="you cannot change your own role")
    try:
        member = user.membership
    except Membership.DoesNotExist:
        raise FieldErrors([("username", f"{username} has no role to change")]) from None
    errors = Collector()
    site, participant = role_scope(errors, role, site_id, participant_id, keep=member)
    errors.raise_if_any()
    if (member.role, member.site_id, member.participant_id) == (role, site and site.pk, participant and participant.pk):
        raise FieldErrors([(None, f"{username} already has this role, site and participant")])
    with transaction.atomic():
        member.role, member.site, member.participant = role, site, participant
        _save(member, by, "role changed", ["role", "site", "participant"])
        ApiToken.objects.filter(user=user).delete()
    return user


def reactivate_account(by, username: str):
    """Let a deactivated account sign in again (audited, reason ``account reactivated``)."""
    user = _account(by, username)
    if user.is_active:
        raise FieldErrors([("username", f"{username} is already active")])
    with transaction.atomic():
        user.is_active = True
        _save(user, by, "account reactivated", ["is_active"])
    return user


def reset_password(by, username: str) -> tuple[object, str]:
    """Set a one-time temporary password; returns ``(user, password)`` to show to the admin once.

    The user must change it at their next sign-in; their API tokens stop
    working. Reset your own password on the password page instead.
    """
    user = _account(by, username, not_self="change your own password on the password page")
    if not user.is_active:
        raise FieldErrors([("username", f"{username} is inactive: reactivate the account first")])
    member = Membership.objects.filter(user=user).first()
    if member is None:
        raise FieldErrors([("username", f"{username} has no role")])
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])  # the hash is not audited: the membership change below is
        member.must_change_password, member.password_changed_at = True, timezone.now()
        _save(member, by, "password reset by admin", ["must_change_password", "password_changed_at"])
        ApiToken.objects.filter(user=user).delete()
    return user, password


def change_own_password(user, old: str, new1: str, new2: str) -> None:
    """Change one's own password: the old one, Django's validators, and not the same as before.

    Clears ``must_change_password`` and sets ``password_changed_at`` (audited, reason
    ``password changed``; the hash never is).
    The caller keeps the session alive with ``update_session_auth_hash``.
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    errors = Collector()
    if not user.check_password(old):
        errors.add("old_password", "your current password is not right")
    if new1 != new2:
        errors.add("new_password2", "the two passwords differ")
    elif new1 == old:
        errors.add("new_password1", "choose a password different from the current one")
    try:
        validate_password(new1, user)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("new_password1", message)
    errors.raise_if_any()
    with transaction.atomic():
        user.set_password(new1)
        user.save(update_fields=["password"])
        member = Membership.objects.filter(user=user).first()
        if member is not None:
            member.must_change_password, member.password_changed_at = False, timezone.now()
            _save(member, user, "password changed", ["must_change_password", "password_changed_at"])

"""Accounts and roles; the demo accounts of ``peerimpact serve --demo``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..records.models import Membership, Participant, Role, Site

DEMO_PASSWORD = "demo-password"


def make_user(username: str, password: str, role: str, *, site: Site | None = None, participant: Participant | None = None,
              validate_password: bool = True):
    """Create a user with one role (validators apply unless ``validate_password`` is false: demo only)."""
    from django.contrib.auth.password_validation import validate_password as validate

    User = get_user_model()
    user = User(username=username)
    if validate_password:
        validate(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, role=role, site=site, participant=participant)
    return user


def demo_accounts() -> dict[str, str]:
    """Create the demo accounts; returns ``{username: what they can do}``.

    ``worker-s1-01`` and ``worker-s1-02`` are the first two peer workers of
    site 1 (by participant id); ``coordinator-s1`` coordinates site 1.
    """
    site1 = Site.objects.order_by("site_id").first()
    workers = list(Participant.objects.filter(site=site1).order_by("participant_id")[:2])
    made = {}
    make_user("admin", DEMO_PASSWORD, Role.ADMIN, validate_password=False)
    made["admin"] = "research admin"
    make_user("coordinator-s1", DEMO_PASSWORD, Role.COORDINATOR, site=site1, validate_password=False)
    made["coordinator-s1"] = f"site coordinator of site {site1.site_id}"
    for n, worker in enumerate(workers, start=1):
        name = f"worker-s1-{n:02d}"
        make_user(name, DEMO_PASSWORD, Role.WORKER, participant=worker, validate_password=False)
        made[name] = f"peer worker, participant {worker.participant_id}"
    make_user("coder", DEMO_PASSWORD, Role.CODER, validate_password=False)
    made["coder"] = "coder"
    return made


def create_account(by, username: str, password: str, role: str, *, site_id: str | None = None,
                   participant_id: str | None = None):
    """Create an account with one role, checked against Django's password validators; audited as ``by``.

    The admin chose the password, so the new user must change it at their first sign-in.

    A coordinator needs a site, a peer worker a participant (not yet linked to
    another account); research admins and coders need neither. Raises
    :class:`FieldErrors` listing every problem; nothing is stored then.
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from .errors import Collector

    User = get_user_model()
    errors = Collector()
    if User.objects.filter(username__iexact=username).exists():
        errors.add("username", f"an account named {username!r} already exists")
    site, participant = role_scope(errors, role, site_id, participant_id)
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("password1", message)
    errors.raise_if_any()
    with transaction.atomic():
        user = User(username=username)
        user.set_password(password)
        user._history_user, user._change_reason = by, "account created"
        user.save()
        member = Membership(user=user, role=role, site=site, participant=participant, must_change_password=True,
                            password_changed_at=timezone.now())
        member._history_user, member._change_reason = by, "account created"
        member.save()
    return user


def role_scope(errors, role: str, site_id: str | None, participant_id: str | None, *, keep: Membership | None = None):
    """The ``(site, participant)`` a role needs, adding every problem to ``errors``.

    A coordinator needs a site, a peer worker a participant not linked to
    another account (``keep``: the membership being changed may keep its own
    participant); research admins and coders need neither.
    """
    site = participant = None
    if role not in Role.values:
        errors.add("role", f"unknown role {role!r}")
    if role == Role.COORDINATOR:
        site = Site.objects.filter(site_id=site_id).first() if site_id else None
        if site is None:
            errors.add("site_id", "a site coordinator needs their site")
    elif site_id:
        errors.add("site_id", "only a site coordinator has a site")
    if role == Role.WORKER:
        participant = Participant.objects.filter(participant_id=participant_id).first() if participant_id else None
        linked = Membership.objects.filter(participant=participant)
        if keep is not None:
            linked = linked.exclude(pk=keep.pk)
        if participant is None:
            errors.add("participant_id", "a peer worker needs their participant id")
        elif linked.exists():
            errors.add("participant_id", f"participant {participant_id} already has an account")
    elif participant_id:
        errors.add("participant_id", "only a peer worker is linked to a participant")
    return site, participant


def deactivate_account(by, username: str):
    """Deactivate an account (never deleted: the audit trail keeps who did what); its API tokens stop working."""
    from ..records.models import ApiToken
    from .errors import FieldErrors

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise FieldErrors([("username", f"no account named {username!r}")])
    if user.pk == by.pk:
        raise FieldErrors([("username", "you cannot deactivate your own account")])
    if not user.is_active:
        raise FieldErrors([("username", f"{username} is already inactive")])
    with transaction.atomic():
        user.is_active = False
        user._history_user, user._change_reason = by, "account deactivated"
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user).delete()
    return user


def add_participant(by, participant_id: str, site_id: str, consent_date, form_version: str) -> Participant:
    """Add a participant (peer worker) together with their consent (date, form version, recorded by ``by``)."""
    from django.core.exceptions import ValidationError

    from ..records.models import Consent
    from ..records.models.study import id_validator
    from .contacts import parse_date
    from .errors import Collector

    errors = Collector()
    try:
        id_validator(participant_id)
    except ValidationError as exc:
        errors.add("participant_id", exc.messages[0])
    else:
        if Participant.all_objects.filter(participant_id=participant_id).exists():
            errors.add("participant_id", f"participant {participant_id} already exists")
    site = Site.objects.filter(site_id=site_id).first()
    if site is None:
        errors.add("site_id", f"no site {site_id!r}")
    date = parse_date(consent_date, "consent_date", errors)
    if not form_version.strip():
        errors.add("form_version", "the consent form's version is required")
    errors.raise_if_any()
    with transaction.atomic():
        participant = Participant(participant_id=participant_id, site=site)
        participant._history_user, participant._change_reason = by, "participant added"
        participant.save()
        consent = Consent(participant=participant, consent_date=date, form_version=form_version.strip(), recorded_by=by)
        consent._history_user, consent._change_reason = by, "participant added"
        consent.save()
    return participant

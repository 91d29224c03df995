"""Accounts and roles; the demo accounts of ``peerimpact serve --demo``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

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

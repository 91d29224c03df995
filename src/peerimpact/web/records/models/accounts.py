"""Who may do what: a role per user, tied to a site or a participant, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from simple_history import register

from .base import AuditHistoryManager, audit_history
from .study import Participant, Site


class Role(models.TextChoices):
    ADMIN = "admin", "Research admin"
    COORDINATOR = "coordinator", "Site coordinator"
    WORKER = "worker", "Peer worker"
    CODER = "coder", "Coder"


class Membership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(max_length=20, choices=Role.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    participant = models.OneToOneField(Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="account")
    # Set when an admin chose the password (account created, password reset): the user must
    # change it before they can do anything else (pages) or get an API token.
    must_change_password = models.BooleanField(default=False)
    # When the password was last set (created, reset, changed): audits every password change
    # without the hash.
    password_changed_at = models.DateTimeField(null=True, blank=True)
    history = audit_history()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="coordinator", site__isnull=False, participant__isnull=True)
                           | Q(role="worker", participant__isnull=False, site__isnull=True)
                           | Q(role__in=["admin", "coder"], site__isnull=True, participant__isnull=True)),
                name="membership_scope",
            )
        ]


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


# Accounts are audited too: creation, deactivation and role changes (never the password hash).
register(User, app="peerimpact.web.records", excluded_fields=["password", "last_login"],
         history_manager=AuditHistoryManager)

"""Bearer tokens: random, shown once, stored as SHA-256, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from ...web.records.models import ApiToken


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(hours=settings.PEERIMPACT_TOKEN_HOURS)
    ApiToken.objects.create(key_hash=_hash(token), user=user, expires_at=expires)
    return token, expires


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.user`` for the audit trail."""

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("user", "user__membership", "user__membership__participant", "user__membership__site")
            .filter(key_hash=_hash(token), expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        request.user = row.user
        return row.user

"""The session, authentication and messages middleware, passed by bearer-token API requests.

``settings.base.MIDDLEWARE`` names these instead of Django's classes (the CSRF and django-axes middleware stay: their checks want
them by name, and they cost little); pages and
``POST /api/token`` go through them unchanged (see :func:`peerimpact.web.middleware.is_bearer_api`).
"""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

from .middleware import skipped_for_bearer_api

Session = skipped_for_bearer_api(SessionMiddleware)
Authentication = skipped_for_bearer_api(AuthenticationMiddleware, anonymous_user=True)
Messages = skipped_for_bearer_api(MessageMiddleware)


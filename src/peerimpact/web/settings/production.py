"""Production: gunicorn behind a TLS-terminating reverse proxy, PostgreSQL (see docs/deploy.md).

Required environment: ``PEERIMPACT_SECRET_KEY``, ``PEERIMPACT_ALLOWED_HOSTS``
(comma-separated) and ``DATABASE_URL``. ``python -m peerimpact.web check --deploy``
is clean with these settings (tested).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .database import data_dir, database_from_env


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (see docs/deploy.md)")
    return value


SECRET_KEY = _required("PEERIMPACT_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("PEERIMPACT_ALLOWED_HOSTS").split(",") if h.strip()]
_required("DATABASE_URL")
DATABASES = {"default": database_from_env()}
PEERIMPACT_DATA_DIR = str(data_dir())
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-peerimpact_session"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STATIC_ROOT = os.environ.get("PEERIMPACT_STATIC_ROOT", str(data_dir() / "static"))

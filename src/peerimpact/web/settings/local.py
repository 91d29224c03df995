"""``peerimpact serve``: plain HTTP on loopback (the default bind), SQLite or ``DATABASE_URL``."""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F401,F403
from .database import data_dir, database_from_env


def _secret_key() -> str:
    key = os.environ.get("PEERIMPACT_SECRET_KEY")
    if key:
        return key
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DATABASES = {"default": database_from_env()}
PEERIMPACT_DATA_DIR = str(data_dir())
ALLOWED_HOSTS = [h for h in os.environ.get("PEERIMPACT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
# Plain HTTP on loopback: cookies cannot be marked Secure, or the browser would drop them.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

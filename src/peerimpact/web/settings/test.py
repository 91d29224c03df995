"""pytest-django: SQLite by default, PostgreSQL with ``PEERIMPACT_TEST_DB=postgres``.

PostgreSQL is reached at ``PEERIMPACT_TEST_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/test``); pytest-django creates and drops
its own ``test_<name>`` database there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .database import postgres_database, sqlite_database

SECRET_KEY = "test-only-not-secret-" + "x" * 40
_kind = os.environ.get("PEERIMPACT_TEST_DB", "sqlite").strip().lower()
if _kind == "postgres":
    DATABASES = {
        "default": postgres_database(
            os.environ.get("PEERIMPACT_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        )
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif _kind == "sqlite":
    # The test database is SQLite in memory (pytest-django creates it); NAME is never opened.
    DATABASES = {"default": sqlite_database(Path(tempfile.gettempdir()) / "peerimpact-unused.sqlite3")}
    DATABASES["default"]["TEST"] = {}
else:  # pragma: no cover - configuration error
    raise ValueError(f"PEERIMPACT_TEST_DB must be sqlite or postgres, not {_kind!r}")

PEERIMPACT_DATA_DIR = os.environ.get("PEERIMPACT_DATA_DIR") or ""
if not PEERIMPACT_DATA_DIR:  # a folder of this process's own, removed when it exits
    PEERIMPACT_DATA_DIR = tempfile.mkdtemp(prefix="peerimpact-test-data-")
    atexit.register(shutil.rmtree, PEERIMPACT_DATA_DIR, ignore_errors=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

"""Database settings from the environment: SQLite in a data folder, or ``DATABASE_URL``.

SQLite is opened in WAL mode with ``BEGIN IMMEDIATE`` transactions, so that
concurrent writers queue on the lock instead of failing with "database is
locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SQLITE_FILE = "peerimpact.sqlite3"


def data_dir() -> Path:
    """The folder holding the SQLite file, the secret key and report runs."""
    return Path(os.environ.get("PEERIMPACT_DATA_DIR", Path.home() / ".peerimpact")).expanduser()


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "peerimpact.web.sqlite",  # Django's, with write transactions queued on a file lock
        "NAME": str(path),
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        "TEST": {"NAME": str(path.with_name("test_" + path.name))},
    }


def postgres_database(url: str) -> dict:
    """Parse ``postgres://user:password@host:port/name?sslmode=...``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// (got {parts.scheme or 'no'} scheme)")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL names no database")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Server-side binding with statements prepared after their second use: PostgreSQL parses and plans the hot
        # statements (token, allocation, policy, inserts) once per connection instead of on every request.
        # ``?server_side_binding=false`` (or a pooler that cannot keep prepared statements) turns it off.
        "OPTIONS": _pg_options(dict(parse_qsl(parts.query))),
    }


def _pg_options(query: dict) -> dict:
    options = dict(query)
    binding = str(options.pop("server_side_binding", "true")).lower() not in ("0", "false", "no", "off")
    if binding:
        options["server_side_binding"] = True
        options["prepare_threshold"] = int(options.get("prepare_threshold", 2))
    elif "prepare_threshold" in options:
        options["prepare_threshold"] = int(options["prepare_threshold"])
    return options


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return postgres_database(url)
    return sqlite_database(data_dir() / SQLITE_FILE)

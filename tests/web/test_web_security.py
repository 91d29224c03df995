"""Security settings: deploy check, headers, CSRF, cookies, password validators, throttling, databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from peerimpact.web.settings.database import postgres_database


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PEERIMPACT_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "peerimpact.web.settings.production",
                "PEERIMPACT_SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
                "PEERIMPACT_ALLOWED_HOSTS": "peerimpact.example.org",
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}, **extra)
    return env


def test_check_deploy_is_clean_in_production_settings():
    r = subprocess.run([sys.executable, "-m", "peerimpact.web", "check", "--deploy", "--fail-level", "WARNING"],
                       env=_production_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "System check identified no issues (0 silenced)." in r.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env()
    del env["PEERIMPACT_SECRET_KEY"]
    r = subprocess.run([sys.executable, "-m", "peerimpact.web", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "PEERIMPACT_SECRET_KEY must be set in production (see docs/deploy.md)" in r.stderr


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    r = client.get("/accounts/login/")
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r["Content-Security-Policy"].startswith("default-src 'self'")
    assert "camera=()" in r["Permissions-Policy"]
    assert r["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_login_needs_the_csrf_token(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    r = client.post("/accounts/login/", {"username": "worker01", "password": "a-long-test-password-1"})
    assert r.status_code == 403


@pytest.mark.django_db
def test_session_cookie_flags_and_expiry(client, users, settings):
    r = client.post("/accounts/login/", {"username": "worker01", "password": "a-long-test-password-1"})
    assert r.status_code == 302
    cookie = r.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.parametrize("password,message", [
    ("short1", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("123456789012345", "This password is entirely numeric."),
], ids=["short", "common", "numeric"])
def test_password_validators(password, message):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError) as err:
        validate_password(password)
    assert message in err.value.messages


@pytest.mark.django_db
def test_login_throttling_on_pages_and_api(client, users):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "worker01", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "worker01", "password": "a-long-test-password-1"})
    assert locked.status_code == 429 and "too many failed sign-ins" in locked.content.decode()
    api = client.post("/api/token", json.dumps({"username": "worker01", "password": "a-long-test-password-1"}),
                      content_type="application/json")
    assert api.status_code == 429
    assert api.json() == {"status": 429, "errors": [{"field": None, "message": "too many failed sign-ins: try again in 15 minutes"}]}


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    """The SQLite settings (built on either database, so that this never skips) and the test connection."""
    from django.db import connection

    from peerimpact.web.settings.database import sqlite_database

    options = sqlite_database(__import__("pathlib").Path("x.sqlite3"))["OPTIONS"]
    assert "PRAGMA journal_mode=WAL" in options["init_command"] and options["transaction_mode"] == "IMMEDIATE"
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"


@pytest.mark.parametrize("url,expected", [
    ("postgres://u:p%40ss@db.example:6543/peer?sslmode=require",
     {"NAME": "peer", "USER": "u", "PASSWORD": "p@ss", "HOST": "db.example", "PORT": "6543",
      "OPTIONS": {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 2}}),
    ("postgresql://postgres@127.0.0.1/test", {"NAME": "test", "USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": ""}),
    ("postgres://u@h/peer?server_side_binding=false", {"NAME": "peer", "OPTIONS": {}}),  # for a pooler without prepared statements
], ids=["full", "minimal", "client-side-binding"])
def test_database_url(url, expected):
    parsed = postgres_database(url)
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert {k: parsed[k] for k in expected} == expected


@pytest.mark.parametrize("url,message", [
    ("mysql://u@h/db", "DATABASE_URL must start with postgres:// (got mysql scheme)"),
    ("postgres://u@h/", "DATABASE_URL names no database"),
], ids=["other-engine", "no-database"])
def test_bad_database_url(url, message):
    with pytest.raises(ImproperlyConfigured) as err:
        postgres_database(url)
    assert str(err.value) == message

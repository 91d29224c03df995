"""Django for the web tests only: other test folders never need Django configured.

Settings come from ``DJANGO_SETTINGS_MODULE`` (default
``peerimpact.web.settings.test``); ``PEERIMPACT_TEST_DB=postgres`` runs the
same tests on PostgreSQL (pytest-django creates and drops ``test_test``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerimpact.web.settings.test")

import django  # noqa: E402

django.setup()

sys.path.insert(0, str(Path(__file__).parent))
from studydata import PASSWORD, ROLES, write_tiny_study  # noqa: E402,F401


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium for one test module (``browser.chromium``; the Debian package, a failure under CI when absent)."""
    from browser import chromium

    with chromium(chromium_path) as b:
        yield b


@pytest.fixture(scope="session")
def tiny_study_dir(tmp_path_factory) -> Path:
    return write_tiny_study(tmp_path_factory.mktemp("tiny") / "study")


@pytest.fixture(scope="session")
def tiny_study(tiny_study_dir):
    import peerimpact

    return peerimpact.load_study(tiny_study_dir)


@pytest.fixture
def study(db, tiny_study):
    from peerimpact.web.services.study_import import import_loaded_study

    return import_loaded_study(tiny_study)


@pytest.fixture
def users(study):
    """One user per role: coordinators of sites 1 and 2, workers 01 and 02 (site 1) and 03 (site 2)."""
    from django.contrib.auth import get_user_model

    from peerimpact.web.records.models import Participant, Role, Site
    from peerimpact.web.services.accounts import make_user

    site = {s.site_id: s for s in Site.objects.all()}
    part = {p.participant_id: p for p in Participant.objects.all()}
    pw, fast = PASSWORD, {"validate_password": False}  # validators are tested in test_security.py
    made = {
        "admin": make_user("admin", pw, Role.ADMIN, **fast),
        "coord1": make_user("coord1", pw, Role.COORDINATOR, site=site["1"], **fast),
        "coord2": make_user("coord2", pw, Role.COORDINATOR, site=site["2"], **fast),
        "worker01": make_user("worker01", pw, Role.WORKER, participant=part["01"], **fast),
        "worker02": make_user("worker02", pw, Role.WORKER, participant=part["02"], **fast),
        "worker03": make_user("worker03", pw, Role.WORKER, participant=part["03"], **fast),
        "coder": make_user("coder", pw, Role.CODER, **fast),
    }
    made["norole"] = get_user_model().objects.create_user("norole", password=pw)
    return made


@pytest.fixture
def login(users):
    """``login(role)`` -> a test client signed in as that role's user."""
    from django.test import Client

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def token(users):
    """``token(role)`` -> Authorization header value for that role's user."""
    from peerimpact.web.api.tokens import issue_token

    def make(role: str) -> str:
        return "Bearer " + issue_token(users[role])[0]

    return make

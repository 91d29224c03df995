"""Migrations are numbered and in step with the models."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "peerimpact" / "web" / "records" / "migrations"


def test_migrations_are_numbered():
    names = sorted(p.stem for p in MIGRATIONS.glob("[0-9]*.py"))
    assert names and [n[:4] for n in names] == [f"{i:04d}" for i in range(1, len(names) + 1)]


@pytest.mark.django_db
def test_models_have_no_unmigrated_changes():
    out = io.StringIO()
    call_command("makemigrations", "records", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()

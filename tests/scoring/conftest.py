"""Fixtures for the scoring tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring_helpers import FIXTURES, build_study


@pytest.fixture
def make_study():
    return build_study


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES

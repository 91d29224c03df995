"""Fixtures for the format tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import peerimpact
from formats_helpers import SMALL_STUDY, write_files


@pytest.fixture
def small_study_dir(tmp_path) -> Path:
    return write_files(tmp_path / "small", SMALL_STUDY)


@pytest.fixture
def small_study(small_study_dir):
    return peerimpact.load_study(small_study_dir)

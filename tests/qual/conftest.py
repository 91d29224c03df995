"""Fixtures of the qualitative tests: the mini study (as a folder and as a Study) and the REFI fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peerimpact.study.model import Study
from qual_helpers import MINI, REFI


@pytest.fixture(scope="session")
def mini_study() -> Study:
    """The mini study loaded by ``peerimpact.load_study`` (read-only)."""
    import peerimpact

    return peerimpact.load_study(MINI)


@pytest.fixture
def mini_study_dir(tmp_path) -> Path:
    """A writable copy of the mini study folder."""
    out = tmp_path / "mini"
    shutil.copytree(MINI, out)
    return out


@pytest.fixture(scope="session")
def refi_dir() -> Path:
    return REFI

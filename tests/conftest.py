"""Shared fixtures: oracle gates and the synthetic demo study.

Tests that need R or Chromium use the ``rscript`` / ``chromium_path``
fixtures. Without ``PEERIMPACT_REQUIRE_ORACLES=1`` a missing tool skips the
test with a reason; with it (as in CI) a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ORACLE_DIR = REPO / "tests" / "oracle"
GOLDEN_DIR = ORACLE_DIR / "golden"


def oracles_required() -> bool:
    return os.environ.get("PEERIMPACT_REQUIRE_ORACLES", "") == "1"


def _need(tool: str, found: str | None, why: str) -> str:
    if found:
        return found
    if oracles_required():
        pytest.fail(f"{tool} is required (PEERIMPACT_REQUIRE_ORACLES=1) but was not found: {why}")
    pytest.skip(f"{tool} not available: {why}")


@pytest.fixture(scope="session")
def rscript() -> str:
    """Path of Rscript with lme4, lmerTest, psych, GPArotation and jsonlite available."""
    path = shutil.which("Rscript")
    if path:
        import subprocess

        probe = subprocess.run(
            [path, "-e", "suppressMessages({library(lme4); library(lmerTest); library(psych); library(GPArotation); library(jsonlite)})"],
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            return _need("R packages lme4/psych/jsonlite", None, probe.stderr.strip()[-300:])
    return _need("Rscript", path, "install r-base-core r-cran-lme4 r-cran-psych r-cran-jsonlite")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    return _need("chromium", path, "install Debian's chromium package")


@pytest.fixture(scope="session")
def demo_study_dir(tmp_path_factory) -> Path:
    """The synthetic demo study written to a temporary folder (read-only use)."""
    from peerimpact.demo import write_study

    out = tmp_path_factory.mktemp("demo") / "study"
    write_study(out)
    return out


@pytest.fixture(scope="session")
def demo_study(demo_study_dir):
    """The demo study loaded as a :class:`peerimpact.Study` (do not mutate)."""
    import peerimpact

    return peerimpact.load_study(demo_study_dir)

"""Fixtures for the report tests: the small hand-made study and the demo report, each built once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # report_helpers
sys.path.insert(0, str(HERE.parent / "synthesis"))  # synthesis_helpers: the small study shared with tests/synthesis
sys.path.insert(0, str(HERE.parent / "qual"))  # suggest_helpers: the demo-study slice shared with tests/qual

from report_helpers import FIXED_TIME  # noqa: E402


@pytest.fixture(scope="session")
def small_report_dir(tmp_path_factory):
    from peerimpact.report import build_report
    from synthesis_helpers import write_small_study

    root = write_small_study(tmp_path_factory.mktemp("small-report") / "study")
    stages: list[str] = []
    out = tmp_path_factory.mktemp("small-report-out") / "report"
    paths = build_report(root, out, progress=stages.append, generated_at=FIXED_TIME)
    return paths, stages


@pytest.fixture(scope="session")
def demo_report(demo_study, tmp_path_factory):
    """The full report of the demo study (built once per session; about 5 s of CPU)."""
    from peerimpact.report import build_report

    out = tmp_path_factory.mktemp("demo-report") / "report"
    return build_report(demo_study, out, generated_at=FIXED_TIME)

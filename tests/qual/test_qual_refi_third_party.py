"""A third-party REFI-QDA reader (qc, PyPI ``qualitative-coding``) reads our export.

qc cannot share the project's environment (it pins ``rich<14`` and pulls in
spaCy), so it lives in its own virtual environment: ``.ci/run`` builds
``.qc-venv`` and points ``PEERIMPACT_QC_PYTHON`` at its interpreter. The check
itself is ``tests/fixtures/qual/refi/qc_reads_export.py``: qc's copy of every
document must equal our transcript byte for byte, and its codes, coders and
number of coded lines must equal ours, all computed from the study here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "fixtures" / "qual" / "refi" / "qc_reads_export.py"


def _qc_python() -> str:
    found = os.environ.get("PEERIMPACT_QC_PYTHON") or str(REPO / ".qc-venv" / "bin" / "python")
    if Path(found).is_file():
        return found
    why = "build it with: python3 -m venv .qc-venv && .qc-venv/bin/pip install qualitative-coding==1.7.8"
    if os.environ.get("PEERIMPACT_REQUIRE_ORACLES", "") == "1":
        pytest.fail(f"qc (the third-party REFI-QDA reader) is required but was not found: {why}")
    pytest.skip(f"qc not available: {why}")


@pytest.mark.oracle
def test_qc_reads_our_export():
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--qc-python", _qc_python()],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "qc read the export: OK" in run.stdout

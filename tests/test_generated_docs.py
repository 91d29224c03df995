"""Every generated document equals what ``make docs`` (docs/generate.py) writes now.

The check runs the generator in a subprocess (``--check`` writes nothing), so the web
API table is built from a freshly configured Django, as ``make docs`` builds it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("docs_generate", REPO / "docs" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


@pytest.fixture(scope="module")
def check() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "docs" / "generate.py"), "--check"], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_the_check_ran(check):
    lines = check.stderr.splitlines()
    assert "Traceback" not in check.stderr, check.stderr[-2000:]
    assert check.returncode == (1 if any(line.startswith("stale: ") for line in lines) else 0), check.stderr[-2000:]


@pytest.mark.parametrize("rel", [rel for rel, _, _ in generate.GENERATED])
def test_generated_document_is_current(check, rel):
    # the generator names every document it compared; a run that stopped before this one fails here too
    assert f"current: {rel}" in check.stderr.splitlines(), (
        f"{rel} drifted from the code (or was never compared): run `make docs` and commit it\n{check.stderr[-2000:]}")


@pytest.mark.parametrize(
    "current, markers, generated, expected",
    [
        ("old", None, "new", "new"),
        ("a\n<!-- x:start -->\nold\n<!-- x:end -->\nb", ("<!-- x:start -->\n", "<!-- x:end -->"), "new\n", "a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb"),
    ],
    ids=["whole-file", "between-markers"],
)
def test_expected_text(current, markers, generated, expected):
    assert generate.expected_text(current, markers, generated) == expected


def test_every_generated_section_of_docs_is_listed():
    """A document with generated-section markers is in GENERATED (so make docs keeps it current)."""
    listed = {rel for rel, _, _ in generate.GENERATED}
    marked = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md") if ":start -->" in p.read_text(encoding="utf-8")}
    assert marked <= listed

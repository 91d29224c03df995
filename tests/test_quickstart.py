"""The README quickstart is executed, in a clean copy of the repository, so it cannot drift."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def quickstart_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the Quickstart section must hold exactly one sh block"
    return [line.strip() for line in blocks[0].splitlines() if line.strip()]


def test_quickstart_is_exactly_two_commands():
    assert quickstart_commands() == ["make demo", "make test"]


def _clean_copy(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


# The tests that once read the shared folder beside the repository (the REDCap export, the REFI-QDA schemas, the norms
# transcribed from the facts file): in a clean copy they must pass from the repository alone.
FORMERLY_SHARED = [
    "tests/formats/test_formats_redcap_fixture.py",
    "tests/quant/test_quant_norms.py",
    "tests/qual/test_qual_refi_export.py",
    "tests/qual/test_qual_cli.py",
]

# Spelled in pieces so that this file does not match its own search.
OUTSIDE_REFERENCES = ["../" + "shared", "PEERIMPACT_" + "SHARED_DIR"]
# The same folder reached by a path built in code: `REPO.parent / "shared"`, `parents[2] / 'shared'`,
# `os.path.join(root, "..", "shared")`, `Path("..", "shared")`.
OUTSIDE_PATTERNS = [
    re.compile(r"""/\s*["']""" + "shared" + r"""["']"""),
    re.compile(r"""["']\.\.["']\s*,\s*["']""" + "shared" + r"""["']"""),
]
SCANNED_SUFFIXES = {".py", ".R", ".md", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".txt", ".html", ".sh"}


def _tracked_text_files(folder: str) -> list[Path]:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", folder],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    return [REPO / rel for rel in filter(None, files) if Path(rel).suffix in SCANNED_SUFFIXES and (REPO / rel).is_file()]


@pytest.mark.parametrize("folder", ["src", "tests"])
def test_nothing_refers_to_a_folder_outside_the_repository(folder):
    files = _tracked_text_files(folder)
    assert len(files) > 20, f"the scan found too few files under {folder}/ to mean anything"
    offenders = []
    for path in files:
        if path == Path(__file__).resolve():
            continue  # this file builds the path on purpose, to check that a clean copy has nothing there
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(REPO)}: {needle}" for needle in OUTSIDE_REFERENCES if needle in text]
        offenders += [f"{path.relative_to(REPO)}: {m.group(0)}" for pattern in OUTSIDE_PATTERNS for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.parametrize("text, found", [
    ('FIX = REPO.parent / "shared" / "refi"', True),
    ("root = Path(__file__).parents[2] / 'shared'", True),
    ('os.path.join(here, "..", "shared", "FACTS.md")', True),
    ('x = "../' + 'shared/fixtures"', True),
    ('"the shared folder"', False),
    ('shared_state = {}', False),
])
def test_the_outside_reference_scan_finds_built_paths(text, found):
    hit = any(n in text for n in OUTSIDE_REFERENCES) or any(p.search(text) for p in OUTSIDE_PATTERNS)
    assert hit is found


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PEERIMPACT_INNER_QUICKSTART") == "1", reason="already inside the quickstart test")
def test_quickstart_runs_in_a_clean_copy(tmp_path):
    copy = _clean_copy(tmp_path / "peerimpact")
    assert not (copy.parent / "shared").exists()  # nothing beside the copy to lean on
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST", "PEERIMPACT_"))}
    env["PEERIMPACT_INNER_QUICKSTART"] = "1"
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)

    demo = subprocess.run(["make", "demo"], cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert (copy / "demo-output" / "report" / "report.html").is_file()
    assert "report.html" in demo.stdout

    validate = subprocess.run(
        [str(copy / ".venv" / "bin" / "peerimpact"), "validate", "demo-output/study"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300,
    )
    assert validate.returncode == 0, validate.stderr

    # `make test` in the copy under PEERIMPACT_REQUIRE_ORACLES=1 (as in CI): the same target,
    # limited to the study tests and the tests that once needed the shared folder, so the suite does
    # not recurse.
    args = " ".join(["tests/study", "tests/qual/test_qual_search.py", *FORMERLY_SHARED, "-q", "-p", "no:cacheprovider"])
    before = _files(copy / "tests")
    test = subprocess.run(
        ["make", "test", f"PYTEST_ARGS={args}"],
        cwd=copy, env={**env, "PEERIMPACT_REQUIRE_ORACLES": "1"}, capture_output=True, text=True, timeout=900,
    )
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    assert re.search(r"\d+ passed", test.stdout)
    assert not re.search(r"\d+ (skipped|failed|error)", test.stdout), test.stdout[-3000:]
    assert _files(copy / "tests") - before == set(), "a test wrote into the repository's tests/ folder"


def _files(folder: Path) -> set[str]:
    """Every file under ``folder`` except Python's bytecode caches."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

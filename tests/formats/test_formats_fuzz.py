"""Mutated CSV, XLSX, SPSS and REDCap inputs either import into a valid study or fail as a user error, leaving nothing.

The mutations (cell values, rows, headers, encodings, delimiters, merged
headers, byte damage, truncation) are in formats_mutations.py, shared with
bench/fuzz_import.py (10,000 cases). Hypothesis drives them here, with a
fixed seed so the suite is reproducible.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats_mutations import MAKERS, run_case


def _check(fmt: str, examples: int, reload: bool, commands: bool = False) -> None:
    seen: dict[str, int] = {}

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.randoms(use_true_random=False))
    def case(rnd) -> None:
        with tempfile.TemporaryDirectory(prefix="peerimpact-fuzz-") as root:
            (Path(root) / "in").mkdir()
            made = MAKERS[fmt](Path(root) / "in", rnd)
            outcome = run_case(made, Path(root) / "out", reload=reload, commands=commands)
        seen[outcome.kind] = seen.get(outcome.kind, 0) + 1
        assert outcome.kind != "crash", outcome.detail

    case()
    assert sum(seen.values()) >= examples


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "spss", "redcap", "mixed"])
def test_mutated_inputs_smoke(fmt):
    _check(fmt, 8, reload=True)


def test_valid_imports_run_validate_and_analyse_without_a_traceback():
    """The seed of each format imports validly, and `peerimpact validate` / `analyse` run on the result."""
    import random

    from formats_mutations import run_cli

    for fmt in ("csv", "spss", "redcap"):
        with tempfile.TemporaryDirectory(prefix="peerimpact-fuzz-") as root:
            (Path(root) / "in").mkdir()

            class Seed(random.Random):
                def randrange(self, *args):  # level 0: the seed unmutated; other draws as usual
                    return 0 if args == (4,) else super().randrange(*args)

            made = MAKERS[fmt](Path(root) / "in", Seed(1))
            assert run_case(made, Path(root) / "out", reload=False, commands=True).kind == "valid"
    assert run_cli(["analyse", "/nonexistent/study"]).kind == "user_error"


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "examples"), [("csv", 80), ("xlsx", 40), ("spss", 40), ("redcap", 80)], ids=["csv", "xlsx", "spss", "redcap"])
def test_mutated_inputs(fmt, examples):
    _check(fmt, examples, reload=False)

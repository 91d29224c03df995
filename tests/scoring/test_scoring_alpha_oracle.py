"""Reliability checked against R (psych::alpha, psych::alpha.ci, psych::omega).

The inputs are generated here deterministically and committed under
``tests/oracle/inputs/alpha_*.csv``; ``tests/oracle/alpha.R`` turns them into
``tests/oracle/golden/alpha.json``. Regenerate deliberately with::

    .venv/bin/python tests/scoring/test_scoring_alpha_oracle.py --regenerate

(a changed number is a changed research result: review the diff).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
ORACLE = REPO / "tests" / "oracle"
SCRIPT = ORACLE / "alpha.R"
GOLDEN = ORACLE / "golden" / "alpha.json"
INPUT_DIR = ORACLE / "inputs"
ORACLE_STUDY = Path(__file__).parent / "fixtures" / "oracle_study"
INSTRUMENTS = ("wemwbs", "swemwbs", "mbi_hss", "revtest")

# seed -> participants at T1, T2, T3 (the last dataset has fewer complete
# cases than items at T3, to exercise the n < n_items warning)
DATASETS = {11: (40, 28, 24), 22: (30, 21, 18), 33: (26, 15, 7)}


def generate(seed: int, sizes: tuple[int, int, int]) -> pd.DataFrame:
    """Synthetic responses with a one-factor structure per scale and ~5% missing items."""
    rng = np.random.default_rng(seed)
    rows = []
    n_max = max(sizes)
    for timepoint, n in zip(("T1", "T2", "T3"), sizes):
        pids = sorted(rng.choice(n_max, size=n, replace=False))
        for pid in pids:
            row: dict[str, object] = {"participant_id": f"{pid + 1:02d}", "timepoint": timepoint}
            wellbeing = rng.normal()
            for i in range(1, 15):
                row[f"wemwbs_{i}"] = np.clip(np.rint(3.2 + 0.8 * wellbeing + rng.normal(0, 0.8)), 1, 5)
            burnout = rng.normal(size=3)
            groups = {1: 0, 2: 0, 3: 0, 6: 0, 8: 0, 13: 0, 14: 0, 16: 0, 20: 0, 5: 1, 10: 1, 11: 1, 15: 1, 22: 1}
            for i in range(1, 23):
                f = burnout[groups.get(i, 2)]
                row[f"mbi_hss_{i}"] = np.clip(np.rint(2.5 + 1.2 * f + rng.normal(0, 1.1)), 0, 6)
            trait = rng.normal()
            for i in range(1, 7):
                direction = -1.0 if i in (2, 5) else 1.0
                row[f"revtest_{i}"] = np.clip(np.rint(3 + direction * 0.9 * trait + rng.normal(0, 0.9)), 1, 5)
            rows.append(row)
    frame = pd.DataFrame(rows)
    items = [c for c in frame.columns if c not in ("participant_id", "timepoint")]
    values = frame[items].to_numpy(dtype=float)
    values[rng.random(values.shape) < 0.05] = np.nan
    frame[items] = values
    return frame


DEMO_INPUT = INPUT_DIR / "alpha_demo.csv"  # responses.csv of the demo study (default seed)


def input_paths() -> list[Path]:
    return [INPUT_DIR / f"alpha_seed{seed}.csv" for seed in DATASETS] + [DEMO_INPUT]


def write_inputs() -> None:
    import tempfile

    from peerimpact.demo import write_study

    INPUT_DIR.mkdir(parents=True, exist_ok=True)
    for seed, sizes in DATASETS.items():
        frame = generate(seed, sizes)
        frame.to_csv(INPUT_DIR / f"alpha_seed{seed}.csv", index=False, float_format="%.0f")
    with tempfile.TemporaryDirectory() as tmp:
        study = write_study(Path(tmp) / "study")
        DEMO_INPUT.write_bytes((Path(study) / "responses.csv").read_bytes())


def run_r(rscript: str, out: Path) -> dict:
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(out), *map(str, input_paths())], capture_output=True, text=True, cwd=REPO
    )
    if proc.returncode != 0:
        raise RuntimeError(f"alpha.R failed:\n{proc.stderr}")
    return json.loads(out.read_text(encoding="utf-8"))


def read_input_study(path: Path):
    from peerimpact.study.csvio import read_raw_csv
    from scoring_helpers import build_study

    raw, problems = read_raw_csv(path, path.name)
    assert not problems and raw is not None
    responses = raw.copy()
    for col in responses.columns:
        if col not in ("participant_id", "timepoint"):
            responses[col] = pd.to_numeric(responses[col].where(responses[col] != ""), errors="raise")
    return build_study(responses, INSTRUMENTS, study_dir=ORACLE_STUDY)


def golden_results() -> list[dict]:
    if not GOLDEN.is_file():  # before the first regeneration
        return []
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["results"]


def _close(a, b, rel: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=0.0)
    return a == b


@pytest.mark.oracle
def test_demo_input_is_the_current_demo_study(demo_study_dir):
    """The committed demo input is the demo study's responses; if the demo changed, regenerate."""
    current = (demo_study_dir / "responses.csv").read_bytes()
    assert current == DEMO_INPUT.read_bytes(), "the demo study changed: run tests/scoring/test_scoring_alpha_oracle.py --regenerate"


@pytest.mark.oracle
def test_inputs_are_what_the_generator_writes(tmp_path):
    for seed, sizes in DATASETS.items():
        committed = pd.read_csv(INPUT_DIR / f"alpha_seed{seed}.csv", dtype={"participant_id": str})
        fresh = generate(seed, sizes)
        pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


@pytest.mark.oracle
@pytest.mark.slow
def test_r_still_produces_the_golden_file(rscript, tmp_path):
    fresh_doc = run_r(rscript, tmp_path / "alpha.json")
    fresh = fresh_doc["results"]
    golden = golden_results()
    assert len(fresh) == len(golden)
    assert fresh_doc["skipped"] == json.loads(GOLDEN.read_text(encoding="utf-8"))["skipped"]
    for new, old in zip(fresh, golden):
        assert new.keys() == old.keys()
        for key in old:
            assert _close(new[key], old[key], 1e-12), (old["dataset"], old["outcome"], old["timepoint"], key)


def _python_rows() -> dict[tuple[str, str, str], dict]:
    from peerimpact.scoring.reliability import reliability

    out = {}
    for path in input_paths():
        table = reliability(read_input_study(path))
        for rec in table.to_dict("records"):
            out[(path.stem, rec["outcome"], rec["timepoint"])] = rec
    return out


PYTHON_ROWS: dict = {}


def python_rows() -> dict:
    if not PYTHON_ROWS:
        PYTHON_ROWS.update(_python_rows())
    return PYTHON_ROWS


def _golden_ids() -> list[str]:
    return [f"{r['dataset']}-{r['outcome']}-{r['timepoint']}" for r in golden_results()]


@pytest.mark.oracle
@pytest.mark.parametrize("expected", golden_results(), ids=_golden_ids())
def test_python_matches_r(expected):
    got = python_rows()[(expected["dataset"], expected["outcome"], expected["timepoint"])]
    assert got["n"] == expected["n"]
    assert got["n_items"] == expected["n_items"]
    assert got["alpha"] == pytest.approx(expected["alpha"], abs=1e-6, rel=0)
    assert got["alpha"] == pytest.approx(expected["alpha"], abs=1e-10, rel=0)  # in practice: machine precision
    assert got["alpha_ci_low"] == pytest.approx(expected["alpha_ci_low"], abs=1e-6, rel=0)
    assert got["alpha_ci_high"] == pytest.approx(expected["alpha_ci_high"], abs=1e-6, rel=0)
    heywood = "Heywood case" in (got["warning"] or "")
    assert heywood == expected["heywood"]
    # psych's optimiser stops at slightly different points on the Heywood boundary
    assert got["omega"] == pytest.approx(expected["omega"], abs=1e-3 if heywood else 1e-6, rel=0)


def golden_skipped() -> list[dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["skipped"]


@pytest.mark.oracle
def test_python_covers_exactly_the_golden_rows():
    expected = {(r["dataset"], r["outcome"], r["timepoint"]) for r in golden_results() + golden_skipped()}
    assert set(python_rows()) == expected


@pytest.mark.oracle
def test_rows_with_a_constant_item_are_flagged():
    """psych::alpha drops an item without variance; PeerImpact keeps k and warns."""
    for skipped in golden_skipped():
        got = python_rows()[(skipped["dataset"], skipped["outcome"], skipped["timepoint"])]
        assert "omega is undefined: an item does not vary among complete responses" in got["warning"]


@pytest.mark.oracle
def test_small_sample_is_flagged():
    rows = [r for r in python_rows().values() if r["n"] < r["n_items"]]
    assert rows, "the oracle data must include a timepoint with n below the number of items"
    for r in rows:
        first = r["warning"].split("; ")[0]
        assert first == f"only {r['n']} complete responses for {r['n_items']} items: alpha and omega are unreliable"


def regenerate() -> None:
    import shutil

    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit("Rscript not found")
    write_inputs()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    run_r(rscript, GOLDEN)
    print(f"wrote {GOLDEN.relative_to(REPO)} and {len(input_paths())} inputs")


if __name__ == "__main__":
    if sys.argv[1:] == ["--regenerate"]:
        regenerate()
    else:
        raise SystemExit(__doc__)

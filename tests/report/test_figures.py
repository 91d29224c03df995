"""Figures: byte-stable output, alt text, and the CI of a mean checked against R."""

from __future__ import annotations

import json
import math
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from peerimpact.report import figures
from peerimpact.report.inputs import ResultsView
from peerimpact.report.labels import Labels
from report_helpers import HERE

ORACLE = HERE / "oracle"
INPUT = ORACLE / "inputs" / "mean_ci.csv"
GOLDEN_JSON = ORACLE / "golden" / "mean_ci.json"


def mean_ci_input() -> pd.DataFrame:
    """Samples of several sizes and spreads, from a fixed seed (the oracle's input)."""
    rng = np.random.default_rng(20240501)
    frames = []
    for name, n, loc, scale in [("a", 2, 3.0, 1.0), ("b", 5, 40.0, 9.0), ("c", 20, 4.1, 0.7), ("d", 32, 49.8, 9.07)]:
        frames.append(pd.DataFrame({"sample": name, "value": np.round(rng.normal(loc, scale, n), 6)}))
    return pd.concat(frames, ignore_index=True)


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


@pytest.mark.oracle
def test_oracle_golden_is_current(rscript, tmp_path):
    """R, run now, reproduces the committed golden (regenerate with PEERIMPACT_UPDATE_GOLDEN=1)."""
    inp = tmp_path / "mean_ci.csv"
    mean_ci_input().to_csv(inp, index=False)
    assert inp.read_text() == INPUT.read_text(), "the committed oracle input differs from the generator"
    out = tmp_path / "mean_ci.json"
    subprocess.run([rscript, str(ORACLE / "mean_ci.R"), str(inp), str(out)], check=True, capture_output=True)
    if os.environ.get("PEERIMPACT_UPDATE_GOLDEN") == "1":
        GOLDEN_JSON.write_text(out.read_text())
    now, golden = json.loads(out.read_text()), json.loads(GOLDEN_JSON.read_text())
    assert now.keys() == golden.keys()
    for k in golden:
        for field, value in golden[k].items():
            assert _close(now[k][field], value, 1e-12), (k, field)


@pytest.mark.parametrize("sample", ["a", "b", "c", "d"])
def test_mean_ci_matches_r_t_test(sample):
    g = json.loads(GOLDEN_JSON.read_text())[sample]
    low, high = figures.mean_ci(g["n"], g["mean"], g["sd"])
    assert _close(low, g["ci_low"], 1e-12) and _close(high, g["ci_high"], 1e-12)


@pytest.mark.parametrize("n, sd", [(1, 0.0), (0, float("nan")), (5, float("nan"))])
def test_mean_ci_undefined(n, sd):
    assert all(math.isnan(v) for v in figures.mean_ci(n, 1.0, sd))


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"ci_low": -2.0, "ci_high": 1.0, "effect_size_sd": 4.0}, (-0.5, 0.25)),
        ({"ci_low": -2.0, "ci_high": 1.0, "effect_size_sd": 0.0}, (math.nan, math.nan)),
        ({"ci_low": math.nan, "ci_high": 1.0, "effect_size_sd": 2.0}, (math.nan, math.nan)),
    ],
    ids=["scaled", "zero-sd", "no-ci"],
)
def test_effect_size_interval(row, expected):
    got = figures.effect_size_ci(row)
    assert all((math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got, expected, strict=True))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    import peerimpact
    from synthesis_helpers import write_small_study

    study = peerimpact.load_study(write_small_study(tmp_path_factory.mktemp("fig") / "study"))
    return study, ResultsView.from_results(peerimpact.analyse(study))


def test_figures_are_byte_stable(small):
    study, res = small
    a = figures.trajectory_figures(res, study, Labels(study))[0]
    b = figures.trajectory_figures(res, study, Labels(study))[0]
    assert a.svg == b.svg and a.png == b.png
    assert b"<dc:date>" not in a.svg and b"Matplotlib v" not in a.svg
    assert a.png[:8] == b"\x89PNG\r\n\x1a\n"


def test_alt_text_states_the_numbers(small):
    study, res = small
    (traj,) = figures.trajectory_figures(res, study, Labels(study))
    d = res.descriptives
    t1 = d[d["timepoint"] == "T1"]["mean"].iloc[0]
    assert f"T1 {t1:.1f}" in traj.alt
    forest = figures.forest_figure(res, study, Labels(study))
    assert forest.alt.startswith("Forest plot of effect sizes for 1 outcomes and 2 comparisons")

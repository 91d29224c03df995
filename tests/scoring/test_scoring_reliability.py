"""Reliability: hand-worked alpha, the Feldt CI, omega on an exact one-factor model, and the table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.scoring import score
from peerimpact.scoring.reliability import (
    RELIABILITY_COLUMNS,
    cronbach_alpha,
    feldt_ci,
    omega_total,
    one_factor_minres,
    reliability,
)
from scoring_helpers import FIXTURES, build_study

METHODS = FIXTURES / "methods_study"


def test_alpha_worked_by_hand():
    # item variances 5/3, 19/12, 11/12 (sum 25/6); totals 5, 8, 10, 13 have variance 34/3
    # alpha = 3/2 * (1 - (25/6) / (34/3)) = 3/2 * 43/68 = 129/136
    x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]])
    assert cronbach_alpha(x) == pytest.approx(129 / 136, rel=1e-14)


@pytest.mark.parametrize(
    "alpha, n, k, low, high",
    [
        # R 4.2.2, psych 2.2.9: psych::alpha.ci(0.8, 30, 10)
        (0.8, 30, 10, 0.673359441710959, 0.891558269257442),
    ],
)
def test_feldt_ci_matches_psych(alpha, n, k, low, high):
    assert feldt_ci(alpha, n, k) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize("alpha, n, k", [(float("nan"), 30, 5), (0.7, 1, 5), (0.7, 30, 1)], ids=["nan-alpha", "one-row", "one-item"])
def test_feldt_ci_undefined(alpha, n, k):
    assert np.isnan(feldt_ci(alpha, n, k)).all()


@pytest.mark.parametrize(
    "x", [np.ones((5, 3)), np.array([[1.0, 2.0]]), np.array([[1.0], [2.0], [3.0]])], ids=["no-variance", "one-row", "one-item"]
)
def test_alpha_undefined(x):
    assert np.isnan(cronbach_alpha(x))


def test_minres_recovers_an_exact_one_factor_model():
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    fit = one_factor_minres(corr)
    np.testing.assert_allclose(fit.loadings, loadings, atol=1e-9)
    assert fit.converged and not fit.heywood


def test_omega_on_an_exact_one_factor_model_is_the_textbook_formula():
    """Data whose correlation matrix is exactly one-factor: omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))."""
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(200, 4))
    raw = (raw - raw.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)  # whitened
    x = raw @ np.linalg.cholesky(corr).T  # sample correlation exactly `corr`
    total = loadings.sum() ** 2
    assert omega_total(x) == pytest.approx(total / (total + np.sum(1 - loadings**2)), abs=1e-9)


def test_heywood_case_is_flagged():
    # three items fit exactly with l1^2 = r12 * r13 / r23 = 0.8 * 0.8 / 0.5 = 1.28 > 1: capped at 0.995
    corr = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]])
    fit = one_factor_minres(corr)
    assert fit.heywood
    assert fit.loadings[0] ** 2 > 0.995


_RNG = np.random.default_rng(2)
_WITH_CONSTANT = _RNG.integers(1, 6, size=(10, 3)).astype(float)
_WITH_CONSTANT[:, 0] = 3.0


@pytest.mark.parametrize(
    "x",
    [_WITH_CONSTANT, _RNG.integers(1, 6, size=(2, 4)).astype(float), _RNG.integers(1, 6, size=(10, 2)).astype(float)],
    ids=["constant-item", "two-rows", "two-items"],
)
def test_omega_undefined(x):
    assert np.isnan(omega_total(x))


def rows_for(matrix: np.ndarray, prefix: str, timepoints: list[str]) -> dict:
    data = {"participant_id": [f"{i:02d}" for i in range(len(matrix))], "timepoint": timepoints}
    for j in range(matrix.shape[1]):
        data[f"{prefix}_{j + 1}"] = matrix[:, j]
    return data


def test_table_uses_complete_cases_per_timepoint_in_study_order():
    rng = np.random.default_rng(7)
    matrix = rng.integers(1, 6, size=(30, 4)).astype(float)
    matrix[0, 1] = np.nan  # T2 row: excluded from T2's complete cases
    timepoints = ["T2"] * 10 + ["T1"] * 20
    table = reliability(build_study(rows_for(matrix, "mean4", timepoints), ["mean4"], study_dir=METHODS))
    assert list(table.columns) == RELIABILITY_COLUMNS
    assert table[["outcome", "timepoint", "n", "n_items"]].values.tolist() == [
        ["mean4.average", "T1", 20, 4],
        ["mean4.average", "T2", 9, 4],
    ]
    assert table["alpha"].tolist() == [cronbach_alpha(matrix[10:]), cronbach_alpha(matrix[1:10])]


def test_reverse_scored_items_are_turned_first():
    rng = np.random.default_rng(11)
    matrix = rng.integers(1, 6, size=(25, 3)).astype(float)
    table = reliability(build_study(rows_for(matrix, "rev3", ["T1"] * 25), ["rev3"], study_dir=METHODS))
    turned = matrix.copy()
    turned[:, 1] = 6 - turned[:, 1]
    assert table["alpha"].tolist() == [pytest.approx(cronbach_alpha(turned), rel=1e-14)]
    assert table["alpha"].iloc[0] != pytest.approx(cronbach_alpha(matrix), rel=1e-6)


WARNING_CASES = [
    pytest.param(
        np.array([[1, 2, 3, 4], [2, 3, 4, 4], [5, 4, 4, 5]], dtype=float),
        "only 3 complete responses for 4 items: alpha and omega are unreliable; "
        "omega: Heywood case (an item's communality reached the bound of 0.995), so omega is unreliable",
        id="n-below-items",
    ),
    pytest.param(
        np.array([[1, 2, 3, 4], [np.nan, 3, 4, 4]], dtype=float),
        "only 1 complete responses for 4 items: alpha and omega are unreliable; alpha is undefined with 1 complete response",
        id="one-complete",
    ),
    pytest.param(
        np.array([[3, 3, 3, 3]] * 6, dtype=float),
        "alpha is undefined: the total score does not vary; omega is undefined: an item does not vary among complete responses",
        id="no-variance",
    ),
]


@pytest.mark.parametrize("matrix, warning", WARNING_CASES)
def test_warnings(matrix, warning):
    table = reliability(build_study(rows_for(matrix, "mean4", ["T1"] * len(matrix)), ["mean4"], study_dir=METHODS))
    assert table["warning"].tolist() == [warning]


def test_no_warning_when_all_is_well():
    rng = np.random.default_rng(5)
    trait = rng.normal(size=(40, 1))
    matrix = np.clip(np.rint(3 + trait + rng.normal(0, 0.7, size=(40, 4))), 1, 5)
    table = reliability(build_study(rows_for(matrix, "mean4", ["T1"] * 40), ["mean4"], study_dir=METHODS))
    assert table["warning"].tolist() == [None]
    assert 0 < table["alpha_ci_low"].iloc[0] < table["alpha"].iloc[0] < table["alpha_ci_high"].iloc[0] < 1


def test_prescored_and_absent_outcomes_are_left_out():
    data = {"participant_id": ["01", "02", "03"], "timepoint": ["T1"] * 3, "mjs.personal": [4.0, 3.5, 2.0]}
    data.update({f"wemwbs_{i}": [1.0, 3.0, 5.0] for i in range(1, 15)})
    table = reliability(build_study(data, ["wemwbs", "mbi_hss", "mjs"]))
    assert table["outcome"].tolist() == ["wemwbs.total"]


def test_scores_argument_restricts_outcomes():
    data = {"participant_id": ["01", "02", "03"], "timepoint": ["T1"] * 3}
    data.update({f"wemwbs_{i}": [1.0, 3.0, 5.0 - (i % 2)] for i in range(1, 15)})
    study = build_study(data, ["wemwbs", "swemwbs"])
    scores = score(study)
    only_short = scores[scores["outcome"] == "swemwbs.metric"]
    assert reliability(study, scores)["outcome"].tolist() == ["wemwbs.total", "swemwbs.metric"]
    assert reliability(study, only_short)["outcome"].tolist() == ["swemwbs.metric"]


def test_timepoints_without_rows_are_left_out():
    data = {"participant_id": ["01", "02", "03"], "timepoint": ["T3"] * 3}
    data.update({f"mean4_{i}": [1.0, 3.0, 5.0] for i in range(1, 5)})
    table = reliability(build_study(data, ["mean4"], study_dir=METHODS))
    assert table["timepoint"].tolist() == ["T3"]


def test_empty_study_gives_an_empty_table():
    table = reliability(build_study(pd.DataFrame({"participant_id": [], "timepoint": []}), ["wemwbs"]))
    assert list(table.columns) == RELIABILITY_COLUMNS and table.empty

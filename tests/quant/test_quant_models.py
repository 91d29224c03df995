"""Mixed models: the classical balanced-design solution, and what cannot be fitted.

Agreement with lme4 on unbalanced data is in test_quant_oracles.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from peerimpact.errors import UserInputError
from peerimpact.quant.models import mixed_models
from quant_builders import definition, long_scores

TPS = (("baseline", 0), ("m6", 6), ("m18", 18))


def _balanced(n=12, seed=3):
    rng = np.random.default_rng(seed)
    person = rng.normal(0, 4, n)
    y = np.column_stack([50 + person + rng.normal(0, 2, n) + shift for shift in (0, -2, 1)])
    ids = [f"p{i}" for i in range(n)]
    return y, long_scores({"w.total": {tp: list(y[:, k]) for k, (tp, _) in enumerate(TPS)}}, ids)


@pytest.mark.parametrize("engine", ["profiled_reml", "statsmodels"])
def test_balanced_design_equals_two_way_anova(engine):
    """Complete balanced data: REML gives the ANOVA estimators. The fixed effects are the
    differences of timepoint means and SE = sqrt(2 * MS_residual / n) (participants x time ANOVA)."""
    y, scores = _balanced()
    n, t = y.shape
    resid = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0) + y.mean()
    ms_res = (resid**2).sum() / ((n - 1) * (t - 1))
    ms_subject = t * ((y.mean(axis=1) - y.mean()) ** 2).sum() / (n - 1)
    assert ms_subject > ms_res  # interior solution
    out = mixed_models(scores, definition(timepoints=TPS), engine=engine).set_index("term")
    for k, term in ((1, "m6"), (2, "m18")):
        assert math.isclose(out.loc[term, "estimate"], y[:, k].mean() - y[:, 0].mean(), rel_tol=1e-6)
        assert math.isclose(out.loc[term, "se"], math.sqrt(2 * ms_res / n), rel_tol=1e-4)
    assert math.isclose(out["sd_residual"].iloc[0], math.sqrt(ms_res), rel_tol=1e-4)
    assert math.isclose(out["sd_participant"].iloc[0], math.sqrt((ms_subject - ms_res) / t), rel_tol=1e-3)
    assert list(out["reference"]) == ["baseline", "baseline"] and (out["n_obs"] == n * t).all()


def test_balanced_design_df_is_the_anova_error_df():
    """Complete balanced data: a timepoint contrast's Satterthwaite df is the participants x time
    ANOVA's error df, (n - 1)(t - 1), so the test is the classical repeated-measures t test; p and
    the CI use t on that df."""
    y, scores = _balanced()
    n, t = y.shape
    for _, row in mixed_models(scores, definition(timepoints=TPS)).iterrows():
        assert math.isclose(row["df"], (n - 1) * (t - 1), rel_tol=1e-6)
        tstat = row["estimate"] / row["se"]
        assert math.isclose(row["p"], 2 * stats.t.sf(abs(tstat), row["df"]), rel_tol=1e-12)
        assert math.isclose(row["ci_high"] - row["estimate"], stats.t.ppf(0.975, row["df"]) * row["se"], rel_tol=1e-12)
        assert math.isclose(row["estimate"] - row["ci_low"], stats.t.ppf(0.975, row["df"]) * row["se"], rel_tol=1e-12)


def test_singular_fit_is_ordinary_least_squares():
    """A singular fit (participant SD estimated at 0) is the regression of score on timepoint, so its
    estimates, SEs, p-values and CIs are statsmodels OLS's, whose t tests have n_obs - p df."""
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    n = 10
    y = np.column_stack([rng.normal(50, 5, n) for _ in TPS])  # no participant effect to find
    ids = [f"p{i}" for i in range(n)]
    scores = long_scores({"w.total": {tp: list(y[:, k]) for k, (tp, _) in enumerate(TPS)}}, ids)
    out = mixed_models(scores, definition(timepoints=TPS)).set_index("term")
    assert out["singular"].all()  # this seed's draw: participant SD estimated at 0
    exog = np.column_stack([np.ones(n * 3), np.repeat(np.eye(3)[:, 1:], n, axis=0)])
    ols = sm.OLS(y.T.reshape(-1), exog).fit()
    ci = ols.conf_int()
    for k, term in ((1, "m6"), (2, "m18")):
        row = out.loc[term]
        assert row["df"] == ols.df_resid == n * len(TPS) - len(TPS)
        assert math.isclose(row["estimate"], ols.params[k], rel_tol=1e-6)
        assert math.isclose(row["se"], ols.bse[k], rel_tol=1e-6)
        assert math.isclose(row["p"], ols.pvalues[k], rel_tol=1e-5)
        assert math.isclose(row["ci_low"], ci[k, 0], rel_tol=1e-6) and math.isclose(row["ci_high"], ci[k, 1], rel_tol=1e-6)


def test_baseline_is_the_declared_one_not_the_first():
    _, scores = _balanced()
    out = mixed_models(scores, definition(timepoints=TPS, baseline="m6"))
    assert list(out["term"]) == ["baseline", "m18"] and set(out["reference"]) == {"m6"}


SKIPS = [
    ("no-baseline", {"baseline": [None, None], "m6": [1, 2], "m18": [2, 3]},
     "model x.y: no scores at the baseline 'baseline'; no model"),
    ("one-timepoint", {"baseline": [1, 2], "m6": [None, None], "m18": [None, None]},
     "model x.y: scores at one timepoint only; no model"),
    ("single-scores", {"baseline": [1, None, 3], "m6": [None, 2, None], "m18": [None, None, None]},
     "model x.y: every participant has a single score, so participant and residual variance cannot be separated; no model"),
]


@pytest.mark.parametrize("data,message", [s[1:] for s in SKIPS], ids=[s[0] for s in SKIPS])
def test_models_that_cannot_be_fitted_are_warned(data, message):
    ids = ["a", "b", "c"][: len(data["baseline"])]
    messages: list[str] = []
    out = mixed_models(long_scores({"x.y": data}, ids), definition(timepoints=TPS), warnings=messages)
    assert out.empty and message in messages


def test_singular_fit_is_reported():
    rng = np.random.default_rng(0)
    ids = [f"p{i}" for i in range(20)]
    scores = long_scores({"x.y": {tp: list(rng.normal(0, 1, 20)) for tp, _ in TPS}}, ids)
    messages: list[str] = []
    out = mixed_models(scores, definition(timepoints=TPS), warnings=messages)
    assert out["singular"].all() and (out["sd_participant"] == 0).all()
    assert "model x.y: boundary (singular) fit: participant SD estimated at 0; the model equals ordinary least squares" in messages


def test_unknown_engine():
    with pytest.raises(UserInputError) as err:
        mixed_models(pd.DataFrame(columns=["participant_id", "timepoint", "outcome", "score"]),
                     definition(timepoints=TPS), engine="lme4")
    assert str(err.value) == "engine must be profiled_reml or statsmodels, not 'lme4'"


@pytest.mark.parametrize("dataset_name", ["small_participant_variance", "three_timepoints"])
def test_satterthwaite_derivatives_equal_50_digit_arithmetic(dataset_name):
    """The finite differences of satterthwaite_df against the same formula in mpmath, at the same estimates,
    including a participant SD close to zero (theta about 0.008), where the deviance is nearly flat."""
    from peerimpact.quant.cube import build_cube
    from peerimpact.quant.reml import fit_random_intercept, satterthwaite_df
    from quant_exact import exact_df
    from quant_oracle_python import dataset

    defn, scores, _ = dataset(dataset_name)
    cube = build_cube(scores, defn)
    checked = 0
    for io in range(len(cube.outcomes))[:3]:
        values = cube.values[io].T
        observed = ~np.isnan(values)
        keep = observed.any(axis=1)
        values, observed = values[keep][:, observed.any(axis=0)], observed[keep][:, observed.any(axis=0)]
        fit = fit_random_intercept(values, observed)
        if fit.singular:
            continue
        got = satterthwaite_df(values, observed, fit.theta, fit.sigma)[1:]
        np.testing.assert_allclose(got, exact_df(values, observed, fit.theta, fit.sigma), rtol=1e-6)
        checked += 1
    assert checked >= 2


def test_no_df_at_the_search_bound():
    """A residual variance near zero puts theta at the search's upper bound, which is no optimum: df, p and CI
    are left empty (with the model's warning) rather than computed from a formula that does not apply."""
    rng = np.random.default_rng(4)
    n = 12
    person = rng.normal(50, 5, n)
    y = np.column_stack([person + shift + rng.normal(0, 1e-6, n) for shift in (0, -2, 1)])
    ids = [f"p{i}" for i in range(n)]
    scores = long_scores({"w.total": {tp: list(y[:, k]) for k, (tp, _) in enumerate(TPS)}}, ids)
    messages: list[str] = []
    out = mixed_models(scores, definition(timepoints=TPS), warnings=messages)
    assert any("upper bound" in m for m in messages)
    assert out["df"].isna().all() and out["p"].isna().all() and out["ci_low"].isna().all()
    assert out["estimate"].notna().all() and out["se"].notna().all()


def test_earlier_minus_later_gives_baseline_minus_timepoint():
    """change_direction: earlier_minus_later: estimate = baseline mean - timepoint mean (balanced data), CI negated and swapped."""
    y, scores = _balanced()
    default = mixed_models(scores, definition(timepoints=TPS)).set_index("term")
    out = mixed_models(scores, definition(timepoints=TPS, change_direction="earlier_minus_later")).set_index("term")
    for k, term in ((1, "m6"), (2, "m18")):
        assert math.isclose(out.loc[term, "estimate"], y[:, 0].mean() - y[:, k].mean(), rel_tol=1e-6)
        assert (out.loc[term, "ci_low"], out.loc[term, "ci_high"]) == (-default.loc[term, "ci_high"], -default.loc[term, "ci_low"])
        assert out.loc[term, ["se", "df", "p"]].tolist() == default.loc[term, ["se", "df", "p"]].tolist()

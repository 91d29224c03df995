"""R-compatible statistics: R's sleep example, and checks independent of the implementation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from peerimpact.quant.change import paired_change
from peerimpact.quant.rstats import difference_from_norm, holm, paired_t, wilcoxon_signed_rank
from quant_builders import definition, long_scores

# R's datasets::sleep (public domain): extra hours of sleep, 10 patients, drug 1 then drug 2.
SLEEP_GROUP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_sleep_paired_t_as_r_prints_it():
    """R: t.test(extra ~ group, data = sleep, paired = TRUE) is group 1 - group 2:
    t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58."""
    res = paired_t(np.array(SLEEP_GROUP1) - np.array(SLEEP_GROUP2))
    assert round(res.t, 4) == -4.0621
    assert res.df == 9
    assert round(res.p, 6) == 0.002833
    assert (round(res.ci_low, 7), round(res.ci_high, 7)) == (-2.4598858, -0.7001142)
    assert math.isclose(res.mean, -1.58, rel_tol=1e-12)


def test_sleep_as_table_4_row():
    """The same data as a study comparison [drug1, drug2]: the change is to - from = +1.58, so every
    sign flips relative to R's formula interface; effect size = 1.58 / SD(group 1) = 0.8832."""
    ids = [f"p{i}" for i in range(1, 11)]
    scores = long_scores({"sleep.extra": {"drug1": SLEEP_GROUP1, "drug2": SLEEP_GROUP2}}, ids)
    row = paired_change(scores, definition(timepoints=(("drug1", 0), ("drug2", 1)))).iloc[0]
    assert (row["from"], row["to"], row["n"]) == ("drug1", "drug2", 10)
    assert round(row["t"], 4) == 4.0621 and row["df"] == 9 and round(row["p"], 6) == 0.002833
    assert (round(row["ci_low"], 7), round(row["ci_high"], 7)) == (0.7001142, 2.4598858)
    assert round(row["effect_size"], 4) == 0.8832
    assert row["effect_size_method"] == "paired_baseline"
    assert round(row["mean_change"] / row["sd_change"], 4) == 1.2846  # d_z, for contrast (docs/facts.md)


HOLM_CASES = [
    ("three", [0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
    ("with-nan", [0.01, np.nan, 0.04, 0.03], [0.03, np.nan, 0.06, 0.06]),
    ("capped", [0.5, 0.6], [1.0, 1.0]),
    ("single", [0.2], [0.2]),
    ("all-nan", [np.nan, np.nan], [np.nan, np.nan]),
    ("ties", [0.02, 0.02, 0.5], [0.06, 0.06, 0.5]),
]


@pytest.mark.parametrize("p,expected", [c[1:] for c in HOLM_CASES], ids=[c[0] for c in HOLM_CASES])
def test_holm_by_hand(p, expected):
    np.testing.assert_allclose(holm(np.array(p)), expected, rtol=1e-15, equal_nan=True)


def _brute_force_p(d: np.ndarray) -> float:
    """Exact two-sided signed-rank p by enumerating all 2^n sign patterns (no ties, no zeros)."""
    ranks = np.argsort(np.argsort(np.abs(d))) + 1
    v = ranks[d > 0].sum()
    sums = [sum(r for r, s in zip(ranks, signs, strict=False) if s) for signs in itertools.product((0, 1), repeat=d.size)]
    sums = np.array(sums)
    return min(1.0, 2 * min(np.mean(sums <= v), np.mean(sums >= v)))


@pytest.mark.parametrize("seed", range(6))
def test_exact_signed_rank_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    d = rng.normal(0.4, 1, 4 + 2 * seed)
    res = wilcoxon_signed_rank(d)
    assert res.method == "exact"
    assert math.isclose(res.p, _brute_force_p(d), rel_tol=1e-12)


WILCOXON_CASES = [
    ("empty", [], 0, None, None),
    ("all-zero", [0.0, 0.0], 0, "normal_cc", None),
    ("zeros-force-normal", [0.0, 1.0, 2.5, -0.5], 3, "normal_cc", "p"),
    ("ties-force-normal", [1.0, -1.0, 2.0], 3, "normal_cc", "p"),
    ("fifty-no-ties", [(-1) ** (i % 3 == 0) * (i + 0.37) for i in range(50)], 50, "normal_cc", "p"),
    ("forty-nine-no-ties", [(-1) ** (i % 3 == 0) * (i + 0.37) for i in range(49)], 49, "exact", "p"),
]


@pytest.mark.parametrize("d,n,method,has_p", [c[1:] for c in WILCOXON_CASES], ids=[c[0] for c in WILCOXON_CASES])
def test_wilcoxon_chooses_r_branch(d, n, method, has_p):
    res = wilcoxon_signed_rank(np.array(d, dtype=float))
    assert (res.n, res.method, not math.isnan(res.p)) == (n, method, has_p is not None)


def test_normal_approximation_by_hand():
    """d = (1, -1, 2): ranks 1.5, 1.5, 3; V = 4.5; E = 3; var = 3*4*7/24 - (8-2)/48 = 3.375;
    z = (1.5 - 0.5) / sqrt(3.375); p = 2 * (1 - Phi(z))."""
    res = wilcoxon_signed_rank(np.array([1.0, -1.0, 2.0]))
    z = 1.0 / math.sqrt(3.375)
    assert res.v == 4.5
    assert math.isclose(res.p, math.erfc(z / math.sqrt(2)), rel_tol=1e-12)


NORM_CASES = [
    ("one-sample", (20, 50.0, 8.0, 48.0, 9.0, None), "one_sample", 19.0),
    ("welch", (20, 50.0, 8.0, 48.0, 9.0, 400), "welch", None),
    ("n-one", (1, 50.0, np.nan, 48.0, 9.0, None), None, None),
    ("no-norm", (20, 50.0, 8.0, np.nan, np.nan, None), None, None),
]


@pytest.mark.parametrize("args,method,df", [c[1:] for c in NORM_CASES], ids=[c[0] for c in NORM_CASES])
def test_difference_from_norm_method(args, method, df):
    res = difference_from_norm(*args)
    assert res.method == method
    if method is None:
        assert math.isnan(res.ci_low) and math.isnan(res.diff)
    else:
        assert res.ci_low < res.diff < res.ci_high and res.diff == args[1] - args[3]
    if df is not None:
        assert res.df == df


def test_welch_df_by_hand():
    """vx = 64/20 = 3.2, vy = 81/400 = 0.2025; df = (3.4025)^2 / (3.2^2/19 + 0.2025^2/399)."""
    res = difference_from_norm(20, 50.0, 8.0, 48.0, 9.0, 400)
    assert math.isclose(res.df, 3.4025**2 / (3.2**2 / 19 + 0.2025**2 / 399), rel_tol=1e-12)
    assert math.isclose(res.se, math.sqrt(3.4025), rel_tol=1e-12)

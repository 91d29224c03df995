"""Constructive calibration helpers: exact summaries checked with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from peerimpact.demo.calibrate import calibrate, covariance_with, integers_with, round_to_total, stream, subset_mean

CASES = [
    # id, mean, sd, lower, upper
    ("unbounded", 10.0, 2.0, -np.inf, np.inf),
    ("ceiling", 4.5, 0.53, 1.0, 5.0),
    ("floor", 4.0, 3.8, 0.0, 30.0),
]


@pytest.mark.parametrize("mean, sd, lower, upper", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_calibrate_hits_mean_sd_and_bounds(mean, sd, lower, upper):
    raw = np.random.default_rng(5).normal(size=31)
    y = calibrate(raw, mean=mean, sd=sd, lower=lower, upper=upper)
    assert y.mean() == pytest.approx(mean, abs=1e-9)
    assert y.std(ddof=1) == pytest.approx(sd, abs=1e-9)
    assert y.min() >= lower and y.max() <= upper


def test_calibrate_meets_subset_mean_and_covariance_constraints():
    rng = np.random.default_rng(11)
    x = rng.normal(50, 9, 20)
    mask = np.zeros(20, dtype=bool)
    mask[:12] = True
    cons = [subset_mean(mask, 52.0), covariance_with(x, np.ones(20, dtype=bool), 0.7 * x.std(ddof=1) * 9.0)]
    y = calibrate(rng.normal(size=20), mean=48.0, sd=9.0, constraints=cons)
    assert y[mask].mean() == pytest.approx(52.0, abs=1e-9)
    assert np.cov(x, y)[0, 1] == pytest.approx(0.7 * x.std(ddof=1) * 9.0, rel=1e-9)
    assert y.mean() == pytest.approx(48.0, abs=1e-9)


def test_calibrate_keeps_fixed_values():
    y = calibrate(np.random.default_rng(2).normal(size=10), mean=5.0, sd=1.0, fixed={0: 3.0, 9: 8.0})
    assert (y[0], y[9]) == (3.0, 8.0) and y.mean() == pytest.approx(5.0)


@pytest.mark.parametrize("values, total, lower, upper", [
    ([1.4, 2.6, 3.5], 8, 1, 5),
    ([4.9, 4.9, 4.9], 15, 1, 5),
    ([0.2, 0.2, 5.8, 5.9], 12, 0, 6),
], ids=["round", "at_ceiling", "mixed"])
def test_round_to_total(values, total, lower, upper):
    out = round_to_total(values, total, lower, upper)
    assert out.sum() == total and out.min() >= lower and out.max() <= upper
    assert np.abs(out - np.asarray(values)).max() < 1  # totals near the sum: each value moves less than 1


def test_integers_with_exact_minimum_maximum_and_total():
    out = integers_with(np.random.default_rng(3), 30, 2, 273, 1682, sigma=1.0)
    assert (out.min(), out.max(), out.sum(), out.size) == (2, 273, 1682, 30)


def test_streams_are_independent_and_repeatable():
    a1, a2, b = stream(7, "people").random(3), stream(7, "people").random(3), stream(7, "contacts").random(3)
    assert np.array_equal(a1, a2) and not np.array_equal(a1, b)

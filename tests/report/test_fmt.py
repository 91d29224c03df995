"""Number formatting: the only place numbers are rounded."""

from __future__ import annotations

import pytest

from peerimpact.report import fmt

M = "\u2212"


@pytest.mark.parametrize(
    "value, dp, expected",
    [
        (2.25, 1, "2.3"),  # half away from zero on the decimal digits (binary round-half-even gives 2.2)
        (-2.25, 1, M + "2.3"),
        (0.125, 2, "0.13"),
        (-0.004, 2, "0.00"),  # a negative that rounds to zero loses its sign
        (49.8125, 1, "49.8"),
        (3, 0, "3"),
        (1e-7, 3, "0.000"),
        (float("nan"), 2, fmt.MISSING),
        (None, 2, fmt.MISSING),
        (float("-inf"), 2, M + "\u221e"),
    ],
    ids=lambda v: repr(v),
)
def test_num(value, dp, expected):
    assert fmt.num(value, dp) == expected


@pytest.mark.parametrize(
    "p, expected",
    [(0.0009999, "< 0.001"), (0.001, "0.001"), (0.0105, "0.011"), (0.05, "0.050"), (1.0, "1.000"), (float("nan"), fmt.MISSING)],
    ids=lambda v: repr(v),
)
def test_p_value(p, expected):
    assert fmt.p_value(p) == expected


@pytest.mark.parametrize(
    "fn, args, expected",
    [
        (fmt.ci, (-11.928, -2.872, 1), f"{M}11.9 to {M}2.9"),
        (fmt.ci, (float("nan"), 1.0, 1), fmt.MISSING),
        (fmt.mean_sd, (40.2, 3.3466, 1), "40.2 (3.3)"),
        (fmt.mean_sd, (float("nan"), 1.0, 1), fmt.MISSING),
        (fmt.value_range, (28.0, 70.0, 0), "28\u201370"),
        (fmt.count, (20.0,), "20"),
        (fmt.pct, (65.625,), "66"),
    ],
    ids=["ci", "ci-missing", "mean-sd", "mean-missing", "range", "count", "pct"],
)
def test_composites(fn, args, expected):
    assert fn(*args) == expected


@pytest.mark.parametrize("values, dp", [([1.5, 4.9], 2), ([28, 70], 1), ([10.0], 2), ([10.01], 1), ([float("nan")], 2)])
def test_decimals_for(values, dp):
    assert fmt.decimals_for(values) == dp


@pytest.mark.parametrize("value", [-3.25, 0.0, 12.5, -0.004])
def test_parse_number_inverts_num(value):
    assert fmt.parse_number(fmt.num(value, 3)) == round(value, 3)

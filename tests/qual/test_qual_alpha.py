"""Kappa and alpha from counts: hand-worked tables, and alpha against the PyPI krippendorff package."""

from __future__ import annotations

import math
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.qual.alpha import alpha_nominal, kappa_2x2, percent_agreement


@pytest.mark.parametrize(
    "table, kappa, agreement",
    [
        # Cohen's textbook case: 50 units, yes/yes 20, A-only 5, B-only 10, no/no 15:
        # po = 35/50 = 0.7; pe = (25/50)(30/50) + (25/50)(20/50) = 0.5; kappa = 0.2/0.5 = 0.4
        ((20, 5, 10, 15), 0.4, 70.0),
        # half overlap on 20 characters: po = 0.5 = pe -> 0
        ((5, 5, 5, 5), 0.0, 50.0),
        # complete disagreement with balanced marginals: po = 0, pe = 0.5 -> -1
        ((0, 5, 5, 0), -1.0, 0.0),
        # perfect agreement on a rare code: 10 of 100 coded by both
        ((10, 0, 0, 90), 1.0, 100.0),
        # 3 of 40 coded by A only, B never: po = 37/40, pe = (3/40)(0) + (37/40)(1) = 37/40 -> 0
        ((0, 3, 0, 37), 0.0, 92.5),
        # po = 97/100; pe = (.04)(.05) + (.96)(.95) = .914; kappa = .056/.086 = 28/43
        ((3, 1, 2, 94), 28 / 43, 97.0),
    ],
    ids=["cohen-0.4", "half-overlap", "full-disagreement", "perfect", "one-coder-silent", "rare-code"],
)
def test_kappa_hand_worked(table, kappa, agreement):
    assert kappa_2x2(*table) == pytest.approx(kappa, rel=1e-15, abs=1e-15)
    assert percent_agreement(*table) == pytest.approx(agreement, rel=1e-15)


@pytest.mark.parametrize("table", [(0, 0, 0, 10), (10, 0, 0, 0), (0, 0, 0, 0)], ids=["all-uncoded", "all-coded", "empty"])
def test_kappa_undefined(table):
    assert math.isnan(kappa_2x2(*table))


def test_alpha_krippendorff_binary_example():
    # Two observers, ten units (Krippendorff's binary worked example):
    # A 0 1 0 0 0 0 0 0 1 0 / B 1 1 1 0 0 1 0 0 0 0 -> o00 = 10, o11 = 2, o01 = o10 = 4,
    # n0 = 14, n1 = 6, n = 20, alpha = 1 - 19 * 4 / (14 * 6) = 8/84.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    patterns = [(1, [int(x == 0) + int(y == 0), int(x == 1) + int(y == 1)]) for x, y in zip(a, b)]
    value, pairable = alpha_nominal(patterns)
    assert value == pytest.approx(float(Fraction(8, 84)), rel=1e-15)
    assert pairable == 20
    assert value == pytest.approx(krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal"), rel=1e-12)


def test_alpha_undefined_without_variation():
    assert math.isnan(alpha_nominal([(5, [2, 0])])[0])
    assert math.isnan(alpha_nominal([(5, [1, 0])])[0])  # nothing pairable


def _patterns(matrix: np.ndarray, k: int):
    out = []
    for col in matrix.T:
        vals = col[~np.isnan(col)].astype(int)
        out.append((1, [int((vals == v).sum()) for v in range(k)]))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=2)), min_size=coders, max_size=coders),
            min_size=2, max_size=25,
        )
    )
)
def test_alpha_matches_the_krippendorff_package(units):
    matrix = np.array([[np.nan if v is None else v for v in unit] for unit in units], dtype=float).T
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    values = {v for u in pairable for v in u if v is not None}
    ours, _ = alpha_nominal(_patterns(matrix, 3))
    if len(values) < 2:
        assert math.isnan(ours)
        return
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal", value_domain=[0, 1, 2])
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_weights_equal_repeated_units():
    once = alpha_nominal([(1, [1, 1]), (1, [2, 0]), (1, [0, 2])] * 3)
    weighted = alpha_nominal([(3, [1, 1]), (3, [2, 0]), (3, [0, 2])])
    assert once == weighted

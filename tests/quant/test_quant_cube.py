"""The scores cube: layout and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import UserInputError
from peerimpact.quant.cube import build_cube
from quant_builders import definition

DEFN = definition(timepoints=(("late", 12), ("early", 0)))


def _scores(rows):
    return pd.DataFrame(rows, columns=["participant_id", "timepoint", "outcome", "score"])


def test_layout_orders_timepoints_by_month():
    cube = build_cube(_scores([("a", "late", "x.y", 2.0), ("a", "early", "x.y", 1.0), ("b", "late", "x.z", np.nan)]), DEFN)
    assert cube.timepoints == ["early", "late"] and cube.outcomes == ["x.y", "x.z"]
    assert list(cube.participant_ids) == ["a", "b"]
    assert cube.values[0, :, 0].tolist() == [1.0, 2.0]
    assert np.isnan(cube.values[1]).all()


def test_categorical_columns_give_the_same_cube():
    plain = _scores([("a", "late", "x.y", 2.0), ("b", "early", "x.y", 1.0), ("b", "late", "x.z", 3.0)])
    cat = plain.astype({"participant_id": "category", "timepoint": "category", "outcome": "category"})
    a, b = build_cube(plain, DEFN), build_cube(cat, DEFN)
    assert (a.outcomes, list(a.participant_ids)) == (b.outcomes, list(b.participant_ids))
    np.testing.assert_array_equal(a.values, b.values)


@pytest.mark.parametrize(
    "frame,message",
    [
        (pd.DataFrame({"participant_id": ["a"], "timepoint": ["late"], "outcome": ["x.y"]}), "scores table lacks column(s): score"),
        (pd.DataFrame({"participant_id": ["a"], "timepoint": ["late"]}),
         "scores table has neither outcome and score columns (long form) nor one column per outcome (wide form)"),
        (_scores([("a", "mid", "x.y", 1.0)]), "scores table has timepoint(s) not declared in study.yaml: mid"),
        (_scores([(None, "late", "x.y", 1.0)]), "scores table has an empty participant_id"),
        (
            _scores([("a", "late", "x.y", 1.0), ("a", "late", "x.y", 2.0)]),
            "scores table has more than one score for participant 'a', timepoint 'late', outcome 'x.y'",
        ),
    ],
    ids=["missing-score", "no-outcomes", "undeclared-timepoint", "empty-id", "duplicate"],
)
def test_errors(frame, message):
    with pytest.raises(UserInputError) as err:
        build_cube(frame, DEFN)
    assert str(err.value) == message


LAYOUTS = {
    "runs": np.repeat(np.array([f"p{i}" for i in range(300)], dtype=object), 20),
    "period": np.tile(np.array([f"o{i}" for i in range(20)], dtype=object), 300),
    "period-broken": np.r_[np.tile(np.array(["a", "b", "c"], dtype=object), 2000), np.array(["c", "a", "b"], dtype=object)],
    "period-not-dividing": np.r_[np.tile(np.array(["a", "b", "c"], dtype=object), 2000), np.array(["a"], dtype=object)],
    "runs-then-noise": np.r_[np.repeat(np.array(["a", "b"], dtype=object), 3000),
                             np.random.default_rng(2).choice(np.array(["a", "b", "c"], dtype=object), 3000)],
    "random": np.random.default_rng(1).choice(np.array(["x", "y", "z", None], dtype=object), 5000),
    "runs-with-missing": np.repeat(np.array(["a", None, "b", "a", None], dtype=object), 1000),
    "short": np.array(["b", "a", "b"], dtype=object),
}


@pytest.mark.parametrize("values", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_fast_codes_equal_factorize(values):
    from peerimpact.quant.cube import _codes

    codes, uniques = _codes(pd.Series(values))
    expected_codes, expected_uniques = pd.factorize(values)
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques)


def test_wide_and_long_scores_give_the_same_cube():
    long = _scores([("a", "late", "x.y", 2.0), ("a", "early", "x.y", 1.0), ("b", "late", "x.z", 3.0),
                    ("a", "late", "x.z", np.nan), ("a", "early", "x.z", 4.0), ("b", "late", "x.y", np.nan)])
    wide = pd.DataFrame({"participant_id": ["a", "a", "b"], "timepoint": ["late", "early", "late"],
                         "x.y": [2.0, 1.0, np.nan], "x.z": [np.nan, 4.0, 3.0]})
    a, b = build_cube(long, DEFN), build_cube(wide, DEFN)
    assert (a.outcomes, list(a.participant_ids), a.timepoints) == (b.outcomes, list(b.participant_ids), b.timepoints)
    np.testing.assert_array_equal(a.values, b.values)


@pytest.mark.parametrize(
    "frame,message",
    [
        (pd.DataFrame({"participant_id": ["a"], "timepoint": ["late"], "x.y": ["high"]}), "wide scores column 'x.y' is not numeric"),
        (pd.DataFrame({"participant_id": ["a", "a"], "timepoint": ["late", "late"], "x.y": [1.0, 2.0]}),
         "scores table has more than one row for participant 'a', timepoint 'late'"),
        (pd.DataFrame({"participant_id": ["a"], "x.y": [1.0]}), "scores table lacks column(s): timepoint"),
    ],
    ids=["not-numeric", "duplicate-row", "no-timepoint"],
)
def test_wide_errors(frame, message):
    with pytest.raises(UserInputError) as err:
        build_cube(frame, DEFN)
    assert str(err.value) == message

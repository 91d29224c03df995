"""How Study holds questionnaire responses in memory (peerimpact.study.responses)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peerimpact.scoring import score
from peerimpact.scoring.engine import score_matrix
from peerimpact.study.responses import _categorical, categorical_from_codes, float_values, masked_int_parts, normalise_responses

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scoring"))
from scoring_helpers import build_study  # noqa: E402

W = [f"wemwbs_{i}" for i in range(1, 15)]


def rows(**columns):
    n = len(next(iter(columns.values())))
    return {"participant_id": [f"{i:02d}" for i in range(1, n + 1)], "timepoint": ["T1"] * n, **columns}


@pytest.mark.parametrize(
    "instrument, column, values, dtype",
    [
        ("wemwbs", "wemwbs_1", [1.0, 5.0, math.nan], "Int16"),  # whole-number scale: nullable integers
        ("mbi_hss", "mbi_hss_3", [0.0, 6.0, math.nan], "Int16"),
        ("wemwbs", "wemwbs_1", [1.0, 2.5, 3.0], "float64"),  # a fraction is kept as it is, never rounded
        ("wemwbs", "wemwbs_1", [1.0, 40000.0, 3.0], "float64"),  # beyond Int16: left as it is
        ("mjs", "mjs.personal", [4.25, 3.0, math.nan], "float64"),  # pre-scored subscales stay float
    ],
    ids=["wemwbs", "mbi", "fraction", "beyond-int16", "prescored"],
)
def test_column_representation(instrument, column, values, dtype):
    study = build_study(rows(**{column: values}), [instrument])
    got = study.responses[column]
    assert str(got.dtype) == dtype
    np.testing.assert_array_equal(float_values(got), np.array(values, dtype=float))


def test_missing_items_hold_the_scale_minimum_under_the_mask():
    study = build_study(rows(wemwbs_1=[math.nan, 4.0]), ["wemwbs"])
    data, mask = masked_int_parts(study.responses["wemwbs_1"])
    assert data.tolist() == [1, 4] and mask.tolist() == [True, False]


def test_ids_are_categorical_with_timepoints_in_study_order():
    study = build_study(rows(wemwbs_1=[1.0]), ["wemwbs"], timepoints=("T1", "T2", "T3"))
    frame = pd.DataFrame({"participant_id": ["b", "a", None, "b"], "timepoint": ["T3", "T1", "T1", "X"], "wemwbs_1": [1.0] * 4})
    out = normalise_responses(frame, study.definition, study.instruments)
    pid, tp = out["participant_id"], out["timepoint"]
    assert list(pid.cat.categories) == ["a", "b"] and pid.isna().tolist() == [False, False, True, False]
    assert list(tp.cat.categories) == ["T1", "T2", "T3", "X"]  # every declared one by month, then undeclared, sorted
    assert tp.astype(object).tolist() == ["T3", "T1", "T1", "X"]
    assert (tp == "T1").tolist() == [False, True, True, False]


def test_normalising_twice_returns_the_same_frame():
    study = build_study(rows(wemwbs_1=[1.0, 2.0]), ["wemwbs"])
    assert normalise_responses(study.responses, study.definition, study.instruments) is study.responses


def test_a_categorical_timepoint_in_another_order_is_reordered():
    study = build_study(rows(wemwbs_1=[1.0, 2.0]), ["wemwbs"])
    frame = study.responses.assign(timepoint=pd.Categorical(["T2", "T1"], categories=["T2", "T1"]))
    out = normalise_responses(frame, study.definition, study.instruments)
    assert list(out["timepoint"].cat.categories) == ["T1", "T2", "T3"]
    assert out["timepoint"].astype(object).tolist() == ["T2", "T1"]


def _as_float_study(study):
    """The same study with float64 item columns, bypassing the normalisation (the engine's general path)."""
    floats = study.responses.copy()
    for column in floats.columns:
        if column not in ("participant_id", "timepoint"):
            floats[column] = float_values(floats[column])
    object.__setattr__(study, "responses", floats)
    return study


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 12), st.just(14)),
               elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, math.nan])),
    st.integers(0, 3),
)
def test_integer_and_float_paths_score_identically(matrix, allowed):
    """Scores, counts and statuses from Int16 columns equal those of the float64 path, exactly."""
    frame = rows(**{c: matrix[:, j] for j, c in enumerate(W)})
    fast = build_study(frame, ["wemwbs", "swemwbs"], missing_items_allowed=allowed)
    assert str(fast.responses["wemwbs_1"].dtype) == "Int16"
    slow = _as_float_study(build_study(frame, ["wemwbs", "swemwbs"], missing_items_allowed=allowed))
    assert slow.responses["wemwbs_1"].dtype == np.float64
    a, b = score_matrix(fast), score_matrix(slow)
    np.testing.assert_array_equal(a.scores, b.scores)
    for name in ("answered", "missing", "status"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(score(fast), score(slow))


def test_a_participant_categorical_is_kept_in_its_own_order():
    study = build_study(rows(wemwbs_1=[1.0, 2.0]), ["wemwbs"])
    frame = study.responses.assign(participant_id=pd.Categorical(["02", "01"], categories=["02", "01"]))
    out = normalise_responses(frame, study.definition, study.instruments)
    assert out is frame  # nothing to change: no per-category work on every Study built from it


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.sampled_from(["T2", "T1", "b", "a", "", "T9"]), max_size=12),
       unused=st.lists(st.sampled_from(["zz", "T0", "c"]), max_size=3, unique=True),
       first=st.sampled_from([(), ("T1", "T2"), ("T2", "T1", "T3")]))
def test_a_categorical_from_codes_is_the_one_made_from_the_strings(values, unused, first):
    """The loader builds the id columns from each column's distinct texts and codes: same categories, codes and dtype."""
    texts = np.asarray(list(dict.fromkeys(values)) + unused, dtype=object)  # texts not in any row, too
    codes = np.asarray([list(texts).index(v) for v in values], dtype=np.intp)
    got = categorical_from_codes(codes, texts, first)
    expected = _categorical(pd.Series(values, dtype=object), first)
    assert list(got.categories) == list(expected.categories)
    assert got.categories.dtype == expected.categories.dtype
    assert got.codes.dtype == expected.codes.dtype
    assert list(got.codes) == list(expected.codes)

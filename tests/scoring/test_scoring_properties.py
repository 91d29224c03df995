"""Invariants of scoring, checked with Hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peerimpact.scoring import score
from peerimpact.scoring.engine import reverse_items
from scoring_helpers import FIXTURES, build_study

METHODS = FIXTURES / "methods_study"
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# instrument declared, column prefix, item ids, response range
SCALES = {
    "wemwbs": ("wemwbs", [str(i) for i in range(1, 15)], (1, 5)),
    "swemwbs": ("wemwbs", ["1", "2", "3", "6", "7", "9", "11"], (1, 5)),
    "mbi_hss": ("mbi_hss", [str(i) for i in range(1, 23)], (0, 6)),
    "mean4": ("mean4", ["1", "2", "3", "4"], (1, 5)),
    "rev3": ("rev3", ["1", "2", "3"], (1, 5)),
}


@st.composite
def responses(draw, instrument: str) -> dict:
    """Up to 12 response rows; each cell a response in range or missing (NaN)."""
    prefix, items, (lo, hi) = SCALES[instrument]
    n = draw(st.integers(1, 12))
    cells = st.sampled_from([np.nan] + [float(v) for v in range(lo, hi + 1)])
    matrix = draw(hnp.arrays(np.float64, (n, len(items)), elements=cells))
    data: dict = {"participant_id": [f"{i:02d}" for i in range(n)], "timepoint": ["T1"] * n}
    for j, item in enumerate(items):
        data[f"{prefix}_{item}"] = matrix[:, j]
    return data


@pytest.mark.parametrize("instrument", list(SCALES))
@SETTINGS
@given(data=st.data(), allowed=st.integers(0, 3))
def test_scores_stay_within_range(instrument, data, allowed):
    study = build_study(data.draw(responses(instrument)), [instrument], missing_items_allowed=allowed, study_dir=METHODS)
    table = score(study)
    defn = study.instruments[instrument]
    for outcome in defn.outcome_ids():
        lo, hi = defn.score_range(outcome.split(".", 1)[1])
        values = table.loc[table["outcome"] == outcome, "score"].dropna()
        assert ((values >= lo) & (values <= hi)).all()


@pytest.mark.parametrize("instrument", list(SCALES))
@SETTINGS
@given(data=st.data(), allowed=st.integers(0, 3))
def test_status_follows_the_rule(instrument, data, allowed):
    study = build_study(data.draw(responses(instrument)), [instrument], missing_items_allowed=allowed, study_dir=METHODS)
    table = score(study)
    defn = study.instruments[instrument]
    n_items = np.array([len(defn.subscale(o.split(".", 1)[1]).items) for o in table["outcome"]])
    limit = np.array([0 if defn.subscale(o.split(".", 1)[1]).method == "lookup" else allowed for o in table["outcome"]])
    answered = table["items_answered"].to_numpy(dtype=np.int64)
    missing = table["items_missing"].to_numpy(dtype=np.int64)
    assert (answered + missing == n_items).all()
    expected = np.where(missing == 0, "complete", np.where((missing <= limit) & (answered > 0), "prorated", "too_many_missing"))
    assert table["status"].tolist() == expected.tolist()
    assert (np.isnan(table["score"].to_numpy()) == (expected == "too_many_missing")).all()


@pytest.mark.parametrize("instrument, outcome", [("wemwbs", "wemwbs.total"), ("mean4", "mean4.average"), ("rev3", "rev3.total")])
@SETTINGS
@given(data=st.data())
def test_prorating_equals_imputing_the_mean_of_the_other_items(instrument, outcome, data):
    """A complete response scores like a prorated one whose missing item equals the mean of the others.

    For a reverse-scored item the imputed response is the one whose reversed
    value is that mean.
    """
    prefix, items, (lo, hi) = SCALES[instrument]
    others = data.draw(st.lists(st.integers(lo, hi), min_size=len(items) - 1, max_size=len(items) - 1))
    gap = data.draw(st.integers(0, len(items) - 1))
    defn = build_study(pd.DataFrame({"participant_id": [], "timepoint": []}), [instrument], study_dir=METHODS).instruments[instrument]
    reversed_items = set(defn.subscales[0].reverse)
    turned = [lo + hi - v if items[i if i < gap else i + 1] in reversed_items else v for i, v in enumerate(others)]
    mean_scored = float(np.mean(turned))
    imputed = lo + hi - mean_scored if items[gap] in reversed_items else mean_scored
    full = others[:gap] + [imputed] + others[gap:]
    holed = others[:gap] + [np.nan] + others[gap:]
    rows = {"participant_id": ["full", "holed"], "timepoint": ["T1", "T1"]}
    for i, item in enumerate(items):
        rows[f"{prefix}_{item}"] = [full[i], holed[i]]
    table = score(build_study(rows, [instrument], study_dir=METHODS)).set_index("participant_id")
    assert table.loc["holed", "status"] == "prorated" and table.loc["full", "status"] == "complete"
    assert table.loc["holed", "score"] == pytest.approx(table.loc["full", "score"], rel=1e-12)


@given(st.lists(st.integers(0, 12).map(lambda v: v / 2), min_size=1, max_size=30), st.integers(-3, 3), st.integers(1, 10))
def test_reversing_twice_is_the_identity(halves, low, width):
    values = np.array(halves) + low
    high = low + width
    np.testing.assert_array_equal(reverse_items(reverse_items(values, low, high), low, high), values)


@SETTINGS
@given(st.lists(st.integers(1, 5), min_size=7, max_size=7), st.lists(st.integers(1, 5), min_size=7, max_size=7))
def test_swemwbs_score_is_monotone_in_the_raw_sum(a, b):
    rows = {"participant_id": ["a", "b"], "timepoint": ["T1", "T1"]}
    for i, item in enumerate(SCALES["swemwbs"][1]):
        rows[f"wemwbs_{item}"] = [a[i], b[i]]
    scores = score(build_study(rows, ["swemwbs"])).set_index("participant_id")["score"]
    if sum(a) < sum(b):
        assert scores["a"] < scores["b"]
    elif sum(a) == sum(b):
        assert scores["a"] == scores["b"]


@pytest.mark.parametrize("value, metric", [(1, 7.00), (5, 35.00)], ids=["floor", "ceiling"])
def test_swemwbs_end_points(value, metric):
    rows = {"participant_id": ["01"], "timepoint": ["T1"]}
    rows.update({f"wemwbs_{item}": [value] for item in SCALES["swemwbs"][1]})
    assert score(build_study(rows, ["swemwbs"]))["score"].tolist() == [metric]

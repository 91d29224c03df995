"""Attrition on a hand-made study."""

from __future__ import annotations

import math

import pytest

from peerimpact.quant.attrition import attrition
from quant_builders import definition, long_scores, make_study

IDS = ["a", "b", "c", "d", "e"]
PEOPLE = [{"participant_id": p, "site": s, "consent_date": "2020-01-01", "gender": g}
          for p, s, g in zip(IDS, ["1", "1", "2", "2", "2"], ["W", "M", "W", "W", None], strict=False)]
SCORES = long_scores(
    {
        "x.one": {"base": [10, 20, 30, None, 50], "mid": [11, None, None, None, 52], "end": [None, 21, None, 44, None]},
        "x.two": {"base": [1, 2, 3, 4, None], "mid": [None, None, 3, None, None], "end": [None, None, None, None, None]},
    },
    IDS,
)
DEFN = definition(timepoints=(("base", 0), ("mid", 6), ("end", 12)),
                  demographics=[{"column": "gender", "label": "Gender", "type": "categorical"}])


@pytest.fixture(scope="module")
def result():
    study = make_study(DEFN, participants=PEOPLE)
    return attrition(SCORES, study.participants, DEFN)


COMPLETION = [
    ("all", "base", 5, 5), ("all", "mid", 5, 3), ("all", "end", 5, 2),
    ("1", "mid", 2, 1), ("2", "mid", 3, 2), ("2", "end", 3, 1),
]


@pytest.mark.parametrize("site,tp,n,done", COMPLETION, ids=[f"{c[0]}-{c[1]}" for c in COMPLETION])
def test_completion(result, site, tp, n, done):
    row = result["completion"].set_index(["site", "timepoint"]).loc[(site, tp)]
    assert (row["n_participants"], row["n_completed"], row["percent"]) == (n, done, 100 * done / n)


def test_baseline_scores_by_follow_up(result):
    t = result["baseline_scores"].set_index(["follow_up", "group", "outcome"])
    # mid completed by a, c, e: baseline x.one 10, 30, 50; not: b 20, d missing
    assert tuple(t.loc[("mid", "followed_up", "x.one"), ["n", "mean", "sd"]]) == (3, 30.0, 20.0)
    row = t.loc[("mid", "not_followed_up", "x.one")]
    assert (row["n"], row["mean"]) == (1, 20.0) and math.isnan(row["sd"])
    assert sorted({f for f, _, _ in t.index}) == ["end", "mid"]  # never the baseline itself


def test_characteristics_by_follow_up(result):
    t = result["baseline_characteristics"]
    end = t[(t["follow_up"] == "end") & (t["category"] == "W")].set_index("group")
    # end completed by b (M) and d (W); not by a (W), c (W), e (missing)
    assert (end.loc["followed_up", "n"], end.loc["followed_up", "denominator"]) == (1, 2)
    assert (end.loc["not_followed_up", "n"], end.loc["not_followed_up", "denominator"], end.loc["not_followed_up", "n_missing"]) == (2, 2, 1)

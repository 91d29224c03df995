"""Table 4 (paired change): pairing, comparisons, sign convention, effect sizes, Holm families.

The statistics themselves are checked against R in test_quant_oracles.py; here the
bookkeeping around them is checked on hand-made tables.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from peerimpact.errors import UserInputError
from peerimpact.quant.change import paired_change
from quant_builders import definition, long_scores

IDS = ["p1", "p2", "p3", "p4", "p5", "p6"]
TPS = (("baseline", 0), ("m6", 6), ("m18", 18))
SCORES = long_scores(
    {
        "wemwbs.total": {
            "baseline": [40, 50, None, 45, 60, 30],
            "m6": [42, None, 48, 46, None, None],
            "m18": [44, 52, 50, 47, 61, None],
        },
        "mbi_hss.depersonalisation": {
            "baseline": [10, 8, 6, 4, 2, None],
            "m6": [9, 9, 7, 5, 3, None],
            "m18": [8, 10, 7, 3, 2, None],
        },
        "mbi_hss.emotional_exhaustion": {
            "baseline": [20, 30, 25, 22, 18, None],
            "m6": [22, 31, 24, 25, 19, None],
            "m18": [23, 33, 29, 21, 20, None],
        },
    },
    IDS,
)
DEFN = definition(timepoints=TPS, comparisons=[["baseline", "m18"], ["m6", "m18"]])


def test_declared_comparisons_with_other_timepoint_names():
    out = paired_change(SCORES, DEFN)
    assert list(zip(out["from"], out["to"], strict=False)) == [("baseline", "m18")] * 3 + [("m6", "m18")] * 3
    w = out[out["outcome"] == "wemwbs.total"].set_index("from")
    # baseline -> m18 pairs: p1 40->44, p2 50->52, p4 45->47, p5 60->61
    assert (w.loc["baseline", "n"], w.loc["baseline", "mean_change"]) == (4, 9 / 4)
    assert (w.loc["baseline", "mean_from"], w.loc["baseline", "mean_to"]) == (48.75, 51.0)
    # m6 -> m18 pairs: p1 42->44, p3 48->50, p4 46->47
    assert (w.loc["m6", "n"], w.loc["m6", "mean_change"]) == (3, 5 / 3)


def test_default_comparisons_are_baseline_against_each_later_timepoint():
    out = paired_change(SCORES, definition(timepoints=TPS))
    assert sorted(set(zip(out["from"], out["to"], strict=False))) == [("baseline", "m18"), ("baseline", "m6")]


def test_sign_convention_positive_is_increase():
    out = paired_change(SCORES, DEFN)
    up = out[(out["outcome"] == "wemwbs.total") & (out["from"] == "baseline")].iloc[0]
    assert up["mean_change"] > 0 and up["t"] > 0 and up["effect_size"] > 0 and up["ci_high"] > up["ci_low"]
    down = paired_change(SCORES, DEFN, comparisons=[("m18", "baseline")]).query("outcome == 'wemwbs.total'").iloc[0]
    assert down["mean_change"] == -up["mean_change"] and down["t"] == -up["t"]


@pytest.mark.parametrize(
    "method,sd",
    [("paired_baseline", np.std([40, 50, 45, 60], ddof=1)), ("all_baseline", np.std([40, 50, 45, 60, 30], ddof=1))],
    ids=["paired", "all"],
)
def test_effect_size_denominator(method, sd):
    row = paired_change(SCORES, DEFN, effect_size_sd=method).iloc[0]
    assert row["effect_size_method"] == method
    assert math.isclose(row["effect_size_sd"], sd, rel_tol=1e-15)
    assert math.isclose(row["effect_size"], (9 / 4) / sd, rel_tol=1e-15)


def test_effect_size_setting_comes_from_study_yaml():
    defn = definition(timepoints=TPS, comparisons=[["baseline", "m18"]], effect_size_sd="all_baseline")
    assert set(paired_change(SCORES, defn)["effect_size_method"]) == {"all_baseline"}


def test_holm_family_is_instrument_within_comparison():
    out = paired_change(SCORES, DEFN).set_index(["outcome", "from"])
    # wemwbs has one outcome: Holm leaves p alone
    assert out.loc[("wemwbs.total", "baseline"), "p_holm"] == out.loc[("wemwbs.total", "baseline"), "p"]
    # two mbi_hss outcomes per comparison: the smaller p is doubled (or capped), never below p
    for frm in ("baseline", "m6"):
        pair = out.loc[[("mbi_hss.depersonalisation", frm), ("mbi_hss.emotional_exhaustion", frm)]]
        smallest = pair["p"].idxmin()
        assert pair.loc[smallest, "p_holm"] == min(1.0, 2 * pair.loc[smallest, "p"])
        assert (pair["p_holm"] >= pair["p"]).all()


def test_too_few_pairs_give_nan_and_a_warning():
    scores = long_scores({"x.y": {"baseline": [1, None], "m18": [2, 3]}}, ["a", "b"])
    messages: list[str] = []
    row = paired_change(scores, definition(timepoints=TPS, comparisons=[["baseline", "m18"]]), warnings=messages).iloc[0]
    assert row["n"] == 1 and row["mean_change"] == 1 and math.isnan(row["t"]) and math.isnan(row["p_holm"])
    assert messages == ["change x.y baseline->m18: 1 complete pair(s); no test"]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"comparisons": [("baseline", "m99")]}, "comparison [baseline, m99] uses undeclared timepoint 'm99'"),
        ({"effect_size_sd": "pooled"}, "effect_size_sd must be paired_baseline or all_baseline, not 'pooled'"),
    ],
    ids=["undeclared-timepoint", "bad-effect-size-sd"],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(UserInputError) as err:
        paired_change(SCORES, DEFN, **kwargs)
    assert str(err.value) == message

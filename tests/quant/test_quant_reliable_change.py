"""Reliable change: direction, thresholds and counts on hand-made changes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from peerimpact.quant.direction import higher_is_better, meaningful_change
from peerimpact.quant.reliable_change import reliable_change
from quant_builders import definition, long_scores

IDS = [f"p{i}" for i in range(6)]
BASE = [40, 44, 48, 52, 56, 60]
CHANGES = [-10, -4, -3, 0, 3, 10]
DEFN = definition(timepoints=(("pre", 0), ("post", 1)))


def _scores(outcome: str) -> pd.DataFrame:
    return long_scores({outcome: {"pre": BASE, "post": [b + c for b, c in zip(BASE, CHANGES, strict=False)]}}, IDS)


def _threshold(alpha: float) -> float:
    return 1.96 * math.sqrt(2) * np.std(BASE, ddof=1) * math.sqrt(1 - alpha)


@pytest.mark.parametrize(
    "outcome,improved,deteriorated",
    [("wemwbs.total", 1, 1), ("mbi_hss.emotional_exhaustion", 1, 1), ("mjs.overall", 1, 1)],
    ids=["wemwbs", "burnout", "mjs"],
)
def test_jacobson_truax_counts(outcome, improved, deteriorated):
    counts, people = reliable_change(_scores(outcome), DEFN, alphas={outcome: 0.9})
    row = counts[counts["criterion"] == "jacobson_truax"].iloc[0]
    assert math.isclose(row["threshold"], _threshold(0.9), rel_tol=1e-12)  # about 7.3 points
    assert (row["improved"], row["no_change"], row["deteriorated"]) == (improved, 6 - improved - deteriorated, deteriorated)
    jt = people[people["criterion"] == "jacobson_truax"].set_index("participant_id")
    better = "p5" if row["higher_is_better"] else "p0"
    assert jt.loc[better, "category"] == "improved"


def test_burnout_improvement_is_a_decrease():
    counts, people = reliable_change(_scores("mbi_hss.depersonalisation"), DEFN, alphas={"mbi_hss.depersonalisation": 0.9})
    assert not counts["higher_is_better"].iloc[0]
    cats = people.set_index("participant_id")["category"]
    assert (cats["p0"], cats["p5"]) == ("improved", "deteriorated")


def test_wemwbs_three_point_criterion_beside_rci():
    counts, _ = reliable_change(_scores("wemwbs.total"), DEFN, alphas={"wemwbs.total": 0.9})
    fixed = counts[counts["criterion"] == "fixed_points"].iloc[0]
    # changes -10, -4, -3, 0, 3, 10: at least 3 points either way counts
    assert (fixed["threshold"], fixed["improved"], fixed["no_change"], fixed["deteriorated"]) == (3.0, 2, 1, 3)


def test_alpha_from_reliability_table_at_from_timepoint():
    rel = pd.DataFrame({"outcome": ["wemwbs.total"] * 2, "timepoint": ["pre", "post"], "alpha": [0.8, 0.99]})
    counts, _ = reliable_change(_scores("wemwbs.total"), DEFN, reliability=rel)
    assert counts["alpha"].iloc[0] == 0.8


def test_missing_alpha_is_null_with_one_warning():
    messages: list[str] = []
    counts, _ = reliable_change(_scores("mjs.pay"), DEFN, warnings=messages)
    row = counts.iloc[0]
    assert pd.isna(row["improved"]) and math.isnan(row["s_diff"])
    assert messages == ["reliable change not computed for 1 outcome(s) without a reliability (alpha), "
                        "e.g. pre-scored ones: mjs.pay"]


def test_unknown_direction_is_warned():
    messages: list[str] = []
    reliable_change(_scores("phq9.total"), DEFN, alphas={"phq9.total": 0.8}, warnings=messages)
    assert messages == ["reliable change phq9.total: direction unknown, higher assumed better"]


class _Sub:
    def __init__(self, id_, hib, mc=None):
        self.id, self.higher_is_better = id_, hib
        self.meaningful_change = None if mc is None else type("MC", (), {"value": mc})()


class _Inst:
    subscales = [_Sub("total", False, 5.0)]


def test_direction_and_meaningful_change_from_instrument_definition():
    instruments = {"phq9": _Inst()}
    assert higher_is_better("phq9.total", instruments) == (False, True)
    assert meaningful_change("phq9.total", instruments) == 5.0
    assert higher_is_better("wemwbs.total") == (True, True) and meaningful_change("wemwbs.total") == 3.0


def test_earlier_minus_later_reverses_each_change_but_not_its_category():
    flipped = definition(timepoints=(("pre", 0), ("post", 1)), change_direction="earlier_minus_later")
    counts_a, people_a = reliable_change(_scores("wemwbs.total"), DEFN, alphas={"wemwbs.total": 0.9})
    counts_b, people_b = reliable_change(_scores("wemwbs.total"), flipped, alphas={"wemwbs.total": 0.9})
    pd.testing.assert_frame_equal(counts_a, counts_b)
    jt = people_b[people_b["criterion"] == "jacobson_truax"]
    assert sorted(jt["change"]) == sorted(-c for c in CHANGES)  # from - to
    assert list(people_b["category"]) == list(people_a["category"])
    assert list(people_b["rci"].fillna(0)) == list(-people_a["rci"].fillna(0))

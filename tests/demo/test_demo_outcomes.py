"""Questionnaire data of the demo: Table 3 (docs/facts.md) and the published pattern of change.

Scores are computed here independently (prorated sums with at most one
missing item, see demo_helpers) and tested with scipy's paired t-test.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from demo_helpers import MBI_KEY, WEMWBS_ITEMS, paired, read_csv

# Table 3 as published (docs/facts.md): outcome, timepoint, n, mean, SD. The T2 wellbeing SD
# is printed "9017" in the paper and read as 9.17.
TABLE3 = [
    ("wemwbs.total", "T1", 32, 49.8, 9.07), ("wemwbs.total", "T2", 20, 47.7, 9.17), ("wemwbs.total", "T3", 21, 48.7, 11.73),
    ("mjs.personal", "T1", 29, 4.3, 0.72), ("mjs.personal", "T2", 17, 4.2, 0.51), ("mjs.personal", "T3", 19, 4.2, 0.64),
    ("mjs.workload", "T1", 30, 3.9, 0.76), ("mjs.workload", "T2", 17, 3.8, 0.62), ("mjs.workload", "T3", 19, 3.8, 0.78),
    ("mjs.professional_support", "T1", 31, 4.5, 0.53), ("mjs.professional_support", "T2", 17, 4.5, 0.58),
    ("mjs.professional_support", "T3", 19, 4.4, 0.82),
    ("mjs.training", "T1", 29, 3.9, 0.74), ("mjs.training", "T2", 17, 3.8, 0.92), ("mjs.training", "T3", 19, 3.6, 0.86),
    ("mjs.pay", "T1", 30, 3.5, 1.14), ("mjs.pay", "T2", 17, 3.4, 1.23), ("mjs.pay", "T3", 20, 3.5, 1.10),
    ("mjs.prospects", "T1", 30, 3.5, 0.92), ("mjs.prospects", "T2", 17, 3.5, 1.00), ("mjs.prospects", "T3", 19, 3.1, 1.10),
    ("mjs.standards_of_care", "T1", 29, 4.0, 0.62), ("mjs.standards_of_care", "T2", 17, 4.0, 0.65),
    ("mjs.standards_of_care", "T3", 19, 3.9, 0.89),
    ("mjs.overall", "T1", 30, 3.9, 0.66), ("mjs.overall", "T2", 17, 3.9, 0.60), ("mjs.overall", "T3", 20, 3.7, 0.74),
    ("itpps.leadership", "T1", 31, 4.2, 0.66), ("itpps.leadership", "T2", 20, 4.4, 0.47), ("itpps.leadership", "T3", 21, 4.1, 0.62),
    ("itpps.team_cohesion", "T1", 32, 4.3, 0.84), ("itpps.team_cohesion", "T2", 20, 4.3, 0.47),
    ("itpps.team_cohesion", "T3", 21, 4.2, 0.93),
    ("itpps.communication", "T1", 31, 4.1, 0.57), ("itpps.communication", "T2", 20, 4.0, 0.60),
    ("itpps.communication", "T3", 21, 3.8, 0.93),
    ("itpps.coordination", "T1", 31, 4.2, 0.66), ("itpps.coordination", "T2", 20, 4.2, 0.61),
    ("itpps.coordination", "T3", 21, 4.1, 0.86),
    ("itpps.conflict_management", "T1", 27, 3.8, 0.49), ("itpps.conflict_management", "T2", 20, 3.8, 0.35),
    ("itpps.conflict_management", "T3", 20, 3.7, 0.45),
]


@pytest.mark.parametrize("outcome, timepoint, n, mean, sd", TABLE3, ids=[f"{r[0]}-{r[1]}" for r in TABLE3])
def test_table3(wide, outcome, timepoint, n, mean, sd):
    values = wide.loc[wide.timepoint == timepoint, outcome].dropna()
    tolerance = 1.5 if outcome == "wemwbs.total" else 0.3
    assert len(values) == n
    assert abs(values.mean() - mean) <= tolerance
    assert abs(values.std(ddof=1) - sd) <= 0.15 * sd


def _ttest(wide, outcome, before, after):
    a, b = paired(wide, outcome, before, after)
    res = stats.ttest_rel(b, a)
    ci = res.confidence_interval(0.95)
    return float(np.mean(b - a)), float(ci.low), float(ci.high), float(res.pvalue), len(a)


def test_wellbeing_falls_by_nearly_four_points_at_four_months(wide):
    change, low, high, p, n = _ttest(wide, "wemwbs.total", "T1", "T2")
    assert n == 20
    assert -5.0 < change < -3.0
    assert high < 0  # the 95% CI excludes 0


def test_wellbeing_not_significantly_changed_at_twelve_months(wide):
    change, low, high, p, _ = _ttest(wide, "wemwbs.total", "T1", "T3")
    assert low < 0 < high
    assert p > 0.05


@pytest.mark.parametrize("after", ["T2", "T3"])
def test_depersonalisation_rises_significantly(wide, after):
    change, low, high, p, _ = _ttest(wide, "mbi_hss.depersonalisation", "T1", after)
    assert change > 0 and low > 0


@pytest.mark.parametrize("outcome, after", [("mjs.prospects", "T3"), ("mjs.training", "T3"), ("mjs.personal", "T2")])
def test_published_falls_in_job_satisfaction_are_significant(wide, outcome, after):
    change, low, high, p, _ = _ttest(wide, outcome, "T1", after)
    assert change < -0.25
    assert p < 0.05


@pytest.fixture(scope="module", params=[0, 1, 99], ids=lambda s: f"seed{s}")
def other_wide(request):
    from demo_helpers import scores
    from peerimpact.demo import make_study

    return scores(make_study(request.param))


def test_pattern_of_change_holds_for_other_seeds(other_wide):
    wellbeing = _ttest(other_wide, "wemwbs.total", "T1", "T2")
    assert wellbeing[2] < 0 and -5 < wellbeing[0] < -3
    assert _ttest(other_wide, "wemwbs.total", "T1", "T3")[3] > 0.05
    assert _ttest(other_wide, "mbi_hss.depersonalisation", "T1", "T2")[1] > 0
    assert _ttest(other_wide, "mbi_hss.depersonalisation", "T1", "T3")[1] > 0
    assert _ttest(other_wide, "mjs.prospects", "T1", "T3")[0] < -0.25
    assert _ttest(other_wide, "mjs.training", "T1", "T3")[0] < -0.25


def test_repeated_measures_are_correlated(wide):
    a, b = paired(wide, "wemwbs.total", "T1", "T2")
    r = np.corrcoef(a, b)[0, 1]
    assert 0.5 <= r <= 0.85


@pytest.fixture(scope="module")
def responses(files):
    return read_csv(files, "responses.csv")


def _missing_counts(responses, prefix, items):
    return responses[[f"{prefix}_{i}" for i in items]].isna().sum(axis=1)


def test_wemwbs_has_single_missing_items_only(responses):
    counts = _missing_counts(responses, "wemwbs", WEMWBS_ITEMS)
    assert counts.max() == 1
    assert (counts == 1).sum() >= 3


def test_mbi_has_subscales_with_one_and_with_two_missing_items(responses):
    per_subscale = {o: _missing_counts(responses, "mbi_hss", key) for o, key in MBI_KEY.items()}
    assert sum(int((c == 1).sum()) for c in per_subscale.values()) >= 3
    assert sum(int((c == 2).sum()) for c in per_subscale.values()) >= 2


@pytest.mark.parametrize("prefix, n_items, low, high", [("wemwbs", 14, 1, 5), ("mbi_hss", 22, 0, 6)])
def test_item_responses_are_whole_numbers_in_range(responses, prefix, n_items, low, high):
    values = responses[[f"{prefix}_{i}" for i in range(1, n_items + 1)]].stack()
    assert values.between(low, high).all()
    assert (values == values.round()).all()


def test_prescored_columns_are_item_means_with_two_decimals(files, responses):
    cols = [c for c in responses.columns if "." in c]
    assert len(cols) == 14
    values = responses[cols].stack()
    assert values.between(1, 5).all()
    body = files["responses.csv"].splitlines()[1:]
    assert all(cell == "" or len(cell.split(".")[-1]) == 2 for line in body for cell in line.split(",")[-14:])

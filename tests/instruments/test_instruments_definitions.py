"""The shipped instrument definitions hold the published scoring facts (docs/facts.md section 2).

Expected values are typed here from docs/facts.md, independently of the YAML files.
"""

from __future__ import annotations

import pytest

from peerimpact.instruments import InstrumentDefinition, load_instruments


@pytest.fixture(scope="module")
def shipped() -> dict[str, InstrumentDefinition]:
    return load_instruments()


# docs/facts.md: SWEMWBS raw sum -> metric score (Warwick's conversion chart).
SWEMWBS_TABLE = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73,
    24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}

# docs/facts.md: MBI-HSS key, item -> subscale.
MBI_KEY = {
    "emotional_exhaustion": [1, 2, 3, 6, 8, 13, 14, 16, 20],
    "depersonalisation": [5, 10, 11, 15, 22],
    "personal_accomplishment": [4, 7, 9, 12, 17, 18, 19, 21],
}
MBI_ITEM_TO_SUBSCALE = {item: sub for sub, items in MBI_KEY.items() for item in items}

MJS_OUTCOMES = [
    "mjs.personal", "mjs.workload", "mjs.professional_support", "mjs.training", "mjs.pay",
    "mjs.prospects", "mjs.standards_of_care", "mjs.overall",
]
ITPPS_OUTCOMES = [
    "itpps.leadership", "itpps.communication", "itpps.coordination", "itpps.conflict_management",
    "itpps.team_cohesion", "itpps.team_effectiveness",
]
CSRI_SERVICES = ["psychiatric_inpatient", "crisis_team", "a_and_e", "gp", "cmht", "psychological_therapy", "outpatient", "other"]


def test_shipped_ids(shipped):
    assert set(shipped) == {"wemwbs", "swemwbs", "mbi_hss", "mjs", "itpps", "csri"}


def test_wemwbs(shipped):
    w = shipped["wemwbs"]
    assert (w.response_min, w.response_max) == (1, 5)
    assert w.item_columns() == [f"wemwbs_{i}" for i in range(1, 15)]
    assert w.outcome_ids() == ["wemwbs.total"]
    total = w.subscale("total")
    assert total.method == "sum" and total.reverse == []
    assert total.items == [str(i) for i in range(1, 15)]
    assert w.score_range("total") == (14.0, 70.0)
    assert w.anchors == {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"}
    assert total.meaningful_change is not None and total.meaningful_change.value == 3


def test_swemwbs_reads_the_parent_columns(shipped):
    s = shipped["swemwbs"]
    assert s.parent == "wemwbs"
    assert s.item_columns() == [f"wemwbs_{i}" for i in (1, 2, 3, 6, 7, 9, 11)]
    assert s.item_column("9") == "wemwbs_9"
    assert s.outcome_ids() == ["swemwbs.metric"]
    assert s.subscale("metric").method == "lookup"
    assert s.score_range("metric") == (7.0, 35.0)


@pytest.mark.parametrize("raw, metric", sorted(SWEMWBS_TABLE.items()), ids=[f"raw{r}" for r in sorted(SWEMWBS_TABLE)])
def test_swemwbs_conversion_value_by_value(shipped, raw, metric):
    assert shipped["swemwbs"].subscale("metric").lookup[raw] == metric


def test_swemwbs_table_is_complete_monotone_and_hits_its_end_points(shipped):
    table = shipped["swemwbs"].subscale("metric").lookup
    assert sorted(table) == list(range(7, 36))
    values = [table[k] for k in sorted(table)]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert (table[7], table[35]) == (7.00, 35.00)


@pytest.mark.parametrize("item", range(1, 23), ids=[f"item{i}" for i in range(1, 23)])
def test_mbi_key_item_by_item(shipped, item):
    mbi = shipped["mbi_hss"]
    owners = [s.id for s in mbi.subscales if str(item) in s.items]
    assert owners == [MBI_ITEM_TO_SUBSCALE[item]]
    assert mbi.item_column(str(item)) == f"mbi_hss_{item}"


@pytest.mark.parametrize(
    "subscale, low, high, higher_is_better",
    [("emotional_exhaustion", 0, 54, False), ("depersonalisation", 0, 30, False), ("personal_accomplishment", 0, 48, True)],
)
def test_mbi_subscales(shipped, subscale, low, high, higher_is_better):
    mbi = shipped["mbi_hss"]
    sub = mbi.subscale(subscale)
    assert sub.method == "sum" and sub.reverse == []
    assert sub.items == [str(i) for i in MBI_KEY[subscale]]
    assert mbi.score_range(subscale) == (low, high)
    assert sub.higher_is_better is higher_is_better
    assert (mbi.response_min, mbi.response_max) == (0, 6)


@pytest.mark.parametrize("subscale, threshold", [("emotional_exhaustion", 27), ("depersonalisation", 10)])
def test_mbi_cutoffs_are_cited(shipped, subscale, threshold):
    cuts = shipped["mbi_hss"].subscale(subscale).cutoffs
    assert [(c.label, c.min) for c in cuts] == [("high", threshold)]
    assert "Brady" in cuts[0].source and "2020" in cuts[0].source


def test_mbi_outcome_ids(shipped):
    assert shipped["mbi_hss"].outcome_ids() == [
        "mbi_hss.emotional_exhaustion", "mbi_hss.depersonalisation", "mbi_hss.personal_accomplishment",
    ]
    assert shipped["mbi_hss"].outcome_id("depersonalisation") == "mbi_hss.depersonalisation"


@pytest.mark.parametrize("instrument, outcomes", [("mjs", MJS_OUTCOMES), ("itpps", ITPPS_OUTCOMES)], ids=["mjs", "itpps"])
def test_templates_accept_prescored_subscales(shipped, instrument, outcomes):
    defn = shipped[instrument]
    assert defn.outcome_ids() == outcomes
    assert defn.has_item_key is False
    assert defn.items == [] and defn.item_columns() == []
    assert defn.prescored_columns() == outcomes
    for sub in defn.subscales:
        assert sub.method == "mean"
        assert defn.score_range(sub.id) == (1.0, 5.0)


def test_item_scored_instruments_have_item_keys(shipped):
    assert [i for i, d in shipped.items() if d.has_item_key] == ["mbi_hss", "swemwbs", "wemwbs"]


def test_csri(shipped):
    csri = shipped["csri"]
    assert csri.kind == "service_use"
    assert csri.service_ids() == CSRI_SERVICES
    assert csri.recall_months == 3
    assert "Beecham" in csri.citation and "Knapp" in csri.citation
    assert csri.outcome_ids() == []


@pytest.mark.parametrize("instrument", ["wemwbs", "swemwbs", "mbi_hss", "mjs", "itpps"])
def test_no_item_wording_is_shipped(shipped, instrument):
    assert all(item.text is None for item in shipped[instrument].items)


@pytest.mark.parametrize("instrument", ["wemwbs", "swemwbs", "mbi_hss", "mjs", "itpps", "csri"])
def test_every_definition_has_name_citation_and_licence(shipped, instrument):
    defn = shipped[instrument]
    assert defn.name and defn.citation and defn.licence


def test_unknown_item_and_subscale_raise_key_error(shipped):
    with pytest.raises(KeyError, match="wemwbs has no item '15'"):
        shipped["wemwbs"].item_column("15")
    with pytest.raises(KeyError, match="mbi_hss has no subscale 'total'"):
        shipped["mbi_hss"].outcome_id("total")


def test_band_of_scores(shipped):
    ee = shipped["mbi_hss"].subscale("emotional_exhaustion")
    assert ee.band([0.0, 26.9, 27.0, 54.0, float("nan")]).tolist() == [None, None, "high", "high", None]

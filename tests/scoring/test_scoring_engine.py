"""The scoring engine: the missing-item rule per method, keys, output shape.

Expected scores are worked by hand from the published keys (docs/facts.md
section 2) and written as the arithmetic that produced them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import Problem, StudyValidationError
from peerimpact.scoring import SCORE_COLUMNS, score, score_wide
from scoring_helpers import FIXTURES, build_study, one_row

NAN = float("nan")
METHODS = FIXTURES / "methods_study"

# WEMWBS items 1..14; SWEMWBS uses items 1, 2, 3, 6, 7, 9, 11 of the same row.
W = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4]  # sum 40; SWEMWBS raw 1+2+3+1+2+4+1 = 14


def with_missing(values: list, *items: int) -> list:
    out = list(values)
    for item in items:
        out[item - 1] = None
    return out


def outcome_row(study, outcome: str) -> dict:
    table = score(study)
    rows = table[table["outcome"] == outcome].to_dict("records")
    assert len(rows) == 1
    return rows[0]


# (instrument prefix, declared instruments, responses, missing allowed, outcome, score, answered, missing, status)
RULE_TABLE = [
    # sum (WEMWBS, 14 items)
    ("wemwbs", ["wemwbs"], W, 1, "wemwbs.total", 40, 14, 0, "complete"),
    ("wemwbs", ["wemwbs"], with_missing(W, 14), 1, "wemwbs.total", 36 / 13 * 14, 13, 1, "prorated"),
    ("wemwbs", ["wemwbs"], with_missing(W, 13, 14), 1, "wemwbs.total", NAN, 12, 2, "too_many_missing"),
    ("wemwbs", ["wemwbs"], with_missing(W, 13, 14), 2, "wemwbs.total", 33 / 12 * 14, 12, 2, "prorated"),
    ("wemwbs", ["wemwbs"], with_missing(W, 14), 0, "wemwbs.total", NAN, 13, 1, "too_many_missing"),
    ("wemwbs", ["wemwbs"], [None] * 14, 1, "wemwbs.total", NAN, 0, 14, "too_many_missing"),
    # mean (four items)
    ("mean4", ["mean4"], [2, 3, 4, 5], 1, "mean4.average", 3.5, 4, 0, "complete"),
    ("mean4", ["mean4"], [2, 3, 4, None], 1, "mean4.average", 3.0, 3, 1, "prorated"),
    ("mean4", ["mean4"], [2, None, 4, None], 1, "mean4.average", NAN, 2, 2, "too_many_missing"),
    ("mean4", ["mean4"], [2, None, 4, None], 2, "mean4.average", 3.0, 2, 2, "prorated"),
    # lookup (SWEMWBS: never prorated)
    ("wemwbs", ["swemwbs"], W, 1, "swemwbs.metric", 15.32, 7, 0, "complete"),
    ("wemwbs", ["swemwbs"], with_missing(W, 14), 1, "swemwbs.metric", 15.32, 7, 0, "complete"),  # item 14 is not SWEMWBS
    ("wemwbs", ["swemwbs"], with_missing(W, 11), 1, "swemwbs.metric", NAN, 6, 1, "too_many_missing"),
    ("wemwbs", ["swemwbs"], with_missing(W, 9, 11), 1, "swemwbs.metric", NAN, 5, 2, "too_many_missing"),
    ("wemwbs", ["swemwbs"], with_missing(W, 11), 3, "swemwbs.metric", NAN, 6, 1, "too_many_missing"),
    # reverse-scored item 2 of three (1-5): x -> 6 - x, before prorating
    ("rev3", ["rev3"], [1, 2, 5], 1, "rev3.total", 1 + (6 - 2) + 5, 3, 0, "complete"),
    ("rev3", ["rev3"], [1, None, 5], 1, "rev3.total", (1 + 5) / 2 * 3, 2, 1, "prorated"),
    ("rev3", ["rev3"], [None, 2, 5], 1, "rev3.total", ((6 - 2) + 5) / 2 * 3, 2, 1, "prorated"),
]
RULE_IDS = [
    "sum-complete", "sum-one-missing", "sum-two-missing", "sum-two-missing-allowed-2", "sum-one-missing-allowed-0", "sum-all-missing",
    "mean-complete", "mean-one-missing", "mean-two-missing", "mean-two-missing-allowed-2",
    "lookup-complete", "lookup-other-item-missing", "lookup-one-missing", "lookup-two-missing", "lookup-never-prorated",
    "reverse-complete", "reverse-item-missing", "reverse-other-missing",
]


@pytest.mark.parametrize("prefix, instruments, values, allowed, outcome, expected, answered, missing, status", RULE_TABLE, ids=RULE_IDS)
def test_missing_item_rule(prefix, instruments, values, allowed, outcome, expected, answered, missing, status):
    study = build_study(one_row(prefix, values), instruments, missing_items_allowed=allowed, study_dir=METHODS)
    row = outcome_row(study, outcome)
    if np.isnan(expected):
        assert np.isnan(row["score"])
    else:
        assert row["score"] == pytest.approx(expected, rel=1e-15)
    assert (row["items_answered"], row["items_missing"], row["status"]) == (answered, missing, status)


def test_complete_sum_is_exact():
    study = build_study(one_row("wemwbs", W), ["wemwbs"])
    assert outcome_row(study, "wemwbs.total")["score"] == 40.0


@pytest.mark.parametrize("item", range(1, 23), ids=[f"item{i}" for i in range(1, 23)])
def test_mbi_key_item_by_item(item):
    """Item ``item`` alone set to 1 (others 0) adds 1 to exactly its docs/facts.md subscale."""
    facts = {
        "mbi_hss.emotional_exhaustion": {1, 2, 3, 6, 8, 13, 14, 16, 20},
        "mbi_hss.depersonalisation": {5, 10, 11, 15, 22},
        "mbi_hss.personal_accomplishment": {4, 7, 9, 12, 17, 18, 19, 21},
    }
    values = [1 if i == item else 0 for i in range(1, 23)]
    table = score(build_study(one_row("mbi_hss", values), ["mbi_hss"]))
    got = dict(zip(table["outcome"], table["score"]))
    assert got == {outcome: (1.0 if item in items else 0.0) for outcome, items in facts.items()}


SWEMWBS_TABLE = {  # docs/facts.md, typed independently of the YAML
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73,
    24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}


def swemwbs_items_summing_to(raw: int) -> dict[str, int]:
    values, extra = [], raw - 7
    for _ in range(7):
        add = min(4, extra)
        values.append(1 + add)
        extra -= add
    return dict(zip(["1", "2", "3", "6", "7", "9", "11"], values))


@pytest.mark.parametrize("raw, metric", sorted(SWEMWBS_TABLE.items()), ids=[f"raw{r}" for r in sorted(SWEMWBS_TABLE)])
def test_swemwbs_converted_not_summed(raw, metric):
    study = build_study(one_row("wemwbs", swemwbs_items_summing_to(raw)), ["swemwbs"])
    assert outcome_row(study, "swemwbs.metric")["score"] == metric


def test_prescored_columns():
    rows = {
        "participant_id": ["01", "02"],
        "timepoint": ["T1", "T1"],
        "mjs.personal": [4.25, np.nan],
        "itpps.leadership": [3.0, 5.0],
    }
    table = score(build_study(rows, ["mjs", "itpps"]))
    assert table["outcome"].tolist() == ["mjs.personal"] * 2 + ["itpps.leadership"] * 2
    np.testing.assert_array_equal(table["score"].to_numpy(), [4.25, np.nan, 3.0, 5.0])
    assert table["status"].tolist() == ["prescored", "missing", "prescored", "prescored"]
    assert table["items_answered"].isna().all() and table["items_missing"].isna().all()


def test_licensed_key_scores_items_instead(tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "mjs.yaml").write_text(
        "id: mjs\nname: MJS\ncitation: Traynor and Wade 1993\nlicence: licensed\nresponse_min: 1\nresponse_max: 5\n"
        "items: [1, 2, 3]\nsubscales:\n  - {id: personal, label: Personal, items: [1, 2, 3], reverse: [3], method: mean}\n",
        encoding="utf-8",
    )
    study = build_study(one_row("mjs", [4, 5, 2]), ["mjs"], study_dir=tmp_path)
    row = outcome_row(study, "mjs.personal")
    assert (row["score"], row["status"]) == ((4 + 5 + (6 - 2)) / 3, "complete")


def test_outcomes_without_columns_are_omitted():
    study = build_study(one_row("wemwbs", W), ["wemwbs", "mbi_hss", "mjs"])
    assert score(study)["outcome"].tolist() == ["wemwbs.total"]


def test_absent_item_columns_count_as_missing():
    row = one_row("wemwbs", W)
    del row["wemwbs_14"]
    got = outcome_row(build_study(row, ["wemwbs"]), "wemwbs.total")
    assert (got["score"], got["items_missing"], got["status"]) == (pytest.approx(36 / 13 * 14, rel=1e-15), 1, "prorated")


def test_every_outcome_for_every_row_in_order():
    rows = pd.concat(
        [pd.DataFrame(one_row("wemwbs", W, pid=p, timepoint=t)) for p, t in [("01", "T1"), ("02", "T1"), ("01", "T2")]],
        ignore_index=True,
    )
    table = score(build_study(rows, ["wemwbs", "swemwbs"]))
    assert list(table.columns) == SCORE_COLUMNS
    # grouped by outcome (declared order), then in response-row order, as pandas.melt lays it out
    assert table[["participant_id", "timepoint", "outcome"]].values.tolist() == [
        ["01", "T1", "wemwbs.total"], ["02", "T1", "wemwbs.total"], ["01", "T2", "wemwbs.total"],
        ["01", "T1", "swemwbs.metric"], ["02", "T1", "swemwbs.metric"], ["01", "T2", "swemwbs.metric"],
    ]
    assert table.dtypes.astype(str).tolist() == ["category", "category", "category", "float64", "Int16", "Int16", "category"]
    assert list(table["timepoint"].cat.categories) == ["T1", "T2", "T3"]  # every declared timepoint, study order
    assert list(table["outcome"].cat.categories) == ["wemwbs.total", "swemwbs.metric"]
    assert list(table["status"].cat.categories) == ["complete", "prorated", "too_many_missing", "prescored", "missing"]


def test_score_wide_matches_score():
    rows = pd.concat(
        [pd.DataFrame(one_row("wemwbs", with_missing(W, *m), pid=p)) for p, m in [("01", ()), ("02", (14,)), ("03", (1, 2))]],
        ignore_index=True,
    )
    study = build_study(rows, ["wemwbs", "swemwbs"])
    wide = score_wide(study)
    long = score(study).pivot(index="participant_id", columns="outcome", values="score")
    assert list(wide.columns) == ["participant_id", "timepoint", "wemwbs.total", "swemwbs.metric"]
    for outcome in ("wemwbs.total", "swemwbs.metric"):
        np.testing.assert_array_equal(wide.set_index("participant_id")[outcome].to_numpy(), long[outcome].to_numpy())


def test_no_rows_gives_an_empty_table():
    empty = pd.DataFrame({"participant_id": [], "timepoint": [], "wemwbs_1": []})
    table = score(build_study(empty, ["wemwbs"]))
    assert list(table.columns) == SCORE_COLUMNS and len(table) == 0


def test_out_of_range_values_in_memory_are_refused():
    study = build_study(one_row("wemwbs", [7] + W[1:]), ["wemwbs"])
    with pytest.raises(StudyValidationError) as info:
        score(study)
    assert info.value.problems == [Problem("responses.csv", 2, "wemwbs_1", "value 7 is outside the range 1–5 of wemwbs")]


def test_out_of_range_prescored_in_memory_is_refused():
    study = build_study({"participant_id": ["01"], "timepoint": ["T1"], "mjs.pay": [6.5]}, ["mjs"])
    with pytest.raises(StudyValidationError) as info:
        score(study)
    assert info.value.problems == [Problem("responses.csv", 2, "mjs.pay", "value 6.5 is outside the range 1–5 of mjs.pay")]


def test_lookup_refuses_a_raw_sum_off_the_table():
    values = swemwbs_items_summing_to(14)
    values["1"] = 1.5  # was 5: raw sum 14 - 5 + 1.5 = 10.5, not a whole number
    study = build_study(one_row("wemwbs", values), ["swemwbs"])
    with pytest.raises(StudyValidationError) as info:
        score(study)
    assert info.value.problems == [
        Problem("responses.csv", 2, "swemwbs.metric",
                "the raw sum 10.5 of the swemwbs.metric items is not in its lookup table (items must be whole numbers 1–5)")
    ]


def test_inputs_are_not_mutated():
    study = build_study(one_row("rev3", [1, 2, None]), ["rev3"], study_dir=METHODS)
    before = study.responses.copy()
    score(study)
    pd.testing.assert_frame_equal(study.responses, before)



def test_demo_study_has_every_outcome_for_every_response_row(demo_study):
    table = score(demo_study)
    outcomes = [o for i in demo_study.definition.instruments for o in demo_study.instruments[i].outcome_ids()]
    assert table["outcome"].tolist() == [o for o in outcomes for _ in range(len(demo_study.responses))]
    missing = table["items_missing"].astype("float64")
    rule = {
        "complete": missing == 0,
        "prorated": (missing > 0) & (missing <= demo_study.definition.missing_items_allowed),
        "too_many_missing": missing > demo_study.definition.missing_items_allowed,
        "prescored": missing.isna() & table["score"].notna(),
        "missing": missing.isna() & table["score"].isna(),
    }
    for status, expected in rule.items():
        selected = table["status"] == status
        lookup = table["outcome"] == "swemwbs.metric"  # lookup: any missing item is too many
        if status == "prorated":
            expected = expected & ~lookup
        if status == "too_many_missing":
            expected = expected | (lookup & (missing > 0))
        assert (selected == expected).all(), status

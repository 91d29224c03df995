"""analyse() and the results document: keys, schema documentation, JSON, other timepoint sets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import peerimpact
from peerimpact.quant import AnalysisResults, analyse, write_results_json
from peerimpact.quant.results import records
from peerimpact.quant.schema import METADATA, TABLES, TOP_LEVEL, render_markdown
from quant_builders import definition, long_scores, make_study

REPO_DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "results-schema.md"

IDS = [f"{i:02d}" for i in range(1, 9)]
TPS = (("baseline", 0), ("m6", 6), ("m18", 18))
PEOPLE = [{"participant_id": p, "site": "north" if i < 4 else "south", "consent_date": "2021-01-04",
           "gender": "Woman" if i % 3 else "Man", "age": 30 + 3 * i} for i, p in enumerate(IDS)]


def _scores() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    base = rng.normal(48, 8, len(IDS)).round()
    table = {
        "wemwbs.total": {"baseline": list(base), "m6": list((base - 4 + rng.normal(0, 3, 8)).round()),
                         "m18": list((base - 1 + rng.normal(0, 3, 8)).round())},
        "mbi_hss.depersonalisation": {tp: list(rng.integers(0, 20, 8).astype(float)) for tp, _ in TPS},
    }
    table["wemwbs.total"]["m6"][2] = None
    table["wemwbs.total"]["m18"][5] = None
    return long_scores(table, IDS)


@pytest.fixture(scope="module")
def other_timepoints():
    defn = definition(
        timepoints=TPS, sites=("north", "south"), comparisons=[["baseline", "m18"], ["m6", "m18"]],
        demographics=[{"column": "gender", "label": "Gender", "type": "categorical"},
                      {"column": "age", "label": "Age", "type": "continuous"}],
        suppress_below=3,
    )
    study = make_study(defn, participants=PEOPLE,
                       service_use=[{"participant_id": p, "timepoint": tp, "service": "gp", "used": float(i % 2),
                                     "count": 1.0} for i, p in enumerate(IDS) for tp in ("baseline", "m18")])
    return analyse(study, scores=_scores())


def test_baseline_m6_m18_study_analyses_every_key(other_timepoints):
    res = other_timepoints
    change = res["change"]
    assert sorted(set(zip(change["from"], change["to"], strict=False))) == [("baseline", "m18"), ("m6", "m18")]
    w = change[change["outcome"] == "wemwbs.total"].set_index("from")
    assert (w.loc["baseline", "n"], w.loc["m6", "n"]) == (7, 6)
    assert set(res["models"]["term"]) == {"m6", "m18"} and set(res["models"]["reference"]) == {"baseline"}
    assert set(res["descriptives"]["timepoint"]) == {"baseline", "m6", "m18"}
    assert set(zip(res["reliable_change"]["from"], res["reliable_change"]["to"], strict=False)) == {("baseline", "m18"), ("m6", "m18")}
    assert set(res["attrition"]["baseline_scores"]["follow_up"]) == {"m6", "m18"}
    assert list(res["workforce"]["site"]) == ["all", "north", "south"]
    assert set(res["service_use"]["timepoint"]) == {"baseline", "m18", "total"}
    doc = res.to_json_dict()
    assert doc["metadata"]["comparisons"] == [["baseline", "m18"], ["m6", "m18"]]
    assert [t["id"] for t in doc["metadata"]["timepoints"]] == ["baseline", "m6", "m18"]
    assert doc["metadata"]["settings"] == {"missing_items_allowed": 1, "effect_size_sd": "paired_baseline",
                                           "change_direction": "later_minus_earlier", "suppress_below": 3}


def test_json_has_no_nan_and_nulls_for_missing(other_timepoints, tmp_path):
    path = write_results_json(other_timepoints, tmp_path / "results.json")
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    wemwbs = next(r for r in doc["descriptives"] if r["outcome"] == "wemwbs.total")
    assert wemwbs["norm_mean"] == 51.6 and wemwbs["norm_n"] is None
    dp = next(r for r in doc["descriptives"] if r["outcome"] == "mbi_hss.depersonalisation")
    assert dp["norm_mean"] is None and dp["std_diff"] is None
    assert isinstance(doc["change"][0]["n"], int) and isinstance(doc["models"][0]["singular"], bool)


@pytest.fixture(scope="module")
def demo_results(demo_study):
    return analyse(demo_study)


def _check_fields(doc: dict, allow_empty: set[str]) -> None:
    assert set(doc) == set(TOP_LEVEL) | set(TABLES)
    assert set(doc["metadata"]) == {f.name for f in METADATA}
    for key, spec in TABLES.items():
        subs = spec.items() if isinstance(spec, dict) else [(None, spec)]
        for sub, s in subs:
            rows = doc[key][sub] if sub else doc[key]
            assert rows or s.key in allow_empty, f"{s.key} is empty in the test document"
            assert [list(r) for r in rows] == [s.columns] * len(rows), s.key


def test_every_documented_field_is_in_the_demo_document_and_vice_versa(demo_results):
    _check_fields(demo_results.to_json_dict(), allow_empty=set())


def test_fields_of_a_study_without_instrument_definitions(other_timepoints):
    _check_fields(other_timepoints.to_json_dict(), allow_empty={"reliability"})
    assert not [w for w in other_timepoints.warnings if w.startswith("reliability:")]  # empty, not failed


def test_docs_are_generated_from_the_schema():
    assert REPO_DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/results-schema.md is stale: regenerate it with "
        "python -c 'from peerimpact.quant.schema import render_markdown; print(render_markdown(), end=\"\")' "
        "> docs/results-schema.md"
    )


def test_documented_fields_appear_in_the_docs():
    text = REPO_DOCS.read_text(encoding="utf-8")
    for spec in TABLES.values():
        for s in spec.values() if isinstance(spec, dict) else [spec]:
            for field in s.fields:
                assert f"| `{field.name}` |" in text


def test_records_reject_undeclared_fields():
    frame = pd.DataFrame({"outcome": ["x"], "extra": [1]})
    with pytest.raises(ValueError) as err:
        records(frame, TABLES["reliability"])
    assert str(err.value).startswith("table 'reliability' has fields ['outcome', 'extra'], the schema declares")


def test_analysis_results_lookup(other_timepoints):
    assert isinstance(other_timepoints, AnalysisResults)
    assert other_timepoints["change"] is other_timepoints.tables["change"]
    assert set(other_timepoints.participant_level) == {"reliable_change"}


def test_lazy_top_level_analyse():
    assert peerimpact.analyse is analyse


def test_demo_wellbeing_falls_and_depersonalisation_rises(demo_results):
    res = demo_results
    change = res["change"].set_index(["outcome", "from", "to"])
    wb = change.loc[("wemwbs.total", "T1", "T2")]
    assert wb["mean_change"] < 0 and wb["ci_high"] < 0
    dp = change.loc[("mbi_hss.depersonalisation", "T1", "T2")]
    assert dp["mean_change"] > 0 and dp["effect_size"] > 0
    assert res.to_json_dict()["metadata"]["synthetic"] is True


def test_long_and_wide_scores_give_the_same_document(demo_study, demo_results):
    from peerimpact.scoring import score

    assert analyse(demo_study, scores=score(demo_study)).to_json_dict() == demo_results.to_json_dict()

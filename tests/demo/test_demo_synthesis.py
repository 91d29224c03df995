"""The demo's synthesis file: five propositions whose evidence exists in the demo."""

from __future__ import annotations

import pytest
import yaml

from demo_helpers import read_csv


@pytest.fixture(scope="module")
def propositions(files):
    return yaml.safe_load(files["synthesis.yaml"])["propositions"]


@pytest.fixture(scope="module")
def codebook(files):
    return yaml.safe_load(files["qual/codebook.yaml"])


def test_five_propositions_with_fit_judgements(propositions):
    assert [p["id"] for p in propositions] == ["P1", "P2", "P3", "P4", "P5"]
    assert all(p["fit"] in {"confirms", "expands", "discordant", "silent"} for p in propositions)
    assert all(p["statement"] and p["interpretation"] for p in propositions)


def test_quantitative_evidence_names_outcomes_and_comparisons_of_the_study(files, propositions):
    study = yaml.safe_load(files["study.yaml"])
    comparisons = [list(c) for c in study["comparisons"]]
    timepoints = [t["id"] for t in study["timepoints"]]
    responses = read_csv(files, "responses.csv")
    outcomes = {c for c in responses.columns if "." in c} | {
        "wemwbs.total", "mbi_hss.emotional_exhaustion", "mbi_hss.depersonalisation", "mbi_hss.personal_accomplishment"}
    for p in propositions:
        for q in p["quantitative"]:
            assert q["outcome"] in outcomes
            assert q.get("comparison") in comparisons or q.get("timepoint") in timepoints


def test_every_exemplar_exists_and_carries_a_code_of_its_proposition(files, propositions, codebook):
    codings = read_csv(files, "qual/codings.csv")
    codes_of = codings.groupby("segment_id").code.apply(set).to_dict()
    theme_codes = {t["id"]: set(t["codes"]) for t in codebook["themes"]}
    for p in propositions:
        allowed = set(p["qualitative"]["codes"]).union(*(theme_codes[t] for t in p["qualitative"]["themes"]))
        assert len(p["qualitative"]["exemplars"]) >= 1
        for seg in p["qualitative"]["exemplars"]:
            assert seg in codes_of, seg
            assert codes_of[seg] & allowed, (p["id"], seg)

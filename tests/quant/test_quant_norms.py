"""Norms: shipped defaults from docs/facts.md, study overrides, missing norms stay missing."""

from __future__ import annotations

import math

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.quant.descriptives import descriptives
from peerimpact.quant.norms import default_norms, norms_for
from quant_builders import definition, long_scores, make_study

# The seed study's Table 3 norm column, as transcribed in docs/facts.md section 1.
FACTS_NORMS = {
    "wemwbs.total": (51.6, 8.71),
    "mjs.personal": (3.7, 0.65),
    "mjs.workload": (3.1, 0.77),
    "mjs.professional_support": (3.6, 0.69),
    "mjs.training": (3.2, 0.92),
    "mjs.pay": (3.4, 0.66),
    "mjs.prospects": (3.4, 0.66),
    "mjs.overall": (3.44, 0.53),
    "itpps.leadership": (3.8, 0.77),
    "itpps.team_cohesion": (4.0, 0.73),
    "itpps.communication": (3.6, 0.69),
    "itpps.coordination": (3.9, 0.75),
    "itpps.conflict_management": (3.6, 0.66),
}


def test_shipped_norms_are_exactly_the_published_ones():
    table = default_norms().set_index("outcome")
    assert {o: (r.norm_mean, r.norm_sd) for o, r in table.iterrows()} == FACTS_NORMS
    assert table["norm_n"].isna().all()
    assert table["norm_source"].str.contains("Gillard et al. 2022").all()


@pytest.mark.parametrize("outcome", ["mbi_hss.emotional_exhaustion", "mjs.standards_of_care", "itpps.team_effectiveness"])
def test_unverified_norms_are_not_shipped(outcome):
    assert outcome not in set(default_norms()["outcome"])


def test_study_norms_add_override_and_remove():
    study_norms = {"norms": {
        "wemwbs.total": {"mean": 49.4, "sd": 8.96, "n": 4299, "source": "Scottish Health Survey 2018"},
        "mbi_hss.depersonalisation": {"mean": 6.0, "sd": 5.0, "source": "licensed manual"},
        "mjs.pay": None,
    }}
    table = norms_for(make_study(definition(), norms=study_norms)).set_index("outcome")
    assert tuple(table.loc["wemwbs.total", ["norm_mean", "norm_sd", "norm_n"]]) == (49.4, 8.96, 4299.0)
    assert table.loc["mbi_hss.depersonalisation", "norm_source"] == "licensed manual"
    assert math.isnan(table.loc["mbi_hss.depersonalisation", "norm_n"])
    assert "mjs.pay" not in table.index and "mjs.prospects" in table.index


def test_missing_norm_is_null_never_zero():
    ids = ["a", "b", "c"]
    scores = long_scores({"mbi_hss.depersonalisation": {"T1": [3, 5, 9]}, "wemwbs.total": {"T1": [40, 50, 60]}}, ids)
    defn = definition(timepoints=(("T1", 0),))
    table = descriptives(scores, defn, norms=norms_for(make_study(defn))).set_index("outcome")
    mbi = table.loc["mbi_hss.depersonalisation"]
    for field in ("norm_mean", "norm_sd", "norm_n", "norm_diff", "std_diff", "std_diff_ci_low", "std_diff_df"):
        assert math.isnan(mbi[field]), field
    assert mbi["norm_source"] is None and mbi["std_diff_method"] is None
    assert table.loc["wemwbs.total", "std_diff"] == (50 - 51.6) / 8.71


@pytest.mark.parametrize(
    "raw,problem",
    [
        ({"norms": {"x.y": {"mean": "high", "sd": 1}}}, "norms.yaml:norms.x.y.mean: mean must be a number"),
        ({"norms": {"x.y": {"mean": 1, "sd": 0}}}, "norms.yaml:norms.x.y.sd: sd must be a number greater than 0"),
        ({"norms": {"x.y": {"mean": 1, "sd": 1, "n": 1}}},
         "norms.yaml:norms.x.y.n: n must be an integer of at least 2, or left out when unknown"),
        ({"norms": {"x.y": {"mean": 1, "sd": 1, "size": 3}}},
         "norms.yaml:norms.x.y: unknown key(s) size; allowed: mean, sd, n, source"),
        ({"norms": {"x.y": 3}}, "norms.yaml:norms.x.y: must be a mapping with mean, sd, n (optional) and source, or null to remove a default"),
        ({"means": {}}, "norms.yaml:norms: must be a mapping `norms: {<outcome id>: {mean, sd, n, source}}`"),
    ],
    ids=["mean-text", "sd-zero", "n-one", "unknown-key", "not-mapping", "no-norms-key"],
)
def test_bad_study_norms(raw, problem):
    with pytest.raises(StudyValidationError) as err:
        norms_for(make_study(definition(), norms=raw))
    assert [str(p) for p in err.value.problems] == [problem]


def test_problem_names_the_yaml_line(tmp_path):
    (tmp_path / "norms.yaml").write_text("norms:\n  x.y:\n    mean: 1\n    sd: -2\n", encoding="utf-8")
    import dataclasses

    from peerimpact.study.model import StudySource

    study = dataclasses.replace(make_study(definition(), norms={"norms": {"x.y": {"mean": 1, "sd": -2}}}),
                                source=StudySource(tmp_path, "folder"))
    with pytest.raises(StudyValidationError) as err:
        norms_for(study)
    assert [str(p) for p in err.value.problems] == ["norms.yaml:4:norms.x.y.sd: sd must be a number greater than 0"]

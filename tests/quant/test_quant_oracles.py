"""The quantitative analysis against R: paired change, descriptives and mixed models.

(a) R run now on the committed inputs reproduces the committed golden JSON
    (1e-12 relative), so CI fails if R's answer changes;
(b) Python matches the golden: t, p, CI and the other test statistics to
    1e-9 relative, mixed-model estimates and SEs to 1e-4.
The generated inputs are also checked to be reproducible from
``quant_oracle_data``. Regenerate with ``tests/quant/quant_regenerate.py``.
"""

from __future__ import annotations

import json
import math

import pytest

from peerimpact.quant.change import paired_change
from quant_oracle_data import DATASETS, DEMO_INPUTS, GOLDEN, INPUTS, all_inputs, csv_text, demo_inputs
from quant_oracle_python import attrition_scores, change, close, dataset, describe, models, one, reliable
from quant_regenerate import SCRIPTS, golden_name, run_r

TIGHT = 1e-9
MODEL = 1e-4


SUITES = {"generated": INPUTS, "demo": DEMO_INPUTS}


def golden(script: str, suite: str = "generated") -> dict:
    return json.loads((GOLDEN / f"{golden_name(script, suite == 'demo')}.json").read_text(encoding="utf-8"))


def _rows(script: str, key: str) -> list:
    return [pytest.param(r, SUITES[suite], id=_id(r)) for suite in SUITES for r in golden(script, suite)[key]]


def _id(r: dict) -> str:
    return "-".join(str(r[k]) for k in ("dataset", "outcome", "from", "to", "timepoint", "follow_up", "group") if k in r)


CHANGE_ROWS = _rows("quant_change", "rows")
DESC_ROWS = _rows("quant_descriptives", "descriptives")
ATT_ROWS = _rows("quant_descriptives", "attrition")
LMER_FITS = [(fit, SUITES[suite]) for suite in SUITES for fit in golden("quant_lmer", suite)["fits"]]


# ---------------------------------------------------------------- inputs and R regeneration
@pytest.mark.parametrize("name", sorted(all_inputs()))
def test_generator_reproduces_committed_inputs(name):
    assert csv_text(all_inputs()[name]) == (INPUTS / name).read_text(encoding="utf-8")


def test_committed_demo_inputs_are_current(demo_study):
    """The demo oracle ran on the current demo and scoring; if this fails, the demo or scoring changed:
    regenerate deliberately with tests/quant/quant_regenerate.py and review the golden diff."""
    from peerimpact.scoring import score
    from peerimpact.scoring.reliability import reliability

    scores = score(demo_study)
    tables = demo_inputs(demo_study, scores, reliability(demo_study, scores))
    assert {n: csv_text(t) for n, t in tables.items()} == {
        n: (DEMO_INPUTS / n).read_text(encoding="utf-8") for n in tables
    }


def _same(a, b, path="") -> list[str]:
    """Differences between two JSON values, numbers compared at 1e-12 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a if k not in ("r_version", "lme4_version", "lmerTest_version") for d in _same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=False)) for d in _same(x, y, f"{path}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("script", SCRIPTS)
def test_r_reproduces_golden(rscript, tmp_path, script, suite):
    out = run_r(script, SUITES[suite], tmp_path / f"{script}.json", rscript)
    assert _same(json.loads(out.read_text(encoding="utf-8")), golden(script, suite)) == []


# ---------------------------------------------------------------- paired change (Table 4)
CHANGE_FIELDS = ("n", "mean_from", "mean_to", "sd_from", "sd_to", "mean_change", "sd_change",
                 "t", "df", "p", "ci_low", "ci_high", "p_holm", "wilcoxon_v", "wilcoxon_p")
R_METHOD = {"Wilcoxon signed rank exact test": "exact",
            "Wilcoxon signed rank test with continuity correction": "normal_cc", None: None}


@pytest.mark.parametrize("r,folder", CHANGE_ROWS)
def test_change_matches_r(r, folder):
    py = one(change(r["dataset"], folder=folder), outcome=r["outcome"], **{"from": r["from"], "to": r["to"]})
    bad = {f: (py[f], r[f]) for f in CHANGE_FIELDS if not close(float(py[f]), r[f], TIGHT)}
    assert bad == {}
    assert py["wilcoxon_method"] == R_METHOD[r["wilcoxon_method"]]
    assert close(py["effect_size"], r["effect_size_paired"], TIGHT)
    assert py["effect_size_method"] == "paired_baseline"


@pytest.mark.parametrize("r,folder", CHANGE_ROWS)
def test_all_baseline_effect_size_matches_r(r, folder):
    py = one(change(r["dataset"], "all_baseline", folder), outcome=r["outcome"], **{"from": r["from"], "to": r["to"]})
    assert close(py["effect_size"], r["effect_size_all"], TIGHT)
    assert close(py["effect_size_sd"], r["sd_all_from"], TIGHT)
    assert py["effect_size_method"] == "all_baseline"


@pytest.mark.parametrize("r,folder", CHANGE_ROWS)
def test_d_z_and_partial_eta_squared_match_r(r, folder):
    """d_z against R's mean(d) / sd(d); eta squared against the sums of squares of R's repeated-measures aov."""
    py = one(change(r["dataset"], folder=folder), outcome=r["outcome"], **{"from": r["from"], "to": r["to"]})
    assert close(py["d_z"], r["d_z"], TIGHT)
    assert close(py["eta2_partial"], r["eta2_partial"], TIGHT)


def test_oracle_has_defined_and_undefined_eta_squared():
    etas = [p.values[0]["eta2_partial"] for p in CHANGE_ROWS]
    assert None in etas and sum(e is not None for e in etas) >= 30


@pytest.mark.parametrize("r,folder", CHANGE_ROWS)
def test_earlier_minus_later_reverses_every_signed_field_against_r(r, folder):
    """With change_direction: earlier_minus_later, R's numbers with their sign reversed (R's V becomes n(n+1)/2 - V)."""
    defn, scores, _ = dataset(r["dataset"], folder)
    flipped = paired_change(scores, defn.model_copy(update={"change_direction": "earlier_minus_later"}))
    py = one(flipped, outcome=r["outcome"], **{"from": r["from"], "to": r["to"]})
    neg = lambda v: None if v is None else -v  # noqa: E731
    assert close(py["mean_change"], neg(r["mean_change"]), TIGHT) and close(py["t"], neg(r["t"]), TIGHT)
    assert close(py["ci_low"], neg(r["ci_high"]), TIGHT) and close(py["ci_high"], neg(r["ci_low"]), TIGHT)
    assert close(py["effect_size"], neg(r["effect_size_paired"]), TIGHT) and close(py["d_z"], neg(r["d_z"]), TIGHT)
    for same in ("p", "p_holm", "wilcoxon_p", "eta2_partial", "sd_change", "mean_from", "mean_to"):
        assert close(py[same], r[same], TIGHT), same
    assert py["change_direction"] == "earlier_minus_later"


RC_ROWS = [p for p in CHANGE_ROWS if p.values[0]["reliable_change"] is not None]


@pytest.mark.parametrize("r,folder", RC_ROWS)
def test_reliable_change_matches_r(r, folder):
    py = one(reliable(r["dataset"], folder), outcome=r["outcome"], criterion="jacobson_truax",
             **{"from": r["from"], "to": r["to"]})
    rc = r["reliable_change"]
    assert close(py["s_diff"], rc["s_diff"], TIGHT) and close(py["sd_from"], rc["sd_from"], TIGHT)
    assert (py["improved"], py["no_change"], py["deteriorated"]) == (rc["improved"], rc["no_change"], rc["deteriorated"])


def test_oracle_exercises_every_wilcoxon_branch():
    rows = [p.values[0] for p in CHANGE_ROWS]
    methods = {(r["wilcoxon_method"], r["wilcoxon_p"] is None) for r in rows}
    assert ("Wilcoxon signed rank exact test", False) in methods
    assert ("Wilcoxon signed rank test with continuity correction", False) in methods
    assert ("Wilcoxon signed rank test with continuity correction", True) in methods  # all zero
    assert any(r["n"] >= 50 for r in rows) and any(r["t"] is None for r in rows)


# ---------------------------------------------------------------- descriptives (Table 3) and attrition
DESC_FIELDS = {"n": "n", "mean": "mean", "sd": "sd", "min": "min", "max": "max",
               "std_diff_ci_low": "std_diff_ci_low", "std_diff_ci_high": "std_diff_ci_high",
               "std_diff_df": "diff_df", "std_diff": "std_diff"}


@pytest.mark.parametrize("r,folder", DESC_ROWS)
def test_descriptives_match_r(r, folder):
    py = one(describe(r["dataset"], folder), outcome=r["outcome"], timepoint=r["timepoint"])
    bad = {f: (py[f], r.get(g)) for f, g in DESC_FIELDS.items() if not close(float(py[f]), r.get(g), TIGHT)}
    assert bad == {}
    assert py["std_diff_method"] == r["method"]


@pytest.mark.parametrize("r,folder", ATT_ROWS)
def test_attrition_baseline_scores_match_r(r, folder):
    py = one(attrition_scores(r["dataset"], folder), outcome=r["outcome"], follow_up=r["follow_up"], group=r["group"])
    assert [close(float(py[f]), r[f], TIGHT) for f in ("n", "mean", "sd")] == [True] * 3


# ---------------------------------------------------------------- mixed models
# Satterthwaite df and p against lmerTest, relative. lmerTest differentiates numerically with steps
# relative to theta; where the participant SD is small next to the residual SD (theta < 0.05) the
# deviance is nearly flat in theta and its df carry an error of about 2e-4 (ours agree with 50-digit
# arithmetic to 2e-7 there: test_quant_models.py), hence the looser bound for those fits.
SATTERTHWAITE = {  # (engine, theta < 0.05): tolerance; achieved in brackets
    ("profiled_reml", False): 1e-5,  # (1e-7 df, 3e-7 p)
    ("profiled_reml", True): 1e-3,  # (2.4e-4 df, 2.2e-6 p)
    ("statsmodels", False): 1e-3,  # (1.7e-5 df, 1.1e-4 p): its optimiser stops short of the REML optimum
}
MODEL_CASES = [
    pytest.param(fit, term, engine, folder, id=f"{engine}-{fit['dataset']}-{fit['outcome']}-{term['term']}")
    for fit, folder in LMER_FITS if "terms" in fit for term in fit["terms"][1:]
    for engine in ("profiled_reml", "statsmodels")
    # statsmodels' optimiser stops short of the boundary in singular and near-singular fits
    # (theta < 0.1; documented in mixed_models); the default engine is held to 1e-4 there too.
    if not (engine == "statsmodels" and (fit["singular"] or fit["theta"] < 0.1))
]


@pytest.mark.parametrize("fit,term,engine,folder", MODEL_CASES)
def test_models_match_lme4(fit, term, engine, folder):
    table, _ = models(fit["dataset"], engine, folder)
    py = one(table, outcome=fit["outcome"], term=term["term"])
    assert close(py["estimate"], term["estimate"], MODEL, 1e-6), (py["estimate"], term["estimate"])
    assert close(py["se"], term["se"], MODEL, 1e-6), (py["se"], term["se"])
    assert close(py["sd_residual"], fit["sigma"], MODEL, 1e-6)
    assert close(py["sd_participant"], fit["sd_participant"], MODEL, 1e-3 * fit["sigma"])
    assert (py["n_obs"], py["n_participants"], bool(py["singular"])) == (fit["n_obs"], fit["n_groups"], fit["singular"])
    assert py["reference"] == fit["levels"][0]
    # Satterthwaite df and the t test's p, as lmerTest (numerical derivatives on both sides)
    tol = SATTERTHWAITE[(engine, fit["theta"] < 0.05)]
    assert close(py["df"], term["df"], tol), (py["df"], term["df"])
    assert close(py["p"], term["p"], tol, 1e-300), (py["p"], term["p"])


FITTED = [pytest.param(f, folder, id=f"{f['dataset']}-{f['outcome']}") for f, folder in LMER_FITS if "terms" in f]


@pytest.mark.parametrize("fit,folder", FITTED)
def test_models_have_exactly_lme4_terms(fit, folder):
    table, _ = models(fit["dataset"], "profiled_reml", folder)
    assert sorted(table.loc[table["outcome"] == fit["outcome"], "term"]) == sorted(t["term"] for t in fit["terms"][1:])


def test_singular_fits_are_warned_like_lme4():
    singular = [(f, folder) for f, folder in LMER_FITS if f.get("singular")]
    assert singular, "the oracle data should contain a singular fit"
    for fit, folder in singular:
        _, messages = models(fit["dataset"], "profiled_reml", folder)
        assert any(m.startswith(f"model {fit['outcome']}: boundary (singular) fit") for m in messages)
        assert any("boundary (singular) fit" in n for n in fit["notes"])


def test_dropped_empty_timepoint_is_warned():
    ds = next(d for d in DATASETS if d.empty)
    outcome, (tp,) = next(iter(ds.empty.items()))
    _, messages = models(ds.name, "profiled_reml")
    assert f"model {outcome}: no scores at {tp!r}; that timepoint is left out" in messages

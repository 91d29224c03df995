"""Agreement against R (tests/oracle/qual_agreement.R) and the PyPI krippendorff package.

(a) R run now on the committed inputs reproduces the committed golden JSON
    (numbers at 1e-12 relative), so CI notices when R's answer changes;
(b) Python matches the golden: counts exactly, percent agreement, kappa and
    alpha at 1e-12 relative;
(c) alpha per code also matches the krippendorff package on the demo study.

Regenerate deliberately with ``.venv/bin/python tests/qual/qual_regenerate.py``.
"""

from __future__ import annotations

import json
import math

import krippendorff
import numpy as np
import pytest

from peerimpact.qual import agreement, qual_data
from qual_regenerate import DATASETS, GOLDEN, agreement_inputs, run_r

REL = 1e-12
KEYS = ("coder_a", "coder_b", "level", "scope", "code", "interview_id")


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"qual_agreement_{name}.json").read_text(encoding="utf-8"))


def same(a, b, path="") -> list[str]:
    """Differences between two JSON values (numbers at 1e-12 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in same(x, y, f"{path}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=REL, abs_tol=1e-15) else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def compare_python(result, gold: dict) -> list[str]:
    problems = []
    ours = {tuple(r[k] for k in KEYS): r for r in result.to_json_dict()["pairs"]}
    theirs = {tuple(r.get(k) for k in KEYS): r for r in gold["pairs"]}
    if set(ours) != set(theirs):
        return [f"pair rows differ: {sorted(map(str, set(ours) ^ set(theirs)))[:5]}"]
    for key, r in theirs.items():
        o = ours[key]
        for col in ("n_units", "n_both", "n_a_only", "n_b_only", "n_neither"):
            if o[col] != r[col]:
                problems.append(f"{key} {col}: {o[col]} != {r[col]}")
        for col in ("percent_agreement", "kappa"):
            if (o[col] is None) != (r[col] is None) or (o[col] is not None and not math.isclose(o[col], r[col], rel_tol=REL, abs_tol=1e-15)):
                problems.append(f"{key} {col}: {o[col]} != {r[col]}")
    ours_a = {(r["level"], r["scope"], r["code"]): r for r in result.to_json_dict()["alpha"]}
    theirs_a = {(r["level"], r["scope"], r.get("code")): r for r in gold["alpha"]}
    if set(ours_a) != set(theirs_a):
        return problems + [f"alpha rows differ: {sorted(map(str, set(ours_a) ^ set(theirs_a)))[:5]}"]
    for key, r in theirs_a.items():
        o = ours_a[key]
        if o["n_units"] != r["n_units"]:
            problems.append(f"alpha {key} n_units: {o['n_units']} != {r['n_units']}")
        if (o["alpha"] is None) != (r["alpha"] is None) or (o["alpha"] is not None and not math.isclose(o["alpha"], r["alpha"], rel_tol=REL, abs_tol=1e-15)):
            problems.append(f"alpha {key}: {o['alpha']} != {r['alpha']}")
    return problems


@pytest.mark.oracle
def test_r_reproduces_golden_mini(rscript, tmp_path):
    out = run_r("mini", tmp_path / "mini.json", rscript)
    assert same(json.loads(out.read_text(encoding="utf-8")), golden("mini")) == []


@pytest.mark.oracle
@pytest.mark.slow
def test_r_reproduces_golden_demo(rscript, tmp_path):
    out = run_r("demo", tmp_path / "demo.json", rscript)
    assert same(json.loads(out.read_text(encoding="utf-8")), golden("demo")) == []


def test_python_matches_golden_mini(mini_study):
    assert compare_python(agreement(mini_study), golden("mini")) == []


def test_demo_inputs_are_current(demo_study):
    codings, lengths = agreement_inputs(demo_study)
    for rows, path in zip((codings, lengths), DATASETS["demo"]):
        text = path.read_text(encoding="utf-8").splitlines()
        assert [",".join(map(str, r)) for r in rows] == text, f"{path.name} is stale: run tests/qual/qual_regenerate.py"


def test_python_matches_golden_demo(demo_study):
    assert compare_python(agreement(demo_study), golden("demo")) == []


def test_demo_alpha_matches_krippendorff_package(demo_study):
    result = agreement(demo_study, levels=("character",))
    current = qual_data(demo_study).current
    coders = sorted(set(current["coder"]))
    coded_by = current.groupby("interview_id")["coder"].agg(set)
    multi = sorted(i for i, cs in coded_by.items() if len(cs) >= 2)
    checked = 0
    for rec in result.alpha[result.alpha["scope"] == "code"].to_dict("records"):
        blocks = []
        for iid in multi:
            n = len(demo_study.transcripts[iid].text)
            block = np.full((len(coders), n), np.nan)
            for k, coder in enumerate(coders):
                if coder in coded_by[iid]:
                    block[k] = 0
                    sub = current[(current["interview_id"] == iid) & (current["coder"] == coder) & (current["code"] == rec["code"])]
                    for s, e in zip(sub["start"], sub["end"]):
                        block[k, s:e] = 1
            blocks.append(block)
        expected = krippendorff.alpha(reliability_data=np.concatenate(blocks, axis=1), level_of_measurement="nominal", value_domain=[0.0, 1.0])
        assert rec["alpha"] == pytest.approx(expected, rel=1e-9), rec["code"]
        checked += 1
    assert checked == 18

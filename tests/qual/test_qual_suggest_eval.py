"""The leave-one-interview-out evaluation: its kappa is the agreement module's kappa, and it can fail."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import UserInputError
from peerimpact.qual import agreement
from peerimpact.qual.suggest import suggest_eval
from peerimpact.qual.suggest.evaluate import EVAL_COLUMNS
from suggest_helpers import demo_slice


@pytest.fixture(scope="module")
def small(demo_study):
    # 20 transcripts: at least one of them double-coded by coder_b, every code with enough segments.
    return demo_slice(demo_study, 20)


@pytest.fixture(scope="module")
def result(small):
    return suggest_eval(small)


def test_table_shape(result, small):
    table = result.table
    assert list(table.columns) == EVAL_COLUMNS
    assert result.reference_coder == "coder_a" and result.second_coder == "coder_b"
    assert table["scope"].tolist()[-1] == "all"
    ref = small.codings[small.codings["coder"] == "coder_a"]
    assert (table["n_interviews"] == ref["interview_id"].nunique()).all()
    # Each row's 2x2 table covers every character of the held-out transcripts.
    total = sum(len(small.transcripts[i].text) for i in set(ref["interview_id"]))
    per_code = table[table["scope"] == "code"]
    assert (per_code[["n_both", "n_suggested_only", "n_human_only", "n_neither"]].sum(axis=1) == total).all()


def _mask(length: int, spans) -> np.ndarray:
    m = np.zeros(length, dtype=bool)
    for s, e in spans:
        m[int(s):int(e)] = True
    return m


def test_counts_by_character_masks(result, small):
    """An independent route: boolean masks over every character, against the table's counts."""
    ref = small.codings[small.codings["coder"] == "coder_a"]
    found = result.suggestions
    for rec in result.table[result.table["scope"] == "code"].itertuples():
        t = np.zeros(4, dtype=int)
        for iid in set(ref["interview_id"]):
            n = len(small.transcripts[iid].text)
            s = _mask(n, found.loc[(found["interview_id"] == iid) & (found["code"] == rec.code), ["start", "end"]].values)
            h = _mask(n, ref.loc[(ref["interview_id"] == iid) & (ref["code"] == rec.code), ["start", "end"]].values)
            t += [(s & h).sum(), (s & ~h).sum(), (~s & h).sum(), (~s & ~h).sum()]
        assert [rec.n_both, rec.n_suggested_only, rec.n_human_only, rec.n_neither] == t.tolist(), rec.code
        if t[0] + t[1]:
            assert rec.precision == pytest.approx(t[0] / (t[0] + t[1]), rel=1e-12)
        assert rec.recall == pytest.approx(t[0] / (t[0] + t[2]), rel=1e-12)


def test_kappa_equals_the_agreement_module(result, small):
    """Enter the held-out suggestions as a coder: qual.agreement gives the same kappa, per code and pooled."""
    found = result.suggestions
    assert set(found["interview_id"]) == set(small.codings.loc[small.codings["coder"] == "coder_a", "interview_id"])
    model_rows = pd.DataFrame({
        "segment_id": [f"sug{i:05d}" for i in range(len(found))],
        "interview_id": found["interview_id"], "start": found["start"].astype(float), "end": found["end"].astype(float),
        "code": found["code"], "coder": "model",
    })
    human = small.codings.loc[small.codings["coder"] == "coder_a", ["segment_id", "interview_id", "start", "end", "code", "coder"]]
    both = dataclasses.replace(small, codings=pd.concat([human, model_rows], ignore_index=True))
    pairs = agreement(both, coders=["coder_a", "model"], levels=("character",)).pairs
    by_code = pairs[pairs["scope"] == "code"].set_index("code")["kappa"]
    table = result.table.set_index("code")
    for code, kappa in by_code.items():
        assert table.at[code, "kappa"] == kappa, code
    assert result.table.iloc[-1]["kappa"] == pairs.loc[pairs["scope"] == "all", "kappa"].item()


def test_ceiling_is_the_human_agreement(result, small):
    pairs = agreement(small, coders=["coder_a", "coder_b"], levels=("character",)).pairs
    assert result.table.iloc[-1]["human_kappa"] == pairs.loc[pairs["scope"] == "all", "kappa"].item()


def test_suggestions_agree_with_the_coder(result):
    pooled = result.table.iloc[-1]
    assert pooled["kappa"] > 0.6
    assert pooled["precision"] > 0.6 and pooled["recall"] > 0.6


def test_shuffled_labels_score_near_zero(small, result):
    """The negative control: the same evaluation of a model trained on shuffled codes fails."""
    control = suggest_eval(small, permute_seed=0)
    assert control.permuted
    pooled = control.table.iloc[-1]
    assert abs(pooled["kappa"]) < 0.15
    assert pooled["kappa"] < result.table.iloc[-1]["kappa"] - 0.5


def test_unknown_coder(small):
    with pytest.raises(UserInputError, match="unknown coder 'nobody'; coders: coder_a, coder_b"):
        suggest_eval(small, coder="nobody")


def test_one_coder_has_no_ceiling(small):
    only_a = dataclasses.replace(small, codings=small.codings[small.codings["coder"] == "coder_a"].reset_index(drop=True))
    res = suggest_eval(only_a)
    assert res.second_coder is None
    assert res.table["human_kappa"].map(math.isnan).all()
    assert "only one coder: no human-vs-human kappa (ceiling)" in res.warnings

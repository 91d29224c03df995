"""Agreement on small hand-worked studies, including one where QualCoder's kappa formula differs."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from peerimpact.errors import UserInputError
from peerimpact.qual import agreement
from peerimpact.qual.agreement import depth_lengths, merge_intervals, overlap
from qual_helpers import tiny_study

T1, T2 = "S1-PW01-T1", "S1-PW01-T2"


def row(result, level="character", scope="code", code="c", interview=None, pair=("a", "b")):
    p = result.pairs
    mask = (p["level"] == level) & (p["scope"] == scope) & (p["coder_a"] == pair[0]) & (p["coder_b"] == pair[1])
    mask &= p["code"].isna() if code is None else p["code"] == code
    mask &= p["interview_id"].isna() if interview is None else p["interview_id"] == interview
    found = p[mask]
    assert len(found) == 1, found
    return found.iloc[0]


def test_half_overlap_where_qualcoder_differs():
    # 20 characters; coder a codes [0, 10), coder b codes [5, 15).
    # Every character is a unit: both 5, a only 5, b only 5, neither 5 -> po = 0.5,
    # pe = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = 0.
    # QualCoder (report_compare_coder_file.py) divides by the characters coded by
    # either coder, U = 10 + 10 - 5 = 15, and multiplies its chance terms:
    # Po = 5/15, Pyes = (10/15)^2 = 4/9, Pno = (5/15)^2 = 1/9, Pe = Pyes*Pno = 4/81,
    # kappa = (1/3 - 4/81) / (1 - 4/81) = 23/77 = 0.2987...
    study = tiny_study({T1: "x" * 20}, [("s1", T1, 0, 10, "c", "a"), ("s2", T1, 5, 15, "c", "b")])
    r = row(agreement(study, levels=("character",)))
    assert (r["n_units"], r["n_both"], r["n_a_only"], r["n_b_only"], r["n_neither"]) == (20, 5, 5, 5, 5)
    assert r["percent_agreement"] == 50.0
    assert r["kappa"] == 0.0
    assert not math.isclose(r["kappa"], 23 / 77)


def test_a_coders_overlapping_spans_count_once():
    # a: [0, 10) and [5, 12) -> union [0, 12); b: [0, 12) -> identical coverage, kappa 1.
    # (Summing span lengths, as QualCoder does, would count 17 characters for a.)
    study = tiny_study({T1: "y" * 30}, [("s1", T1, 0, 10, "c", "a"), ("s2", T1, 5, 12, "c", "a"), ("s3", T1, 0, 12, "c", "b")])
    r = row(agreement(study, levels=("character",)))
    assert (r["n_both"], r["n_a_only"], r["n_b_only"], r["n_neither"]) == (12, 0, 0, 18)
    assert r["kappa"] == 1.0


def test_pooled_sums_tables_over_shared_transcripts_only():
    rows = [
        ("s1", T1, 0, 4, "c", "a"), ("s1", T1, 0, 4, "c", "b"),  # T1: 10 chars, agree on 4
        ("s2", T2, 0, 6, "c", "a"), ("s3", T2, 6, 8, "c", "b"),  # T2: 10 chars, disagree
        ("s4", "S1-PW02-T1", 0, 5, "c", "a"),  # coded by a only: left out of the pair
    ]
    study = tiny_study({T1: "a" * 10, T2: "b" * 10, "S1-PW02-T1": "c" * 10}, rows)
    res = agreement(study, levels=("character",))
    t1 = row(res, scope="code_interview", interview=T1)
    t2 = row(res, scope="code_interview", interview=T2)
    pooled = row(res)
    assert (t1["n_both"], t1["n_neither"]) == (4, 6) and t1["kappa"] == 1.0
    assert (t2["n_both"], t2["n_a_only"], t2["n_b_only"], t2["n_neither"]) == (0, 6, 2, 2)
    # pooled: both 4, a only 6, b only 2, neither 8 over 20 units
    assert (pooled["n_units"], pooled["n_both"], pooled["n_a_only"], pooled["n_b_only"], pooled["n_neither"]) == (20, 4, 6, 2, 8)
    # kappa = 2(ad - bc) / ((a+b)(b+d) + (a+c)(c+d)) = 2(32 - 12) / (10*14 + 6*10) = 40/200
    assert pooled["kappa"] == pytest.approx(0.2, rel=1e-15)
    assert "S1-PW02-T1" not in set(res.pairs["interview_id"].dropna())


def test_segment_level_uses_shared_segments():
    rows = [
        ("s1", T1, 0, 4, "c", "a"), ("s1", T1, 0, 4, "c", "b"),
        ("s2", T1, 5, 9, "c", "a"), ("s2", T1, 5, 9, "d", "b"),
        ("s3", T1, 10, 12, "d", "a"), ("s3", T1, 10, 12, "d", "b"),
    ]
    res = agreement(tiny_study({T1: "z" * 12}, rows), levels=("segment",))
    c = row(res, level="segment", code="c")
    d = row(res, level="segment", code="d")
    assert (c["n_both"], c["n_a_only"], c["n_b_only"], c["n_neither"]) == (1, 1, 0, 1)
    assert (d["n_both"], d["n_a_only"], d["n_b_only"], d["n_neither"]) == (1, 0, 1, 1)
    assert c["kappa"] == pytest.approx(0.4, rel=1e-15)  # 2(1*1 - 1*0) / ((2)(2) + (1)(1))
    assert res.warnings == []


def test_no_shared_segment_warns():
    rows = [("s1", T1, 0, 4, "c", "a"), ("s2", T1, 0, 4, "c", "b")]
    res = agreement(tiny_study({T1: "z" * 12}, rows), levels=("segment",))
    assert res.warnings == [
        "coders a and b share no segment: segment-level agreement compares their own segmentations and is not meaningful; use the character level"
    ]


def test_three_coders_alpha_with_a_missing_coder_matches_krippendorff():
    text = "w" * 12
    rows = [
        ("s1", T1, 0, 6, "c", "a"), ("s1", T1, 0, 6, "c", "b"), ("s2", T1, 2, 8, "c", "x"),
        ("s3", T2, 0, 3, "c", "a"), ("s4", T2, 1, 5, "c", "x"),  # b did not code T2: missing there
    ]
    res = agreement(tiny_study({T1: text, T2: text}, rows), levels=("character",))
    assert sorted(zip(res.pairs["coder_a"], res.pairs["coder_b"])) == sorted(
        [("a", "b")] * 3 + [("a", "x")] * 4 + [("b", "x")] * 3)
    alpha = res.alpha.set_index("scope").loc["code"]

    def cover(spans, n=12):
        v = np.zeros(n)
        for s, e in spans:
            v[s:e] = 1
        return v

    matrix = np.array([
        np.concatenate([cover([(0, 6)]), cover([(0, 3)])]),
        np.concatenate([cover([(0, 6)]), np.full(12, np.nan)]),
        np.concatenate([cover([(2, 8)]), cover([(1, 5)])]),
    ])
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert alpha["alpha"] == pytest.approx(expected, rel=1e-12)
    assert alpha["n_units"] == 24 and alpha["coders"] == "a;b;x"


def test_fewer_than_two_coders_warns():
    res = agreement(tiny_study({T1: "abc"}, [("s1", T1, 0, 2, "c", "a")]))
    assert res.pairs.empty and res.alpha.empty
    assert res.warnings == ["agreement needs at least two coders; found 1"]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"coders": ["a", "zed"]}, "unknown coder 'zed'; coders: a, b"),
     ({"levels": ("word",)}, "unknown agreement level 'word'; levels: character, segment"),
     ({"interviews": ["S9-PW09-T1"]}, "unknown interview 'S9-PW09-T1'")],
    ids=["coder", "level", "interview"],
)
def test_agreement_errors(kwargs, message):
    study = tiny_study({T1: "abcdef"}, [("s1", T1, 0, 2, "c", "a"), ("s1", T1, 0, 2, "c", "b")])
    with pytest.raises(UserInputError) as err:
        agreement(study, **kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "a, b, expected",
    [([(0, 5)], [(3, 8)], 2), ([(0, 2), (4, 6)], [(1, 5)], 2), ([(0, 10)], [], 0), ([(0, 3)], [(3, 6)], 0)],
    ids=["partial", "two-pieces", "empty", "touching"],
)
def test_overlap(a, b, expected):
    assert overlap(a, b) == expected


def test_merge_and_depth():
    assert merge_intervals([(3, 5), (0, 2), (2, 3), (7, 7)]) == [(0, 5)]
    assert depth_lengths([[(0, 5)], [(3, 8)]], 10) == {1: 6, 2: 2, 0: 2}

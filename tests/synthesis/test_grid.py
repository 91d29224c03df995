"""The synthesis grid: every cited number read from the results, coverage and quotes resolved."""

from __future__ import annotations

import math

import pytest

from peerimpact.synthesis import build_grid, load_synthesis
from synthesis_helpers import TEXT, sentence_span


@pytest.fixture(scope="module")
def grid(small_study, small_results):
    return build_grid(small_study, load_synthesis(small_study), small_results)


def _row(frame, **where):
    sel = frame
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, where
    return sel.iloc[0]


@pytest.mark.parametrize(
    "prop, k, field, source",
    [
        ("P1", 0, "mean_change", ("change", "T1", "T2")),
        ("P1", 0, "ci_low", ("change", "T1", "T2")),
        ("P1", 0, "ci_high", ("change", "T1", "T2")),
        ("P1", 0, "p", ("change", "T1", "T2")),
        ("P1", 0, "effect_size", ("change", "T1", "T2")),
        ("P1", 1, "n", ("descriptives", "T3")),
        ("P1", 1, "mean", ("descriptives", "T3")),
        ("P1", 1, "sd", ("descriptives", "T3")),
        ("P2", 0, "mean_change", ("change", "T1", "T3")),
        ("P2", 0, "effect_size", ("change", "T1", "T3")),
    ],
    ids=lambda v: str(v),
)
def test_every_cited_number_is_the_result_value(grid, small_results, prop, k, field, source):
    got = _row(grid.evidence, proposition_id=prop, evidence=k, field=field)["value"]
    if source[0] == "change":
        want = _row(small_results.change, outcome="wemwbs.total", **{"from": source[1], "to": source[2]})[field]
    else:
        want = _row(small_results.descriptives, outcome="wemwbs.total", timepoint=source[1])[field]
    assert got == float(want)  # exact: copied, never recomputed or rounded


def test_evidence_has_one_row_per_field_asked_for(grid):
    p1 = grid.evidence[grid.evidence["proposition_id"] == "P1"]
    assert list(p1["field"]) == ["mean_change", "ci_low", "ci_high", "p", "effect_size", "n", "mean", "sd"]
    p2 = grid.evidence[grid.evidence["proposition_id"] == "P2"]
    assert list(p2["field"]) == ["mean_change", "ci_low", "ci_high", "p", "effect_size"]  # defaults
    assert grid.warnings == ()


# hand-counted from synthesis_helpers: interviewed T1 = 01, 02, 04; T2 = 01, 03; T3 = 01, 06
@pytest.mark.parametrize(
    "prop, kind, gid, expected",
    [
        ("P1", "theme", "feeling_valued", [("T1", 3, 3, 3), ("T2", 2, 2, 2), ("T3", 0, 0, 2)]),
        ("P2", "code", "isolation", [("T1", 0, 0, 3), ("T2", 0, 0, 2), ("T3", 2, 2, 2)]),
    ],
    ids=["theme", "code"],
)
def test_coverage_counts_participants_per_timepoint(grid, prop, kind, gid, expected):
    row = next(r for r in grid.rows if r.proposition.id == prop)
    (q,) = row.qualitative
    assert (q.kind, q.id) == (kind, gid)
    got = [(r.timepoint, r.n_coded, r.n_segments, r.n_interviewed) for r in q.coverage.itertuples(index=False)]
    assert got == expected
    for r in q.coverage.itertuples(index=False):
        assert math.isclose(r.percent, 100 * r.n_coded / r.n_interviewed)


@pytest.mark.parametrize("prop, seg, interview, sentence", [("P1", "seg001", "S1-PW01-T1", 1), ("P2", "seg005", "S1-PW01-T3", 3)])
def test_exemplars_resolve_to_the_transcript_text(grid, prop, seg, interview, sentence):
    row = next(r for r in grid.rows if r.proposition.id == prop)
    (quote,) = row.exemplars
    s, e = sentence_span(TEXT, sentence)
    assert (quote.segment_id, quote.interview_id, quote.text) == (seg, interview, TEXT[s:e])


def test_missing_result_is_a_warning_not_a_number(small_study, small_results):
    import dataclasses

    syn = load_synthesis(small_study)
    empty = dataclasses.replace(small_results, change=small_results.change.iloc[0:0])
    grid = build_grid(small_study, syn, empty)
    assert grid.evidence[grid.evidence["statistic"] == "mean_change"]["value"].isna().all()
    assert grid.warnings == (
        "proposition P1: no result for wemwbs.total for T1 to T2",
        "proposition P2: no result for wemwbs.total for T1 to T3",
    )


def test_to_frame_lists_ids(grid):
    frame = grid.to_frame()
    assert list(frame["proposition_id"]) == ["P1", "P2"]
    assert frame.iloc[0]["exemplars"] == ["seg001"] and frame.iloc[1]["codes"] == ["isolation"]

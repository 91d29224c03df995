"""The statistics-by-themes joint display on the small study (expected values counted by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from peerimpact.synthesis import build_joint_display, load_synthesis
from peerimpact.synthesis.segments import coverage, pick_quotes, shorten


@pytest.fixture(scope="module")
def display(small_study, small_results):
    return build_joint_display(small_study, small_results, load_synthesis(small_study))


def test_rows_are_themes_and_columns_timepoints(display):
    assert display.themes == ("feeling_valued", "feeling_connected")
    assert display.timepoints == ("T1", "T2", "T3")
    assert set(display.cells) == {(t, tp) for t in display.themes for tp in display.timepoints}
    assert display.linked_outcomes == {"feeling_valued": ["wemwbs.total"], "feeling_connected": ["wemwbs.total"]}


@pytest.mark.parametrize(
    "theme, tp, n_coded, n_interviewed, quotes",
    [
        ("feeling_valued", "T1", 3, 3, ["seg001", "seg002"]),  # chosen exemplar first, then another participant
        ("feeling_valued", "T2", 2, 2, ["seg004", "seg007"]),  # two coders before one
        ("feeling_valued", "T3", 0, 2, []),
        ("feeling_connected", "T1", 0, 3, []),
        ("feeling_connected", "T3", 2, 2, ["seg005", "seg006"]),
    ],
    ids=lambda v: str(v),
)
def test_cell_counts_and_quotes(display, theme, tp, n_coded, n_interviewed, quotes):
    cell = display.cells[(theme, tp)]
    assert (cell.n_coded, cell.n_interviewed) == (n_coded, n_interviewed)
    assert math.isclose(cell.percent, 100 * n_coded / n_interviewed)
    assert [q.segment_id for q in cell.quotes] == quotes
    assert all(q.interview_id.endswith(f"-{tp}") for q in cell.quotes)


@pytest.mark.parametrize("tp, change_from", [("T1", None), ("T2", "T1"), ("T3", "T1")])
def test_outcome_cells_copy_the_results(display, small_results, tp, change_from):
    (o,) = display.cells[("feeling_valued", tp)].outcomes
    d = small_results.descriptives
    drow = d[(d["outcome"] == "wemwbs.total") & (d["timepoint"] == tp)].iloc[0]
    assert (o.outcome, o.n, o.mean, o.sd) == ("wemwbs.total", drow["n"], drow["mean"], drow["sd"])
    assert o.change_from == change_from
    if change_from is None:
        assert math.isnan(o.mean_change) and math.isnan(o.ci_low)
    else:
        c = small_results.change
        crow = c[(c["outcome"] == "wemwbs.total") & (c["from"] == change_from) & (c["to"] == tp)].iloc[0]
        assert (o.change_n, o.mean_change, o.ci_low, o.ci_high) == (crow["n"], crow["mean_change"], crow["ci_low"], crow["ci_high"])


def test_without_synthesis_cells_hold_only_the_qualitative_strand(small_study, small_results):
    display = build_joint_display(small_study, small_results, None, max_quotes=1)
    cell = display.cells[("feeling_valued", "T1")]
    assert cell.outcomes == () and [q.segment_id for q in cell.quotes] == ["seg001"]


def test_frames_are_tidy(display):
    frames = display.to_frames()
    assert list(frames["coverage"].columns) == ["theme", "timepoint", "n_coded", "n_interviewed", "percent"]
    assert len(frames["coverage"]) == 6 and len(frames["outcomes"]) == 6
    assert list(frames["quotes"]["rank"]) == [1, 2, 1, 2, 1, 2]


def test_coverage_with_nobody_interviewed_is_nan():
    seg = pd.DataFrame({"segment_id": ["s"], "participant_id": ["01"], "timepoint": ["T1"], "code": ["c"], "coder": ["A"]})
    interviewed = pd.DataFrame({"participant_id": ["01"], "timepoint": ["T1"]})
    cov = coverage(seg, interviewed, {"g": ("c",)}, ["T1", "T2"])
    assert list(cov["n_coded"]) == [1, 0] and cov["percent"].iloc[0] == 100.0 and math.isnan(cov["percent"].iloc[1])


def test_pick_quotes_prefers_agreement_then_new_voices():
    seg = pd.DataFrame(
        {
            "segment_id": ["a", "b", "b", "c"],
            "interview_id": ["X-T1", "X-T1", "X-T1", "Y-T1"],
            "participant_id": ["p1", "p1", "p1", "p2"],
            "timepoint": ["T1"] * 4,
            "start": [5, 0, 0, 9],
            "code": ["k"] * 4,
            "coder": ["A", "A", "B", "A"],
        }
    )
    # b was coded by both coders; then c, a participant not yet quoted, before a second quote from p1
    assert list(pick_quotes(seg, ("k",), "T1", limit=2)["segment_id"]) == ["b", "c"]
    assert list(pick_quotes(seg, ("k",), "T1", limit=3)["segment_id"]) == ["b", "c", "a"]
    assert list(pick_quotes(seg, ("k",), "T1", preferred=("a",), limit=2)["segment_id"]) == ["a", "c"]
    assert pick_quotes(seg, ("k",), "T2").empty


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short  text\nhere", 100, "short text here"),
        ("one two three four", 12, "one two …"),
        ("one, two three", 5, "one …"),
    ],
    ids=["collapse", "cut-at-word", "drop-trailing-comma"],
)
def test_shorten(text, limit, expected):
    assert shorten(text, limit) == expected

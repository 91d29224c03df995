"""write_study: a loaded study written back out loads to the same study, atomically."""

from __future__ import annotations

import pandas as pd
import pytest

import peerimpact
from peerimpact.study.write import format_cell, write_study


@pytest.mark.parametrize(
    "value, text",
    [(None, ""), (float("nan"), ""), (3.0, "3"), (3.25, "3.25"), (0.1 + 0.2, "0.30000000000000004"),
     (pd.Timestamp("2020-02-03"), "2020-02-03"), (pd.NaT, ""), ("S1", "S1")],
    ids=["none", "nan", "whole", "fraction", "shortest-repr", "date", "nat", "text"],
)
def test_format_cell(value, text):
    assert format_cell(value) == text


def _assert_same(a, b):
    assert a.definition == b.definition
    for name in ("participants", "responses", "service_use", "employment", "allocations", "contacts", "codings"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False, obj=name)
    assert {k: v.text for k, v in a.transcripts.items()} == {k: v.text for k, v in b.transcripts.items()}
    assert (a.codebook, a.memos, a.synthesis, a.norms) == (b.codebook, b.memos, b.synthesis, b.norms)


def test_round_trip_tiny(tiny_study, tmp_path):
    study = peerimpact.load_study(tiny_study)
    again = peerimpact.load_study(write_study(study, tmp_path / "copy"))
    _assert_same(study, again)


def test_round_trip_demo(demo_study, tmp_path):
    again = peerimpact.load_study(write_study(demo_study, tmp_path / "copy"))
    _assert_same(demo_study, again)


def test_refuses_non_empty_folder(tiny_study, tmp_path):
    study = peerimpact.load_study(tiny_study)
    with pytest.raises(peerimpact.UserInputError, match="exists and is not empty"):
        write_study(study, tiny_study)


def test_failure_leaves_nothing(tiny_study, tmp_path, monkeypatch):
    study = peerimpact.load_study(tiny_study)
    from peerimpact.study import write

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(write, "dump_yaml", boom)
    with pytest.raises(OSError):
        write_study(study, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]  # no out/, no temporary sibling

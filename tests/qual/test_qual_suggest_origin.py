"""Accepted suggestions are codings with ``origin: suggested`` and a model version; agreement can leave them out."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

import peerimpact
from peerimpact.errors import StudyValidationError
from peerimpact.qual import agreement, qual_data
from peerimpact.qual.suggest import training_set
from peerimpact.study.write import write_study
from suggest_helpers import demo_slice


@pytest.fixture(scope="module")
def small(demo_study):
    return demo_slice(demo_study, 12)


def _with_suggested(study, n: int = 3):
    """coder_b accepts suggestions: ``n`` copies of coder_a codings of another code, marked suggested."""
    a = study.codings[study.codings["coder"] == "coder_a"].iloc[:n]
    accepted = a.assign(segment_id=[f"sugg{i}" for i in range(n)], coder="coder_b", code="training",
                        origin="suggested", model_version="tfidf-logreg-0123456789abcdef")
    codings = pd.concat([study.codings.assign(origin="", model_version=""), accepted], ignore_index=True)
    return dataclasses.replace(study, codings=codings), accepted


def test_origin_defaults_to_human(small):
    frame = qual_data(small).codings
    assert (frame["origin"] == "human").all() and frame["model_version"].isna().all()
    with_s, accepted = _with_suggested(small)
    frame = qual_data(with_s).codings
    got = frame[frame["origin"] == "suggested"]
    assert got["segment_id"].tolist() == accepted["segment_id"].tolist()
    assert (got["model_version"] == "tfidf-logreg-0123456789abcdef").all()
    assert (frame.loc[frame["origin"] != "suggested", "origin"] == "human").all()


def test_training_ignores_accepted_suggestions(small):
    with_s, _ = _with_suggested(small)
    assert training_set(with_s).segments.equals(training_set(small).segments)


def test_agreement_includes_or_excludes_suggested(small):
    with_s, _ = _with_suggested(small)
    kappa = lambda r: r.pairs.loc[(r.pairs["scope"] == "all") & (r.pairs["level"] == "character"), "kappa"].item()  # noqa: E731
    without = kappa(agreement(small, levels=("character",)))
    included = kappa(agreement(with_s, levels=("character",)))
    excluded = kappa(agreement(with_s, levels=("character",), include_suggested=False))
    assert excluded == without
    assert included != without


def test_written_and_loaded_back(small, tmp_path):
    with_s, accepted = _with_suggested(small)
    # Memos and synthesis were dropped from the slice; write_study writes what the study has.
    out = write_study(with_s, tmp_path / "study")
    text = (out / "qual" / "codings.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header[:8] == ["segment_id", "interview_id", "start", "end", "code", "coder", "origin", "model_version"]
    again = qual_data(peerimpact.load_study(out)).codings
    assert again.loc[again["origin"] == "suggested", "segment_id"].tolist() == accepted["segment_id"].tolist()


@pytest.mark.parametrize(
    "cells, expected",
    [
        ({"origin": "robot", "model_version": ""}, "qual/codings.csv:2:origin: 'robot' is not one of: human, suggested"),
        ({"origin": "suggested", "model_version": ""},
         "qual/codings.csv:2:model_version: a suggested coding must name the model_version that suggested it"),
    ],
    ids=["unknown-origin", "suggested-without-model"],
)
def test_bad_origin_is_reported_with_row_and_column(demo_study_dir, tmp_path, cells, expected):
    folder = tmp_path / "study"
    shutil.copytree(demo_study_dir, folder)
    path = folder / "qual" / "codings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["origin"] = ""
    frame["model_version"] = ""
    for column, value in cells.items():
        frame.loc[0, column] = value
    frame.to_csv(path, index=False)
    with pytest.raises(StudyValidationError) as err:
        peerimpact.load_study(folder)
    assert [str(p) for p in err.value.problems] == [expected]


def test_methods_paragraph_counts_accepted_suggestions(small):
    from peerimpact.report.methods import qualitative_paragraph

    with_s, _ = _with_suggested(small)
    segments = qual_data(with_s).codings
    assert qualitative_paragraph(with_s, segments).endswith(
        f" 3 codings of {len(with_s.codings)} were code suggestions accepted by a coder (learned on this computer from the team's "
        "human codings; model tfidf-logreg-0123456789abcdef); agreement statistics include them."
    )
    none = dataclasses.replace(small, codings=small.codings.assign(origin="human"))
    assert qualitative_paragraph(none, qual_data(none).codings).endswith(" No coding came from a code suggestion.")
    # Without an origin column (a study that never used suggestions) the paragraph says nothing about them.
    assert "suggestion" not in qualitative_paragraph(small, qual_data(small).codings)

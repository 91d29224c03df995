"""Code suggestions on the synthetic demo study: what is learned, determinism, model version, reasons, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import UserInputError
from peerimpact.qual.suggest import MIN_SEGMENTS, suggest, train, training_set
from peerimpact.qual.suggest.rank import SUGGESTION_COLUMNS
from suggest_helpers import demo_slice


@pytest.fixture(scope="module")
def full(demo_study):
    return demo_slice(demo_study, 16)


@pytest.fixture(scope="module")
def small(full):
    """16 transcripts, the first three left uncoded (the demo's coders code every transcript)."""
    uncoded = sorted(full.transcripts)[:3]
    return dataclasses.replace(full, codings=full.codings[~full.codings["interview_id"].isin(uncoded)].reset_index(drop=True))


@pytest.fixture(scope="module")
def model(small):
    return train(small)


def test_training_set_learns_only_from_human_codings_of_coded_speakers(small):
    ts = training_set(small)
    # Every distinct human-coded span is one segment, with the codes any coder gave it.
    spans = small.codings.groupby(["interview_id", "start", "end"])["code"].agg(lambda c: tuple(sorted(set(c))))
    assert len(ts.segments) == len(spans)
    got = ts.segments.set_index(["interview_id", "start", "end"])["codes"]
    got.index = got.index.set_levels([got.index.levels[0], got.index.levels[1].astype(float), got.index.levels[2].astype(float)])
    assert got.sort_index().to_dict() == spans.sort_index().to_dict()
    # The demo's coders only code the peer workers' answers, so only PW passages are candidates.
    assert ts.speakers == frozenset({"PW"})
    # Negatives are PW passages no coding touches.
    for rec in ts.negatives.itertuples():
        mine = small.codings[small.codings["interview_id"] == rec.interview_id]
        assert not ((mine["start"] < rec.end) & (mine["end"] > rec.start)).any()
        assert rec.speaker == "PW"


def test_minimum_segments_per_code(small):
    counts = training_set(small).n_segments()
    few = min(counts, key=counts.get)
    m = train(small, params={"min_segments": counts[few] + 1})
    assert few not in m.codes
    assert m.skipped[few] == f"{counts[few]} training segment(s); a model needs at least {counts[few] + 1}"
    assert set(m.codes) == {c for c, n in counts.items() if n >= counts[few] + 1}
    assert MIN_SEGMENTS == 5


def test_deterministic_and_versioned(small, model):
    again = train(small)
    assert again.version == model.version
    np.testing.assert_array_equal(again.coef, model.coef)
    assert model.version.startswith("tfidf-logreg-") and len(model.version) == len("tfidf-logreg-") + 16
    # Other training data or other parameters: another version.
    codings = small.codings
    first = codings.iloc[0]
    same_span = (codings["interview_id"] == first["interview_id"]) & (codings["start"] == first["start"]) & (codings["end"] == first["end"])
    same_code = same_span & (codings["code"] == first["code"])
    assert same_code.sum() == 2  # coder_a and coder_b gave this span this code
    # The second coder's identical coding adds nothing to learn from: same version.
    one_less = codings.drop(index=codings.index[same_code][1:]).reset_index(drop=True)
    assert train(dataclasses.replace(small, codings=one_less)).version == model.version
    without_span = codings[~same_span].reset_index(drop=True)
    assert train(dataclasses.replace(small, codings=without_span)).version != model.version
    assert train(small, params={"C": 1.0}).version != model.version


def test_suggestions_rank_uncoded_passages_with_reasons(small, model):
    result = suggest(small, model=model)
    frame = result.suggestions
    assert list(frame.columns) == SUGGESTION_COLUMNS
    assert len(frame) > 0
    assert (frame["score"] >= 0.5).all() and (frame["model_version"] == model.version).all()
    for rec in frame.itertuples():
        text = small.transcripts[rec.interview_id].text
        assert text[rec.start:rec.end] == rec.text
        # Never a passage already coded with that code.
        same = small.codings[(small.codings["interview_id"] == rec.interview_id) & (small.codings["code"] == rec.code)]
        assert not ((same["start"] < rec.end) & (same["end"] > rec.start)).any()
        # The reason: human-coded segments of the suggested code, most similar first.
        assert 1 <= len(rec.examples) <= 3
        sims = [ex["similarity"] for ex in rec.examples]
        assert sims == sorted(sims, reverse=True)
        for ex in rec.examples:
            coded = small.codings[(small.codings["interview_id"] == ex["interview_id"]) & (small.codings["start"] == ex["start"])
                                  & (small.codings["end"] == ex["end"])]
            assert rec.code in set(coded["code"])
            assert ex["quote"] == small.transcripts[ex["interview_id"]].text[ex["start"]:ex["end"]]
    # Ranks: 1.. within each interview, by score.
    for _, group in frame.groupby("interview_id"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["score"].is_monotonic_decreasing


def test_uncoded_transcript_gets_the_codes_the_coder_gave(small, full):
    """A transcript whose codings were removed: its coded passages come back as suggestions of their code."""
    iid = sorted(full.transcripts)[0]
    frame = suggest(small, interviews=[iid]).suggestions
    human = full.codings[full.codings["interview_id"] == iid]
    hit = 0
    for rec in human.itertuples():
        inside = frame[(frame["code"] == rec.code) & (frame["start"] < rec.end) & (frame["end"] > rec.start)]
        hit += len(inside) > 0
    assert hit / len(human) > 0.6


def test_filters(small, model):
    iid = sorted(small.transcripts)[1]
    everything = suggest(small, model=model).suggestions
    mine = everything[everything["interview_id"] == iid]
    codes = sorted(set(mine["code"]))[:2]
    assert len(codes) == 2 and set(mine["code"]) - set(codes)  # the filter has something to leave out
    one = suggest(small, model=model, interviews=[iid], codes=codes).suggestions
    expected = mine[mine["code"].isin(codes)]
    assert one.drop(columns="rank").reset_index(drop=True).equals(expected.drop(columns="rank").reset_index(drop=True))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"interviews": ["S9-PW99-T1"]}, "unknown interview 'S9-PW99-T1'"),
        ({"codes": ["no_such_code"]}, "unknown code 'no_such_code'"),
        ({"threshold": 1.0}, "threshold 1.0 must lie strictly between 0 and 1"),
        ({"threshold": 0}, "threshold 0 must lie strictly between 0 and 1"),
    ],
    ids=["interview", "code", "threshold-1", "threshold-0"],
)
def test_bad_input(small, model, kwargs, message):
    with pytest.raises(UserInputError, match=message):
        suggest(small, model=model, **kwargs)


def test_no_suggestion_gives_an_empty_table(full):
    # Every passage of a fully coded transcript is coded already.
    frame = suggest(full, interviews=[sorted(full.transcripts)[0]], codes=["training"]).suggestions
    assert list(frame.columns) == SUGGESTION_COLUMNS and frame.empty


def test_no_codings_is_a_user_error(small):
    empty = dataclasses.replace(small, codings=small.codings.iloc[:0])
    with pytest.raises(UserInputError, match="no human codings to learn from"):
        train(empty)


def test_unknown_parameter(small):
    with pytest.raises(UserInputError, match="unknown suggestion model parameter 'depth'"):
        train(small, params={"depth": 3})


def _training(segments: list[tuple[str, tuple[str, ...]]], negatives: list[str]):
    from peerimpact.qual.suggest.passages import PASSAGE_COLUMNS
    from peerimpact.qual.suggest.training import SEGMENT_COLUMNS, TrainingSet

    segs = pd.DataFrame([("I1", f"s{i}", 10 * i, 10 * i + 5, codes, text) for i, (text, codes) in enumerate(segments)],
                        columns=SEGMENT_COLUMNS)
    negs = pd.DataFrame([("I1", i, "PW", 500 + 10 * i, 505 + 10 * i, text) for i, text in enumerate(negatives)], columns=PASSAGE_COLUMNS)
    return TrainingSet(segs, negs, frozenset({"PW"}))


@pytest.mark.parametrize(
    "segments, negatives, cause",  # cause: part of scikit-learn's message (its one-class wording varies by version)
    [
        pytest.param([("Apples grow.", ("a",)), ("Pears ripen.", ("b",))], [], "After pruning, no terms remain", id="no-shared-term"),
        pytest.param([("peer work helps", ("a",))] * 5, [], "", id="one-class-only"),
    ],
)
def test_fit_too_little_text_is_a_user_input_error(segments, negatives, cause):
    from peerimpact.qual.suggest import fit
    from peerimpact.qual.suggest.model import TOO_LITTLE

    with pytest.raises(UserInputError) as info:
        fit(_training(segments, negatives))
    assert str(info.value) == TOO_LITTLE == "too little coded text to learn from yet: code more passages first"
    assert isinstance(info.value.__cause__, ValueError) and cause in str(info.value.__cause__)

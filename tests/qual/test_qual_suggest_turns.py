"""Suggestions follow the study's speaker-turn setting (``speakers`` / ``turn_pattern``, ``StudyDefinition.turn_regex``).

The synthetic demo transcripts are rewritten with ``Participant:`` instead of ``PW:`` (codings moved with their
text) and the study declares ``speakers: [Interviewer, Participant]``. The learned text is then the same as the
demo's, so the suggestions must be the same passages with the same scores: whole participant turns.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from peerimpact.qual.corpus import speaker_turns
from peerimpact.qual.suggest import suggest, suggest_eval, train, training_set
from peerimpact.study.model import Study
from suggest_helpers import demo_slice

_PW = re.compile(r"(?m)^PW:")
_GROWTH = len("Participant:") - len("PW:")


def participant_study(study: Study) -> Study:
    """``study`` with ``Participant:`` turn labels and ``speakers: [Interviewer, Participant]``; codings moved along."""
    transcripts = {}
    codings = study.codings.copy()
    for iid, t in study.transcripts.items():
        marks = np.array([m.end() for m in _PW.finditer(t.text)])
        transcripts[iid] = dataclasses.replace(t, text=_PW.sub("Participant:", t.text))
        rows = codings["interview_id"] == iid
        for col in ("start", "end"):  # an offset after k markers moves k times the longer label
            codings.loc[rows, col] = codings.loc[rows, col] + _GROWTH * np.searchsorted(marks, codings.loc[rows, col], side="right")
    definition = study.definition.model_copy(update={"speakers": ["Interviewer", "Participant"]})
    return dataclasses.replace(study, transcripts=transcripts, codings=codings, definition=definition)


@pytest.fixture(scope="module")
def pair(demo_study):
    """(demo slice with its first two transcripts uncoded, the same with Participant: labels)."""
    base = demo_slice(demo_study, 10)
    uncoded = sorted(base.transcripts)[:2]
    base = dataclasses.replace(base, codings=base.codings[~base.codings["interview_id"].isin(uncoded)].reset_index(drop=True))
    return base, participant_study(base), uncoded


def test_rewritten_codings_cover_the_same_text(pair):
    base, part, _ = pair
    def quotes(s):
        return [s.transcripts[r.interview_id].text[int(r.start):int(r.end)] for r in s.codings.itertuples()]
    assert quotes(part) == quotes(base)
    assert part.definition.turn_regex != base.definition.turn_regex


def test_training_set_uses_the_study_turns(pair):
    base, part, _ = pair
    got, want = training_set(part), training_set(base)
    assert got.speakers == {"Participant"} and want.speakers == {"PW"}
    assert got.negatives["text"].tolist() == want.negatives["text"].tolist()
    assert got.segments["text"].tolist() == want.segments["text"].tolist()


def test_suggestions_are_whole_participant_turns(pair):
    base, part, uncoded = pair
    want = suggest(base, interviews=uncoded).suggestions
    got = suggest(part, interviews=uncoded).suggestions
    assert len(want) > 0
    assert set(got["speaker"]) == {"Participant"}
    cols = ["interview_id", "code", "text", "rank"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
    np.testing.assert_allclose(got["score"], want["score"], rtol=0, atol=1e-12)
    limit = train(part).params["max_passage_chars"]
    whole = 0
    for iid, s, e in zip(got["interview_id"], got["start"], got["end"]):
        text = part.transcripts[iid].text
        turns = speaker_turns(text, part.definition.turn_regex)
        turn = turns[(turns["text_start"] <= s) & (turns["end"] >= e)]
        assert turn["speaker"].tolist() == ["Participant"]
        body = text[int(turn["text_start"].iloc[0]):int(turn["end"].iloc[0])].strip()
        if len(body) <= limit:  # a turn up to the limit is one passage: the suggestion is the whole turn
            assert text[s:e] == body
            whole += 1
    assert whole > 0


def test_an_explicit_pattern_wins_over_the_study_setting(pair):
    _, part, _ = pair
    default = train(part, pattern=r"^(?P<speaker>Interviewer|PW):[ \t]*")
    assert default.speakers == {"Interviewer"}  # Participant: unknown, the answers fall into interviewer turns
    assert train(part).version != default.version


def test_suggest_eval_uses_the_study_turns(pair):
    base, part, _ = pair
    got, want = suggest_eval(part), suggest_eval(base)
    # Same passages suggested and coded; only the uncoded remainder (n_neither, so kappa) grows with the longer labels.
    same = ["scope", "code", "n_training_segments", "n_interviews", "n_both", "n_suggested_only", "n_human_only",
            "precision", "recall", "note"]
    assert want.table["n_both"].sum() > 0
    pd.testing.assert_frame_equal(got.table[same], want.table[same])
    texts = [[s.transcripts[r.interview_id].text[r.start:r.end] for r in e.suggestions.itertuples()] for s, e in ((part, got), (base, want))]
    assert texts[0] == texts[1]

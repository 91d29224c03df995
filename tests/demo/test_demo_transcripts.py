"""The demo's interview transcripts and the hand-written sentence bank they come from."""

from __future__ import annotations

import re

import pytest

from demo_helpers import read_csv
from peerimpact.demo import bank

HEADER = "[Synthetic transcript generated for the PeerImpact demo]"
ID_RE = re.compile(r"^transcripts/S(\d+)-PW(\d\d)-(T[123])\.txt$")


@pytest.fixture(scope="module")
def transcripts(files):
    return {k: v for k, v in files.items() if k.startswith("transcripts/")}


def test_bank_has_many_distinct_hand_written_lines():
    lines = [ln.text for code_lines in bank.LINES.values() for ln in code_lines]
    assert len(lines) >= 120
    assert len(set(lines)) == len(lines)


@pytest.mark.parametrize("code", sorted(bank.LINES))
def test_every_code_has_lines_for_several_tones_and_two_questions(code):
    tones = {ln.tone for ln in bank.LINES[code]}
    assert len(tones) >= 3
    assert len(bank.QUESTIONS[code]) == 2
    assert code in bank.RELATED and bank.RELATED[code] in bank.LINES


def test_every_transcript_is_named_by_an_existing_interview(files, transcripts):
    sites = dict(read_csv(files, "participants.csv")[["participant_id", "site"]].values)
    responses = read_csv(files, "responses.csv")
    returned = set(zip(responses.participant_id, responses.timepoint))
    for name in transcripts:
        m = ID_RE.match(name)
        assert m, name
        site, pid, wave = m.groups()
        assert sites[pid] == site
        if wave != "T1":
            assert (pid, wave) in returned


def test_every_transcript_says_it_is_synthetic(transcripts):
    assert all(text.split("\n", 1)[0] == HEADER for text in transcripts.values())


def test_turns_are_marked_by_speaker(transcripts):
    for name, text in transcripts.items():
        body = [ln for ln in text.split("\n")[3:] if ln]
        assert body, name
        assert all(ln.startswith(("Interviewer: ", "PW: ")) for ln in body), name
        assert sum(ln.startswith("PW: ") for ln in body) >= 5, name


def test_transcripts_are_of_interview_length(transcripts):
    words = [len(t.split()) for t in transcripts.values()]
    assert min(words) >= 400 and max(words) <= 900


def test_transcripts_differ(transcripts):
    assert len(set(transcripts.values())) == len(transcripts)


@pytest.mark.parametrize("char", ["–", "’", "“", "é"], ids=["en_dash", "curly_apostrophe", "curly_quote", "accent"])
def test_non_ascii_text_occurs(transcripts, char):
    assert any(char in t for t in transcripts.values())


def test_exactly_one_transcript_has_an_emoji_beyond_the_basic_plane(transcripts):
    with_emoji = [k for k, t in transcripts.items() if any(ord(c) > 0xFFFF for c in t)]
    assert len(with_emoji) == 1


def test_text_uses_lf_line_ends_and_no_bom(transcripts):
    assert not any("\r" in t or t.startswith("\ufeff") for t in transcripts.values())


def test_placeholders_are_filled(transcripts):
    assert not any("{" in t or "}" in t for t in transcripts.values())

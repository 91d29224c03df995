"""Memos (parse, problems, round trip) and the corpus (reading .txt/.docx, speaker turns)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.qual import corpus_table, dump_memos, parse_memos, qual_data, read_transcript, speaker_turns
from peerimpact.study.yamlio import load_yaml_with_lines


def test_memos_of_the_mini_study(mini_study):
    memos = qual_data(mini_study).memos
    assert [(m.id, m.target.type, m.target.id, m.kind, m.author) for m in memos.memos] == [
        ("M01", "code", "being_valued", "interpretive", "coder_a"),
        ("M02", "theme", "feeling_connected", "analytic", "coder_b"),
        ("M03", "transcript", "S1-PW01-T2", "reflexive", "Sam (service user researcher)"),
        ("M04", "segment", "seg05", "analytic", "coder_a"),
    ]
    assert memos.memos[0].date == dt.date(2020, 6, 25) and memos.memos[3].date is None
    assert memos.memos[1].text == "Connection runs to the team and to the people supported.\nBoth directions matter 😊."
    assert [m.id for m in memos.for_target("segment", "seg05")] == ["M04"]


def test_memos_round_trip(mini_study):
    memos = qual_data(mini_study).memos
    assert parse_memos(yaml.safe_load(dump_memos(memos))) == memos




@pytest.mark.parametrize("case", ["bad-kind", "bad-target-type", "missing-text", "duplicate-id", "unknown-key"])
def test_memo_problems(tmp_path, case):
    base = "memos:\n  - id: M1\n    author: a\n    target: {type: code, id: x}\n    kind: analytic\n    text: t\n"
    text, expected = {
        "bad-kind": (base.replace("kind: analytic", "kind: musing"),
                     "qual/memos.yaml:5:memos.0.kind: Input should be 'interpretive', 'analytic' or 'reflexive'"),
        "bad-target-type": (base.replace("type: code", "type: person"),
                            "qual/memos.yaml:4:memos.0.target.type: Input should be 'code', 'theme', 'transcript' or 'segment'"),
        "missing-text": (base.replace("    text: t\n", ""), "qual/memos.yaml:2:memos.0.text: required key is missing"),
        "duplicate-id": (base + base.replace("memos:\n", ""), "qual/memos.yaml:7:memos.1.id: duplicate memo id 'M1' (also memos.0)"),
        "unknown-key": (base + "  - id: M2\n    autor: b\n", "qual/memos.yaml:8:memos.1.autor: unknown key 'autor'; did you mean 'author'?"),
    }[case]
    path = tmp_path / "memos.yaml"
    path.write_text(text, encoding="utf-8")
    raw, lines = load_yaml_with_lines(path, "qual/memos.yaml")
    with pytest.raises(StudyValidationError) as err:
        parse_memos(raw, lines)
    assert expected in [str(p) for p in err.value.problems]


# ------------------------------------------------------------------ corpus
@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"\xef\xbb\xbfPW: a\r\nPW: b\r\n", "PW: a\nPW: b\n"),
        (b"PW: a\rPW: b", "PW: a\nPW: b"),
        ("PW: emoji 😊 𝄞\n".encode("utf-8"), "PW: emoji 😊 𝄞\n"),
    ],
    ids=["bom-crlf", "old-mac-cr", "non-bmp"],
)
def test_read_txt_normalises(tmp_path, payload, expected):
    p = tmp_path / "t.txt"
    p.write_bytes(payload)
    assert read_transcript(p) == expected


def test_read_docx(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: Hello")
    document.add_paragraph("PW: Hi 😊")
    p = tmp_path / "t.docx"
    document.save(str(p))
    assert read_transcript(p) == "Interviewer: Hello\nPW: Hi 😊"


@pytest.mark.parametrize(
    "name, payload, message",
    [
        ("t.txt", b"\xff\xfe\x00bad", "t.txt: is not valid UTF-8 (byte 0)"),
        ("t.docx", b"not a zip", "t.docx: cannot be read as a Word document (PackageNotFoundError)"),
        ("t.rtf", b"{\\rtf1}", "t.rtf: a transcript must be a .txt or .docx file"),
    ],
    ids=["not-utf8", "corrupt-docx", "rtf"],
)
def test_read_transcript_errors(tmp_path, name, payload, message):
    p = tmp_path / name
    p.write_bytes(payload)
    with pytest.raises(UserInputError) as err:
        read_transcript(p)
    assert str(err.value) == message


def test_speaker_turns_default_pattern(mini_study):
    text = mini_study.transcripts["S1-PW01-T1"].text
    turns = speaker_turns(text)
    assert turns["speaker"].tolist() == ["Interviewer", "PW", "Interviewer", "PW", "PW"]
    assert turns["start"].tolist()[0] == 0 and turns["end"].tolist()[-1] == len(text)
    assert all(text[s:e].startswith(sp + ":") for s, e, sp in zip(turns["start"], turns["end"], turns["speaker"]))
    assert turns["text"].tolist()[1].startswith("Honestly, I felt valued")


def test_speaker_turns_custom_pattern_and_preamble():
    text = "Recorded 3 May.\nQ: How are you?\nA: Fine.\n"
    turns = speaker_turns(text, r"^(?P<speaker>Q|A):\s*")
    assert turns[["speaker", "start", "end", "text"]].values.tolist() == [
        [None, 0, 16, "Recorded 3 May."], ["Q", 16, 32, "How are you?"], ["A", 32, 41, "Fine."]]


@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"^(PW):", "speaker pattern '^(PW):' must have a group named 'speaker', e.g. (?P<speaker>PW|Interviewer)"),
        (r"^(?P<speaker>PW", "speaker pattern '^(?P<speaker>PW' is not a valid regular expression: missing ), unterminated subpattern at position 1"),
    ],
    ids=["no-group", "bad-regex"],
)
def test_speaker_pattern_errors(pattern, message):
    with pytest.raises(UserInputError) as err:
        speaker_turns("PW: x", pattern)
    assert str(err.value) == message


def test_corpus_table(mini_study):
    table = corpus_table(mini_study)
    assert table["interview_id"].tolist() == ["S1-PW01-T1", "S1-PW01-T2", "S1-PW02-T1", "S2-PW03-T2"]
    row = table.iloc[0]
    text = mini_study.transcripts["S1-PW01-T1"].text
    assert row["n_characters"] == len(text) and not text.startswith("\ufeff")  # saved with a BOM, normalised
    assert "\r" not in mini_study.transcripts["S2-PW03-T2"].text  # saved with CRLF, normalised

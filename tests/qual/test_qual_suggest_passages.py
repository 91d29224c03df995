"""Passages for suggestions: speaker turns, sentence windows in long turns, spans in code points."""

from __future__ import annotations

import pytest

from peerimpact.qual.suggest.passages import passages, sentence_spans

CASES = [
    pytest.param(
        "Interviewer: Why?\nPW: Because. It helps.\n", {},
        [("Interviewer", "Why?"), ("PW", "Because. It helps.")], id="one-passage-per-turn",
    ),
    pytest.param(
        "PW: One. Two. Three. Four. Five.", {"max_chars": 10, "window": 3},
        [("PW", "One. Two."), ("PW", "Three."), ("PW", "Four."), ("PW", "Five.")], id="long-turn-windows-by-characters",
    ),
    pytest.param(
        "PW: A. B. C. D. E.", {"max_chars": 5, "window": 2},
        [("PW", "A. B."), ("PW", "C. D."), ("PW", "E.")], id="long-turn-windows-by-sentences",
    ),
    pytest.param("PW:   \n\nInterviewer: Ok\n", {}, [("Interviewer", "Ok")], id="blank-turn-dropped"),
    pytest.param("Header line\nPW: Hi 😊 there.", {}, [(None, "Header line"), ("PW", "Hi 😊 there.")], id="text-before-first-marker"),
    pytest.param("no markers at all", {}, [(None, "no markers at all")], id="no-markers"),
    pytest.param("", {}, [], id="empty"),
]


@pytest.mark.parametrize("text, kwargs, expected", CASES)
def test_passages(text, kwargs, expected):
    frame = passages(text, "I1", **kwargs)
    assert list(zip(frame["speaker"], frame["text"])) == expected
    # Spans are code points of the text and give back the passage text.
    assert [text[s:e] for s, e in zip(frame["start"], frame["end"])] == [t for _, t in expected]
    assert frame["passage"].tolist() == list(range(len(expected)))


def test_emoji_counts_one_code_point():
    text = "PW: 😊😊 ok.\nInterviewer: x"
    frame = passages(text)
    assert frame[["start", "end"]].values.tolist() == [[4, 10], [24, 25]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two! Three", ["One.", "Two!", "Three"]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("Dr. Who is here", ["Dr.", "Who is here"]),  # a known limit: abbreviations split
        ("   ", []),
    ],
)
def test_sentence_spans(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == expected


def test_docstring_examples():
    import doctest
    import importlib

    # (peerimpact.qual.suggest.passages is also the name of the function the package exports)
    module = importlib.import_module("peerimpact.qual.suggest.passages")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

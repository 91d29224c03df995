"""Re-anchoring selections counted under other tools' position conventions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.qual.refi.anchor import CONVENTIONS, STANDARD, Convention, PositionMap, anchor_source, looks_like_quote, quote_matches

TEXT = "Interviewer: Hi 😊\nPW: I felt valued 𝄞 by the team.\nPW: The café was shut.\nPW: Last line 🚪 here.\n"


def encode(text: str, conv: Convention, start: int, end: int) -> tuple[int, int]:
    """Positions of code-point span [start, end) as a tool using ``conv`` writes them (independent of PositionMap)."""

    def units(s: str) -> int:
        if conv.unit == "UTF-16 code unit":
            n = len(s.encode("utf-16-le")) // 2
        elif conv.unit == "UTF-8 byte":
            n = len(s.encode("utf-8"))
        else:
            n = len(s)
        return n + (s.count("\n") if conv.crlf == 2 else 0)

    bom = (3 if conv.unit == "UTF-8 byte" else 1) if conv.bom else 0
    s = bom + units(text[:start])
    e = bom + units(text[:end])
    return s, (e - units(text[end - 1]) if conv.end_inclusive else e)


QUOTES = ["I felt valued 𝄞 by the team.", "The café was shut.", "Last line 🚪 here.", "Hi 😊"]


@pytest.mark.parametrize("conv", CONVENTIONS, ids=[c.describe() for c in CONVENTIONS])
def test_every_convention_is_detected(conv):
    sels = []
    for q in QUOTES:
        i = TEXT.index(q)
        s, e = encode(TEXT, conv, i, i + len(q))
        sels.append((s, e, q))
    result = anchor_source(TEXT, sels, had_bom=conv.bom)
    assert [(p.status, TEXT[p.start:p.end]) for p in result.placements] == [("anchored", q) for q in QUOTES]
    # the conventions that give identical spans for this text are indistinguishable; the detected one must be one of them
    assert all(PositionMap(TEXT, result.convention).span(s, e) == PositionMap(TEXT, conv).span(s, e) for s, e, _ in sels)


def test_label_names_are_placed_by_the_established_convention():
    conv = Convention("UTF-16 code unit", 2, False, False)
    i = TEXT.index("The café")
    s, e = encode(TEXT, conv, i, i + 8)
    sels = [(*encode(TEXT, conv, TEXT.index(q), TEXT.index(q) + len(q)), q) for q in QUOTES[:2]] + [(s, e, "Quotation 1:3")]
    result = anchor_source(TEXT, sels)
    last = result.placements[-1]
    assert (last.status, TEXT[last.start:last.end]) == ("placed", "The café")


def test_label_without_evidence_is_not_guessed():
    i = TEXT.index("The café")  # after emoji and line ends: conventions disagree
    result = anchor_source(TEXT, [(i, i + 8, "Quotation 1:3")])
    assert result.placements[0].status == "unanchored"
    assert result.placements[0].reason == "no quoted text, and the position convention could not be established"


def test_plain_ascii_label_is_placed_when_all_plausible_conventions_agree():
    text = "PW: plain words only here"
    result = anchor_source(text, [(4, 9, "Q1")])
    assert (result.placements[0].status, text[4:9]) == ("placed", "plain")


def test_quote_at_the_wrong_place_is_relocated_only_when_unique_and_long():
    text = "PW: one two three four five.\nPW: six seven eight.\nPW: one two.\n"
    sels = [(0, 5, "six seven eight."), (0, 5, "one two"), (0, 5, "one two three four five.")]
    result = anchor_source(text, sels)
    assert [p.status for p in result.placements] == ["relocated", "unanchored", "relocated"]
    assert text[result.placements[0].start:result.placements[0].end] == "six seven eight."
    assert result.placements[1].reason == "quote not found at [0, 5) and occurs more than once elsewhere"


@pytest.mark.parametrize(
    "candidate, quote, ok",
    [
        ("a\nb", "a\r\nb", True),
        ("a  b\n c", "a b c", True),
        ("I felt valued by the team", "I felt valued…", True),
        ("I felt valued by the team", "I felt loved...", False),
        ("abc", "abd", False),
    ],
    ids=["crlf", "whitespace", "ellipsis", "ellipsis-wrong", "different"],
)
def test_quote_matches(candidate, quote, ok):
    assert quote_matches(candidate, quote) is ok


@pytest.mark.parametrize("name, ok", [("Quotation 1:3", False), ("Q12", False), ("I felt valued by the team", True)])
def test_looks_like_quote(name, ok):
    assert looks_like_quote(name) is ok


ALPHABET = st.sampled_from(list("ab c\n") + ["é", "😊", "𝄞", "\t"])


@st.composite
def text_and_spans(draw):
    text = "".join(draw(st.lists(ALPHABET, min_size=4, max_size=60)))
    spans = []
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 20)))
        spans.append((start, end))
    return text, spans


@settings(max_examples=80, deadline=None)
@given(case=text_and_spans(), conv=st.sampled_from(CONVENTIONS))
def test_every_imported_span_covers_its_quoted_text(case, conv):
    text, spans = case
    sels, quotes = [], []
    for start, end in spans:
        s, e = encode(text, conv, start, end)
        sels.append((s, e, text[start:end]))
        quotes.append(text[start:end])
    result = anchor_source(text, sels, had_bom=conv.bom)
    for p, q in zip(result.placements, quotes):
        # positions written under the true convention always anchor, on exactly the quoted text
        assert p.status == "anchored"
        assert text[p.start:p.end] == q


def test_standard_is_preferred_on_ties():
    text = "abc def"
    result = anchor_source(text, [(0, 3, "abc")])
    assert result.convention == STANDARD

"""Properties of the per-source convention decision (Hypothesis).

The positions are computed here by counting characters directly (not with the
import's position maps): UTF-16 code units add one for every character
outside the BMP, CRLF-as-two adds one for every line end.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.qual.refi.anchor import STANDARD, anchor_source
from peerimpact.qual.refi.producers import UTF16, UTF16_CRLF2

ALPHABET = st.sampled_from(list("ab cd\n") + ["é", "😊", "🌱", "中"])


def units(text: str, pos: int, utf16: bool, crlf2: bool) -> int:
    head = text[:pos]
    return len(head) + (sum(1 for ch in head if ord(ch) > 0xFFFF) if utf16 else 0) + (head.count("\n") if crlf2 else 0)


@st.composite
def source(draw):
    text = draw(st.text(ALPHABET, min_size=2, max_size=60))
    spans = draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).map(sorted)
                          .filter(lambda p: p[0] < p[1]), min_size=1, max_size=8))
    return text, [tuple(p) for p in spans]


@settings(max_examples=300, deadline=None)
@given(source(), st.sampled_from([(True, True), (True, False), (False, False)]))
def test_unnamed_selections_land_on_their_spans_with_the_right_default(src, counting):
    """Whatever the text, selections without names counted by the producer's own convention come back exactly."""
    text, spans = src
    utf16, crlf2 = counting
    default = UTF16_CRLF2 if crlf2 else (UTF16 if utf16 else STANDARD)
    sels = [(units(text, s, utf16, crlf2), units(text, e, utf16, crlf2), "") for s, e in spans]
    result = anchor_source(text, sels, had_bom=False, had_crlf=crlf2, default=default)
    assert [(p.start, p.end) for p in result.placements] == spans
    assert all(p.status == "placed" for p in result.placements)


@settings(max_examples=200, deadline=None)
@given(source())
def test_quoted_selections_are_never_moved_silently(src):
    """A selection whose name is its text is anchored on that text (or reported), never placed elsewhere quietly."""
    text, spans = src
    sels = [(units(text, s, True, True), units(text, e, True, True), text[s:e]) for s, e in spans]
    result = anchor_source(text, sels, had_bom=False, had_crlf=True, default=None)
    for (s, e), p in zip(spans, result.placements):
        if p.status in ("anchored", "relocated"):
            assert text[p.start:p.end].split() == text[s:e].split()
        else:
            assert p.status in ("placed", "unanchored")
            if p.status == "placed":
                assert (p.start, p.end) == (s, e)

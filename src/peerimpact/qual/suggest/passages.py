"""Passages a code can be suggested for: speaker turns, or sentence windows in long turns.

A passage is a ``[start, end)`` span in Unicode code points of the
normalised transcript text (the convention of ``qual/codings.csv``), with the
turn marker (``PW:``) and surrounding whitespace left out.
"""

from __future__ import annotations

import re

import pandas as pd

from ..corpus import DEFAULT_TURN_PATTERN, speaker_turns

#: A turn longer than this (characters of text) is cut into sentence windows.
MAX_PASSAGE_CHARS = 600
#: At most this many sentences make one window of a long turn.
WINDOW_SENTENCES = 3

PASSAGE_COLUMNS = ["interview_id", "passage", "speaker", "start", "end", "text"]

# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) and whitespace.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as trimmed ``[start, end)`` spans.

    >>> t = "One. Two! Three"
    >>> [t[s:e] for s, e in sentence_spans(t, 0, len(t))]
    ['One.', 'Two!', 'Three']
    """
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        s, e = _trimmed(text, pos, m.end())
        if e > s:
            spans.append((s, e))
        pos = m.end()
    s, e = _trimmed(text, pos, end)
    if e > s:
        spans.append((s, e))
    return spans


def _windows(text: str, start: int, end: int, max_chars: int, window: int) -> list[tuple[int, int]]:
    """Consecutive sentences grouped greedily: at most ``window`` sentences and ``max_chars`` characters."""
    out: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        if current and (len(current) >= window or e - current[0][0] > max_chars):
            out.append((current[0][0], current[-1][1]))
            current = []
        current.append((s, e))
    if current:
        out.append((current[0][0], current[-1][1]))
    return out


def passages(
    text: str,
    interview_id: str = "",
    pattern: str = DEFAULT_TURN_PATTERN,
    max_chars: int = MAX_PASSAGE_CHARS,
    window: int = WINDOW_SENTENCES,
) -> pd.DataFrame:
    """Split one transcript into passages.

    Each speaker turn (:func:`peerimpact.qual.corpus.speaker_turns`) whose
    text is at most ``max_chars`` long is one passage; a longer turn gives
    windows of up to ``window`` consecutive sentences (and ``max_chars``
    characters, unless one sentence is longer). Blank turns give nothing.

    Returns
    -------
    DataFrame
        Columns :data:`PASSAGE_COLUMNS`: ``passage`` numbers the passages of
        the transcript from 0; ``speaker`` is the turn's speaker (``None``
        before the first marker); ``start``/``end`` are code points and
        ``text == transcript[start:end]``.

    Examples
    --------
    >>> p = passages("Interviewer: Why?\\nPW: Because. It helps.\\n", "I1")
    >>> p[["speaker", "start", "end", "text"]].values.tolist()
    [['Interviewer', 13, 17, 'Why?'], ['PW', 22, 40, 'Because. It helps.']]
    >>> passages("PW: A. B. C. D.", max_chars=5, window=2)["text"].tolist()
    ['A. B.', 'C. D.']
    """
    rows: list[tuple] = []
    for turn in speaker_turns(text, pattern).itertuples(index=False):
        s, e = _trimmed(text, int(turn.text_start), int(turn.end))
        if e <= s:
            continue
        spans = [(s, e)] if e - s <= max_chars else _windows(text, s, e, max_chars, window)
        for ps, pe in spans:
            rows.append((interview_id, len(rows), turn.speaker, ps, pe, text[ps:pe]))
    frame = pd.DataFrame(rows, columns=PASSAGE_COLUMNS)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame

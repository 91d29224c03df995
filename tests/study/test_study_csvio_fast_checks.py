"""The two shortcuts of read_raw_csv (speed): the ragged-row count and skipping the trim give what the csv module gives."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.study.csvio import _may_need_trim, _ragged

_CELL = st.sampled_from(["", "a", "1", " a", "a ", "a b", '"x"', '" x"', '"x,y"', '"l1\nl2"', "\t", "\xa0", "é", '"\nx"'])


@st.composite
def texts(draw):
    width = draw(st.integers(1, 4))
    lines = [",".join(f"c{i}" for i in range(width))]
    for _ in range(draw(st.integers(0, 6))):
        n = draw(st.sampled_from([width, width, width, width - 1, width + 1, 0]))
        lines.append(",".join(draw(_CELL) for _ in range(max(n, 0))))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return width, end.join(lines) + draw(st.sampled_from(["", end, " "]))


def _records(text: str) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None


@settings(max_examples=300, deadline=None)
@given(case=texts())
def test_the_shortcuts_agree_with_the_csv_module(case):
    width, text = case
    records = _records(text)
    if records is None:
        return
    assert _ragged(text, width) == any(len(r) not in (0, width) for r in records[1:])
    if not _may_need_trim(text):
        assert all(cell == cell.strip() for r in records for cell in r)


@settings(max_examples=300, deadline=None)
@given(case=texts(), chunk=st.integers(1, 12))
def test_the_ragged_count_in_chunks_agrees_with_the_csv_module(case, chunk):
    """The comma count looks at the file in chunks of whole lines (memory); any chunk size gives the same answer."""
    import peerimpact.study.csvio as csvio

    width, text = case
    records = _records(text)
    if records is None:
        return
    saved = csvio._CHUNK
    csvio._CHUNK = chunk  # smaller than a line, a line, several lines
    try:
        assert _ragged(text, width) == any(len(r) not in (0, width) for r in records[1:])
    finally:
        csvio._CHUNK = saved

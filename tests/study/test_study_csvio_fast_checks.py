"""The two shortcuts of read_raw_csv (speed): the ragged-row count and skipping the trim give what the csv module gives."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.study.csvio import _check_plain, _check_text, _may_need_trim, _ragged

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


_PLAIN_CELL = st.sampled_from(["", "a", "1", " a", "a ", "a b", "\t", "x\x1c", "  "])


@st.composite
def plain_texts(draw):
    """ASCII CSV text without quotes or carriage returns, with ragged and blank lines and edge spaces."""
    width = draw(st.integers(1, 4))
    header = [draw(st.sampled_from([f"c{i}", f" c{i}", f"c{i} ", "", "c0"])) for i in range(width)]
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 8))):
        n = draw(st.sampled_from([width, width, width, width - 1, width + 1, 0]))
        lines.append(",".join(draw(_PLAIN_CELL) for _ in range(max(n, 0))))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", " ", "\n\n"]))


@settings(max_examples=400, deadline=None)
@given(text=plain_texts(), chunk=st.integers(1, 40))
def test_a_plain_file_checked_in_chunks_gives_what_its_decoded_text_gives(tmp_path_factory, text, chunk):
    """The bytes of a plain ASCII file are checked a chunk at a time (memory): same header, trim, problems."""
    import peerimpact.study.csvio as csvio

    path = tmp_path_factory.mktemp("plain") / "t.csv"
    path.write_bytes(text.encode("ascii"))
    saved = csvio._SCAN_CHUNK
    csvio._SCAN_CHUNK = chunk  # smaller than a line, a line, several lines
    try:
        checked = _check_plain(path, "t.csv")
    finally:
        csvio._SCAN_CHUNK = saved
    expected = _check_text(text.encode("ascii"), "t.csv")
    if checked is None:  # only a header line longer than the first chunk, or blank, is left to the whole-file path
        first = text.split("\n", 1)
        assert len(first) == 1 or len(first[0]) + 1 > chunk or not first[0].strip()
    else:
        assert checked == expected


def test_a_file_with_quotes_or_other_characters_is_not_checked_as_plain(tmp_path):
    for text in ('a,b\n"x",1\n', "a,b\r\n1,2\r\n", "a,b\n\u00e9,1\n", "\ufeffa,b\n1,2\n"):
        path = tmp_path / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        assert _check_plain(path, "t.csv") is None

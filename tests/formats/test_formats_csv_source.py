"""Delimited text: encodings, delimiters, structure problems, and files that are not CSV."""

from __future__ import annotations

import codecs

import pytest

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats.csv_source import read_csv_source, sniff_delimiter
from peerimpact.formats.sniff import decode_text, detect_kind

TEXT = "id;name;score\n01;Zoë;3,5\n02;Ana, María;4\n"


@pytest.mark.parametrize(
    ("data", "encoding", "used"),
    [
        (TEXT.encode("utf-8"), "utf-8", "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", "utf-8"),
        (TEXT.encode("utf-16"), "utf-8", "utf-16"),
        (TEXT.encode("cp1252"), "cp1252", "cp1252"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "auto", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "cp1252-named", "auto-utf-8"],
)
def test_encodings(tmp_path, data, encoding, used):
    assert decode_text(data, "x.csv", encoding)[1] == used
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    table = read_csv_source(path, encoding=encoding)
    assert table.columns == ["id", "name", "score"]
    assert table.rows == [("01", "Zoë", "3,5"), ("02", "Ana, María", "4")]
    assert table.decimal == ","
    assert table.encoding == used


# A UTF-8 file with one Windows-1252 byte (an "é" typed in Excel): the issue-13 case that came in as mojibake.
ONE_CP1252_BYTE = "participant_id,name,age\np01,Ann,34\np02,Jos".encode("utf-8") + b"\xe9" + ",41\np03,Zo\u00eb,29\n".encode("utf-8")


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [
        (ONE_CP1252_BYTE, "utf-8",
         "x.csv:3:name: byte 0xe9 is not valid utf-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): set `encoding:` "
         "for this source under `sources:` in the mapping (e.g. `encoding: cp1252`, or `encoding: auto` to detect it), or save the file again as CSV UTF-8"),
        (TEXT.encode("cp1252"), "utf-8",
         "x.csv:2:name: byte 0xeb is not valid utf-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): set `encoding:` "
         "for this source under `sources:` in the mapping (e.g. `encoding: cp1252`, or `encoding: auto` to detect it), or save the file again as CSV UTF-8"),
        (b"id,name,notes\n1,ok,\"two\nlines\"\n2,x,\x81\n", "cp1252",
         "x.csv:3:notes: byte 0x81 is not valid cp1252 text: set `encoding:` for this source under `sources:` in the mapping "
         "(e.g. `encoding: cp1252`, or `encoding: auto` to detect it), or save the file again as CSV UTF-8"),
    ],
    ids=["one-cp1252-byte", "cp1252-file", "after-a-multiline-cell"],
)
def test_invalid_text_names_the_first_bad_byte(tmp_path, data, encoding, expected):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path, encoding=encoding)
    assert [str(p) for p in err.value.problems] == [expected]


def test_auto_detects_windows_1252_and_says_so(tmp_path):
    text = "id,name,notes\n1,Ren\u00e9e,caf\u00e9 cr\u00e8me\n2,Zo\u00eb,\u201cquoted\u201d \u2013 dash\n"
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_csv_source(path, encoding="auto")
    assert table.encoding == "cp1252"
    assert table.rows[1] == ("2", "Zo\u00eb", "\u201cquoted\u201d \u2013 dash")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('a,b\n"x;y;z",2\n', ","),
        ("a;b\n1,5;2,5\n", ";"),
        ("only\n1\n", ","),
    ],
    ids=["comma", "semicolon-decimal-comma", "tab", "pipe", "quoted-semicolons", "commas-inside-cells", "one-column"],
)
def test_delimiter_sniffing(text, delimiter):
    assert sniff_delimiter(text) == delimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,id,x\n1,2,3\n", ["dup.csv:1:id: duplicate column name (also column 1)"]),
        ("id,,x\n1,2,3\n", ["dup.csv:1:#2: header cell is empty: every column needs a name"]),
        ("a,b\n1,2\n3\n4,5,6\n", ["dup.csv:3: has 1 cells but the header has 2", "dup.csv:4: has 3 cells but the header has 2"]),
        ('a,b\n1,"unfinished\n', ["dup.csv:2: cannot be read as delimited text (unexpected end of data); is the file truncated or a quote unclosed?"]),
    ],
    ids=["duplicate-column", "empty-header", "ragged-rows", "unclosed-quote"],
)
def test_structure_problems(tmp_path, text, expected):
    path = tmp_path / "dup.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path, delimiter=",")
    assert [str(p) for p in err.value.problems] == expected


def test_spreadsheet_leftovers_are_tolerated(tmp_path):
    """Blank lines, trailing empty cells and empty trailing header cells are formatting, not data."""
    path = tmp_path / "x.csv"
    path.write_text("a,b,,\n1,2,,\n\n,,,\n3,4\n", encoding="utf-8")
    table = read_csv_source(path)
    assert table.columns == ["a", "b"]
    assert table.rows == [("1", "2"), ("3", "4")]
    assert table.row_numbers == [2, 5]


def test_header_row_skips_title_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Survey export 2021\n\nid,score\n01,3\n", encoding="utf-8")
    table = read_csv_source(path, header_row=3)
    assert table.columns == ["id", "score"] and table.row_numbers == [4]


def test_text_with_line_breaks_keeps_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,note\n1,"two\nlines"\n2,plain\n', encoding="utf-8")
    table = read_csv_source(path)
    assert table.rows == [("1", "two\nlines"), ("2", "plain")]
    assert table.row_numbers == [2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.csv: is empty"),
        (b"  \n\n", "x.csv: is empty"),
        (b"PK\x03\x04rest-of-a-zip", "x.csv: is not CSV text: it is an Excel workbook or another zip file (use `peerimpact import xlsx`)"),
        (b"$FL2@(#) IBM SPSS STATISTICS", "x.csv: is not CSV text: it is an SPSS data file (.sav) (use `peerimpact import spss`)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "x.csv: is not CSV text: it is an old Excel 97-2003 workbook (.xls); save it as .xlsx"),
        (b"a,b\n\x00\x01\x02", "x.csv: is not CSV text: it is a binary file, not text"),
    ],
    ids=["empty", "blank", "xlsx", "sav", "xls", "binary"],
)
def test_files_that_are_not_csv(tmp_path, data, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(UserInputError) as err:
        read_csv_source(path)
    assert str(err.value) == message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UserInputError, match=r"^nope.csv: no such file$"):
        read_csv_source(tmp_path / "nope.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(UserInputError, match=r"^d.csv: is a folder, not a file$"):
        read_csv_source(tmp_path / "d.csv")


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"PK\x03\x04", "xlsx"), (b"$FL3", "spss"), (codecs.BOM_UTF16_LE + "a".encode("utf-16-le"), "text"), (b"a,b", "text")],
    ids=["zip", "zsav", "utf-16", "text"],
)
def test_detect_kind(data, kind):
    assert detect_kind(data) == kind


# ------------------------------------------------------------- the fast path
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from peerimpact.formats import csv_source  # noqa: E402

_CELLS = st.sampled_from(["", " ", "1", "2.5", "3,5", "abc", " x ", "é", "NA", "\t", "2020-01-01"])


@st.composite
def delimited(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 4))
    header = [f"c{i}" for i in range(width)]
    lines = [delimiter.join(header)]
    for _ in range(draw(st.integers(0, 8))):
        n = draw(st.sampled_from([width, width, width, width - 1, width + 1, 0]))
        lines.append(delimiter.join(draw(_CELLS).replace(delimiter, "") for _ in range(max(n, 0))))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return delimiter, ending.join(lines) + draw(st.sampled_from(["", ending]))


@settings(max_examples=150, deadline=None)
@given(case=delimited(), strip=st.booleans(), chunk=st.sampled_from([1, 2, 8192]))
def test_the_fast_path_reads_exactly_what_the_careful_parser_reads(case, strip, chunk):
    """Whenever pandas' C parser is used, its rows, numbers and header equal the csv module's (read in chunks of any size)."""
    delimiter, text = case
    saved = csv_source._PARSE_ROWS
    csv_source._PARSE_ROWS = chunk
    try:
        fast = csv_source._parse_with_pandas_unchecked(text, delimiter, 1, strip)
    finally:
        csv_source._PARSE_ROWS = saved
    if fast is None:
        return
    old = csv_source.FAST_MIN_CHARS
    csv_source.FAST_MIN_CHARS = 10**12
    try:
        careful = csv_source.parse_delimited(text, "x.csv", delimiter, 1, strip)
    finally:
        csv_source.FAST_MIN_CHARS = old
    assert fast == careful


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\n1, 2\n\n,\n3,\r\n", (["a", "b"], [("1", "2"), ("3", None)], [2, 5])),
        ('a,b\n"1",2\n', None),  # quotes: the careful parser
        ("a,b\n1,2,3\n", None),  # a record of another width: the careful parser names it
        ("a,a\n1,2\n", None),  # duplicate header
    ],
    ids=["used", "quotes", "ragged", "duplicate-header"],
)
def test_when_the_fast_path_is_used(text, expected):
    assert csv_source._parse_with_pandas_unchecked(text, ",", 1, True) == expected

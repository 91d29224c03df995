"""Delimited text: encodings, delimiters, structure problems, and files that are not CSV."""

from __future__ import annotations

import codecs

import pytest

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats.csv_source import read_csv_source, sniff_delimiter
from peerimpact.formats.sniff import decode_text, detect_kind
from peerimpact.study.csvio import read_raw_csv

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


NEVER_CLOSED = (
    'a quote opened in this cell is never closed, so the rest of the file ({}) is read as one cell: close the quote where the cell ends, '
    'or double it ("") if it is text'
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,id,x\n1,2,3\n", ["dup.csv:1:id: duplicate column name (also column 1)"]),
        ("id,,x\n1,2,3\n", ["dup.csv:1:#2: header cell is empty: every column needs a name"]),
        ("a,b\n1,2\n3\n4,5,6\n", [
            "dup.csv:3:b: has 1 cells but the header has 2: no cell for b (a missing delimiter?)",
            "dup.csv:4:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)",
        ]),
        ("a,b,c\n1\n", ["dup.csv:2:b: has 1 cells but the header has 3: no cell for b onwards (a missing delimiter?)"]),
        ("a,,c,d\n1,2,3,4\n5\n", [
            "dup.csv:1:#2: header cell is empty: every column needs a name",
            "dup.csv:3:#2: has 1 cells but the header has 4: no cell for #2 onwards (a missing delimiter?)",
        ]),
        ('a,b\n1,"unfinished\n', [f"dup.csv:2:b: {NEVER_CLOSED.format('1 line')}"]),
        # the strict reader stops at "x"y (row 2), an error here too; the quote never closed is row 3's
        ('a,b,c\n"x"y,2,3\n4,5,"6\n7,8,9\n', [
            "dup.csv:2: cannot be read as delimited text (',' expected after '\"'); is the file truncated or a quote unclosed?",
            f"dup.csv:3:c: {NEVER_CLOSED.format('2 lines')}",
        ]),
        # a blank header row over data: where the names must be, and header_row for names further down
        ("\nID,Site\nP1,1\n", ["dup.csv:1: row 1, the header row, is empty: it must hold the column names; if they are on a "
                               "later row, set `header_row:` for this source under `sources:` in the mapping"]),
    ],
    ids=["duplicate-column", "empty-header", "ragged-rows", "short-by-two", "short-under-an-unnamed-column", "unclosed-quote",
         "unclosed-after-a-strict-error", "blank-header-row"],
)
def test_structure_problems(tmp_path, text, expected):
    """Each problem names its row and, where there is one, its column."""
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


BLANK_LINES = [("spaces", "   "), ("tab-and-spaces", " \t "), ("no-break-space", "\u00a0"), ("commas", ",,,,")]


@pytest.mark.parametrize("line", [b[1] for b in BLANK_LINES], ids=[b[0] for b in BLANK_LINES])
def test_a_line_of_white_space_is_a_blank_row(tmp_path, line):
    """Dropped like an empty line, the next rows keeping their spreadsheet numbers (as the study loader keeps them)."""
    path = tmp_path / "x.csv"
    path.write_text(f"a,b\n1,2\n{line}\n3,4\n{line}", encoding="utf-8")
    table = read_csv_source(path)
    assert (table.rows, table.row_numbers) == ([("1", "2"), ("3", "4")], [2, 4])


# The same rule breached in a user's export and in a study table: the same row, column and message.
SAME_RULE = [
    ("short-row", b"a,b,c\n1,2,3\n4\n"),
    ("long-row", b"a,b\n1,2\n3,4,5\n"),
    ("ragged-after-a-spaces-line", b"a,b\n  \n1,2,3\n"),
    ("ragged-after-a-multiline-cell", 'a,b\n"x\ny",Zo\u00eb\n1\n'.encode()),
    ("unclosed-quote", b'a,b\n1,2\n3,"x\n4,5\n'),
    ("unclosed-quote-swallowing-a-delimiter", b'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n'),
    ("unclosed-quote-crlf-and-bom", b'\xef\xbb\xbfa,b\r\n1,"x\r\n2,3\r\n4,5\r\n'),
    ("quote-closed-lines-below", b'a,b,c\n1,"2,3\n4,5,6\n7",8,9,10\n'),
]


@pytest.mark.parametrize("data", [c[1] for c in SAME_RULE], ids=[c[0] for c in SAME_RULE])
def test_the_importer_and_the_study_loader_say_the_same(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    _, in_study = read_raw_csv(path, "x.csv")
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path, delimiter=",")
    assert [str(p) for p in err.value.problems] == [str(p) for p in in_study]
    assert all(p.row is not None for p in in_study)
    assert all(p.column is not None for p in in_study if "quote" not in p.message)


BAD_BYTES = [
    ("after-a-bom", codecs.BOM_UTF8 + b"id,name\n1,Jos\xe9\n", (2, "name")),
    ("after-a-multiline-cell", b'id,note,name\n1,"two\r\nlines",x\n2,y,Jos\xe9\n', (3, "name")),
    ("inside-a-multiline-cell", codecs.BOM_UTF8 + b'id,note,name\n1,"two\nline\x92s",x\n', (2, "note")),
    ("after-a-blank-line", b"id,name\n1,x\n\n2,Jos\xe9\n", (4, "name")),
]


@pytest.mark.parametrize(("data", "where"), [c[1:] for c in BAD_BYTES], ids=[c[0] for c in BAD_BYTES])
def test_a_bad_byte_is_located_alike_by_the_importer_and_the_study_loader(tmp_path, data, where):
    """One locating function: the spreadsheet row (a record, not a line) and the column, a byte-order mark counted."""
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    _, [in_study] = read_raw_csv(path, "x.csv")
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path)
    [imported] = err.value.problems
    assert (imported.row, imported.column) == (in_study.row, in_study.column) == where
    assert in_study.message.startswith("byte 0x") and imported.message.startswith("byte 0x")


@pytest.mark.parametrize(
    "title",
    ["Survey export 2021", "Survey export, 2021", '"Survey export; 2021, all sites"'],
    ids=["plain", "a-comma-in-the-title", "quoted-delimiters-in-the-title"],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_header_row_skips_title_rows(tmp_path, title, delimiter):
    """The delimiter is sniffed from the header row on: a title row above it does not choose it."""
    path = tmp_path / "x.csv"
    path.write_text(f"{title}\n\nid{delimiter}score\n01{delimiter}3\n", encoding="utf-8")
    table = read_csv_source(path, header_row=3)
    assert (table.columns, table.rows, table.row_numbers) == (["id", "score"], [("01", "3")], [4])


# A bad byte's column is named from the mapping's header row, not from a title row above it.
HEADER_ROW_BYTES = [
    ("comma-in-the-title", b"Survey export, 2021\n\nid,name,score\n01,Jos\xe9,3\n", 3, (4, "name")),
    ("semicolons", b"Survey export 2021\n\nid;name\n01;Jos\xe9\n", 3, (4, "name")),
    ("nul-byte", b"Survey export 2021\nid,name,score\n01,x\x00,3\n", 2, (3, "name")),
    ("after-a-multiline-cell", b'Export\nid,note,name\n01,"two\nlines",Jos\xe9\n', 2, (3, "name")),
    ("in-a-title-row", b"Export \xe9t\xe9 2021\nid,name\n01,x\n", 2, (1, "#1")),
]


@pytest.mark.parametrize(("data", "header_row", "where"), [c[1:] for c in HEADER_ROW_BYTES], ids=[c[0] for c in HEADER_ROW_BYTES])
def test_a_bad_byte_is_named_by_the_column_of_the_header_row(tmp_path, data, header_row, where):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path, header_row=header_row)
    [problem] = err.value.problems
    assert (problem.row, problem.column) == where


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


# ------------------------------------------------------------- NUL bytes and UTF-16
NUL_HINT = (
    "byte 0x00 (a NUL byte) is not text: the file is damaged, or was saved in another encoding such as UTF-16: check this cell, "
    "then save the file again as CSV UTF-8 (or, if it is UTF-16, set `encoding: utf-16` for this source under `sources:` in the mapping)"
)
#: Longer than FAST_MIN_CHARS (the fast path's size), so a NUL byte would reach the fast path's checks.
LONG_BODY = b"1,x\n" * 20_000

NUL_BYTES = [
    ("in-the-first-4-kib", b"id,name\n1,Jo\x00e\n", "utf-8", "x.csv:2:name: "),
    ("whole-cell", b"id,name\n1,\x002\n", "utf-8", "x.csv:2:name: "),
    ("semicolons", b"id;name\n1;x\x00\n", "utf-8", "x.csv:2:name: "),
    ("a-long-file", b"id,name\n" + LONG_BODY + b"2,y\x00\n", "utf-8", "x.csv:20002:name: "),
    ("with-a-bom", b"\xef\xbb\xbfid,name\n1,\"a\nb\"\n2,\x00\n", "utf-8", "x.csv:3:name: "),
    ("encoding-auto", b"id,name\n1,x\x00\n", "auto", "x.csv:2:name: "),
    ("encoding-cp1252", b"id,name\n1,Jos\xe9\x00\n", "cp1252", "x.csv:2:name: "),
    ("in-the-header", b"id,na\x00me\n1,x\n", "utf-8", "x.csv:1:#2: "),
    ("a-zeroed-file", bytes(100), "utf-8", "x.csv:1:#1: "),
    ("a-nul-character-in-utf-16", "id,name\n1,x\x00y\n".encode("utf-16"), "utf-8", "x.csv:2:name: "),
]


@pytest.mark.parametrize(("data", "encoding", "where"), [c[1:] for c in NUL_BYTES], ids=[c[0] for c in NUL_BYTES])
def test_a_nul_byte_is_an_error_at_its_row_and_column(tmp_path, data, encoding, where):
    """Never kept in a cell (a study CSV would then lose the rest of it) nor called a binary file."""
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path, encoding=encoding)
    assert [str(p) for p in err.value.problems] == [where + NUL_HINT]


@pytest.mark.parametrize(
    "data",
    [b"a,b\n1,\x002\n", b"a,b\n1,x\x00y\n", b'a,b\n"x\ny",1\n2,z\x00\n', b"\xef\xbb\xbfa,b\r\n1,2\r\n3,\x00\r\n", b"a,b\n1,2\n" + bytes(64)],
    ids=["whole-cell", "inside-a-value", "after-a-multiline-cell", "crlf-and-bom", "a-zeroed-tail"],
)
def test_a_nul_byte_is_located_alike_by_the_importer_and_the_study_loader(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    _, [in_study] = read_raw_csv(path, "x.csv")
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path)
    [imported] = err.value.problems
    assert (imported.row, imported.column) == (in_study.row, in_study.column) != (None, None)
    assert in_study.message.startswith("byte 0x00 (a NUL byte)") and imported.message.startswith(in_study.message)


UTF16_TEXT = "id,name\n01,Zo\u00eb\n02,Ann\n"
UTF16_READ = [
    ("le-bom-default", UTF16_TEXT.encode("utf-16"), "utf-8", "utf-16"),
    ("be-bom-default", b"\xfe\xff" + UTF16_TEXT.encode("utf-16-be"), "utf-8", "utf-16"),
    ("le-bom-auto", UTF16_TEXT.encode("utf-16"), "auto", "utf-16"),
    ("le-bom-named", UTF16_TEXT.encode("utf-16"), "utf-16", "utf-16"),
    ("le-named", UTF16_TEXT.encode("utf-16-le"), "utf-16", "utf-16-le"),
    ("be-named", UTF16_TEXT.encode("utf-16-be"), "utf-16", "utf-16-be"),
    ("le-auto", UTF16_TEXT.encode("utf-16-le"), "auto", "utf-16-le"),
    ("be-auto", UTF16_TEXT.encode("utf-16-be"), "auto", "utf-16-be"),
]


@pytest.mark.parametrize(("data", "encoding", "used"), [c[1:] for c in UTF16_READ], ids=[c[0] for c in UTF16_READ])
def test_utf16_is_read_with_its_mark_or_when_the_mapping_names_it(tmp_path, data, encoding, used):
    """Without a byte-order mark, `encoding: utf-16` or `auto` tells the byte order from the NUL bytes."""
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    table = read_csv_source(path, encoding=encoding)
    assert (table.columns, table.rows, table.encoding) == (["id", "name"], [("01", "Zo\u00eb"), ("02", "Ann")], used)


SET_UTF16 = "set `encoding: utf-16` for this source under `sources:` in the mapping, or save the file again as CSV UTF-8"
UTF16_REFUSED = [
    ("le-default", UTF16_TEXT.encode("utf-16-le"), "utf-8", f"x.csv: looks like UTF-16 text (a NUL byte beside most characters), not utf-8: {SET_UTF16}"),
    ("be-default", UTF16_TEXT.encode("utf-16-be"), "utf-8", f"x.csv: looks like UTF-16 text (a NUL byte beside most characters), not utf-8: {SET_UTF16}"),
    ("tabs-crlf-default", UTF16_TEXT.replace(",", "\t").replace("\n", "\r\n").encode("utf-16-le"), "utf-8",
     f"x.csv: looks like UTF-16 text (a NUL byte beside most characters), not utf-8: {SET_UTF16}"),
    ("le-cp1252", UTF16_TEXT.encode("utf-16-le"), "cp1252", f"x.csv: looks like UTF-16 text (a NUL byte beside most characters), not cp1252: {SET_UTF16}"),
    ("bom-utf-8-sig", UTF16_TEXT.encode("utf-16"), "utf-8-sig",
     f"x.csv: looks like UTF-16 text (it starts with a UTF-16 byte-order mark), not utf-8-sig: {SET_UTF16}"),
]


@pytest.mark.parametrize(("data", "encoding", "message"), [c[1:] for c in UTF16_REFUSED], ids=[c[0] for c in UTF16_REFUSED])
def test_utf16_read_as_another_encoding_is_a_user_error_naming_the_encoding_to_set(tmp_path, data, encoding, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(UserInputError) as err:
        read_csv_source(path, encoding=encoding)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"a,b\n1,\x002\n", "text"), ("id,name\n".encode("utf-16-be"), "text"), (bytes(64), "text"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
    ids=["a-nul-byte-in-text", "utf-16-without-bom", "zeroed", "png"],
)
def test_text_with_nul_bytes_is_text(data, kind):
    """Read as text, so that the reader names the NUL byte's cell or the UTF-16 encoding; control bytes make it binary."""
    assert detect_kind(data) == kind


LEFTOVERS = [
    ("one-row", b"a,b\n1,2,\n3,4\n"),
    ("every-row", b"a,b\n1,2,\n3,4,\n"),
    ("several-and-white-space", b"a,b\n1,2, ,\t\n3,4,,,\n"),
    ("crlf-and-bom", b"\xef\xbb\xbfa,b\r\n1,2,\r\n3,4\r\n"),
    ("quoted-cells", b'a,b\n"1","2",""\n3,4\n'),
    ("a-long-file", b"a,b\n" + b"1,2\n" * 20_000 + b"3,4,,\n"),
    # the header's own empty cells at its end (Excel's used range), over columns with no data
    ("header-ends-in-an-empty-cell", b"a,b,\n1,2,\n3,4,\n"),
    ("header-ends-in-two-crlf-and-bom", b"\xef\xbb\xbfa,b,,\r\n1,2\r\n3,4,,\r\n"),
    ("header-ends-in-an-empty-quoted-cell", b'"a","b",""\n"1","2",""\n3,4,\n'),
    ("header-ends-in-an-empty-cell-long-file", b"a,b,\n" + b"1,2,\n" * 20_000 + b"3,4\n"),
]


@pytest.mark.parametrize("data", [c[1] for c in LEFTOVERS], ids=[c[0] for c in LEFTOVERS])
def test_empty_cells_beyond_the_header_are_read_alike_by_the_importer_and_the_study_loader(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "x.csv")
    table = read_csv_source(path, delimiter=",")
    assert found == []
    assert list(frame.columns) == table.columns == ["a", "b"]
    assert frame.values.tolist() == [[c or "" for c in row] for row in table.rows]


#: Longer than the csv module's default field limit (131,072 characters), which was read as a quoting problem.
LONG = "transcript quote " * 8_000
LONG_CELLS = [
    ("quoted", f'id,note\n1,"{LONG}"\n2,x\n', [("1", LONG.strip()), ("2", "x")]),
    ("semicolons", f'id;note\n1;"{LONG}"\n2;x\n', [("1", LONG.strip()), ("2", "x")]),
    ("multiline-crlf", f'id,note\r\n1,"{LONG}\r\n{LONG}"\r\n', [("1", f"{LONG}\r\n{LONG}".strip())]),
]


@pytest.mark.parametrize(("text", "rows"), [c[1:] for c in LONG_CELLS], ids=[c[0] for c in LONG_CELLS])
def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path, text, rows):
    """Its delimiter sniffed from a sample cut inside the cell, then read whole by the careful parser."""
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8", newline="")
    table = read_csv_source(path)
    assert (table.columns, table.rows) == (["id", "note"], rows)

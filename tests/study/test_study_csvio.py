"""Reading study CSVs: every cell a string, spreadsheet row numbers kept, malformed files explained."""

from __future__ import annotations

import codecs

import pytest

from peerimpact import load_study
from peerimpact.errors import StudyValidationError
from peerimpact.study.csvio import read_raw_csv
from study_fixtures import FILES, write_files

UTF8_HINT = "is not valid UTF-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): save the file again as CSV UTF-8"

CASES = [
    ("plain", b"a,b\n1,2\n3,4\n", [["1", "2"], ["3", "4"]], []),
    ("bom-and-crlf", "\ufeffa,b\r\n1,2\r\n".encode(), [["1", "2"]], []),
    ("trailing-blank-lines", b"a,b\n1,2\n\n\n", [["1", "2"]], []),
    ("blank-line-inside-keeps-numbers", b"a,b\n1,2\n\n3,4\n", [["1", "2"], ["", ""], ["3", "4"]], []),
    ("whitespace-stripped", b"a , b\n 1 , 2 \n", [["1", "2"]], []),
    ("quoted-newline", b'a,b\n"x\ny",2\n', [["x\ny", "2"]], []),
    ("leading-zeros-kept", b"a,b\n007,1e3\n", [["007", "1e3"]], []),
    ("duplicate-column", b"a,b,a\n1,2,3\n", None, ["t.csv:1:a: duplicate column (also column 1)"]),
    ("empty-header-cell", b"a,,c\n1,2,3\n", None, ["t.csv:1:#2: header cell is empty"]),
    ("empty-file", b"", None, ["t.csv: is empty: a header row is required"]),
    # a blank first line: one problem at row 1, not every row "wider than the header"
    ("blank-first-line", b"\na,b\n1,2\n", None, ["t.csv:1: the first line is empty: the column names (the header) must be on the first line"]),
    ("spaces-first-line", b"  \r\na,b\n1,2\n", None, ["t.csv:1: the first line is empty: the column names (the header) must be on the first line"]),
    ("commas-first-line", "\ufeff,,\na,b\n1,2\n".encode(), None, ["t.csv:1: the first line is empty: the column names (the header) must be on the first line"]),
    # a row of another width names its first column with no cell, or its first cell with no column
    ("short-row", b"a,b,c\n1,2,3\n4,5\n", None, ["t.csv:3:c: has 2 cells but the header has 3: no cell for c (a missing delimiter?)"]),
    ("short-row-by-two", b'a,b,c\n"1"\n', None, ["t.csv:2:b: has 1 cells but the header has 3: no cell for b onwards (a missing delimiter?)"]),
    ("short-row-unnamed-column", b"a,,c\n1\n", None,
     ["t.csv:1:#2: header cell is empty", "t.csv:2:#2: has 1 cells but the header has 3: no cell for #2 onwards (a missing delimiter?)"]),
    ("long-row", b"a,b\n1,2\n3,4,5\n", None,
     ["t.csv:3:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"]),
    ("long-row-quoted", "a,b\n\"x\",Zo\u00eb, Ann\n".encode(), None,
     ["t.csv:2:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"]),
    # a line of white space, or of commas only, is a blank row like an empty line: kept inside, dropped at the end
    ("spaces-line-inside", b"a,b\n1,2\n   \n3,4\n", [["1", "2"], ["", ""], ["3", "4"]], []),
    ("spaces-line-at-end", b"a,b\n1,2\n \t \n", [["1", "2"]], []),
    ("spaces-without-line-end", b"a,b\n1,2\n   ", [["1", "2"]], []),
    ("commas-line-wider", b"a,b\n1,2\n,,,\n3,4\n", [["1", "2"], ["", ""], ["3", "4"]], []),
    ("spaces-line-crlf-bom", "\ufeffa,b\r\n1,\"x\r\ny\"\r\n  \r\n3,4\r\n".encode(), [["1", "x\r\ny"], ["", ""], ["3", "4"]], []),
    ("no-break-space-line", "a,b\n1,2\n\u00a0\n3,4\n".encode(), [["1", "2"], ["", ""], ["3", "4"]], []),
    ("spaces-line-and-a-short-row", b"a,b\n  \n1\n", None, ["t.csv:3:b: has 1 cells but the header has 2: no cell for b (a missing delimiter?)"]),
    ("unclosed-quote", b'a,b\n1,2\n3,"x\n4,5\n', None,
     ['t.csv:3:b: a quote opened in this cell is never closed, so the rest of the file (2 lines) is read as one cell: '
      'close the quote where the cell ends, or double it ("") if it is text']),
    # a byte that is not UTF-8: its spreadsheet row (a record, not a line) and its column
    ("not-utf8", "a,b\nJos\xe9,1\n".encode("cp1252"), None, [f"t.csv:2:a: byte 0xe9 {UTF8_HINT}"]),
    ("not-utf8-after-bom", b"\xef\xbb\xbfa,b\n1,\xe9\n", None, [f"t.csv:2:b: byte 0xe9 {UTF8_HINT}"]),
    ("not-utf8-after-multiline-cell", b'a,b\n1,"x\ny"\n2,\xe9\n', None, [f"t.csv:3:b: byte 0xe9 {UTF8_HINT}"]),
    ("not-utf8-inside-multiline-cell", b'a,b,c\n1,"x\r\ny\x92s",3\n', None, [f"t.csv:2:b: byte 0x92 {UTF8_HINT}"]),
    ("not-utf8-in-header", b"a,caf\xe9\n1,2\n", None, [f"t.csv:1:caf\ufffd: byte 0xe9 {UTF8_HINT}"]),
]


@pytest.mark.parametrize("data, rows, problems", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_raw_csv(tmp_path, data, rows, problems):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert [str(p) for p in found] == problems
    if rows is None:
        assert frame is None
    else:
        assert frame.values.tolist() == rows
        assert all(isinstance(v, str) for v in frame.values.ravel())


BLANK_LINES = [("empty", "\n"), ("spaces", "   \n"), ("tab-and-spaces", " \t \n"), ("commas", ",,,,,,,\n"), ("spaces-crlf", "  \r\n")]


@pytest.mark.parametrize("line", [b[1] for b in BLANK_LINES], ids=[b[0] for b in BLANK_LINES])
def test_a_blank_line_in_a_study_table_is_a_blank_row(tmp_path, line):
    """Inside the table it is a row with every cell empty, named by the required-value checks; at the end it is dropped."""
    header, *rows = FILES["participants.csv"].splitlines(keepends=True)
    inside = write_files(tmp_path / "inside", {**FILES, "participants.csv": "".join([header, rows[0], line, *rows[1:]])})
    with pytest.raises(StudyValidationError) as err:
        load_study(inside)
    assert [str(p) for p in err.value.problems] == [
        f"participants.csv:3:{column}: is empty but a value is required" for column in ("consent_date", "participant_id", "site")
    ]
    at_end = write_files(tmp_path / "end", {**FILES, "participants.csv": FILES["participants.csv"] + line})
    assert list(load_study(at_end).participants["participant_id"]) == ["01", "02", "03"]


# ------------------------------------------------------------------ NUL bytes and UTF-16
NUL_HINT = (
    "byte 0x00 (a NUL byte) is not text: the file is damaged, or was saved in another encoding such as UTF-16: "
    "check this cell, then save the file again as CSV UTF-8"
)
#: Over the plain-ASCII scan's first chunk (256 KiB), so the NUL is in a later one.
LONG_BODY = b"1,2\n" * 70_000

# pandas' parser ends a cell at a NUL byte (`1,\x002` read b = '', `x\x00y` read 'x'): each is refused at its row and column
NUL_CASES = [
    ("whole-cell", b"a,b\n1,\x002\n", f"t.csv:2:b: {NUL_HINT}"),
    ("inside-a-value", b"a,b\n1,x\x00y\n", f"t.csv:2:b: {NUL_HINT}"),
    ("first-cell", b"a,b\n\x00,2\n", f"t.csv:2:a: {NUL_HINT}"),
    ("in-the-header", b"a,b\x00\n1,2\n", f"t.csv:1:#2: {NUL_HINT}"),
    ("after-a-multiline-cell", b'a,b\n"x\ny",1\n2,z\x00\n', f"t.csv:3:b: {NUL_HINT}"),
    ("inside-a-quoted-cell", b'a,b\n1,"x\x00\ny"\n', f"t.csv:2:b: {NUL_HINT}"),
    ("non-ascii-file", "a,b\n1,Zo\u00eb\n2,x\x00y\n".encode(), f"t.csv:3:b: {NUL_HINT}"),
    ("crlf-and-bom", b"\xef\xbb\xbfa,b\r\n1,2\r\n3,\x00\r\n", f"t.csv:3:b: {NUL_HINT}"),
    ("after-the-first-chunk", b"a,b\n" + LONG_BODY + b"3,x\x00\n", f"t.csv:70002:b: {NUL_HINT}"),
    ("a-zeroed-tail", b"a,b\n1,2\n" + bytes(64), f"t.csv:3:a: {NUL_HINT}"),
    ("before-a-bad-byte", b"a,b\n1,\x00\n2,Jos\xe9\n", f"t.csv:2:b: {NUL_HINT}"),
]

UTF16 = "id,name\n01,Zo\u00eb\n02,Ann\n"
SAVE_AS_UTF8 = "not UTF-8: save the file again as CSV UTF-8"
UTF16_CASES = [
    ("le-with-bom", UTF16.encode("utf-16"), f"t.csv: looks like UTF-16 text (it starts with a UTF-16 byte-order mark), {SAVE_AS_UTF8}"),
    ("be-with-bom", b"\xfe\xff" + UTF16.encode("utf-16-be"), f"t.csv: looks like UTF-16 text (it starts with a UTF-16 byte-order mark), {SAVE_AS_UTF8}"),
    ("excel-unicode-text", b"\xff\xfe" + UTF16.replace(",", "\t").replace("\n", "\r\n").encode("utf-16-le"),
     f"t.csv: looks like UTF-16 text (it starts with a UTF-16 byte-order mark), {SAVE_AS_UTF8}"),
    ("le-without-bom", UTF16.encode("utf-16-le"), f"t.csv: looks like UTF-16 text (a NUL byte beside most characters), {SAVE_AS_UTF8}"),
    ("be-without-bom", UTF16.encode("utf-16-be"), f"t.csv: looks like UTF-16 text (a NUL byte beside most characters), {SAVE_AS_UTF8}"),
    ("ascii-le-without-bom", b"a,b\n1,2\n".decode().encode("utf-16-le"),
     f"t.csv: looks like UTF-16 text (a NUL byte beside most characters), {SAVE_AS_UTF8}"),
]


@pytest.mark.parametrize(("data", "problem"), [c[1:] for c in NUL_CASES + UTF16_CASES], ids=[c[0] for c in NUL_CASES + UTF16_CASES])
def test_a_nul_byte_is_refused_never_read_as_the_end_of_a_cell(tmp_path, data, problem):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert frame is None
    assert [str(p) for p in found] == [problem]


def test_a_nul_byte_stops_load_study_at_its_file_row_and_column(tmp_path):
    folder = write_files(tmp_path / "s", {**FILES, "participants.csv": FILES["participants.csv"].replace("02,1,2020-01-11,man", "02,1,2020-01-11,m\x00an")})
    with pytest.raises(StudyValidationError) as err:
        load_study(folder)
    # (the other tables' references to participants then fail too, as with any unreadable participants.csv)
    assert [str(p) for p in err.value.problems if p.file == "participants.csv"] == [f"participants.csv:3:gender: {NUL_HINT}"]


# ------------------------------------------------------------------ empty cells beyond the header
# Spreadsheet leftovers (Excel writes `1,2,` once a cell right of the table was used): dropped, as the importer drops them
LEFTOVER_CASES = [
    ("one-row", b"a,b\n1,2,\n3,4\n"),
    ("every-row", b"a,b\n1,2,\n3,4,\n"),
    ("several-and-white-space", b"a,b\n1,2, ,\t\n3,4,,,\n"),
    ("last-row-without-line-end", b"a,b\n1,2\n3,4,"),
    ("crlf-and-bom", b"\xef\xbb\xbfa,b\r\n1,2,\r\n3,4\r\n"),
    ("quoted-cells", b'a,b\n"1","2",""\n3,4\n'),
    ("no-break-space-beyond", "a,b\n1,2,\u00a0\n3,4\n".encode()),
    ("cells-trimmed", b"a , b\n 1 , 2 ,\n3,4\n"),
    # empty header cells at the end over columns with no data (Excel's used range): dropped with them
    ("header-one", b"a,b,\n1,2,\n3,4,\n"),
    ("header-two-and-short-rows", b"a,b,,\n1,2\n3,4,,\n"),
    ("header-white-space", b"a,b, \n1,2, \n3,4\n"),
    ("header-crlf-and-bom", b"\xef\xbb\xbfa,b,\r\n1,2,\r\n3,4,\r\n"),
    ("header-quoted", b'"a","b",""\n"1","2",""\n3,4,\n'),
]
LEFTOVER_ROWS = [["1", "2"], ["3", "4"]]


@pytest.mark.parametrize("data", [c[1] for c in LEFTOVER_CASES], ids=[c[0] for c in LEFTOVER_CASES])
def test_empty_cells_beyond_the_header_are_dropped(tmp_path, data):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert found == []
    assert list(frame.columns) == ["a", "b"]
    assert frame.values.tolist() == LEFTOVER_ROWS


def test_empty_header_cells_over_no_data_with_blank_lines(tmp_path):
    """Blank lines inside stay blank rows, trailing ones go, as without the header leftover."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b,\n1,2,\n,,\n\n3,4,\n\n")
    frame, found = read_raw_csv(path, "t.csv")
    assert found == [] and list(frame.columns) == ["a", "b"]
    assert frame.values.tolist() == [["1", "2"], ["", ""], ["", ""], ["3", "4"]]


def test_empty_cells_beyond_the_header_after_the_first_chunk(tmp_path):
    """The plain-ASCII scan finds the row in a later chunk; the row keeps its values and no column is added."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" + LONG_BODY + b"3,4,,\n5,6\n")
    frame, found = read_raw_csv(path, "t.csv")
    assert found == []
    assert list(frame.columns) == ["a", "b"]
    assert (len(frame), frame.values[-2:].tolist()) == (70_002, [["3", "4"], ["5", "6"]])


BEYOND_THE_HEADER = [
    ("one-cell", b"a,b\n1,2,x\n", "t.csv:2:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"),
    ("after-an-empty-one", b"a,b\n1,2,,x\n", "t.csv:2:#3: has 4 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"),
    ("quoted-space", b'a,b\n1,2," x"\n', "t.csv:2:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"),
]


@pytest.mark.parametrize(("data", "problem"), [c[1:] for c in BEYOND_THE_HEADER], ids=[c[0] for c in BEYOND_THE_HEADER])
def test_a_value_beyond_the_header_stays_an_error(tmp_path, data, problem):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert [str(p) for p in read_raw_csv(path, "t.csv")[1]] == [problem]


def test_an_excel_edited_study_table_with_empty_cells_beyond_the_header_loads(tmp_path):
    header, *rows = FILES["participants.csv"].splitlines(keepends=True)
    edited = header + "".join(r.replace("\n", ",,\r\n") for r in rows)
    study = load_study(write_files(tmp_path / "edited", {**FILES, "participants.csv": edited}))
    plain = load_study(write_files(tmp_path / "plain", FILES))
    assert list(study.participants.columns) == list(plain.participants.columns)
    assert study.participants.equals(plain.participants)


# ------------------------------------------------------------------ cells longer than the csv module's default limit
#: Longer than the csv module's default field limit (131,072 characters), which raised an uncaught `_csv.Error`.
LONG = "transcript quote " * 8_000
LONG_CASES = [
    ("quoted", f'a,b\n1,"{LONG}"\n2,x\n'.encode(), [["1", LONG.strip()], ["2", "x"]], []),
    ("unquoted-in-a-quoted-file", f'a,b\n"1",{LONG}\n'.encode(), [["1", LONG.strip()]], []),
    ("multiline-with-crlf-and-bom", f'\ufeffa,b\r\n1,"{LONG}\r\n{LONG}"\r\n'.encode(), [["1", f"{LONG}\r\n{LONG}".strip()]], []),
    ("with-a-wide-blank-line", f'a,b\n1,"{LONG}"\n,,,\n2,x\n'.encode(), [["1", LONG.strip()], ["", ""], ["2", "x"]], []),
    ("in-a-row-of-another-width", f'a,b\n1,"{LONG}",3\n'.encode(), None,
     ["t.csv:2:#3: has 3 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"]),
    ("in-the-header", f'a,"{LONG}"\n1,2\n'.encode(), [["1", "2"]], []),
]


@pytest.mark.parametrize(("data", "rows", "problems"), [c[1:] for c in LONG_CASES], ids=[c[0] for c in LONG_CASES])
def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path, data, rows, problems):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert [str(p) for p in found] == problems
    assert (None if frame is None else frame.values.tolist()) == rows


# ------------------------------------------------------------------ a record wider than the header
# pandas' C parser, reading with usecols, failed on some ("Buffer overflow caught": 'could not be parsed as CSV') and read
# the same bytes once a byte-order mark or CRLF line ends were added: each is read alike whatever its mark and line ends.
WIDE_CASES = [
    ("wide-blank-first", b"h0,h1\n,,,,,\n\n5,8\n,,,,\n", {"h0": ["", "", "5"], "h1": ["", "", "8"]}),
    ("one-column-only-blank-rows", b"h0\n\n,,,,,\n\n\n,,,,", {"h0": []}),
    ("one-column-wide-blank-inside", b"h0\n\n,,,,,\n7\n,,,,", {"h0": ["", "", "7"]}),
    ("leftovers-after-a-wide-blank", b"h0,h1\n,,,,,,,\n1,2,,\n3,4\n", {"h0": ["", "1", "3"], "h1": ["", "2", "4"]}),
    ("wide-blank-and-quotes", b'h0,h1\n,,,,,\n"x\ny","a,b"\n', {"h0": ["", "x\ny"], "h1": ["", "a,b"]}),
]
LINE_ENDS = [("lf", b"", b"\n"), ("crlf", b"", b"\r\n"), ("bom", codecs.BOM_UTF8, b"\n"), ("bom-crlf", codecs.BOM_UTF8, b"\r\n")]


@pytest.mark.parametrize("mark, eol", [e[1:] for e in LINE_ENDS], ids=[e[0] for e in LINE_ENDS])
@pytest.mark.parametrize(("data", "columns"), [c[1:] for c in WIDE_CASES], ids=[c[0] for c in WIDE_CASES])
def test_a_blank_record_wider_than_the_header_is_read_alike_whatever_the_mark_and_line_ends(tmp_path, data, columns, mark, eol):
    path = tmp_path / "t.csv"
    path.write_bytes(mark + data.replace(b"\n", eol))
    frame, found = read_raw_csv(path, "t.csv")
    assert found == []
    cells = {c: [v.replace("\r\n", "\n") for v in frame[c]] for c in frame.columns}  # (a quoted line break is kept as written)
    assert cells == columns


# ------------------------------------------------------------------ a quote never closed
NEVER_CLOSED = 'a quote opened in this cell is never closed, so the rest of the file ({}) is read as one cell: close the quote where the cell ends, or double it ("") if it is text'
UNCLOSED_CASES = [
    # the strict reader stopped at the harmless "x"y of row 2 (read 'xy', as pandas reads it)
    ("after-a-harmless-quote", b'a,b,c\n"x"y,2,3\n4,5,"6\n7,8,9\n', [f"t.csv:3:c: {NEVER_CLOSED.format('2 lines')}"]),
    # was a width problem: "no cell for c (a missing delimiter?)"
    ("swallowing-a-delimiter", b'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n', [f"t.csv:3:b: {NEVER_CLOSED.format('2 lines')}"]),
    ("last-line", b'a,b\n1,2\n3,"x\n', [f"t.csv:3:b: {NEVER_CLOSED.format('1 line')}"]),
    ("in-the-header", b'a,"b\n1,2\n', [f"t.csv:1:#2: {NEVER_CLOSED.format('2 lines')}"]),
    ("crlf-and-bom", b'\xef\xbb\xbfa,b\r\n1,"x\r\n2,3\r\n4,5\r\n', [f"t.csv:2:b: {NEVER_CLOSED.format('3 lines')}"]),
    ("after-a-short-row", b'a,b,c\n1,2\n3,"4\n5\n', [
        "t.csv:2:c: has 2 cells but the header has 3: no cell for c (a missing delimiter?)",
        f"t.csv:3:b: {NEVER_CLOSED.format('2 lines')}",
    ]),
    # closed, but lines below: the row's width is off because of it, not of a delimiter
    ("closed-lines-below", b'a,b,c\n1,"2,3\n4,5,6\n7",8,9,10\n', [
        "t.csv:2:#4: has 5 cells but the header has 3: the header has no column #4 "
        "(a quote opened in this row is closed 2 lines below: is it closed where the cell ends?)",
    ]),
]


@pytest.mark.parametrize(("data", "problems"), [c[1:] for c in UNCLOSED_CASES], ids=[c[0] for c in UNCLOSED_CASES])
def test_a_quote_never_closed_is_named_at_its_row_and_cell(tmp_path, data, problems):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert frame is None
    assert [str(p) for p in found] == problems


# ------------------------------------------------------------------ a line of white space under a verbatim column
CODINGS_HEADER = "quote,segment_id,interview_id,start,end,code,coder\n"
CODING = "Busy but good.,G1,S1-PW01-T1,34,48,feeling_busy,coder_a\n"
WHITE_LINES = [("spaces", "   \n"), ("tab", "\t\n"), ("spaces-crlf", "  \r\n"), ("spaces-and-commas", " , ,\n"), ("no-break-space", "\u00a0\n")]


@pytest.mark.parametrize("line", [w[1] for w in WHITE_LINES], ids=[w[0] for w in WHITE_LINES])
def test_a_line_of_white_space_is_blank_when_its_first_column_is_verbatim(tmp_path, line):
    """``quote`` keeps its cells' white space (it must equal the transcript); a line of white space is still a blank row."""
    at_end = write_files(tmp_path / "end", {**FILES, "qual/codings.csv": CODINGS_HEADER + CODING + line})
    assert load_study(at_end).codings["quote"].tolist() == ["Busy but good."]
    inside = write_files(tmp_path / "inside", {**FILES, "qual/codings.csv": CODINGS_HEADER + line + CODING})
    frame, found = read_raw_csv(inside / "qual" / "codings.csv", "qual/codings.csv")
    assert found == []
    assert frame.values.tolist() == [[""] * 7, CODING.strip().split(",")]


def test_a_verbatim_cell_of_white_space_in_a_row_with_values_is_kept(tmp_path):
    path = tmp_path / "codings.csv"
    path.write_bytes(b"quote,code\n  ,x\n")
    frame, found = read_raw_csv(path, "qual/codings.csv")
    assert (found, frame.values.tolist()) == ([], [["  ", "x"]])


# ------------------------------------------------------------------ empty header cells over data: an error
HEADER_LEFTOVER_PROBLEMS = [
    ("data-under-it", b"a,b,\n1,2,3\n", ["t.csv:1:#3: header cell is empty"]),
    ("data-under-the-first-of-two", b"a,b,,\n1,2,x,\n", ["t.csv:1:#3: header cell is empty"]),
    ("data-beyond-it", b"a,b,\n1,2,,x\n",
     ["t.csv:2:#3: has 4 cells but the header has 2: the header has no column #3 (an unquoted delimiter inside a cell?)"]),
    ("only-empty-cells", b",,\n\n", ["t.csv:1: the first line is empty: the column names (the header) must be on the first line"]),
]


@pytest.mark.parametrize(("data", "problems"), [c[1:] for c in HEADER_LEFTOVER_PROBLEMS], ids=[c[0] for c in HEADER_LEFTOVER_PROBLEMS])
def test_an_empty_header_cell_over_data_stays_an_error(tmp_path, data, problems):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    frame, found = read_raw_csv(path, "t.csv")
    assert frame is None
    assert [str(p) for p in found] == problems


def test_an_excel_edited_header_with_a_trailing_empty_cell_loads(tmp_path):
    """The header's leftover after the first chunk of the plain-ASCII scan too (a long responses.csv)."""
    responses = FILES["responses.csv"].replace("\n", ",\n")
    header, *rows = FILES["participants.csv"].splitlines(keepends=True)
    participants = header.replace("\n", ",,\r\n") + "".join(rows)
    study = load_study(write_files(tmp_path / "edited", {**FILES, "participants.csv": participants, "responses.csv": responses}))
    plain = load_study(write_files(tmp_path / "plain", FILES))
    assert study.participants.equals(plain.participants)
    assert study.responses.equals(plain.responses)
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b,\n" + LONG_BODY + b"3,4,\n")
    frame, found = read_raw_csv(path, "long.csv")
    assert (found, list(frame.columns), len(frame), frame.values[-1].tolist()) == ([], ["a", "b"], 70_001, ["3", "4"])

"""Reading study CSVs: every cell a string, spreadsheet row numbers kept, malformed files explained."""

from __future__ import annotations

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
     ["t.csv:3: cannot be read as delimited text (unexpected end of data); is the file truncated or a quote unclosed?"]),
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

"""Reading study CSVs: every cell a string, spreadsheet row numbers kept, malformed files explained."""

from __future__ import annotations

import pytest

from peerimpact.study.csvio import read_raw_csv

CASES = [
    ("plain", b"a,b\n1,2\n3,4\n", [["1", "2"], ["3", "4"]], []),
    ("bom-and-crlf", "\ufeffa,b\r\n1,2\r\n".encode(), [["1", "2"]], []),
    ("trailing-blank-lines", b"a,b\n1,2\n\n\n", [["1", "2"]], []),
    ("blank-line-inside-keeps-numbers", b"a,b\n1,2\n\n3,4\n", [["1", "2"], ["", ""], ["3", "4"]], []),
    ("whitespace-stripped", b"a , b\n 1 , 2 \n", [["1", "2"]], []),
    ("quoted-newline", b'a,b\n"x\ny",2\n', [["x\ny", "2"]], []),
    ("leading-zeros-kept", b"a,b\n007,1e3\n", [["007", "1e3"]], []),
    ("short-row", b"a,b,c\n1,2,3\n4,5\n", None, ["t.csv:3: has 2 cells but the header has 3"]),
    ("long-row", b"a,b\n1,2\n3,4,5\n", None, ["t.csv:3: has 3 cells but the header has 2"]),
    ("duplicate-column", b"a,b,a\n1,2,3\n", None, ["t.csv:1:a: duplicate column (also column 1)"]),
    ("empty-header-cell", b"a,,c\n1,2,3\n", None, ["t.csv:1:#2: header cell is empty"]),
    ("empty-file", b"", None, ["t.csv: is empty: a header row is required"]),
    ("not-utf8", "a,b\nJos\xe9,1\n".encode("cp1252"), None, ["t.csv:2: is not valid UTF-8 (save it as CSV UTF-8)"]),
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

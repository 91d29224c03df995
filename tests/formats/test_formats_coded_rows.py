"""Rows kept as columns of codes (memory, issue 13 item 9) read exactly as the lists of rows they stand for."""

from __future__ import annotations

import numpy as np
import pytest

from peerimpact.formats import csv_source
from peerimpact.formats.build import BuiltTable
from peerimpact.formats.source import CodedRows, RowNumbers

ROWS = [("a", None, "x"), ("b", "1", "x"), ("a", "2", "y"), ("c", None, "x")]


def _coded(rows):
    codes, values = [], []
    for j in range(len(rows[0])):
        cells = list(dict.fromkeys(r[j] for r in rows)) + ["never used"]
        codes.append(np.array([cells.index(r[j]) for r in rows], dtype=np.int8))
        values.append(cells)
    return CodedRows.observed(codes, values)


def test_coded_rows_read_as_the_list():
    coded = _coded(ROWS)
    assert len(coded) == 4 and coded == ROWS and list(coded) == ROWS
    assert coded[0] == ROWS[0] and coded[-1] == ROWS[-1] and coded[1:3] == ROWS[1:3]
    assert [r[1] for r in coded] == [r[1] for r in ROWS]
    assert "never used" not in coded.column(0)[1]  # only the values some row holds
    assert coded.take(np.array([True, False, True, False])) == [ROWS[0], ROWS[2]]
    assert coded != ROWS[:3] and coded != [*ROWS[:3], ("c", None, "y")]
    with pytest.raises(IndexError):
        coded[4]


def test_row_numbers_read_as_the_list():
    numbers = RowNumbers(np.array([2, 3, 7]))
    assert numbers == [2, 3, 7] and list(numbers) == [2, 3, 7] and numbers[-1] == 7 and numbers[1:] == [3, 7]
    assert type(numbers[0]) is int  # problems name plain ints (JSON output)


def test_built_rows_read_parts_in_order():
    table = BuiltTable("t", ["a", "b", "c"])
    table.append(["z", "", ""])
    table.extend(_coded(ROWS))
    table.append(["w", "", ""])
    expected = [["z", "", ""], *ROWS, ["w", "", ""]]
    assert len(table.rows) == 6 and [list(r) for r in table.rows] == [list(r) for r in expected]
    assert list(table.rows[5]) == ["w", "", ""] and tuple(table.rows[1]) == ROWS[0]
    table.rows = []
    assert len(table.rows) == 0 and list(table.rows) == []


LINES = ["id,wave,score"] + [f"P{i},{1 + i % 2}, {i % 5} " for i in range(6000)] + ["", ",,", "P9,1,4", "Zoë,2,", ""]


@pytest.mark.parametrize("bom", [True, False], ids=["bom-bytes-parsed", "no-bom-file-parsed"])
@pytest.mark.parametrize("chunk", [7, 1000, 8192])
def test_a_large_plain_csv_is_kept_as_codes(tmp_path, monkeypatch, chunk, bom):
    """The fast path keeps codes (no tuple per row) and reads what the careful parser reads, however it is chunked."""
    monkeypatch.setattr(csv_source, "_PARSE_ROWS", chunk)
    lines = LINES
    path = tmp_path / "big.csv"
    path.write_bytes(b"\xef\xbb\xbf" * bom + "\n".join(lines).encode("utf-8"))
    table = csv_source.read_csv_source(path)
    assert isinstance(table.rows, CodedRows) and isinstance(table.row_numbers, RowNumbers)
    old = csv_source.FAST_MIN_CHARS
    csv_source.FAST_MIN_CHARS = 10**12
    try:
        careful = csv_source.read_csv_source(path)
    finally:
        csv_source.FAST_MIN_CHARS = old
    assert isinstance(careful.rows, list)
    assert table.rows == careful.rows and table.row_numbers == careful.row_numbers
    assert careful.row_numbers[-2:] == [6004, 6005] and careful.rows[-2:] == [("P9", "1", "4"), ("Zoë", "2", None)]
    assert table.columns == careful.columns == ["id", "wave", "score"]


def test_a_file_changed_while_read_is_read_again_carefully(tmp_path, monkeypatch):
    """The fast path lets pandas read the file after checking its bytes; if it changed meanwhile, it is read again."""
    path = tmp_path / "big.csv"
    path.write_text("\n".join(LINES), encoding="utf-8")
    changed = ["id,wave,score"] + [f'"P{i}",1,"{i % 5}"' for i in range(6000)]  # quotes: the careful parser's
    real = csv_source.parse_plain

    def edit_then_parse(source, *args, **kwargs):
        path.write_text("\n".join(changed), encoding="utf-8")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(csv_source, "parse_plain", edit_then_parse)
    table = csv_source.read_csv_source(path)
    assert isinstance(table.rows, list) and len(table.rows) == 6000
    assert table.rows[0] == ("P0", "1", "0") and table.rows[-1] == ("P5999", "1", "4")

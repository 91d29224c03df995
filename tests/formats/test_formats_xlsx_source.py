"""Excel workbooks: typed cells, sheet choice, merged headers, Excel errors, damaged files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats.xlsx_source import read_xlsx_sources


def book(tmp_path, sheets: dict[str, list[list]], name="data.xlsx", edit=None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if edit:
            edit(ws)
    path = tmp_path / name
    wb.save(path)
    return path


def test_cells_keep_their_types_and_sheets_their_names(tmp_path):
    path = book(tmp_path, {
        "Wave 1": [["id", "consent", "score", "note"], ["01", dt.datetime(2021, 3, 4), 3, "  padded  "], [None, None, None, None], ["02", 44000, 2.5, None]],
        "Other": [["x"], [1]],
    })
    tables = {t.name: t for t in read_xlsx_sources(path)}
    wave = tables["Wave 1"]
    assert wave.label == "data.xlsx[Wave 1]"
    assert wave.columns == ["id", "consent", "score", "note"]
    assert wave.rows == [("01", dt.datetime(2021, 3, 4), 3, "padded"), ("02", 44000, 2.5, None)]
    assert wave.row_numbers == [2, 4]
    assert wave.kind == "xlsx"


def test_only_the_requested_sheets_are_read_under_their_source_names(tmp_path):
    path = book(tmp_path, {"Responses": [["id"], ["01"]], "Notes": [["merged", None]]},
                edit=lambda ws: ws.merge_cells("A1:B1") if ws.title == "Notes" else None)
    (table,) = read_xlsx_sources(path, sheets={"survey": "Responses"})
    assert table.name == "survey" and table.label == "data.xlsx[Responses]"
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path, sheets={"survey": "Answers"})
    assert [str(p) for p in err.value.problems] == ["data.xlsx: has no sheet 'Answers'; its sheets are: Responses, Notes"]


def test_a_merged_header_is_rejected(tmp_path):
    path = book(tmp_path, {"Sheet1": [["Wellbeing", None, "id"], ["q1", "q2", "id"], [1, 2, "01"]]}, edit=lambda ws: ws.merge_cells("A1:B1"))
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    assert [str(p) for p in err.value.problems] == [
        "data.xlsx[Sheet1]:1: the header has merged cells (A1:B1): unmerge them so that every column has its own name in one header row"
    ]


def test_header_row_below_a_merged_title(tmp_path):
    path = book(tmp_path, {"Sheet1": [["Wellbeing survey", None], ["id", "q1"], ["01", 3]]}, edit=lambda ws: ws.merge_cells("A1:B1"))
    (table,) = read_xlsx_sources(path, header_rows={"Sheet1": 2})
    assert table.columns == ["id", "q1"] and table.rows == [("01", 3)] and table.row_numbers == [3]


def test_all_sheet_problems_at_once(tmp_path):
    path = book(tmp_path, {
        "Sheet1": [["id", "id", None, "x"], ["01", 2, None, "#DIV/0!"], ["02", 3, 5, 1, "stray"]],
    })
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    assert [str(p) for p in err.value.problems] == [
        "data.xlsx[Sheet1]:1:C: header cell is empty: every column needs a name",
        "data.xlsx[Sheet1]:1:E: header cell is empty: every column needs a name",
        "data.xlsx[Sheet1]:1:id: duplicate column name (also column A)",
        "data.xlsx[Sheet1]:2:x: holds the Excel error #DIV/0!",
    ]


def test_an_empty_sheet_has_no_header(tmp_path):
    path = book(tmp_path, {"Empty": []})
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    assert [str(p) for p in err.value.problems] == ["data.xlsx[Empty]: has no header row"]


def test_a_blank_header_row_over_data_says_where_the_names_go(tmp_path):
    path = book(tmp_path, {"Staff": [[None, None], ["ID", "Site"], ["P1", 1]]})
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    assert [str(p) for p in err.value.problems] == [
        "data.xlsx[Staff]:1: row 1, the header row, is empty: it must hold the column names; if they are on a later row, "
        "set `header_row:` for this source under `sources:` in the mapping"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: good[: len(good) // 2], "data.xlsx: is damaged or truncated: not a readable workbook"),
        (lambda good: _zip({"hello.txt": b"hi"}), "data.xlsx: is a zip file but not an Excel workbook (.xlsx)"),
        (lambda good: b"id,score\n1,2\n", "data.xlsx: is not an Excel workbook (.xlsx): it is text (it looks like CSV) (use `peerimpact import csv`)"),
        (lambda good: _zip({"xl/workbook.xml": b"<not-xml"}), "data.xlsx: cannot be read as an Excel workbook"),
    ],
    ids=["truncated", "other-zip", "csv", "broken-xml"],
)
def test_damaged_workbooks(tmp_path, make, message):
    good = book(tmp_path, {"S": [["a"], [1]]}).read_bytes()
    path = tmp_path / "data.xlsx"
    path.write_bytes(make(good))
    with pytest.raises(UserInputError) as err:
        read_xlsx_sources(path)
    assert str(err.value).startswith(message)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _with_cached_results(path, results: dict[str, str]):
    """Rewrite the sheet XML as Excel would after a save: each formula cell gets its <v> result."""
    import re

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    for coord, value in results.items():
        xml, n = re.subn(rf'(<c r="{coord}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
        assert n == 1
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_formula_without_a_saved_result_is_named_by_sheet_and_cell(tmp_path):
    rows = [["id", "a", "b"]] + [[f"p{i}", i, i * 2] for i in range(2, 9)]

    def edit(ws):
        ws["C7"] = "=B7*2"
        ws["C8"] = "=SUM(B2:B8)"

    path = book(tmp_path, {"Sheet1": rows}, edit=edit)
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    hint = ("holds a formula whose result was never saved (files written by scripts often lack it), so its value is unknown: "
            "open the file in Excel or LibreOffice and save it, then import again")
    assert [str(p) for p in err.value.problems] == [f"data.xlsx[Sheet1]:7:b: Sheet1!C7 {hint}", f"data.xlsx[Sheet1]:8:b: Sheet1!C8 {hint}"]
    # Once saved by a spreadsheet program the results are stored and read like any value.
    _with_cached_results(path, {"C7": "14", "C8": "35"})
    (table,) = read_xlsx_sources(path)
    assert [r[2] for r in table.rows][-2:] == [14, 35]


def test_an_unsaved_formula_under_an_empty_header_is_named_by_its_column_letter(tmp_path):
    rows = [["id", "a", ""]] + [[f"p{i}", i, i * 2] for i in range(2, 9)]

    def edit(ws):
        ws["C7"] = "=B7*2"

    path = book(tmp_path, {"Sheet1": rows}, edit=edit)
    with pytest.raises(StudyValidationError) as err:
        read_xlsx_sources(path)
    assert [(p.row, p.column) for p in err.value.problems if "Sheet1!C7" in p.message] == [(7, "C")]

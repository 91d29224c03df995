"""import_study end to end: each format into a valid study, problems named in the user's files, nothing partial."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

import peerimpact
from formats_helpers import no_leftovers, write_files
from formats_mutations import (
    CSV_MAPPING,
    PEOPLE,
    REDCAP_DICTIONARY,
    REDCAP_EVENTS,
    REDCAP_MAPPING,
    REDCAP_STUDY,
    STUDY_YAML,
    csv_text,
    redcap_records,
    survey_rows,
)
from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats import import_study
from peerimpact.study.csvio import read_raw_csv


def seed(tmp_path, people=PEOPLE, survey=None, mapping=CSV_MAPPING, delimiter=",", encoding="utf-8"):
    files = {"study.yaml": STUDY_YAML, "mapping.yaml": mapping}
    write_files(tmp_path, files)
    for name, rows in (("people", people), ("survey", survey or survey_rows())):
        (tmp_path / f"{name}.csv").write_bytes(csv_text(rows, delimiter).encode(encoding))
    return [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml"


def problems(exc: StudyValidationError) -> list[str]:
    return [str(p) for p in exc.problems]


# ------------------------------------------------------------------ CSV
def test_csv_import_with_cp1252_semicolons_and_decimal_commas(tmp_path):
    people = [list(r) for r in PEOPLE]
    people[2][4] = "41,5"  # decimal comma
    for row, nickname in zip(people, ["Nickname", "Zoë", "Jo", "Ana"]):
        row.append(nickname)  # cp1252 text in a column the mapping does not use
    sources, mapping = seed(tmp_path, people=people, delimiter=";", encoding="cp1252",
                            mapping=CSV_MAPPING + "sources:\n  people: {encoding: cp1252}\n")
    report = import_study("csv", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert report.rows == {"participants": 3, "responses": 6}
    assert report.unused_sources == []
    assert study.participants.to_dict(orient="list") == {
        "participant_id": ["01", "02", "03"],
        "site": ["1", "2", "1"],
        "consent_date": list(pd.to_datetime(["2020-01-15", "2020-01-20", "2020-02-01"])),
        "gender": ["woman", "man", "woman"],
        "age": [34.0, 41.5, 29.0],
    }
    # survey_rows() cycles the five answers; "None of the time" -> 1 ... "All of the time" -> 5
    first = study.responses.iloc[0]
    assert (first["participant_id"], first["timepoint"]) == ("01", "baseline")
    assert [first[f"wemwbs_{i}"] for i in range(1, 15)] == [float(1 + i % 5) for i in range(14)]
    assert list(study.responses["mjs.personal"]) == [2.0, 2.5, 3.0, 2.0, 2.5, 3.0]
    assert list(study.responses["timepoint"]) == ["baseline", "m6"] * 3


def test_wide_layout_and_date_formats(tmp_path):
    study = STUDY_YAML.replace("instruments: [wemwbs, mjs]", "instruments: [mjs]")
    write_files(tmp_path, {
        "study.yaml": study,
        "wide.csv": """\
            ID,Site,Consent,Sex,Age,pers_t1,pers_t2,pay_t1,pay_t2
            01,1,15/01/2020,woman,34,3.5,4,2,
            02,2,20/01/2020,man,41,,,,
            """,
        "mapping.yaml": """\
            study: study.yaml
            tables:
              participants:
                from: wide
                columns:
                  participant_id: ID
                  site: Site
                  consent_date: {column: Consent, date_format: "%d/%m/%Y"}
                  gender: Sex
                  age: Age
              responses:
                from: wide
                timepoints: {baseline: t1, m6: t2}
                columns:
                  participant_id: ID
                  mjs.personal: "pers_{timepoint}"
                  mjs.pay: "pay_{timepoint}"
            """,
    })
    report = import_study("csv", [tmp_path / "wide.csv"], tmp_path / "mapping.yaml", tmp_path / "out")
    loaded = peerimpact.load_study(tmp_path / "out")
    expected = pd.DataFrame({
        "participant_id": ["01", "01"], "timepoint": ["baseline", "m6"], "mjs.personal": [3.5, 4.0], "mjs.pay": [2.0, math.nan],
    }).astype({"participant_id": "category", "timepoint": pd.CategoricalDtype(["baseline", "m6"])})
    pd.testing.assert_frame_equal(loaded.responses, expected)
    assert report.skipped == {"wide.csv: empty responses rows (every mapped value empty)": 2}
    assert list(loaded.participants["consent_date"]) == list(pd.to_datetime(["2020-01-15", "2020-01-20"]))


def test_every_problem_at_once_in_the_users_files(tmp_path):
    people = [list(r) for r in PEOPLE]
    people[2][1] = "West"  # unknown site: not in the recode
    people[3][0] = "02"  # duplicate participant
    survey = survey_rows()
    survey[1][2] = "Sometimes"  # not in the recode
    survey[3][16] = "7"  # pre-scored MJS out of range
    survey[4][1] = "12 months"  # unmapped visit
    sources, mapping = seed(tmp_path, people=people, survey=survey)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "out")
    assert problems(err.value) == [
        "people.csv:3:Site: 'West' is not in the recode (it knows 'North', 'South')",
        "people.csv:4:ID: duplicate row for participant_id=02 (first at people.csv row 3) (study column participants.participant_id)",
        "survey.csv:2:WEM1: 'Sometimes' is not in recode 'wemwbs_words' (it knows 'None of the time', 'Rarely', 'Some of the time', 'Often', 'All of the time')",
        "survey.csv:4:MJS_personal: value 7 is outside the range 1–5 of mjs.personal (study column responses.mjs.personal)",
        "survey.csv:5:Visit: '12 months' is not mapped to a timepoint (mapped: Baseline, 6 months); add it to timepoint.values or set unmapped: skip",
        # participant 03's row in people.csv now says 02: the survey's rows for 03 have no participant
        "survey.csv:6:ID: unknown participant '03' (study column responses.participant_id)",
        "survey.csv:7:ID: unknown participant '03' (study column responses.participant_id)",
    ]
    assert no_leftovers(tmp_path / "out") == []


def test_mapping_and_file_problems_are_reported_together(tmp_path):
    sources, mapping = seed(tmp_path, mapping=CSV_MAPPING.replace("age: Age", "age: Age\n      height: H"))
    sources[1].write_bytes(b"")
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "out")
    assert problems(err.value) == [
        "mapping.yaml:13:tables.participants.columns.height: unknown participants column 'height'; add it to the study's demographics to import it",
        "survey.csv: is empty",
    ]


def test_a_decimal_comma_in_a_comma_separated_file_gets_a_hint(tmp_path):
    survey = survey_rows()
    survey[1][16] = "2,5"
    sources, mapping = seed(tmp_path, survey=survey)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "out")
    assert problems(err.value) == [
        "survey.csv:2:MJS_personal: '2,5' is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)"
    ]
    mapping.write_text(CSV_MAPPING + 'sources:\n  survey: {decimal: ","}\n', encoding="utf-8")
    import_study("csv", sources, mapping, tmp_path / "out")
    assert peerimpact.load_study(tmp_path / "out").responses["mjs.personal"].iloc[0] == 2.5


def _people_lines(row_3: str) -> bytes:
    """people.csv with ``row_3`` as its spreadsheet row 3 (participant 02's row moved down when it is another line)."""
    header, first, *rest = csv_text(PEOPLE).splitlines()
    return "\r\n".join([header, first, row_3, *rest]).encode("utf-8") + b"\r\n"


# The three structural rules through `peerimpact import csv`: each names its row and column, as the study loader does.
CSV_STRUCTURE = [
    ("short-row", _people_lines("02,South,2020-01-20,M"),
     ["people.csv:3:Age: has 4 cells but the header has 5: no cell for Age (a missing delimiter?)"]),
    ("long-row", _people_lines("02,South,2020-01-20,M,41,5"),
     ["people.csv:3:#6: has 6 cells but the header has 5: the header has no column #6 (an unquoted delimiter inside a cell?)"]),
    # the quote opened at Site swallows the rest of the file: was 'cannot be read as delimited text (unexpected end of data)' with no column
    ("unclosed-quote", _people_lines('02,"South,2020-01-20,M,41'),
     ['people.csv:3:Site: a quote opened in this cell is never closed, so the rest of the file (3 lines) is read as one cell: '
      'close the quote where the cell ends, or double it ("") if it is text']),
    ("spaces-line-then-a-problem", _people_lines("   ").replace(b"02,South", b"02,West"),
     ["people.csv:4:Site: 'West' is not in the recode (it knows 'North', 'South')"]),
    ("bad-byte-after-a-multiline-cell",
     b"\xef\xbb\xbf" + _people_lines('"00",North,2020-01-01,"F\r\n",20').replace(b"\r\n03,North", b"\r\n03,Nor\xe9"),
     ["people.csv:5:Site: byte 0xe9 is not valid utf-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): set `encoding:` for this "
      "source under `sources:` in the mapping (e.g. `encoding: cp1252`, or `encoding: auto` to detect it), or save the file again as CSV UTF-8"]),
]


@pytest.mark.parametrize(("people", "expected"), [c[1:] for c in CSV_STRUCTURE], ids=[c[0] for c in CSV_STRUCTURE])
def test_structural_problems_of_a_csv_source_name_row_and_column(tmp_path, people, expected):
    sources, mapping = seed(tmp_path)
    sources[0].write_bytes(people)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "out")
    assert problems(err.value) == expected
    assert no_leftovers(tmp_path / "out") == []


NUL_HINT = (
    "byte 0x00 (a NUL byte) is not text: the file is damaged, or was saved in another encoding such as UTF-16: check this cell, "
    "then save the file again as CSV UTF-8 (or, if it is UTF-16, set `encoding: utf-16` for this source under `sources:` in the mapping)"
)
BAD_BYTE_HINT = (
    "byte 0xe9 is not valid utf-8 text; it may be Windows-1252 (what Excel writes for 'CSV'): set `encoding:` for this source under "
    "`sources:` in the mapping (e.g. `encoding: cp1252`, or `encoding: auto` to detect it), or save the file again as CSV UTF-8"
)
TITLED = CSV_MAPPING + "sources:\n  people: {header_row: 3}\n"


def _people_bytes(old: bytes, new: bytes, title: bytes = b"") -> bytes:
    """people.csv in UTF-8 with ``old`` replaced by ``new`` (bytes), under the ``title`` lines."""
    return title + csv_text(PEOPLE).encode("utf-8").replace(old, new)


# Bytes that are not text of the mapping's encoding, through `peerimpact import csv`: each named in the user's file, nothing written.
CSV_BYTES = [
    ("nul-byte", _people_bytes(b"02,South,2020-01-20,M,41", b"02,South,2020-01-20,M,4\x001"), CSV_MAPPING, [f"people.csv:3:Age: {NUL_HINT}"]),
    ("utf-16-without-bom", csv_text(PEOPLE).encode("utf-16-le"), CSV_MAPPING,
     ["people.csv: looks like UTF-16 text (a NUL byte beside most characters), not utf-8: set `encoding: utf-16` for this source under "
      "`sources:` in the mapping, or save the file again as CSV UTF-8"]),
    ("bad-byte-under-title-rows", _people_bytes(b"02,South", b"02,Sout\xe9", b"Export, all sites\r\n\r\n"), TITLED,
     [f"people.csv:5:Site: {BAD_BYTE_HINT}"]),
    ("nul-byte-under-title-rows", _people_bytes(b"02,South,2020-01-20,M", b"02,South,2020-01-20,\x00", b"Export, all sites\r\n\r\n"), TITLED,
     [f"people.csv:5:Sex: {NUL_HINT}"]),
]


@pytest.mark.parametrize(("people", "mapping", "expected"), [c[1:] for c in CSV_BYTES], ids=[c[0] for c in CSV_BYTES])
def test_bytes_that_are_not_text_are_named_in_the_csv_source(tmp_path, people, mapping, expected):
    sources, mapping_path = seed(tmp_path, mapping=mapping)
    sources[0].write_bytes(people)
    with pytest.raises(UserInputError) as err:
        import_study("csv", sources, mapping_path, tmp_path / "out")
    assert problems(err.value) == expected
    assert no_leftovers(tmp_path / "out") == []


MAPPING_DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"
DOC_FILE = re.compile(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```", re.S)


def _corrupt_utf16(staff: str) -> bytes:
    return staff.encode("utf-16-le")


def _corrupt_nul(staff: str) -> bytes:
    return staff.replace("20/01/2020;M;", "20/01/2020;M\x00;").encode("cp1252")


@pytest.mark.parametrize("corrupt", [_corrupt_utf16, _corrupt_nul], ids=["utf-16-without-bom", "nul-byte"])
def test_the_text_encoding_messages_of_docs_mapping_are_the_real_ones(tmp_path, corrupt):
    """docs/mapping.md's worked example, its staff list saved as UTF-16 without a mark or with a NUL byte in a cell."""
    doc = MAPPING_DOC.read_text(encoding="utf-8")
    files = dict(DOC_FILE.findall(doc))
    write_files(tmp_path, {name: body for name, body in files.items() if name != "staff.csv"})
    (tmp_path / "staff.csv").write_bytes(corrupt(files["staff.csv"]))
    with pytest.raises(UserInputError) as err:
        import_study("csv", [tmp_path / "staff.csv", tmp_path / "wellbeing.csv"], tmp_path / "mapping.yaml", tmp_path / "study")
    found = problems(err.value) if isinstance(err.value, StudyValidationError) else [str(err.value)]
    assert len(found) == 1 and f"\n{found[0]}\n" in doc


def test_the_study_folders_utf16_message_of_docs_mapping_is_the_real_one(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(csv_text(PEOPLE).encode("utf-16-le"))
    (problem,) = read_raw_csv(path, "participants.csv")[1]
    assert f"`{problem}`" in MAPPING_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "data"),
    [("utf-16", "utf-16-le"), ("utf-16", "utf-16-be"), ("auto", "utf-16-le"), ("utf-8", "utf-16")],
    ids=["named-le", "named-be", "auto", "default-with-its-mark"],
)
def test_a_utf16_csv_source_imports_as_its_utf8_copy(tmp_path, encoding, data):
    """Without a byte-order mark UTF-16 is read when the mapping names it (or `auto`); with the mark, as before, by default too."""
    sources, mapping = seed(tmp_path / "utf8")
    import_study("csv", sources, mapping, tmp_path / "utf8" / "out")
    sources, mapping = seed(tmp_path / "utf16", mapping=CSV_MAPPING + f"sources:\n  people: {{encoding: {encoding}}}\n")
    sources[0].write_bytes(csv_text(PEOPLE).encode(data))
    report = import_study("csv", sources, mapping, tmp_path / "utf16" / "out")
    assert report.encodings == ({"people.csv": data} if encoding == "auto" else {})
    expected = peerimpact.load_study(tmp_path / "utf8" / "out").participants
    assert peerimpact.load_study(tmp_path / "utf16" / "out").participants.equals(expected)


def test_missing_values_and_recodes_to_missing(tmp_path):
    survey = survey_rows()
    survey[1][2] = "NA"
    survey[1][3] = "Prefer not to say"
    sources, mapping = seed(tmp_path, survey=survey, mapping=CSV_MAPPING.replace('"All of the time": 5}', '"All of the time": 5, "Prefer not to say": null}'))
    import_study("csv", sources, mapping, tmp_path / "out")
    row = peerimpact.load_study(tmp_path / "out").responses.iloc[0]
    assert pd.isna(row["wemwbs_1"]) and pd.isna(row["wemwbs_2"]) and row["wemwbs_3"] == 3


def test_the_output_folder_is_protected(tmp_path):
    sources, mapping = seed(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(UserInputError) as err:
        import_study("csv", sources, mapping, out)
    assert str(err.value) == f"{out}: folder exists and is not empty (use --overwrite to replace it)"
    assert (out / "keep.txt").read_text() == "mine"
    import_study("csv", sources, mapping, out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["participants.csv", "responses.csv", "study.yaml"]
    assert no_leftovers(out) == ["out"]


def test_a_failed_overwrite_keeps_the_old_study(tmp_path):
    sources, mapping = seed(tmp_path)
    out = tmp_path / "out"
    import_study("csv", sources, mapping, out)
    before = (out / "responses.csv").read_bytes()
    sources[1].write_text("ID,Visit\n01,Baseline\n01,Baseline\n", encoding="utf-8")
    with pytest.raises(StudyValidationError):
        import_study("csv", sources, mapping, out, overwrite=True)
    assert (out / "responses.csv").read_bytes() == before
    assert no_leftovers(out) == ["out"]


# ------------------------------------------------------------------ XLSX
def test_xlsx_import_with_serial_dates_a_chosen_sheet_and_a_title_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staff list"
    ws.append(["Exported from the rota system"])
    ws.append(PEOPLE[0])
    ws.append(["01", "North", dt.datetime(2020, 1, 15), "F", 34])
    ws.append(["02", "South", 43850, "M", 41.5])  # 43850 = 2020-01-20 as an Excel serial date
    ws.append(["03", "North", "2020-02-01", "F", 29])
    survey = wb.create_sheet("survey")
    for r in survey_rows():
        survey.append(r)
    wb.save(tmp_path / "data.xlsx")
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING + "sources:\n  people: {sheet: Staff list, header_row: 2}\n"})
    import_study("xlsx", [tmp_path / "data.xlsx"], tmp_path / "mapping.yaml", tmp_path / "out")
    study = peerimpact.load_study(tmp_path / "out")
    assert list(study.participants["consent_date"]) == list(pd.to_datetime(["2020-01-15", "2020-01-20", "2020-02-01"]))
    assert list(study.participants["age"]) == [34.0, 41.5, 29.0]


def test_xlsx_problems_name_the_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "people"
    for r in PEOPLE:
        ws.append(r)
    ws["C3"] = "20/01/2020"
    survey = wb.create_sheet("survey")
    for r in survey_rows():
        survey.append(r)
    survey["C4"] = "Always"
    wb.save(tmp_path / "data.xlsx")
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING})
    with pytest.raises(StudyValidationError) as err:
        import_study("xlsx", [tmp_path / "data.xlsx"], tmp_path / "mapping.yaml", tmp_path / "out")
    assert problems(err.value) == [
        "data.xlsx[people]:3:Consent: '20/01/2020' is not a date in YYYY-MM-DD form (or set date_format, e.g. '%d/%m/%Y', in the mapping)",
        "data.xlsx[survey]:4:WEM1: 'Always' is not in recode 'wemwbs_words' (it knows 'None of the time', 'Rarely', 'Some of the time', 'Often', 'All of the time')",
    ]


def test_a_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "people"
    for r in PEOPLE:
        wb.active.append(r)
    wb.save(tmp_path / "data.xlsx")
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING})
    with pytest.raises(StudyValidationError) as err:
        import_study("xlsx", [tmp_path / "data.xlsx"], tmp_path / "mapping.yaml", tmp_path / "out")
    assert problems(err.value) == ["mapping.yaml:14:tables.responses.from: no source named 'survey' (sources read: people)"]


# ------------------------------------------------------------------ SPSS
def test_spss_value_labels_become_categories_and_user_missing_becomes_missing(tmp_path):
    people = pd.DataFrame({"ID": ["01", "02", "03"], "Site": ["1", "2", "1"], "Consent": [dt.date(2020, 1, 15), dt.date(2020, 1, 20), dt.date(2020, 2, 1)],
                           "Sex": [1.0, 2.0, 9.0], "Age": [34.0, -99.0, 29.0]})
    pyreadstat.write_sav(people, str(tmp_path / "people.sav"), column_labels={"Sex": "Sex (self-described)", "Age": "Age in years"},
                         variable_value_labels={"Sex": {1.0: "woman", 2.0: "man", 9.0: "not stated"}}, missing_ranges={"Sex": [9.0], "Age": [-99.0]})
    # every WEMWBS item is mapped: a study may not hold only some of an instrument's item columns
    survey = pd.DataFrame({"ID": ["01", "02"], "W1": [5.0, 2.0], "W2": [4.0, 1.0], **{f"W{i}": [3.0, 3.0] for i in range(3, 15)}})
    pyreadstat.write_sav(survey, str(tmp_path / "survey.sav"), variable_value_labels={"W1": {1.0: "None of the time", 5.0: "All of the time"}})
    study = STUDY_YAML.replace("instruments: [wemwbs, mjs]", "instruments: [wemwbs]")
    write_files(tmp_path, {"study.yaml": study, "mapping.yaml": """\
        study: study.yaml
        tables:
          participants:
            from: people
            columns: {participant_id: ID, site: Site, consent_date: Consent, gender: Sex, age: Age}
          responses:
            from: survey
            timepoint: {value: baseline}
            columns: {participant_id: ID}
            instruments:
              wemwbs: {pattern: "W{item}"}
        """})
    report = import_study("spss", [tmp_path / "people.sav", tmp_path / "survey.sav"], tmp_path / "mapping.yaml", tmp_path / "out")
    loaded = peerimpact.load_study(tmp_path / "out")
    assert list(loaded.participants["gender"]) == ["woman", "man", None]
    assert loaded.participants["age"].isna().tolist() == [False, True, False]
    assert list(loaded.responses["wemwbs_1"]) == [5.0, 2.0]
    assert report.user_missing == {"people": {"Sex": 1, "Age": 1}}
    assert report.variable_labels == {"people": {"Age": "Age in years", "Sex": "Sex (self-described)"}}
    assert "people: 1 SPSS user-missing value(s) of Age read as missing" in report.lines()


# ------------------------------------------------------------------ REDCap
def redcap(tmp_path, records=None, mapping=REDCAP_MAPPING):
    write_files(tmp_path, {"study.yaml": REDCAP_STUDY, "mapping.yaml": mapping})
    for name, rows in (("dictionary", REDCAP_DICTIONARY), ("records", records or redcap_records()), ("events", REDCAP_EVENTS)):
        (tmp_path / f"{name}.csv").write_text(csv_text(rows), encoding="utf-8", newline="")
    return [tmp_path / "records.csv", tmp_path / "events.csv", tmp_path / "dictionary.csv"], tmp_path / "mapping.yaml"


def test_redcap_import_events_dags_and_repeating_instruments(tmp_path):
    sources, mapping = redcap(tmp_path)
    report = import_study("redcap", sources, mapping, tmp_path / "out")
    study = peerimpact.load_study(tmp_path / "out")
    assert list(study.participants["site"]) == ["1", "2", "1"]
    assert list(study.participants["gender"]) == ["woman", "man", "woman"]
    assert list(zip(study.responses["participant_id"], study.responses["timepoint"])) == [
        ("01", "baseline"), ("01", "m6"), ("02", "baseline"), ("02", "m6"), ("03", "baseline"), ("03", "m6")]
    assert list(study.contacts["contact_id"]) == ["C01_1", "C01_2", "C02_1", "C02_2", "C03_1", "C03_2"]
    assert list(study.contacts["mode"]) == ["face_to_face", "telephone"] * 3
    assert list(study.allocations["person_id"]) == ["P001", "P101", "P201"]
    statuses = {(s.form, s.event): (s.complete, s.unverified, s.incomplete, s.empty) for s in report.form_status}
    assert statuses[("wellbeing", "six_months_arm_1")] == (0, 3, 0, 0)
    assert statuses[("contact_log", "baseline_arm_1")] == (6, 0, 0, 0)  # counted on its own (repeating) rows
    assert ("contact_log", "six_months_arm_1") not in statuses  # never entered there
    assert "REDCap wellbeing at six_months_arm_1: 0 complete, 3 unverified, 0 incomplete, 0 empty" in report.lines()


def test_redcap_unmapped_events_are_errors_unless_skipped(tmp_path):
    mapping = REDCAP_MAPPING.replace(", six_months_arm_1: m6}", "}")
    sources, mp = redcap(tmp_path, mapping=mapping)
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mp, tmp_path / "out")
    assert problems(err.value)[0] == (
        "records.csv:6:redcap_event_name: 'six_months_arm_1' is not mapped to a timepoint (mapped: baseline_arm_1); "
        "add it to timepoint.values or set unmapped: skip"
    )
    mp.write_text(mapping.replace("values: {baseline_arm_1: baseline}", "values: {baseline_arm_1: baseline}, unmapped: skip"), encoding="utf-8")
    report = import_study("redcap", sources, mp, tmp_path / "out")
    assert report.rows["responses"] == 3
    assert report.skipped["records.csv: rows whose redcap_event_name is not mapped to a timepoint"] == 3


@pytest.mark.parametrize(
    ("fmt", "name", "data", "message"),
    [
        ("spss", "people.sav", b"ID,Site\n01,1\n", "people.sav: is not an SPSS data file (.sav): it is text (it looks like CSV) (use `peerimpact import csv`)"),
        ("xlsx", "people.xlsx", b"PK\x03\x04\x14\x00broken", "people.xlsx: is damaged or truncated: not a readable workbook"),
        ("csv", "people.csv", b"", "people.csv: is empty"),
    ],
    ids=["sav-is-csv", "truncated-xlsx", "empty-csv"],
)
def test_wrong_or_damaged_files_are_user_errors(tmp_path, fmt, name, data, message):
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING, name: data})
    with pytest.raises(UserInputError) as err:
        import_study(fmt, [tmp_path / name], tmp_path / "mapping.yaml", tmp_path / "out")
    assert any(str(p).startswith(message) for p in err.value.problems)
    assert no_leftovers(tmp_path / "out") == []


def test_an_unknown_format(tmp_path):
    sources, mapping = seed(tmp_path)
    with pytest.raises(UserInputError, match=r"^unknown format 'ods'; choose one of: csv, xlsx, spss, redcap, mixed$"):
        import_study("ods", sources, mapping, tmp_path / "out")
    assert no_leftovers(tmp_path / "out") == []

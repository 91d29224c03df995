"""A real REDCap export (``tests/fixtures/formats/redcap/longitudinal``, MIT, see its LICENSE) parses completely.

Every expectation is counted independently of :mod:`peerimpact.formats.redcap`:
with the ``csv`` module from the CSV files, and from the project's CDISC ODM
XML (``project.xml``) with lxml.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from peerimpact.formats import read_redcap

ODM = {"o": "http://www.cdisc.org/ns/odm/v1.3", "redcap": "https://projectredcap.org"}


@pytest.fixture(scope="module")
def fixture_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "redcap" / "longitudinal"


@pytest.fixture(scope="module")
def project(fixture_dir):
    return read_redcap(fixture_dir / "dictionary.csv", fixture_dir / "data.csv", fixture_dir / "event.csv")


@pytest.fixture(scope="module")
def data_rows(fixture_dir) -> list[dict[str, str]]:
    with (fixture_dir / "data.csv").open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def dictionary_rows(fixture_dir) -> list[dict[str, str]]:
    with (fixture_dir / "dictionary.csv").open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def xml(fixture_dir):
    return etree.parse(str(fixture_dir / "project.xml"))


def test_events_match_the_events_file_and_the_xml(project, fixture_dir, xml):
    with (fixture_dir / "event.csv").open(newline="", encoding="utf-8-sig") as fh:
        expected = [(r["unique_event_name"], r["event_name"], int(r["arm_num"])) for r in csv.DictReader(fh)]
    assert [(e.unique_name, e.name, e.arm) for e in project.events] == expected
    assert len(expected) == 12
    in_xml = [el.get("{https://projectredcap.org}UniqueEventName") for el in xml.iterfind(".//o:StudyEventDef", ODM)]
    assert sorted(e.unique_name for e in project.events) == sorted(in_xml)


def test_every_record_and_event_row_is_read(project, data_rows, xml):
    assert len(project.rows) == len(data_rows) == 18
    assert project.records == list(dict.fromkeys(r["study_id"] for r in data_rows)) == ["100", "220", "304"]
    assert [(r.record, r.event) for r in project.rows] == [(r["study_id"], r["redcap_event_name"]) for r in data_rows]
    in_xml = [s.get("SubjectKey") for s in xml.iterfind(".//o:ClinicalData/o:SubjectData", ODM)]
    assert project.records == in_xml
    used_events = {r["redcap_event_name"] for r in data_rows}
    assert used_events <= {e.unique_name for e in project.events}


def test_every_cell_equals_the_csv_module_reading(project, data_rows):
    assert project.columns == list(data_rows[0].keys())
    for parsed, expected in zip(project.rows, data_rows):
        assert parsed.values == expected


def test_values_agree_with_the_odm_xml(project, xml):
    """ODM and CSV exports differ only in runs of spaces inside free text."""
    compared = 0
    for subject in xml.iterfind(".//o:ClinicalData/o:SubjectData", ODM):
        record = subject.get("SubjectKey")
        for event in subject.iterfind("o:StudyEventData", ODM):
            name = event.get("StudyEventOID").removeprefix("Event.")
            for item in event.iterfind(".//o:ItemData", ODM):
                ours = project.value(record, name, item.get("ItemOID"))
                assert " ".join(ours.split()) == " ".join(item.get("Value").split())
                compared += 1
    assert compared == 405


def test_checkbox_values(project, data_rows, dictionary_rows):
    checkbox_fields = {
        r["Variable / Field Name"]: [c.split(",", 1)[0].strip() for c in r["Choices, Calculations, OR Slider Labels"].split("|")]
        for r in dictionary_rows
        if r["Field Type"] == "checkbox"
    }
    assert sorted(checkbox_fields) == ["aerobics", "drink", "eat", "gym", "meds"]
    assert sorted(f.name for f in project.checkbox_fields()) == sorted(checkbox_fields)
    ticked = 0
    for row in data_rows:
        for name, codes in checkbox_fields.items():
            expected = [code for code in codes if row[f"{name}___{code}"] == "1"]
            assert project.checked(row["study_id"], row["redcap_event_name"], name) == expected
            ticked += len(expected)
    assert ticked == sum(1 for row in data_rows for col, v in row.items() if "___" in col and v == "1")
    assert project.checked("100", "enrollment_arm_1", "aerobics") == ["1", "2"]
    assert project.checked("100", "enrollment_arm_1", "meds") == ["2"]


def test_free_text_is_kept_exactly(project, data_rows, dictionary_rows):
    """Notes fields are quoted, long, and carry runs of spaces and trailing spaces; none is altered.

    (This export has no comma or line break inside a value; those are covered with a
    synthetic export in test_formats_redcap.py.)
    """
    notes = {r["Variable / Field Name"] for r in dictionary_rows if r["Field Type"] == "notes"}
    texts = [(r["study_id"], r["redcap_event_name"], col, v) for r in data_rows for col, v in r.items() if col in notes and v]
    assert len(texts) == 15
    assert any(v.endswith(" ") for *_, v in texts) and any("     " in v for *_, v in texts)
    for record, event, col, value in texts:
        assert project.value(record, event, col) == value
    assert project.value("100", "enrollment_arm_1", "telephone_1") == "(415) 555-1212"


def test_dictionary_fields_forms_and_choices(project, dictionary_rows):
    assert [f.name for f in project.fields] == [r["Variable / Field Name"] for r in dictionary_rows]
    assert project.record_id_field == "study_id"
    assert project.forms == list(dict.fromkeys(r["Form Name"] for r in dictionary_rows))
    assert project.field("race").choices["6"] == "Unknown / Not Reported"
    assert project.field("sex").choices == {"0": "Female", "1": "Male"}
    assert project.field("bmi").calculation == "round(([weight]*10000)/(([height])^(2)),1)"
    assert project.field("first_name").identifier is True


def test_form_statuses_are_counted(project, data_rows):
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for row in data_rows:
        for col, value in row.items():
            if col.endswith("_complete"):
                counts = expected.setdefault((col.removesuffix("_complete"), row["redcap_event_name"]), {"0": 0, "1": 0, "2": 0, "": 0})
                counts[value] += 1
    entered = {k: v for k, v in expected.items() if v["0"] + v["1"] + v["2"] > 0}  # forms never entered at an event are left out
    got = {(s.form, s.event): {"0": s.incomplete, "1": s.unverified, "2": s.complete, "": s.empty} for s in project.form_status()}
    assert got == entered
    assert len(entered) == 25


def test_sources_give_the_records_table(project, data_rows):
    (records,) = project.sources()
    assert records.name == "records"
    assert records.row_numbers == list(range(2, 2 + len(data_rows)))
    assert records.value_labels["sex"] == {"0": "Female", "1": "Male"}
    assert records.value_labels["demographics_complete"] == {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
    assert records.variable_labels["gym___0"] == "Gym (Weight Training) (choice=Monday)"

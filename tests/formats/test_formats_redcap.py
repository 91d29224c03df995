"""REDCap reader: repeating instruments, data access groups, line breaks in text, and every error."""

from __future__ import annotations

import csv
import io

import pytest

from formats_mutations import REDCAP_DICTIONARY, REDCAP_EVENTS, csv_text, redcap_records
from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats import read_redcap
from peerimpact.formats.redcap import identify_redcap_files, parse_choices


def write(tmp_path, dictionary=REDCAP_DICTIONARY, records=None, events=REDCAP_EVENTS):
    paths = []
    for name, rows in (("dictionary.csv", dictionary), ("records.csv", records or redcap_records()), ("events.csv", events)):
        if rows is None:
            continue
        (tmp_path / name).write_text(csv_text(rows), encoding="utf-8", newline="")
        paths.append(tmp_path / name)
    return paths


def test_repeating_instruments_dags_and_multiline_text(tmp_path):
    dictionary, records, events = write(tmp_path)
    project = read_redcap(dictionary, records, events)
    expected = list(csv.DictReader(io.StringIO(records.read_text(encoding="utf-8"), newline="")))
    assert [r.values for r in project.rows] == expected
    assert project.records == ["01", "02", "03"]
    assert project.value("02", "baseline_arm_1", "notes") == 'Said: "it helps, mostly",\nthen left (record 02)'
    assert project.value("01", "baseline_arm_1", "redcap_data_access_group") == "north"
    assert project.value("02", "baseline_arm_1", "c_minutes", "contact_log", 2) == "40"
    assert project.checked("02", "baseline_arm_1", "roles") == ["1", "2"]
    sources = {s.name: s for s in project.sources()}
    assert sorted(sources) == ["allocation", "contact_log", "records"]
    assert len(sources["contact_log"].rows) == 6 and len(sources["records"].rows) == 6
    # rows are numbered as a spreadsheet shows them: the multi-line notes do not shift them
    assert sources["allocation"].row_numbers == [3, 8, 13]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(lambda r: r[1].__setitem__(8, "2"), "records.csv:2:roles___1: '2' is not a checkbox value (0 or 1)", id="checkbox"),
        pytest.param(lambda r: r[1].__setitem__(6, "3"), "records.csv:2:sex: '3' is not a choice of sex (1, 2)", id="choice"),
        pytest.param(lambda r: r[1].__setitem__(1, "month_1_arm_1"), "records.csv:2:redcap_event_name: unknown event 'month_1_arm_1'; events: baseline_arm_1, six_months_arm_1", id="event"),
        pytest.param(lambda r: r[2].__setitem__(3, "x"), "records.csv:3:redcap_repeat_instance: 'x' is not a repeat instance number (1, 2, ...)", id="instance"),
        pytest.param(lambda r: r[2].__setitem__(2, "diary"), "records.csv:3:redcap_repeat_instrument: unknown instrument 'diary'", id="instrument"),
        pytest.param(lambda r: r[1].__setitem__(12, "5"), "records.csv:2:enrolment_complete: '5' is not a form status (0 Incomplete, 1 Unverified, 2 Complete)", id="status"),
        pytest.param(lambda r: r[0].__setitem__(11, "note"), "records.csv:1:note: column 'note' is not in the data dictionary dictionary.csv", id="unknown-column"),
        pytest.param(lambda r: r.insert(2, list(r[1])), "records.csv:3:record_id: repeats the row for record '01' at event 'baseline_arm_1' (first at row 2)", id="repeated-row"),
        pytest.param(lambda r: r[1].__setitem__(0, ""), "records.csv:2:record_id: record id is empty", id="empty-record"),
    ],
)
def test_record_errors(tmp_path, edit, expected):
    rows = redcap_records()
    edit(rows)
    paths = write(tmp_path, records=rows)
    with pytest.raises(StudyValidationError) as err:
        read_redcap(*paths)
    assert expected in [str(p) for p in err.value.problems]


def test_all_record_errors_are_reported_together(tmp_path):
    rows = redcap_records()
    rows[1][8] = "2"
    rows[1][6] = "3"
    rows[7][1] = "nope_arm_1"
    with pytest.raises(StudyValidationError) as err:
        read_redcap(*write(tmp_path, records=rows))
    assert len(err.value.problems) == 3


@pytest.mark.parametrize(
    ("row", "col", "value", "expected"),
    [
        pytest.param(2, 3, "radios", "dictionary.csv:3:Field Type: 'radios' is not a REDCap field type "
                     "(text, notes, radio, dropdown, checkbox, yesno, truefalse, calc, file, slider, descriptive, sql)", id="type"),
        pytest.param(3, 5, "1 Woman | 2, Man", "dictionary.csv:4:Choices, Calculations, OR Slider Labels: choice '1 Woman' has no code: write 'code, label'", id="choice-code"),
        pytest.param(3, 5, "1, Woman | 1, Man", "dictionary.csv:4:Choices, Calculations, OR Slider Labels: choice code '1' is repeated", id="repeated-code"),
        pytest.param(3, 5, "", "dictionary.csv:4:Choices, Calculations, OR Slider Labels: a radio field needs choices", id="no-choices"),
        pytest.param(2, 0, "Consent", "dictionary.csv:3:Variable / Field Name: 'Consent' is not a REDCap variable name (lowercase letters, digits and _, starting with a letter)", id="name"),
        pytest.param(3, 0, "consent", "dictionary.csv:4:Variable / Field Name: variable 'consent' is defined twice (first at row 3)", id="twice"),
        pytest.param(0, 6, "Note", "dictionary.csv:1:Note: unexpected column: REDCap's column 7 is 'Field Note'", id="header"),
    ],
)
def test_dictionary_errors(tmp_path, row, col, value, expected):
    dictionary = [list(r) for r in REDCAP_DICTIONARY]
    dictionary[row][col] = value
    with pytest.raises(StudyValidationError) as err:
        read_redcap(*write(tmp_path, dictionary=dictionary))
    assert expected in [str(p) for p in err.value.problems]


def test_a_file_that_is_not_a_dictionary(tmp_path):
    paths = write(tmp_path)
    with pytest.raises(UserInputError) as err:
        read_redcap(paths[1], paths[1])
    assert str(err.value) == (
        "records.csv: is not a REDCap data dictionary: its first column must be 'Variable / Field Name' "
        "(or 'field_name' from the API), found 'record_id'"
    )


def test_events_are_taken_from_the_data_without_an_events_file(tmp_path):
    dictionary, records, _ = write(tmp_path)
    project = read_redcap(dictionary, records)
    assert [(e.unique_name, e.arm) for e in project.events] == [("baseline_arm_1", 1), ("six_months_arm_1", 1)]


def test_api_dictionary_headers_are_accepted(tmp_path):
    from peerimpact.formats.redcap import API_HEADERS

    dictionary = [list(API_HEADERS)] + [list(r) for r in REDCAP_DICTIONARY[1:]]
    project = read_redcap(*write(tmp_path, dictionary=dictionary))
    assert project.field("sex").choices == {"1": "Woman", "2": "Man"}


def test_files_are_told_apart_by_their_headers(tmp_path):
    dictionary, records, events = write(tmp_path)
    assert identify_redcap_files([events, records, dictionary]) == (dictionary, records, events)
    with pytest.raises(UserInputError) as err:
        identify_redcap_files([records, events])
    assert str(err.value) == "no REDCap data dictionary among the files (its first column is 'Variable / Field Name')"
    with pytest.raises(UserInputError) as err:
        identify_redcap_files([dictionary, records, records])
    assert str(err.value).startswith("cannot tell the REDCap files apart: records.csv and records.csv both look like record exports")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0, No | 1, Yes", {"0": "No", "1": "Yes"}),
        ("1, Lexapro | 2, Celexa, or similar", {"1": "Lexapro", "2": "Celexa, or similar"}),
        (" a , Alpha|b,Beta ", {"a": "Alpha", "b": "Beta"}),
        ("", {}),
    ],
    ids=["yes-no", "comma-in-label", "spaces", "empty"],
)
def test_parse_choices(text, expected):
    assert parse_choices(text) == expected

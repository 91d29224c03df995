"""REDCap exports as they come (issue 13): DAG record ids, surveys, labels exports, comma decimals, yes/no fields, arms."""

from __future__ import annotations

import pytest

import peerimpact
from formats_helpers import no_leftovers
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study, read_redcap
from redcap_builders import (
    DAG_DICTIONARY,
    DAG_EVENTS,
    DAG_HEADER,
    SURVEY_DICTIONARY,
    SURVEY_MAPPING,
    SURVEY_RECORDS,
    SURVEY_STUDY,
    dag_records,
    labels_export,
    write_redcap,
)


def test_a_dag_project_imports_with_its_ids_comma_decimals_and_yesno_labels(tmp_path):
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS)
    report = import_study("redcap", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert study.participants[["participant_id", "site", "gender", "age", "lived"]].to_dict(orient="list") == {
        "participant_id": ["331-1", "331-2", "332-1"],
        "site": ["331", "331", "332"],
        "gender": ["Woman", "Man", "Woman"],
        "age": [34.5, 41.0, 29.0],  # number_1dp_comma_decimal: "34,5" is 34.5
        "lived": ["Yes", "No", None],  # yesno: 1 = Yes, 0 = No, as REDCap defines it
    }
    assert report.rows == {"participants": 3, "responses": 6}
    # employed (TRUE/maybe/FALSE) and weight are read by no block: not checked, reported as ignored
    assert any("not read by the mapping, so neither checked nor imported: " in line and "employed" in line for line in report.lines())


def test_ignored_columns_are_exactly_the_unmapped_ones(tmp_path):
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS)
    report = import_study("redcap", sources, mapping, tmp_path / "study")
    read = {"record_id", "redcap_event_name", "redcap_data_access_group", "consent", "sex", "age", "lived", "wellbeing_complete"}
    read |= {f"w{i}" for i in range(1, 15)}
    assert report.ignored_columns == {"records.csv": [c for c in DAG_HEADER if c not in read]}


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("age", "34.5.1", "records.csv:2:age: '34.5.1' is not a number with a decimal comma (the field's validation is number_1dp_comma_decimal)"),
        ("lived", "maybe", "records.csv:2:lived: 'maybe' is not a yesno value (REDCap writes 1 for Yes, 0 for No)"),
        ("sex", "3", "records.csv:2:sex: '3' is not a choice of sex (1, 2)"),
    ],
    ids=["comma-decimal", "yesno", "choice"],
)
def test_mapped_columns_are_checked_as_redcap_defines_them(tmp_path, column, value, expected):
    records = dag_records()
    records[1][DAG_HEADER.index(column)] = value
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, records, DAG_EVENTS)
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [expected]
    assert no_leftovers(tmp_path / "study") == []


@pytest.mark.parametrize(
    ("column", "text", "code"),
    [("lived", "1", "1"), ("lived", "0", "0"), ("lived", "Yes", "1"), ("lived", "no", "0"),
     ("employed", "TRUE", "1"), ("employed", "False", "0"), ("employed", "1", "1")],
)
def test_yesno_and_truefalse_labels_read_as_their_codes(tmp_path, column, text, code):
    records = dag_records()
    for row in records[1:]:
        row[DAG_HEADER.index(column)] = ""
    records[1][DAG_HEADER.index(column)] = text
    sources, _ = write_redcap(tmp_path, DAG_DICTIONARY, records, DAG_EVENTS)
    project = read_redcap(sources[0], sources[1], sources[2], columns={column})
    assert project.value("331-1", "baseline_arm_1", column) == code


def test_reading_every_column_still_checks_every_column(tmp_path):
    sources, _ = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS)
    with pytest.raises(StudyValidationError) as err:
        read_redcap(*sources)
    assert [str(p) for p in err.value.problems] == [
        "records.csv:4:employed: 'maybe' is not a truefalse value (REDCap writes 1 for True, 0 for False)"
    ]


def test_an_event_of_another_arm_is_refused_with_its_row(tmp_path):
    records = dag_records()
    records[4][1] = "baseline_arm_2"  # 331-2's six-month row names an arm-2 event
    records[4][DAG_HEADER.index("wellbeing_complete")] = ""
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, records, DAG_EVENTS)
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [
        "records.csv:5:redcap_event_name: record '331-2' is in arm 1 (event 'baseline_arm_1' at row 4) but event 'baseline_arm_2' belongs to arm 2"
    ]


def test_a_labels_export_is_recognised(tmp_path):
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, labels_export(dag_records()), DAG_EVENTS)
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [
        "records.csv:1: looks like a REDCap labels export (its header has 'Record ID', 'Event Name', 'Complete?', 'Data Access Group'): "
        "export the records again as 'CSV / Microsoft Excel (raw data)'"
    ]


def test_a_survey_only_project_being_set_up_is_a_valid_study(tmp_path):
    sources, mapping = write_redcap(tmp_path, SURVEY_DICTIONARY, SURVEY_RECORDS, None, study=SURVEY_STUDY, mapping=SURVEY_MAPPING)
    report = import_study("redcap", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.participants["participant_id"]) == ["P1", "P2", "P3"]
    assert [d.date().isoformat() for d in study.participants["consent_date"]] == ["2021-03-01", "2021-03-02", "2021-03-03"]
    assert len(study.responses) == 0  # nobody has answered yet: no empty response rows are invented
    assert report.rows == {"participants": 3, "responses": 0}
    assert report.skipped == {"records.csv: empty responses rows (every mapped value empty)": 3}


def test_zero_padded_item_names_are_read_with_item_02d(tmp_path):
    records = [list(r) for r in SURVEY_RECORDS]
    start = records[0].index("q01")
    for n, row in enumerate(records[1:]):
        row[start:start + 14] = [str(1 + (i + n) % 5) for i in range(14)]
    sources, mapping = write_redcap(tmp_path, SURVEY_DICTIONARY, records, None, study=SURVEY_STUDY, mapping=SURVEY_MAPPING)
    import_study("redcap", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert [int(study.responses[f"wemwbs_{i}"].iloc[1]) for i in range(1, 15)] == [1 + (i + 1) % 5 for i in range(14)]


def test_transcripts_of_dag_participants_resolve_against_the_known_ids(tmp_path):
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS)
    import_study("redcap", sources, mapping, tmp_path / "study")
    (tmp_path / "study" / "transcripts").mkdir()
    (tmp_path / "study" / "transcripts" / "S331-PW331-1-m6.txt").write_text("Synthetic interview.\n", encoding="utf-8")
    study = peerimpact.load_study(tmp_path / "study")
    (t,) = study.transcripts.values()
    assert (t.site, t.participant_id, t.timepoint) == ("331", "331-1", "m6")


@pytest.mark.parametrize("records", [SURVEY_RECORDS, SURVEY_RECORDS[:1]], ids=["consented-only", "no-records-yet"])
def test_a_project_being_set_up_imports_validates_and_analyses(tmp_path, records):
    from formats_mutations import run_cli

    sources, mapping = write_redcap(tmp_path, SURVEY_DICTIONARY, records, None, study=SURVEY_STUDY, mapping=SURVEY_MAPPING)
    report = import_study("redcap", sources, mapping, tmp_path / "study")
    assert report.rows == {"participants": len(records) - 1, "responses": 0}
    for command in ("validate", "analyse"):
        outcome = run_cli([command, str(tmp_path / "study")])
        assert outcome.kind == "valid", outcome.detail


def test_the_decimal_hint_works_for_redcap_sources(tmp_path):
    """A plain `number` field holding "41,5": the error suggests `decimal: ","`, and that setting is honoured."""
    dictionary = [list(r) for r in DAG_DICTIONARY]
    dictionary[4][7] = "number"  # age: plain number validation, not a comma-decimal type
    records = dag_records()
    records[3][DAG_HEADER.index("age")] = "41,5"
    sources, mapping = write_redcap(tmp_path, dictionary, records, DAG_EVENTS)
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [
        "records.csv:2:age: '34,5' is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)",
        "records.csv:4:age: '41,5' is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)",
        "records.csv:6:age: '29,0' is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)",
    ]
    mapping.write_text(mapping.read_text(encoding="utf-8") + 'sources:\n  records: {decimal: ","}\n', encoding="utf-8")
    import_study("redcap", sources, mapping, tmp_path / "study")
    assert list(peerimpact.load_study(tmp_path / "study").participants["age"]) == [34.5, 41.5, 29.0]


def test_a_redcap_export_in_windows_1252_needs_its_encoding_named(tmp_path):
    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS)
    # the record export saved again on a Windows machine (no byte-order mark), with one accented group name
    text = sources[1].read_bytes()[3:].decode("utf-8").replace("site_332,2020", "site_33\u00e9,2020", 1)
    sources[1].write_bytes(text.encode("cp1252"))
    with pytest.raises(StudyValidationError) as err:
        import_study("redcap", sources, mapping, tmp_path / "study")
    (problem,) = err.value.problems
    assert str(problem).startswith("records.csv:6:redcap_data_access_group: byte 0xe9 is not valid utf-8 text")
    mapping.write_text(mapping.read_text(encoding="utf-8") + "sources:\n  records: {encoding: cp1252}\n", encoding="utf-8")
    with pytest.raises(StudyValidationError) as err:  # the dictionary and events keep their UTF-8 byte-order marks
        import_study("redcap", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [  # read now: the site it names is unknown to the study
        "records.csv:6:redcap_data_access_group: '33\u00e9' is not a valid id (letters, digits, '_', '.' and '-', "
        "starting with a letter or digit) (study column participants.site)",
        "records.csv:6:redcap_data_access_group: unknown site '33\u00e9' (study column participants.site)",
    ]

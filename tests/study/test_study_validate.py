"""Every validation rule, with its exact message (one table row per rule)."""

from __future__ import annotations

import pytest

import peerimpact
from peerimpact.errors import StudyValidationError
from peerimpact.study.load import check_study_folder
from study_fixtures import FILES, ROW, write_files


def replace(rel: str, old: str, new: str):
    def apply(files: dict[str, str]) -> None:
        assert old in files[rel], f"fixture text {old!r} not in {rel}"  # guards the test table itself
        files[rel] = files[rel].replace(old, new, 1)

    return apply


def append(rel: str, line: str):
    def apply(files: dict[str, str]) -> None:
        files[rel] = files[rel] + line

    return apply


def drop_last_cell(rel: str):
    def apply(files: dict[str, str]) -> None:
        lines = files[rel].splitlines()
        files[rel] = "\n".join([lines[0]] + [line.rsplit(",", 1)[0] for line in lines[1:]]) + "\n"

    return apply


def add_file(rel: str, text: str):
    def apply(files: dict[str, str]) -> None:
        files[rel] = text

    return apply


CASES = [
    ("unknown-site", [replace("participants.csv", "03,2,", "03,9,")],
     ["participants.csv:4:site: unknown site '9'"]),
    ("unknown-participant", [append("responses.csv", f"99,T1,{ROW}\n")],
     ["responses.csv:6:participant_id: unknown participant '99'"]),
    ("undeclared-timepoint", [append("responses.csv", f"02,T9,{ROW}\n")],
     ["responses.csv:6:timepoint: unknown timepoint 'T9'"]),
    ("duplicate-response-row", [append("responses.csv", f"01,T1,{ROW}\n")],
     ["responses.csv:6:timepoint: duplicate row for participant_id=01, timepoint=T1 (first at row 2)"]),
    ("duplicate-participant-id", [append("participants.csv", "02,2,2020-01-12,woman,33\n")],
     ["participants.csv:5:participant_id: duplicate row for participant_id=02 (first at row 3)"]),
    ("impossible-date", [replace("participants.csv", "2020-01-10", "2020-02-30")],
     ["participants.csv:2:consent_date: '2020-02-30' is not a valid date (expected YYYY-MM-DD)"]),
    ("unparseable-date", [replace("participants.csv", "2020-01-10", "10/01/2020")],
     ["participants.csv:2:consent_date: '10/01/2020' is not a valid date (expected YYYY-MM-DD)"]),
    ("future-date", [replace("participants.csv", "2020-01-10", "2999-01-10")],
     ["participants.csv:2:consent_date: 2999-01-10 is after 2100: not a plausible date",
      "participants.csv:2:consent_date: 2999-01-10 is in the future"]),
    ("next-year", [replace("participants.csv", "2020-01-10", "2099-01-10")],
     ["participants.csv:2:consent_date: 2099-01-10 is in the future"]),
    ("end-before-start", [replace("employment.csv", "2021-01-01", "2019-06-01")],
     ["employment.csv:3:end_date: 2019-06-01 is before start_date 2020-01-01"]),
    ("contact-before-allocation", [replace("contacts.csv", "2020-02-03", "2020-01-15")],
     ["contacts.csv:2:date: contact on 2020-01-15 is before the allocation on 2020-02-01"]),
    ("contact-person-not-allocated", [replace("contacts.csv", "C2,01,P001", "C2,01,P002")],
     ["contacts.csv:3:person_id: person 'P002' is not allocated to worker '01' in allocations.csv"]),
    ("unknown-mode", [replace("contacts.csv", "face_to_face", "video")],
     ["contacts.csv:2:mode: 'video' is not one of: face_to_face, telephone, other"]),
    ("unknown-status", [replace("contacts.csv", "15,completed", "15,done")],
     ["contacts.csv:3:status: 'done' is not one of: completed, attempted, cancelled, did_not_attend"]),
    ("duration-not-a-number", [replace("contacts.csv", ",60,", ",an hour,")],
     ["contacts.csv:2:duration_minutes: 'an hour' is not a number"]),
    ("duplicate-contact-id", [append("contacts.csv", "C1,01,P001,2020-02-20,telephone,5,attempted,post_discharge\n")],
     ["contacts.csv:4:contact_id: duplicate row for contact_id=C1 (first at row 2)"]),
    ("bank-with-hours", [replace("employment.csv", "02,bank,,", "02,bank,12,")],
     ["employment.csv:3:hours_per_week: bank staff have no contracted hours: leave empty or 0"]),
    ("no-consent", [replace("participants.csv", "02,1,2020-01-11", "02,1,")],
     ["participants.csv:3:consent_date: is empty but a value is required",
      "responses.csv:3:participant_id: participant '02' has no consent date in participants.csv"]),
    ("transcript-name", [add_file("transcripts/interview one.txt", "text\n")],
     ["transcripts/interview one.txt: name 'interview one' does not match interview_id_pattern 'S{site}-PW{participant}-{timepoint}'"]),
    ("transcript-wrong-site", [add_file("transcripts/S2-PW01-T1.txt", "text\n")],
     ["transcripts/S2-PW01-T1.txt: interview id 'S2-PW01-T1' names site '2' but participant '01' is at site '1'"]),
    ("coding-outside-span", [replace("qual/codings.csv", ",34,48,", ",34,500,")],
     ["qual/codings.csv:2:end: span [34, 500) lies outside transcript 'S1-PW01-T1' (49 characters)"]),
    ("coding-unknown-transcript", [replace("qual/codings.csv", "G1,S1-PW01-T1", "G1,S1-PW01-T2")],
     ["qual/codings.csv:2:interview_id: no transcript for interview 'S1-PW01-T2'"]),
    ("missing-column", [replace("contacts.csv", ",phase\n", "\n"), replace("contacts.csv", ",pre_discharge\n", "\n"),
                        replace("contacts.csv", ",post_discharge\n", "\n")],
     ["contacts.csv:1:phase: required column is missing"]),
    ("responses-without-timepoint", [replace("responses.csv", "participant_id,timepoint,", "participant_id,"),
                                     replace("responses.csv", "01,T1,", "01,"), replace("responses.csv", "02,T1,", "02,"),
                                     replace("responses.csv", "03,T1,", "03,"), replace("responses.csv", "01,T2,", "01,")],
     ["responses.csv:1:timepoint: required column is missing"]),  # was a KeyError while typing the table
    ("unknown-column", [replace("allocations.csv", "ended_on\n", "ended_on,notes\n"), replace("allocations.csv", "2020-05-01\n", "2020-05-01,x\n")],
     ["allocations.csv:1:notes: unknown column (expected: person_id, worker_id, allocated_on, discharged_on, ended_on)"]),
    ("study-yaml-unknown-key", [append("study.yaml", "missing_item_allowed: 2\n")],
     ["study.yaml:14:missing_item_allowed: unknown key 'missing_item_allowed'; did you mean 'missing_items_allowed'?"]),
    ("study-yaml-bad-baseline", [replace("study.yaml", "baseline: T1", "baseline: T0")],
     ["study.yaml:1: baseline 'T0' is not a declared timepoint"]),
    ("study-yaml-missing-title", [replace("study.yaml", "title: Tiny synthetic study\n", "")],
     ["study.yaml:1:title: required key is missing"]),
    ("unknown-instrument", [replace("study.yaml", "instruments: [wemwbs, csri]", "instruments: [wemwbs, csri, phq99]")],
     ["study.yaml:10:instruments: unknown instrument 'phq99'; available: csri, itpps, mbi_hss, mjs, swemwbs, wemwbs"]),
    ("missing-item-column", [replace("responses.csv", ",wemwbs_14\n", "\n"), drop_last_cell("responses.csv")],
     ["responses.csv:1:wemwbs_14: column is missing: wemwbs has other item columns but not this one "
      "(record unanswered items as empty cells)"]),
    ("count-for-unused-service", [replace("service_use.csv", "a_and_e,0,", "a_and_e,0,5")],
     ["service_use.csv:3:count: count 5 given for a service not used (used is 0)"]),
    ("demographic-below-minimum", [replace("participants.csv", "woman,40", "woman,-4")],
     ["participants.csv:2:age: -4 is below the minimum 16"]),
    ("demographic-bounds-on-category", [replace("study.yaml", "type: categorical}", "type: categorical, minimum: 1}")],
     ["study.yaml:12:demographics.0: minimum and maximum apply to continuous columns only (gender is categorical)"]),
]


@pytest.mark.parametrize("mutations, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_names_file_row_column(tmp_path, mutations, expected):
    """load_study's problems; check_study_folder finds the same ones however it is asked for them."""
    files = dict(FILES)
    for mutate in mutations:
        mutate(files)
    root = write_files(tmp_path / "study", files)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    with pytest.raises(StudyValidationError) as info:
        peerimpact.load_study(root)
    assert [str(p) for p in info.value.problems] == expected
    # the importer's way (keep_study=False: responses not typed), listed or streamed to a sink: the same problems
    _, listed = check_study_folder(root, keep_study=False)
    streamed: list = []
    study, returned = check_study_folder(root, keep_study=False, sink=streamed.append)
    assert study is None and returned == [] and streamed == listed == check_study_folder(root)[1]
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written


def test_every_problem_is_reported_at_once(tmp_path):
    files = dict(FILES)
    by_id = {c[0]: c[1] for c in CASES}
    for mutate in by_id["unknown-site"] + by_id["impossible-date"] + by_id["unknown-mode"]:
        mutate(files)
    root = write_files(tmp_path / "study", files)
    with pytest.raises(StudyValidationError) as info:
        peerimpact.load_study(root)
    assert [str(p) for p in info.value.problems] == [
        "contacts.csv:2:mode: 'video' is not one of: face_to_face, telephone, other",
        "participants.csv:2:consent_date: '2020-02-30' is not a valid date (expected YYYY-MM-DD)",
        "participants.csv:4:site: unknown site '9'",
    ]


def test_valid_study_loads_with_typed_tables(tiny_study):
    study = peerimpact.load_study(tiny_study)
    assert study.synthetic is True
    assert study.timepoint_ids == ["T1", "T2"]
    assert list(study.participants["participant_id"]) == ["01", "02", "03"]
    assert str(study.participants["consent_date"].dtype) == "datetime64[ns]"
    assert study.participants["age"].tolist() == [40.0, 35.0, 51.0]
    assert study.responses["wemwbs_1"].dtype == "Int16"  # whole-number scale (peerimpact.study.responses)
    assert list(study.responses["timepoint"].cat.categories) == ["T1", "T2"]
    assert study.contacts["duration_minutes"].tolist() == [60.0, 15.0]
    assert study.transcripts["S1-PW01-T1"].participant_id == "01"
    assert study.transcripts["S1-PW01-T1"].text[34:48] == "Busy but good."
    assert set(study.source.file_hashes) >= {"study.yaml", "responses.csv", "transcripts/S1-PW01-T1.txt"}


def test_transcript_text_is_normalised(tiny_study):
    (tiny_study / "transcripts" / "S1-PW01-T1.txt").write_bytes(
        "\ufeffInterviewer: How has it been?\r\nPW: Busy but good.\r\n".encode("utf-8")
    )
    study = peerimpact.load_study(tiny_study)
    assert study.transcripts["S1-PW01-T1"].text == FILES["transcripts/S1-PW01-T1.txt"]


def test_not_a_folder(tmp_path):
    with pytest.raises(peerimpact.UserInputError, match="no such study folder"):
        peerimpact.load_study(tmp_path / "nope")

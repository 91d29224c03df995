"""Contact logs as they come (issue 18 item 2): no allocations table, no phase column, status declared."""

from __future__ import annotations

import textwrap

import pytest

import peerimpact
from formats_helpers import write_files
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study

STUDY = textwrap.dedent(
    """\
    title: Synthetic contact log as exported
    synthetic: true
    sites: [{id: "1", name: North}]
    timepoints: [{id: T1, label: First, month: 0}]
    instruments: [wemwbs]
    """
)

WORKERS = "ID,Consent," + ",".join(f"W{i}" for i in range(1, 15)) + "\n" + "".join(
    f"pw{k},2021-01-0{k}," + ",".join(["3"] * 14) + "\n" for k in (1, 2)
)

# One row per contact, as the team's log exports it: no allocation, no status, no phase; the
# person's discharge date is on each row (empty while still in hospital).
LOG = textwrap.dedent(
    """\
    Worker,Client,Date,Mode,Minutes,Discharged
    pw1,C01,2021-02-01,Face to face,60,2021-02-10
    pw1,C01,2021-02-10,Face to face,45,2021-02-10
    pw1,C01,2021-02-20,Telephone,10,2021-02-10
    pw1,C02,2021-03-05,Face to face,30,
    pw2,C01,2021-03-01,Telephone,15,2021-02-10
    """
)

MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    tables:
      participants:
        from: workers
        columns: {participant_id: ID, site: {value: "1"}, consent_date: Consent}
      responses:
        from: workers
        timepoint: {value: T1}
        columns: {participant_id: ID}
        instruments: {wemwbs: "W{item}"}
      contacts:
        from: log
        columns:
          contact_id: {template: "c{row}"}
          worker_id: Worker
          person_id: Client
          date: Date
          mode: {column: Mode, recode: {Face to face: face_to_face, Telephone: telephone}}
          duration_minutes: Minutes
          status: {value: completed}          # declared: the log records completed contacts only
          phase: {discharge_date: Discharged}
    """
)


def seed(tmp_path, mapping=MAPPING, log=LOG):
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": mapping, "workers.csv": WORKERS, "log.csv": log})
    return [tmp_path / "workers.csv", tmp_path / "log.csv"], tmp_path / "mapping.yaml"


def test_a_log_without_allocations_or_phase_imports_and_says_what_was_derived(tmp_path):
    sources, mapping = seed(tmp_path)
    report = import_study("csv", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.contacts["phase"]) == ["pre_discharge", "post_discharge", "post_discharge", "pre_discharge", "post_discharge"]
    alloc = study.allocations
    assert [(r.worker_id, r.person_id, r.allocated_on.date().isoformat(), r.ended_on.date().isoformat())
            for r in alloc.itertuples()] == [
        ("pw1", "C01", "2021-02-01", "2021-02-20"),
        ("pw1", "C02", "2021-03-05", "2021-03-05"),
        ("pw2", "C01", "2021-03-01", "2021-03-01"),
    ]
    # C01 was discharged on 2021-02-10: during pw1's support; before pw2's first contact, so left empty there
    assert [None if d != d else d.date().isoformat() for d in alloc["discharged_on"]] == ["2021-02-10", None, None]
    assert report.rows["allocations"] == 3
    assert report.derived == [
        "allocations derived from the contact log: 3 worker–person pairs, allocated_on = first contact, "
        "ended_on = last contact, discharged_on = the log's discharge date where one is given "
        "(map an allocations table to give the real dates)"
    ]
    assert report.derived[0] in report.lines()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("      status: {value: completed}          # declared: the log records completed contacts only\n", "",
         "mapping.yaml:13:tables.contacts.columns: contacts needs 'status': map it to a source column or a value; "
         "a log without one must say what its rows are, e.g. `status: {value: completed}`"),
        ("      phase: {discharge_date: Discharged}\n", "",
         "mapping.yaml:13:tables.contacts.columns: contacts needs 'phase': map it to a source column or a value; derive it with "
         "`phase: {discharge_date: <column>}` or declare it, e.g. `phase: {value: post_discharge}`"),
        ("participant_id: ID, site:", "participant_id: {discharge_date: ID}, site:",
         "mapping.yaml:5:tables.participants.columns.participant_id.discharge_date: discharge_date derives contacts.phase only"),
    ],
    ids=["no-status", "no-phase", "discharge-elsewhere"],
)
def test_status_and_phase_are_never_guessed(tmp_path, old, new, expected):
    sources, mapping = seed(tmp_path, mapping=MAPPING.replace(old, new))
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study")
    assert expected in [str(p) for p in err.value.problems]


def test_a_bad_discharge_date_is_named(tmp_path):
    sources, mapping = seed(tmp_path, log=LOG.replace("45,2021-02-10", "45,10/02/2021"))
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [
        "log.csv:3:Discharged: '10/02/2021' is not a date in YYYY-MM-DD form (or set date_format, e.g. '%d/%m/%Y', in the mapping)"
    ]


def test_excel_surveys_and_a_csv_log_in_one_mixed_import(tmp_path):
    import openpyxl

    sources, mapping = seed(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "workers"
    for line in WORKERS.splitlines():
        ws.append(line.split(","))
    wb.save(tmp_path / "staff.xlsx")
    files = [tmp_path / "staff.xlsx", tmp_path / "log.csv"]
    with pytest.raises(StudyValidationError) as err:
        import_study("xlsx", files, mapping, tmp_path / "study")
    assert "log.csv: is not an Excel workbook (.xlsx): it is text (it looks like CSV) (use `peerimpact import csv`)" in [
        str(p) for p in err.value.problems
    ]
    report = import_study("mixed", files, mapping, tmp_path / "study")
    assert report.rows == {"participants": 2, "responses": 2, "contacts": 5, "allocations": 3}
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.participants["participant_id"]) == ["pw1", "pw2"]


def test_a_mixed_import_refuses_what_it_cannot_read(tmp_path):
    sources, mapping = seed(tmp_path)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(StudyValidationError) as err:
        import_study("mixed", sources + [tmp_path / "old.xls"], mapping, tmp_path / "study")
    assert [str(p) for p in err.value.problems] == ["old.xls: is an old Excel 97-2003 workbook (.xls); save it as .xlsx"]

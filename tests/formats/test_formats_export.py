"""What each export contains: labels for SPSS, sheets and README for Excel, REDCap's exact files, safe writing."""

from __future__ import annotations

import csv
import math
import os
import zipfile

import openpyxl
import pyreadstat
import pytest

from formats_helpers import FIXTURES
from peerimpact.errors import UserInputError
from peerimpact.formats import export_study, read_redcap
from peerimpact.formats.redcap import DICTIONARY_HEADERS
from peerimpact.scoring import score, score_wide

GOLDEN = FIXTURES / "golden"


def test_spss_wide_file_with_labels_and_scores(tmp_path, small_study):
    written = export_study("spss", small_study, tmp_path / "study.sav")
    assert [p.name for p in written] == ["study.sav", "study_allocations.sav", "study_contacts.sav", "study.mapping.yaml"]
    frame, meta = pyreadstat.read_sav(str(tmp_path / "study.sav"))
    assert list(frame["participant_id"]) == ["p01", "p02", "p03"]
    assert meta.column_names_to_labels["gender"] == "Gender"
    assert meta.variable_value_labels["gender"] == {1.0: "woman", 2.0: "man", 3.0: "other"}
    assert meta.variable_value_labels["site"] == {"north": "North ward", "south": "South team"}
    assert meta.variable_value_labels["emp_contract"] == {1.0: "contracted", 2.0: "bank"}
    assert meta.variable_value_labels["wemwbs_1_baseline"][1.0] == "None of the time"
    assert meta.column_names_to_labels["wemwbs_3_m6"] == "Warwick-Edinburgh Mental Wellbeing Scale: item 3, Six months"
    assert meta.column_names_to_labels["mjs.pay_m12"] == "Satisfaction with pay (pre-scored), Twelve months"
    assert list(frame["responded_m6"]) == [1.0, 1.0, 0.0]
    assert list(frame["su_gp_count_baseline"].fillna(-1)) == [2.0, -1.0, -1.0]
    wide = score_wide(small_study).set_index(["participant_id", "timepoint"])
    for pid, value in zip(frame["participant_id"], frame["score_wemwbs.total_m6"]):
        expected = wide["wemwbs.total"].get((pid, "m6"), math.nan)
        assert (math.isnan(value) and math.isnan(expected)) or value == expected
    contacts, cmeta = pyreadstat.read_sav(str(tmp_path / "study_contacts.sav"))
    assert list(contacts["contact_id"]) == ["c1", "c2", "c3", "c4"]
    assert cmeta.variable_value_labels["status"][4.0] == "did_not_attend"


def test_xlsx_sheets_readme_and_types(tmp_path, small_study):
    export_study("xlsx", small_study, tmp_path / "study.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "study.xlsx")
    assert wb.sheetnames == ["README", "participants", "responses", "service_use", "employment", "allocations", "contacts", "scores"]
    readme = [r[0] for r in wb["README"].iter_rows(values_only=True)]
    assert readme[0] == "Small format study"
    assert readme[2] == "SYNTHETIC DATA: these data were generated, not collected from real people."
    people = list(wb["participants"].iter_rows(values_only=True))
    assert people[0] == ("participant_id", "site", "consent_date", "gender", "age", "role")
    assert people[3][0] == "p03" and people[3][2].date().isoformat() == "2021-02-01" and people[3][4] is None
    assert len(list(wb["scores"].iter_rows())) == 1 + len(score(small_study))
    # ids, timepoints, outcomes and statuses are text cells ('@'), categorical columns included, so Excel
    # keeps "02" as "02"; item responses stay numbers
    resp_header = [c.value for c in wb["responses"][1]]
    first = {h: c for h, c in zip(resp_header, wb["responses"][2])}
    assert first["participant_id"].number_format == "@" and first["timepoint"].number_format == "@"
    item = next(h for h in resp_header if h.startswith("wemwbs_"))
    assert first[item].number_format == "General" and isinstance(first[item].value, int)
    score_header = [c.value for c in wb["scores"][1]]
    row = {h: c for h, c in zip(score_header, wb["scores"][2])}
    assert [row[h].number_format for h in ("participant_id", "timepoint", "outcome", "status")] == ["@"] * 4


def test_a_study_that_is_not_synthetic_says_nothing_about_synthetic_data(tmp_path, small_study_dir):
    import peerimpact

    text = (small_study_dir / "study.yaml").read_text().replace("synthetic: true", "synthetic: false")
    (small_study_dir / "study.yaml").write_text(text)
    export_study("csv", peerimpact.load_study(small_study_dir), tmp_path / "out")
    assert "SYNTHETIC" not in (tmp_path / "out" / "README.txt").read_text()


def test_csv_zip_contents(tmp_path, small_study):
    export_study("csv", small_study, tmp_path / "study.zip")
    with zipfile.ZipFile(tmp_path / "study.zip") as zf:
        names = zf.namelist()
        scores_text = zf.read("scores.csv").decode("utf-8")
        participants = zf.read("participants.csv").decode("utf-8")
    assert names == ["README.txt", "allocations.csv", "contacts.csv", "employment.csv", "mapping.yaml", "participants.csv",
                     "responses.csv", "scores.csv", "service_use.csv", "study.yaml"]
    assert scores_text.splitlines()[0] == "participant_id,timepoint,outcome,score,items_answered,items_missing,status"
    assert participants.splitlines()[3] == 'p03,south,2021-02-01,other,,"support, housing"'


def test_redcap_files_parse_as_a_redcap_project(tmp_path, small_study):
    export_study("redcap", small_study, tmp_path / "rc")
    folder = tmp_path / "rc"
    assert sorted(p.name for p in folder.iterdir()) == ["README.txt", "dictionary.csv", "events.csv", "instrument_designations.csv", "mapping.yaml", "records.csv"]
    with (folder / "dictionary.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(DICTIONARY_HEADERS)
    project = read_redcap(folder / "dictionary.csv", folder / "records.csv", folder / "events.csv")
    assert [e.unique_name for e in project.events] == ["baseline_arm_1", "m6_arm_1", "m12_arm_1"]
    assert project.forms == ["participants", "employment", "wemwbs", "mjs", "service_use", "allocations", "contact_log"]
    assert project.field("wemwbs_1").choices == {"1": "None of the time", "2": "Rarely", "3": "Some of the time", "4": "Often", "5": "All of the time"}
    assert project.field("mjs_pay").validation == "number"
    assert (project.field("mjs_pay").validation_min, project.field("mjs_pay").validation_max) == ("1", "5")
    assert project.value("p01", "baseline_arm_1", "contact_mode", "contact_log", 2) == "2"
    assert project.records == ["p01", "p02", "p03"]


@pytest.mark.parametrize("name", ["dictionary.csv", "events.csv", "instrument_designations.csv", "records.csv", "mapping.yaml"])
def test_redcap_export_matches_golden(tmp_path, small_study, name):
    """Golden files: regenerate deliberately with PEERIMPACT_REGENERATE_GOLDEN=1 and review the diff."""
    export_study("redcap", small_study, tmp_path / "rc")
    produced = (tmp_path / "rc" / name).read_text(encoding="utf-8")
    golden = GOLDEN / f"small_redcap_{name}"
    if os.environ.get("PEERIMPACT_REGENERATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("spss", "study.xlsx", "an SPSS export must end in .sav"),
        ("xlsx", "study.sav", "an Excel export must end in .xlsx"),
        ("stata", "study.dta", "unknown export format 'stata'; choose one of: spss, xlsx, csv, redcap"),
    ],
    ids=["spss-suffix", "xlsx-suffix", "unknown"],
)
def test_export_argument_errors(tmp_path, small_study, fmt, name, message):
    with pytest.raises(UserInputError) as err:
        export_study(fmt, small_study, tmp_path / "out" / name)
    assert str(err.value).endswith(message)
    assert not (tmp_path / "out").exists()


def test_existing_outputs_are_kept_unless_overwrite(tmp_path, small_study):
    out = tmp_path / "out"
    out.mkdir()
    (out / "study.mapping.yaml").write_text("mine")
    with pytest.raises(UserInputError) as err:
        export_study("spss", small_study, out / "study.sav")
    assert str(err.value) == f"{out / 'study.mapping.yaml'}: already exists (use --overwrite to replace it)"
    assert sorted(p.name for p in out.iterdir()) == ["study.mapping.yaml"]  # no .sav, no temporary files
    assert (out / "study.mapping.yaml").read_text() == "mine"
    export_study("spss", small_study, out / "study.sav", overwrite=True)
    assert (out / "study.mapping.yaml").read_text() != "mine"


def test_exports_without_scores(tmp_path, small_study):
    export_study("xlsx", small_study, tmp_path / "s.xlsx", scores=False)
    assert "scores" not in openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True).sheetnames
    export_study("spss", small_study, tmp_path / "t.sav", scores=False)
    frame, _ = pyreadstat.read_sav(str(tmp_path / "t.sav"), metadataonly=True)
    assert not [c for c in frame.columns if c.startswith("score_")]


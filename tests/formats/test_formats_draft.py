"""``peerimpact init``: drafts of study.yaml and mapping.yaml from raw files (formats/draft.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from peerimpact.demo.raw import write_raw_export
from peerimpact.errors import UserInputError
from peerimpact.formats.draft import GUESS, draft_study, month_of, write_draft


@pytest.mark.parametrize(
    "label, month",
    [("Baseline", (0.0, True)), ("6 months", (6.0, True)), ("6m", (6.0, True)), ("12 Months", (12.0, True)),
     ("1 year", (12.0, True)), ("T1", (0.0, False)), ("T3", (2.0, False)), ("Follow-up", (None, False)), ("Staff", (None, False))],
    ids=lambda v: str(v),
)
def test_month_of(label, month):
    assert month_of(label) == month


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return write_raw_export(tmp_path_factory.mktemp("raw") / "team")


@pytest.fixture(scope="module")
def drafted(raw):
    draft = draft_study(raw)
    return draft, yaml.safe_load(draft.study_yaml), yaml.safe_load(draft.mapping_yaml)


def test_study_guesses(drafted):
    _, study, _ = drafted
    assert study["sites"] == [{"id": "A", "name": "Site A"}, {"id": "B", "name": "Site B"}]
    assert study["timepoints"] == [{"id": "baseline", "label": "Baseline", "month": 0},
                                   {"id": "6m", "label": "6 months", "month": 6},
                                   {"id": "12m", "label": "12 months", "month": 12}]
    assert study["instruments"] == ["wemwbs"]
    assert study["demographics"] == [{"column": "Gender", "label": "Gender", "type": "categorical"},
                                     {"column": "Age", "label": "Age", "type": "continuous"}]
    assert study["interview_id_pattern"] == "Site {site} - {participant} - {timepoint}"


def test_mapping_guesses(drafted):
    _, _, mapping = drafted
    tables = mapping["tables"]
    assert tables["participants"] == [{"from": "Staff", "columns": {"participant_id": "PW ID", "site": "Site", "consent_date": "Consent date",
                                                                     "Gender": "Gender", "Age": "Age"}}]
    assert tables["employment"][0]["columns"]["contract"] == {"column": "Contract", "recode": {"Bank": "bank", "Permanent": "contracted"}}
    assert [(b["from"], b["timepoint"]["value"], b["instruments"]["wemwbs"]["pattern"]) for b in tables["responses"]] == [
        ("Baseline", "baseline", "Q{item}"), ("6 months", "6m", "Q{item}"), ("12 months", "12m", "Q{item}")]
    # The log as it comes (issue 18 item 2): an id from the row, status declared, allocations derived; its phase is
    # neither in the log nor guessable, so it is left to the team (commented out, TODO: the import stops until it is set).
    assert tables["contacts"] == [{"from": "contact log", "columns": {
        "contact_id": {"template": "contact-{row}"}, "worker_id": "Worker", "person_id": "Client",
        "date": {"column": "Date", "date_format": "%d/%m/%Y"},
        "mode": {"column": "Type", "recode": {"Face to face": "face_to_face", "Phone": "telephone"}},
        "duration_minutes": "Minutes", "status": {"value": "completed"}}}]
    assert "allocations" not in tables


def test_the_contact_log_phase_is_left_to_the_team(drafted):
    draft, _, _ = drafted
    [line] = [ln for ln in draft.mapping_yaml.splitlines() if "phase:" in ln]
    assert line.lstrip().startswith("# phase:") and "# TODO" in line and "discharge_date" in line
    [status] = [ln for ln in draft.mapping_yaml.splitlines() if ln.lstrip().startswith("status:")]
    assert GUESS in status and "no status column" in status


def test_a_log_with_its_own_id_status_and_discharge_date(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"ID": ["P1", "P2"], "Team": ["North", "South"], "Consent": ["2023-01-05", "2023-01-06"]}).to_csv(raw / "people.csv", index=False)
    pd.DataFrame({"Contact ID": ["k1", "k2", "k3"], "Worker": ["P1", "P1", "P2"], "Client": ["C1", "C2", "C1"],
                  "Date": ["03/02/2023", "04/02/2023", "09/02/2023"], "Status": ["Attended", "DNA", "Cancelled"],
                  "Discharged": ["05/02/2023", "", "05/02/2023"]}).to_csv(raw / "log.csv", index=False)
    mapping = yaml.safe_load(draft_study(raw).mapping_yaml)
    assert mapping["tables"]["contacts"][0]["columns"] == {
        "contact_id": "Contact ID", "worker_id": "Worker", "person_id": "Client", "date": {"column": "Date", "date_format": "%d/%m/%Y"},
        "status": {"column": "Status", "recode": {"Attended": "completed", "Cancelled": "cancelled", "DNA": "did_not_attend"}},
        "phase": {"discharge_date": "Discharged", "date_format": "%d/%m/%Y"},
    }


def test_every_guess_is_marked(drafted):
    draft, _, _ = drafted
    for text in (draft.study_yaml, draft.mapping_yaml):
        for line in text.splitlines():
            data_line = line.split("#", 1)[0].strip()
            if data_line and ":" in data_line and not data_line.endswith(":") and not line.lstrip().startswith("#"):
                fixed = data_line.split(":")[0].strip("- ") in ("study", "synthetic", "title", "speakers", "from")
                assert fixed or GUESS in line or "# TODO" in line, line
    assert "  - from: contact log" in draft.mapping_yaml
    assert "date: {column: Date, date_format: '%d/%m/%Y'}" in draft.mapping_yaml
    assert any("coding.xlsx[Coding]: a coding sheet" in n for n in draft.notes)


def test_long_csv_and_spss(tmp_path):
    import pyreadstat

    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"ID": ["P1", "P2"], "Team": ["North", "South"], "Consent": ["2023-01-05", "2023-01-06"]}).to_csv(raw / "people.csv", index=False)
    items = {f"SW{i}": [3, 4, 2, 5] for i in range(1, 8)}
    pyreadstat.write_sav(pd.DataFrame({"ID": ["P1", "P1", "P2", "P2"], "Wave": ["T1", "T2", "T1", "T2"], **items}), str(raw / "survey.sav"))
    draft = draft_study(raw)
    study, mapping = yaml.safe_load(draft.study_yaml), yaml.safe_load(draft.mapping_yaml)
    assert study["instruments"] == ["swemwbs"]
    assert [(t["id"], t["month"]) for t in study["timepoints"]] == [("T1", 0), ("T2", 1)]
    assert "month unknown: set it" in draft.study_yaml
    assert mapping["tables"]["responses"][0]["timepoint"] == {"column": "Wave", "values": {"T1": "T1", "T2": "T2"}}
    assert mapping["tables"]["participants"][0]["columns"] == {"participant_id": "ID", "site": "Team", "consent_date": "Consent"}


def test_cli_writes_once(raw, tmp_path):
    from peerimpact.cli.main import app

    runner = CliRunner()
    first = runner.invoke(app, ["init", str(raw), "--out", str(tmp_path / "draft")])
    assert first.exit_code == 0, first.stderr
    assert "read 6 table(s) and 9 interview(s)" in first.stderr
    before = (tmp_path / "draft" / "study.yaml").read_bytes()
    again = runner.invoke(app, ["init", str(raw), "--out", str(tmp_path / "draft")])
    assert again.exit_code == 2
    assert "already holds study.yaml and mapping.yaml; choose an empty folder (nothing was written)" in again.stderr
    assert (tmp_path / "draft" / "study.yaml").read_bytes() == before


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no CSV, Excel (.xlsx) or SPSS (.sav) file found"),
    (lambda p: (p / "notes.md").write_text("x"), "no CSV, Excel (.xlsx) or SPSS (.sav) file found"),
], ids=["empty", "no-data"])
def test_nothing_to_draft(tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(UserInputError) as info:
        write_draft(tmp_path, tmp_path / "out")
    assert message in str(info.value)
    assert not (tmp_path / "out").exists()


def test_wide_layout_from_column_names(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    columns = {"Participant": ["P1", "P2"], "Site": ["1", "2"], "Consent": ["2023-01-05", "2023-01-06"]}
    for wave in ("Baseline", "6m", "12m"):
        columns.update({f"WEM{i}_{wave}": [3, 4] for i in range(1, 15)})
    pd.DataFrame(columns).to_csv(raw / "everything.csv", index=False)
    draft = draft_study(raw)
    study, mapping = yaml.safe_load(draft.study_yaml), yaml.safe_load(draft.mapping_yaml)
    assert [(t["id"], t["month"]) for t in study["timepoints"]] == [("Baseline", 0), ("6m", 6), ("12m", 12)]
    block = mapping["tables"]["responses"][0]
    assert block["timepoints"] == {"Baseline": "Baseline", "6m": "6m", "12m": "12m"}
    assert block["instruments"] == {"wemwbs": {"pattern": "WEM{item}_{timepoint}"}}
    assert "timepoint" not in block
    # the same table gives the participants, without the item columns as demographics
    assert mapping["tables"]["participants"][0]["columns"] == {"participant_id": "Participant", "site": "Site", "consent_date": "Consent"}
    assert study["demographics"] == []


def test_redcap_export_is_pointed_to_the_redcap_import(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "dictionary.csv").write_text('"Variable / Field Name","Form Name","Field Type"\nrecord_id,baseline,text\n', encoding="utf-8")
    (raw / "staff.csv").write_text("ID,Site\nP1,1\n", encoding="utf-8")
    draft = draft_study(raw)
    assert draft.notes == ["dictionary.csv: part of a REDCap export; draft its mapping from the REDCap example in docs/mapping.md "
                           "and run peerimpact import redcap"]

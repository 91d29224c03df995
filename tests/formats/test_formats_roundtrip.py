"""Exact round trips: study -> .sav / .xlsx / CSV / REDCap (+ the export's own mapping) -> the same study.

"The same study" means an equal definition and instruments, and equal tables
(values and dtypes) once rows are put in key order: an export may order rows
participant by participant where the folder had them wave by wave.
"""

from __future__ import annotations

import textwrap
import zipfile

import pytest

import peerimpact
from formats_helpers import SMALL_STUDY, SMALL_STUDY_V2, assert_same_study, write_files
from peerimpact.formats import export_study, import_study

PHQ9 = """\
id: phq9
name: Patient Health Questionnaire (PHQ-9)
citation: Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-613.
licence: Free to use; wording not included here.
response_min: 0
response_max: 3
anchors: {0: Not at all, 3: Nearly every day}
items: [1, 2, 3, 4, 5, 6, 7, 8, 9]
subscales:
  - {id: total, label: Depression (PHQ-9), items: [1, 2, 3, 4, 5, 6, 7, 8, 9], method: sum}
"""


def import_back(fmt: str, out, tmp_path):
    if fmt == "spss":
        sources = sorted(out.parent.glob(f"{out.stem}*.sav"))
        mapping = out.with_name(out.stem + ".mapping.yaml")
    elif fmt == "xlsx":
        sources, mapping = [out], out.with_name(out.stem + ".mapping.yaml")
    else:
        folder = out
        if out.suffix == ".zip":
            folder = tmp_path / "unzipped"
            zipfile.ZipFile(out).extractall(folder)
        if fmt == "redcap":
            sources = [folder / "dictionary.csv", folder / "records.csv", folder / "events.csv"]
        else:
            sources = [p for p in sorted(folder.glob("*.csv")) if p.stem != "scores"]
        mapping = folder / "mapping.yaml"
    import_study(fmt, sources, mapping, tmp_path / "back")
    return peerimpact.load_study(tmp_path / "back")


TARGETS = [("spss", "study.sav"), ("xlsx", "study.xlsx"), ("csv", "csv_out"), ("csv", "study.zip"), ("redcap", "redcap_out"), ("redcap", "redcap.zip")]
IDS = ["spss", "xlsx", "csv-folder", "csv-zip", "redcap-folder", "redcap-zip"]


@pytest.mark.parametrize(("fmt", "name"), TARGETS, ids=IDS)
def test_small_study_round_trip(tmp_path, small_study, fmt, name):
    out = tmp_path / "export" / name
    export_study(fmt, small_study, out)
    assert_same_study(small_study, import_back(fmt, out, tmp_path))


@pytest.mark.parametrize(("fmt", "name"), TARGETS, ids=IDS)
def test_absence_spells_round_trip(tmp_path, fmt, name):
    study = peerimpact.load_study(write_files(tmp_path / "v2", SMALL_STUDY_V2))
    out = tmp_path / "export" / name
    export_study(fmt, study, out)
    back = import_back(fmt, out, tmp_path)
    spells = back.absence.sort_values(["participant_id", "start_date"])
    assert [(r.participant_id, str(r.start_date.date()), r.reason) for r in spells.itertuples()] == [
        ("p01", "2021-03-01", "respiratory"), ("p01", "2021-03-20", "mental_health"), ("p02", "2021-05-10", "other"),
    ]
    assert spells["end_date"].isna().tolist() == [False, True, False]
    assert_same_study(study, back)


@pytest.mark.parametrize(("fmt", "name"), TARGETS[::2] + [TARGETS[4]], ids=["spss", "xlsx", "csv-zip", "redcap"])
def test_a_user_defined_instrument_travels_with_the_export(tmp_path, fmt, name):
    files = dict(SMALL_STUDY)
    files["study.yaml"] = files["study.yaml"].replace("instruments: [wemwbs, mjs, csri]", "instruments: [wemwbs, mjs, csri, phq9]")
    files["instruments/phq9.yaml"] = PHQ9
    header, *rows = textwrap.dedent(files["responses.csv"]).splitlines()
    files["responses.csv"] = "\n".join([header + "," + ",".join(f"phq9_{i}" for i in range(1, 10))]
                                       + [r + "," + ",".join(str((i + n) % 4) for i in range(9)) for n, r in enumerate(rows)]) + "\n"
    study = peerimpact.load_study(write_files(tmp_path / "phq", files))
    assert "phq9" in study.instruments
    out = tmp_path / "export" / name
    export_study(fmt, study, out)
    assert_same_study(study, import_back(fmt, out, tmp_path))


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("spss", "demo.sav"), ("redcap", "demo_redcap"), pytest.param("csv", "demo.zip", marks=pytest.mark.slow)],
    ids=["spss", "redcap", "csv"],
)
def test_demo_study_round_trip(tmp_path, demo_study, fmt, name):
    out = tmp_path / "export" / name
    export_study(fmt, demo_study, out)
    assert_same_study(demo_study, import_back(fmt, out, tmp_path))


@pytest.mark.slow
def test_demo_study_round_trip_xlsx(tmp_path, demo_study):
    out = tmp_path / "export" / "demo.xlsx"
    export_study("xlsx", demo_study, out, scores=False)
    assert_same_study(demo_study, import_back("xlsx", out, tmp_path))

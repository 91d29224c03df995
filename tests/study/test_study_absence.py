"""Absence as dated spells (study format version 2): validation, derived sick_days, rates, upgrade.

Days are counted by hand in the comments (2020 is a leap year).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import peerimpact
from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.study.absence import absence_by_reason, absence_rates
from peerimpact.study.upgrade import upgrade_study
from study_fixtures import FILES

EMPLOYMENT = (
    "participant_id,contract,hours_per_week,start_date,end_date,sick_days\n"
    "01,contracted,20,2020-01-01,,\n"
    "02,bank,,2020-01-01,2021-01-01,0\n"
    "03,contracted,37.5,2020-02-01,,0\n"  # no spells: an undated total of 0 days

)
ABSENCE = (
    "participant_id,start_date,end_date,reason\n"
    "01,2020-03-02,2020-03-04,respiratory\n"  # 3 days
    "01,2020-06-01,,mental_health\n"  # open: to the end_date 2020-06-10, 10 days
)


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def v2_files(**changes: str) -> dict[str, str]:
    files = {**FILES, "employment.csv": EMPLOYMENT, "absence.csv": ABSENCE,
             "study.yaml": "format_version: 2\nend_date: 2020-06-10\n" + FILES["study.yaml"]}
    files.update(changes)
    return files


def test_version_1_loads_unchanged(tmp_path):
    study = peerimpact.load_study(write(tmp_path, FILES))
    assert study.definition.format == 1 and len(study.absence) == 0
    assert study.employment["sick_days"].tolist() == [3.0, 0.0]


def test_version_2_derives_sick_days(tmp_path):
    study = peerimpact.load_study(write(tmp_path, v2_files()))
    assert study.definition.format == 2
    assert dict(zip(study.employment["participant_id"], study.employment["sick_days"])) == {"01": 13.0, "02": 0.0, "03": 0.0}
    by_reason = absence_by_reason(study)
    assert by_reason.values.tolist() == [["mental_health", 1, 10.0, 10 / 13], ["respiratory", 1, 3.0, 3 / 13]]


def test_rates(tmp_path):
    study = peerimpact.load_study(write(tmp_path, v2_files()))
    rates = absence_rates(study).set_index("site")
    # 01: 20/37.5 FTE, 2020-01-01..2020-06-10 = 31+29+31+30+31+10 = 162 days available, 13 lost;
    # 03: 1 FTE, 2020-02-01..2020-06-10 = 29+31+30+31+10 = 131 days, 0 lost; 02 is bank staff (left out)
    fte01 = 20 / 37.5
    assert rates.loc["all", ["n_workers", "n_with_spells"]].tolist() == [2, 1]
    assert math.isclose(rates.loc["all", "fte_days_available"], fte01 * 162 + 131)
    assert math.isclose(rates.loc["all", "rate"], fte01 * 13 / (fte01 * 162 + 131))
    assert math.isclose(rates.loc["1", "rate"], 13 / 162)
    assert rates.loc["2", "rate"] == 0.0


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"study.yaml": FILES["study.yaml"]}, "absence.csv: absence spells need study format version 2"),
        ({"absence.csv": ABSENCE + "01,2020-03-04,2020-03-05,injury\n"}, "absence.csv:4:start_date: spell overlaps the spell of 01 at row 2"),
        ({"absence.csv": ABSENCE + "03,2020-04-05,2020-04-01,injury\n"}, "absence.csv:4:end_date: end_date 2020-04-01 is before start_date 2020-04-05"),
        ({"absence.csv": ABSENCE + "09,2020-04-01,2020-04-02,injury\n"}, "absence.csv:4:participant_id: unknown participant '09'"),
        ({"absence.csv": ABSENCE + "03,2020-01-20,2020-01-21,injury\n"},
         "absence.csv:4:start_date: spell starts 2020-01-20, before 03's start_date 2020-02-01 in employment.csv"),
        ({"absence.csv": ABSENCE + "02,2020-12-30,,other\n"}, "absence.csv:4:end_date: spell is open, after 02's end_date 2021-01-01 in employment.csv"),
        ({"employment.csv": EMPLOYMENT.replace("01,contracted,20,2020-01-01,,", "01,contracted,20,2020-01-01,,5")},
         "employment.csv:2:sick_days: sick_days 5 for 01 differs from the 13 days of their spells in absence.csv"),
    ],
    ids=["version-1", "overlap", "end-before-start", "unknown", "before-post", "after-post", "sick-days-clash"],
)
def test_problems(tmp_path, changes, problem):
    with pytest.raises(StudyValidationError) as info:
        peerimpact.load_study(write(tmp_path, v2_files(**changes)))
    assert any(str(p).startswith(problem) for p in info.value.problems), [str(p) for p in info.value.problems]


def test_written_study_reloads_the_same(tmp_path):
    from peerimpact.study.write import write_study

    study = peerimpact.load_study(write(tmp_path / "a", v2_files()))
    again = peerimpact.load_study(write_study(study, tmp_path / "b"))
    assert again.definition.format == 2
    assert again.employment["sick_days"].tolist() == study.employment["sick_days"].tolist()
    assert again.absence.astype(str).values.tolist() == study.absence.astype(str).values.tolist()


def test_upgrade_from_version_1(tmp_path):
    folder = write(tmp_path, FILES)
    assert upgrade_study(folder) == ["study.yaml", "absence.csv"]
    assert (folder / "absence.csv").read_text(encoding="utf-8") == "participant_id,start_date,end_date,reason\n"
    assert (folder / "study.yaml").read_text(encoding="utf-8").endswith(FILES["study.yaml"])  # comments and keys kept
    study = peerimpact.load_study(folder)
    assert study.definition.format == 2
    assert study.employment["sick_days"].tolist() == [3.0, 0.0]  # version-1 totals kept as undated totals
    with pytest.raises(UserInputError, match="already study format version 2"):
        upgrade_study(folder)


def test_upgrade_cli(tmp_path):
    from typer.testing import CliRunner

    from peerimpact.cli.main import app

    folder = write(tmp_path, FILES)
    first = CliRunner().invoke(app, ["upgrade", str(folder)])
    assert first.exit_code == 0, first.stderr
    assert f"wrote {folder / 'study.yaml'}" in first.stderr
    again = CliRunner().invoke(app, ["upgrade", str(folder)])
    assert again.exit_code == 2 and "already study format version 2" in again.stderr

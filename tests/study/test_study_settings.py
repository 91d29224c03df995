"""Study settings of issue 18: ``speakers`` / ``turn_pattern`` (speaker turns) in ``study.yaml``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from peerimpact.qual.corpus import DEFAULT_TURN_PATTERN, speaker_turns
from peerimpact.study.definition import DEFAULT_TURN_PATTERN as DEFINITION_DEFAULT
from peerimpact.study.definition import StudyDefinition

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "qual" / "mini_study"
BASE = {"title": "t", "sites": [{"id": "1", "name": "One"}], "timepoints": [{"id": "T1", "label": "T1", "month": 0}]}
TEXT = "Interviewer: Hello\nParticipant: Hi there\nPW: no label\nDr. Who?: odd\n"


def test_the_two_defaults_agree():
    assert DEFINITION_DEFAULT == DEFAULT_TURN_PATTERN


@pytest.mark.parametrize(
    "settings, speakers",
    [
        ({}, ["Interviewer", "PW"]),  # "Participant:" is no marker by default
        ({"speakers": ["Interviewer", "Participant"]}, ["Interviewer", "Participant"]),
        ({"speakers": ["Participant", "Dr. Who?"]}, [None, "Participant", "Dr. Who?"]),
        ({"turn_pattern": r"^(?P<speaker>[A-Z][a-z]+):\s*"}, ["Interviewer", "Participant"]),
    ],
    ids=["default", "speakers", "speakers-escaped", "turn-pattern"],
)
def test_turns_follow_the_setting(settings, speakers):
    defn = StudyDefinition.model_validate({**BASE, **settings})
    got = speaker_turns(TEXT, defn.turn_regex)["speaker"].tolist()
    assert got == speakers


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"speakers": []}, "speakers must be a non-empty list of labels without ':'"),
        ({"speakers": ["PW:"]}, "speakers must be a non-empty list of labels without ':'"),
        ({"speakers": ["PW", "PW"]}, "speaker label(s) listed twice: PW"),
        ({"turn_pattern": "^(PW):"}, "turn_pattern needs a group named speaker"),
        ({"turn_pattern": "^(?P<speaker>PW"}, "turn_pattern is not a regular expression"),
        ({"speakers": ["PW"], "turn_pattern": "^(?P<speaker>PW):"}, "set speakers or turn_pattern, not both"),
        ({"end_date": "2020-02-30"}, "end_date"),
    ],
    ids=["empty", "colon", "twice", "no-group", "bad-regex", "both", "bad-date"],
)
def test_bad_settings(settings, message):
    with pytest.raises(ValidationError) as info:
        StudyDefinition.model_validate({**BASE, **settings})
    assert message in str(info.value)


def test_qual_turns_uses_the_study_speakers(tmp_path: Path):
    from peerimpact.cli.main import app

    study = tmp_path / "mini"
    shutil.copytree(MINI, study)
    data = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    data["speakers"] = ["Interviewer", "PW", "Participant"]
    (study / "study.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    path = study / "transcripts" / "S1-PW02-T1.txt"
    path.write_text(path.read_text(encoding="utf-8") + "Participant: A third voice.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["qual", "turns", str(study), "S1-PW02-T1"])
    assert result.exit_code == 0, result.stderr
    assert [line.split(",")[1] for line in result.stdout.splitlines()[1:]] == ["Interviewer", "PW", "PW", "Participant"]

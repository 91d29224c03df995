"""Fixtures of the qualitative tests: the mini study (as a folder and as a Study) and the REFI fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from peerimpact.study.checks import empty_table, typed_table
from peerimpact.study.csvio import read_raw_csv
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.interview_id import parse_interview_id
from peerimpact.study.model import Study, StudySource, Transcript
from peerimpact.study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, SERVICE_USE
from peerimpact.study.text import normalise_text, text_sha256

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "qual"
MINI = FIXTURES / "mini_study"
REFI = FIXTURES / "refi"


def build_study(root: Path, **overrides) -> Study:
    """A Study read straight from a study folder (transcripts, codings and qual YAML only).

    Mirrors what ``peerimpact.load_study`` gives for these parts, without the
    questionnaire machinery, so that the qualitative tests stay fast and
    independent. ``overrides`` replace fields (e.g. ``codings=...``).
    """
    definition = StudyDefinition.model_validate(yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8")))
    transcripts = {}
    for path in sorted((root / "transcripts").glob("*.txt")):
        ref = parse_interview_id(path.stem, definition.interview_id_pattern)
        text = normalise_text(path.read_bytes().decode("utf-8"))
        transcripts[path.stem] = Transcript(path.stem, ref.site, ref.participant_id, ref.timepoint, text, text_sha256(text), f"transcripts/{path.name}")
    raw, problems = read_raw_csv(root / "qual" / "codings.csv", "qual/codings.csv")
    assert not problems
    participants, _ = read_raw_csv(root / "participants.csv", "participants.csv")

    def load_yaml(rel: str):
        p = root / rel
        return yaml.safe_load(p.read_text(encoding="utf-8")) if p.is_file() else None

    fields = dict(
        definition=definition,
        participants=typed_table(participants, PARTICIPANTS),
        responses=pd.DataFrame({"participant_id": pd.Series([], dtype=object), "timepoint": pd.Series([], dtype=object)}),
        service_use=empty_table(SERVICE_USE),
        employment=empty_table(EMPLOYMENT),
        allocations=empty_table(ALLOCATIONS),
        contacts=empty_table(CONTACTS),
        instruments={},
        transcripts=transcripts,
        codings=typed_table(raw, CODINGS),
        codebook=load_yaml("qual/codebook.yaml"),
        memos=load_yaml("qual/memos.yaml"),
        source=StudySource(root.resolve(), "folder", {}),
    )
    fields.update(overrides)
    return Study(**fields)


@pytest.fixture(scope="session")
def mini_study() -> Study:
    """The mini study loaded by ``peerimpact.load_study`` (read-only)."""
    import peerimpact

    return peerimpact.load_study(MINI)


@pytest.fixture
def mini_study_dir(tmp_path) -> Path:
    """A writable copy of the mini study folder."""
    out = tmp_path / "mini"
    shutil.copytree(MINI, out)
    return out


@pytest.fixture(scope="session")
def refi_dir() -> Path:
    return REFI

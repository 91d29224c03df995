"""A user-defined PHQ-9 in STUDY/instruments/ is validated and scored without code changes."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

import peerimpact
from peerimpact.errors import Problem, StudyValidationError
from scoring_helpers import FIXTURES

STUDY_YAML = """\
title: PHQ-9 example
synthetic: true
sites:
  - {id: "1", name: Site one}
timepoints:
  - {id: T1, label: Start, month: 0}
  - {id: T2, label: Later, month: 6}
instruments: [phq9]
"""

PARTICIPANTS = "participant_id,site,consent_date\n01,1,2020-01-01\n02,1,2020-01-01\n"


def write_study(root: Path, responses: str) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(FIXTURES / "phq9_study" / "instruments", root / "instruments")
    (root / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (root / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    (root / "responses.csv").write_text(textwrap.dedent(responses), encoding="utf-8")
    return root


HEADER = "participant_id,timepoint," + ",".join(f"phq9_{i}" for i in range(1, 10)) + "\n"


def test_phq9_is_scored(tmp_path):
    root = write_study(
        tmp_path / "study",
        HEADER
        + "01,T1,0,1,2,3,0,1,2,3,0\n"  # sum 12
        + "01,T2,3,3,3,3,3,3,3,3,\n"  # 8 answered, sum 24: prorated 24 / 8 * 9 = 27
        + "02,T1,1,1,1,1,1,1,1,,\n",  # 2 missing: too many
    )
    study = peerimpact.load_study(root)
    table = peerimpact.score(study)
    assert table["outcome"].tolist() == ["phq9.total"] * 3
    np.testing.assert_array_equal(table["score"].to_numpy(), [12.0, 24 / 8 * 9, np.nan])
    assert table["status"].tolist() == ["complete", "prorated", "too_many_missing"]
    bands = study.instruments["phq9"].subscale("total").band(table["score"].to_numpy())
    assert bands.tolist() == ["moderate", "severe", None]  # Kroenke 2001: 10-14 moderate, 20+ severe


def test_phq9_range_is_validated_at_load(tmp_path):
    root = write_study(tmp_path / "study", HEADER + "01,T1,0,1,2,4,0,1,2,3,0\n")
    with pytest.raises(StudyValidationError) as info:
        peerimpact.load_study(root)
    assert Problem("responses.csv", 2, "phq9_4", "value 4 is outside the range 0–3 of phq9") in info.value.problems

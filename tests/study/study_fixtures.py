"""A small valid study folder, written afresh for each test that corrupts it."""

from __future__ import annotations

from pathlib import Path

import pytest

STUDY_YAML = """\
title: Tiny synthetic study
synthetic: true
sites:
  - {id: "1", name: North}
  - {id: "2", name: South}
timepoints:
  - {id: T1, label: Start, month: 0}
  - {id: T2, label: Four months, month: 4}
baseline: T1
instruments: [wemwbs, csri]
demographics:
  - {column: gender, label: Gender, type: categorical}
  - {column: age, label: Age, type: continuous, minimum: 16, maximum: 100}
"""

WEMWBS_HEADER = ",".join(f"wemwbs_{i}" for i in range(1, 15))
ROW = ",".join(["3"] * 14)

FILES = {
    "study.yaml": STUDY_YAML,
    "participants.csv": "participant_id,site,consent_date,gender,age\n01,1,2020-01-10,woman,40\n02,1,2020-01-11,man,35\n03,2,2020-01-12,woman,51\n",
    "responses.csv": f"participant_id,timepoint,{WEMWBS_HEADER}\n01,T1,{ROW}\n02,T1,{ROW}\n03,T1,{ROW}\n01,T2,{ROW}\n",
    "employment.csv": "participant_id,contract,hours_per_week,start_date,end_date,sick_days\n01,contracted,20,2020-01-01,,3\n02,bank,,2020-01-01,2021-01-01,0\n",
    "service_use.csv": "participant_id,timepoint,service,used,count\n01,T1,gp,1,2\n01,T1,a_and_e,0,\n",
    "allocations.csv": "person_id,worker_id,allocated_on,discharged_on,ended_on\nP001,01,2020-02-01,2020-02-10,2020-05-01\n",
    "contacts.csv": (
        "contact_id,worker_id,person_id,date,mode,duration_minutes,status,phase\n"
        "C1,01,P001,2020-02-03,face_to_face,60,completed,pre_discharge\n"
        "C2,01,P001,2020-02-17,telephone,15,completed,post_discharge\n"
    ),
    "transcripts/S1-PW01-T1.txt": "Interviewer: How has it been?\nPW: Busy but good.\n",
    "qual/codings.csv": "segment_id,interview_id,start,end,code,coder\nG1,S1-PW01-T1,34,48,feeling_busy,coder_a\n",
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tiny_study(tmp_path) -> Path:
    return write_files(tmp_path / "study", FILES)

"""A tiny synthetic study for the web tests: two sites, three peer workers, people supported."""

from __future__ import annotations

from pathlib import Path

STUDY_YAML = """\
title: Tiny web study
synthetic: true
sites:
  - {id: "1", name: North}
  - {id: "2", name: South}
timepoints:
  - {id: T1, label: Start, month: 0}
  - {id: T2, label: Four months, month: 4}
instruments: [wemwbs, csri]
demographics:
  - {column: gender, label: Gender, type: categorical}
  - {column: age, label: Age, type: continuous}
"""

ROLES = ("admin", "coord1", "coord2", "worker01", "worker02", "worker03", "coder", "norole")
PASSWORD = "a-long-test-password-1"
ITEMS = ",".join(f"wemwbs_{i}" for i in range(1, 15))
THREES = ",".join(["3"] * 14)

FILES = {
    "study.yaml": STUDY_YAML,
    "participants.csv": "participant_id,site,consent_date,gender,age\n"
    "01,1,2020-01-10,woman,40\n02,1,2020-01-11,man,\n03,2,2020-01-12,,51.5\n",
    "responses.csv": f"participant_id,timepoint,{ITEMS}\n01,T1,{THREES}\n02,T1,{THREES}\n03,T1,{','.join(['4'] * 13)},\n01,T2,{','.join([''] * 14)}\n",
    "employment.csv": "participant_id,contract,hours_per_week,start_date,end_date,sick_days\n"
    "01,contracted,18.75,2020-01-01,,3\n02,bank,,2020-01-01,,0\n03,contracted,37.5,2020-01-02,,\n",
    "allocations.csv": "person_id,worker_id,allocated_on,discharged_on,ended_on\n"
    "P001,01,2020-02-01,2020-02-10,2020-05-01\nP002,02,2020-03-01,,\nP003,03,2020-03-02,2020-03-05,\n",
    "contacts.csv": "contact_id,worker_id,person_id,date,mode,duration_minutes,status,phase\n"
    "C1,01,P001,2020-02-03,face_to_face,60,completed,pre_discharge\n"
    "C2,01,P001,2020-02-11,telephone,15,completed,post_discharge\n"
    "C3,02,P002,2020-03-02,telephone,,attempted,pre_discharge\n"
    "C4,03,P003,2020-03-03,face_to_face,45,completed,pre_discharge\n",
    "transcripts/S1-PW01-T1.txt": "Interviewer: How has it been?\nPW: Busy but good.\n",
    "transcripts/S2-PW03-T1.txt": "Interviewer: And for you?\nPW: Quieter.\n",
    "qual/codings.csv": "segment_id,interview_id,start,end,code,coder,version\n"
    "G1,S1-PW01-T1,34,48,feeling_busy,coder_a,1\nG2,S2-PW03-T1,30,37,quiet,coder_a,\n",
    "qual/memos.yaml": "memos:\n  - {id: M1, target: {type: code, id: feeling_busy}, kind: analytic, author: coder_a, date: 2020-06-01, text: Busy.}\n",
}


def write_tiny_study(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root

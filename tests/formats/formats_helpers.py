"""Helpers for the format tests: a small study folder written as text, comparisons."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
KEYS = {
    "participants": ["participant_id"],
    "responses": ["participant_id", "timepoint"],
    "service_use": ["participant_id", "timepoint", "service"],
    "employment": ["participant_id"],
    "allocations": ["person_id", "worker_id", "allocated_on"],
    "contacts": ["contact_id"],
    "absence": ["participant_id", "start_date"],
}

SMALL_STUDY = {
    "study.yaml": """\
        title: Small format study
        synthetic: true
        sites: [{id: north, name: North ward}, {id: south, name: South team}]
        timepoints:
          - {id: baseline, label: At start, month: 0}
          - {id: m6, label: Six months, month: 6}
          - {id: m12, label: Twelve months, month: 12}
        instruments: [wemwbs, mjs, csri]
        demographics:
          - {column: gender, label: Gender, type: categorical, categories: [woman, man, other]}
          - {column: age, label: Age, type: continuous}
          - {column: role, label: Previous role, type: categorical}
        """,
    "participants.csv": """\
        participant_id,site,consent_date,gender,age,role
        p01,north,2021-01-05,woman,34,carer
        p02,north,2021-01-07,man,51.5,
        p03,south,2021-02-01,other,,"support, housing"
        """,
    # p01 answers everything; p02 misses one item at m6 and has a row with no answers at m12;
    # p03 has no m6 row.
    "responses.csv": """\
        participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14,mjs.personal,mjs.pay
        p01,baseline,3,4,3,4,5,3,4,3,2,4,3,4,5,3,3.5,2.25
        p01,m6,2,3,3,4,4,3,3,3,2,3,3,4,4,3,3.75,2
        p01,m12,4,4,4,4,5,4,4,4,3,4,4,4,5,4,4,2.5
        p02,baseline,1,2,2,1,2,3,2,2,1,2,1,2,2,1,2,1
        p02,m6,1,2,,1,2,3,2,2,1,2,1,2,2,1,2.333333333333333,
        p02,m12,,,,,,,,,,,,,,,,
        p03,baseline,5,5,4,5,5,5,4,5,5,5,4,5,5,5,4.8,4
        p03,m12,5,4,4,5,5,4,4,5,5,4,4,5,5,4,5,3.5
        """,
    "service_use.csv": """\
        participant_id,timepoint,service,used,count
        p01,baseline,gp,1,2
        p01,baseline,a_and_e,0,
        p01,m12,gp,1,
        p02,baseline,crisis_team,1,3
        p03,m12,gp,0,0
        """,
    "employment.csv": """\
        participant_id,contract,hours_per_week,start_date,end_date,sick_days
        p01,contracted,22.5,2021-01-04,,3
        p02,bank,,2021-01-06,2021-09-30,
        p03,contracted,37.5,2021-02-01,,0
        """,
    "allocations.csv": """\
        person_id,worker_id,allocated_on,discharged_on,ended_on
        P001,p01,2021-02-01,2021-02-10,2021-04-01
        P002,p01,2021-03-01,,
        P003,p03,2021-03-15,2021-03-20,
        """,
    "contacts.csv": """\
        contact_id,worker_id,person_id,date,mode,duration_minutes,status,phase
        c1,p01,P001,2021-02-03,face_to_face,45,completed,pre_discharge
        c2,p01,P001,2021-02-15,telephone,10.5,completed,post_discharge
        c3,p01,P002,2021-03-02,other,,cancelled,pre_discharge
        c4,p03,P003,2021-03-25,face_to_face,60,did_not_attend,post_discharge
        """,
}


def with_absence(files: dict[str, str]) -> dict[str, str]:
    """``files`` as a format-2 study with sickness-absence spells (a closed and an open spell, and a worker without)."""
    out = dict(files)
    out["study.yaml"] = "format_version: 2\n" + textwrap.dedent(files["study.yaml"])
    out["employment.csv"] = """\
        participant_id,contract,hours_per_week,start_date,end_date,sick_days
        p01,contracted,22.5,2021-01-04,,
        p02,bank,,2021-01-06,2021-09-30,
        p03,contracted,37.5,2021-02-01,,0
        """
    out["absence.csv"] = """\
        participant_id,start_date,end_date,reason
        p01,2021-03-01,2021-03-03,respiratory
        p01,2021-03-20,,mental_health
        p02,2021-05-10,2021-05-20,other
        """
    return out


SMALL_STUDY_V2 = with_absence(SMALL_STUDY)


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


def assert_same_study(a, b) -> None:
    """Same definition, instruments and tables (rows compared by each table's key; types exact)."""
    assert a.definition == b.definition
    assert dict(a.instruments) == dict(b.instruments)
    for table, key in KEYS.items():
        x = getattr(a, table).sort_values(key).reset_index(drop=True)
        y = getattr(b, table).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def no_leftovers(out: Path) -> list[str]:
    """Names of the output or its temporary siblings that exist."""
    return sorted(p.name for p in out.parent.iterdir() if p.name == out.name or p.name.startswith(f".{out.name}."))

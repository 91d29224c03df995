"""Workforce and contact-log summary on a hand-computed study (two sites)."""

from __future__ import annotations

import math

import pytest

from peerimpact.quant.workforce import workforce
from quant_builders import definition, make_study

# Months in post count days / (365.25 / 12), written here as a literal, not imported.
DAYS_PER_MONTH = 30.4375

PEOPLE = [{"participant_id": p, "site": s, "consent_date": "2020-01-01"}
          for p, s in (("01", "1"), ("02", "1"), ("03", "2"), ("04", "2"))]
EMPLOYMENT = [
    {"participant_id": "01", "contract": "contracted", "hours_per_week": 20, "start_date": "2020-01-01", "end_date": "2020-07-01", "sick_days": 0},
    {"participant_id": "02", "contract": "contracted", "hours_per_week": 10, "start_date": "2020-01-01", "end_date": None, "sick_days": 4},
    {"participant_id": "03", "contract": "bank", "hours_per_week": None, "start_date": "2020-03-01", "end_date": None, "sick_days": 0},
    {"participant_id": "04", "contract": "contracted", "hours_per_week": 30, "start_date": "2020-02-01", "end_date": "2020-04-01", "sick_days": None},
]
ALLOCATIONS = [
    {"person_id": "P1", "worker_id": "01", "allocated_on": "2020-01-10", "discharged_on": "2020-01-20", "ended_on": None},
    {"person_id": "P2", "worker_id": "01", "allocated_on": "2020-01-10", "discharged_on": None, "ended_on": None},
    {"person_id": "P3", "worker_id": "03", "allocated_on": "2020-03-10", "discharged_on": "2020-03-12", "ended_on": None},
    {"person_id": "P1", "worker_id": "02", "allocated_on": "2020-02-10", "discharged_on": None, "ended_on": None},
]


def _contact(i, worker, person, mode, minutes, status, phase, date="2020-03-01"):
    return {"contact_id": f"C{i}", "worker_id": worker, "person_id": person, "date": date, "mode": mode,
            "duration_minutes": minutes, "status": status, "phase": phase}


CONTACTS = [
    _contact(1, "01", "P1", "face_to_face", 60, "completed", "pre_discharge"),
    _contact(2, "01", "P1", "face_to_face", 90, "completed", "post_discharge"),
    _contact(3, "01", "P2", "telephone", 10, "completed", "pre_discharge"),
    _contact(4, "01", "P2", "face_to_face", 45, "cancelled", "pre_discharge"),
    _contact(5, "03", "P3", "face_to_face", None, "completed", "post_discharge", date="2020-12-31"),
    _contact(6, "02", "P1", "telephone", 20, "attempted", "post_discharge"),
]


@pytest.fixture(scope="module")
def table():
    study = make_study(definition(sites=("1", "2")), participants=PEOPLE, employment=EMPLOYMENT,
                       allocations=ALLOCATIONS, contacts=CONTACTS)
    return workforce(study).set_index("site")


# site "all": reference date = latest date in the study = 2020-12-31
MONTHS_02 = 365 / DAYS_PER_MONTH  # 2020-01-01 .. 2020-12-31
MONTHS_03 = 305 / DAYS_PER_MONTH  # 2020-03-01 .. 2020-12-31
EXPECTED_ALL = {
    "n_workers": 4, "n_with_employment": 4, "n_contracted": 3, "n_bank": 1,
    "hours_n": 3, "hours_mean": 20.0, "hours_sd": 10.0, "hours_min": 10.0, "hours_max": 30.0,
    "months_in_post_n": 4, "months_in_post_min": 60 / DAYS_PER_MONTH, "months_in_post_max": MONTHS_02,
    "months_in_post_mean": (182 + 365 + 305 + 60) / 4 / DAYS_PER_MONTH,
    "sick_n": 2, "sick_none_n": 1, "sick_days_mean": 2.0, "sick_any_n": 1,
    "sick_any_median": 4.0, "sick_any_min": 4.0, "sick_any_max": 4.0,
    "workers_with_contacts_n": 3, "workers_without_contacts_n": 1, "people_total": 3,
    "people_per_worker_mean": 4 / 3, "people_per_worker_min": 1.0, "people_per_worker_max": 2.0,
    "face_to_face_per_worker_mean": 1.0, "face_to_face_per_worker_min": 0.0, "face_to_face_per_worker_max": 2.0,
    "face_to_face_per_worker_total": 3.0,
    "telephone_per_worker_mean": 1 / 3, "telephone_per_worker_total": 1.0,
    "face_to_face_duration_n": 2, "face_to_face_duration_mean": 75.0, "face_to_face_duration_median": 75.0,
    "telephone_duration_n": 1, "telephone_duration_mean": 10.0, "telephone_duration_sd": math.nan,
    "persons_n": 3,
    # completed contacts: P1 pre 1 post 1; P2 pre 1; P3 post 1
    "contacts_per_person_pre_discharge_mean": 2 / 3, "contacts_per_person_pre_discharge_max": 1.0,
    "contacts_per_person_post_discharge_mean": 2 / 3, "contacts_per_person_post_discharge_min": 0.0,
    "reference_date": "2020-12-31",
}
EXPECTED_SITE_2 = {
    "n_workers": 2, "n_contracted": 1, "n_bank": 1, "hours_mean": 30.0, "hours_sd": math.nan,
    "sick_n": 0, "sick_days_mean": math.nan, "sick_any_median": math.nan,
    "workers_with_contacts_n": 1, "people_total": 1, "face_to_face_per_worker_total": 1.0,
    "face_to_face_duration_n": 0, "face_to_face_duration_mean": math.nan, "persons_n": 1,
    "contacts_per_person_post_discharge_mean": 1.0,
}
CASES = [("all", k, v) for k, v in EXPECTED_ALL.items()] + [("2", k, v) for k, v in EXPECTED_SITE_2.items()]


@pytest.mark.parametrize("site,field,expected", CASES, ids=[f"{s}-{f}" for s, f, _ in CASES])
def test_workforce_figure(table, site, field, expected):
    got = table.loc[site, field]
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    elif isinstance(expected, float):
        assert math.isclose(got, expected, rel_tol=1e-12)
    else:
        assert got == expected


def test_rows_are_all_then_each_site(table):
    assert list(table.index) == ["all", "1", "2"]


def test_empty_optional_tables():
    out = workforce(make_study(definition(sites=("1",)), participants=PEOPLE[:1])).iloc[0]
    assert (out["n_workers"], out["n_with_employment"], out["workers_with_contacts_n"], out["persons_n"]) == (1, 0, 0, 0)
    assert math.isnan(out["hours_mean"]) and out["reference_date"] == "2020-01-01"

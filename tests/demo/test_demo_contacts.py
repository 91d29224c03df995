"""The demo's allocations and contact log agree with each other and with employment."""

from __future__ import annotations

import pandas as pd
import pytest

from demo_helpers import read_csv


@pytest.fixture(scope="module")
def log(files):
    contacts = read_csv(files, "contacts.csv")
    alloc = read_csv(files, "allocations.csv")
    emp = read_csv(files, "employment.csv")
    for frame, cols in ((contacts, ["date"]), (alloc, ["allocated_on", "discharged_on", "ended_on"]),
                        (emp, ["start_date", "end_date"])):
        for c in cols:
            frame[c] = pd.to_datetime(frame[c], format="%Y-%m-%d")
    merged = contacts.merge(alloc, on=["person_id", "worker_id"], how="left", validate="many_to_one")
    merged = merged.merge(emp, left_on="worker_id", right_on="participant_id", how="left")
    return contacts, alloc, merged


def test_every_contact_is_with_a_person_allocated_to_its_worker(log):
    _, _, merged = log
    assert merged.allocated_on.notna().all()


def test_each_person_is_allocated_once(log):
    _, alloc, _ = log
    assert alloc.person_id.is_unique


@pytest.mark.parametrize("earlier, later", [
    ("allocated_on", "date"), ("date", "ended_on"), ("start_date", "date"), ("date", "end_date"),
])
def test_contact_dates_are_in_order(log, earlier, later):
    _, _, merged = log
    assert (merged[earlier] <= merged[later]).all()


def test_allocation_dates_are_in_order(log):
    _, alloc, _ = log
    assert (alloc.allocated_on <= alloc.discharged_on).all()
    assert (alloc.discharged_on <= alloc.ended_on).all()


def test_phase_follows_discharge_date(log):
    _, _, merged = log
    expected = (merged.date < merged.discharged_on).map({True: "pre_discharge", False: "post_discharge"})
    assert (merged.phase == expected).all()


def test_everyone_is_met_before_discharge(log):
    _, _, merged = log
    done = merged[(merged["mode"] == "face_to_face") & (merged.status == "completed")]
    assert set(done[done.phase == "pre_discharge"].person_id) == set(done.person_id)


@pytest.mark.parametrize("mode, status, low, high", [
    ("face_to_face", "completed", 15, 120),
    ("telephone", "completed", 5, 45),
])
def test_durations_are_realistic(log, mode, status, low, high):
    contacts, _, _ = log
    d = contacts[(contacts["mode"] == mode) & (contacts.status == status)].duration_minutes
    assert d.notna().all() and d.between(low, high).all()


def test_contacts_that_did_not_happen_have_no_duration(log):
    contacts, _, _ = log
    assert contacts[contacts.status != "completed"].duration_minutes.isna().all()


@pytest.mark.parametrize("value", ["telephone", "attempted", "cancelled", "did_not_attend"])
def test_log_contains_every_kind_of_record(log, value):
    contacts, _, _ = log
    assert ((contacts["mode"] == value) | (contacts.status == value)).any()


def test_contact_ids_are_unique_and_ordered_by_date(log):
    contacts, _, _ = log
    assert contacts.contact_id.is_unique
    assert contacts.date.is_monotonic_increasing

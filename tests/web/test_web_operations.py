"""Peer-support operations: schedule slots, adherence, engagement, FTE and caseload cap, allocation."""

from __future__ import annotations

import datetime as dt

import pytest

from peerimpact.web.services.schedule import adherence, schedule_slots

D = dt.date


def test_default_schedule_has_one_pre_ten_weekly_three_fortnightly():
    slots = schedule_slots(D(2020, 1, 1), D(2020, 1, 10))
    assert [s.label for s in slots] == ["before discharge"] + [f"week {k}" for k in range(1, 11)] + ["fortnight 1", "fortnight 2", "fortnight 3"]
    assert (slots[1].start, slots[1].end) == (D(2020, 1, 10), D(2020, 1, 17))
    assert (slots[10].start, slots[10].end) == (D(2020, 3, 13), D(2020, 3, 20))  # 9 weeks after discharge
    assert (slots[11].start, slots[13].end) == (D(2020, 3, 20), D(2020, 5, 1))  # then 3 x 14 days


def test_configurable_schedule():
    slots = schedule_slots(D(2020, 1, 1), D(2020, 1, 10), pre_discharge_meetings=2, weekly_weeks=2, fortnightly_count=0)
    assert [(s.label, s.needed) for s in slots] == [("before discharge", 2), ("week 1", 1), ("week 2", 1)]


def test_no_post_discharge_slots_before_discharge():
    assert [s.label for s in schedule_slots(D(2020, 1, 1), None)] == ["before discharge"]


@pytest.mark.parametrize("contacts,today,ended,expected", [
    ([], D(2020, 1, 5), None, (0, 0, 0, False)),
    ([(D(2020, 1, 3), "completed", "pre_discharge")], D(2020, 1, 12), None, (1, 1, 1, False)),
    ([(D(2020, 1, 3), "completed", "pre_discharge"), (D(2020, 1, 11), "completed", "post_discharge")], D(2020, 1, 17), None, (2, 2, 2, True)),
    ([(D(2020, 1, 3), "attempted", "pre_discharge"), (D(2020, 1, 11), "did_not_attend", "post_discharge")], D(2020, 1, 17), None, (2, 0, 0, False)),
    ([(D(2020, 1, 11), "completed", "post_discharge")], D(2020, 6, 1), None, (14, 1, 1, False)),
    ([(D(2020, 1, 11), "completed", "post_discharge")], D(2020, 6, 1), D(2020, 1, 24), (3, 1, 1, False)),
], ids=["nothing-due", "pre-met", "two-sessions-engaged", "not-completed-do-not-count", "all-due-one-met", "ended-early"])
def test_adherence(contacts, today, ended, expected):
    result = adherence(schedule_slots(D(2020, 1, 1), D(2020, 1, 10)), contacts, today, ended)
    assert (result.due, result.met, result.completed_contacts, result.engaged) == expected


@pytest.mark.parametrize("contract,hours,fte", [("contracted", 37.5, 1.0), ("contracted", 18.75, 0.5), ("bank", None, 0.5), (None, None, None)],
                         ids=["full-time", "half-time", "bank", "unknown"])
def test_fte_and_cap(contract, hours, fte):
    from peerimpact.web.records.models import Policy
    from peerimpact.web.services.caseload import cap_of, fte_of

    policy = Policy()
    assert fte_of(contract, hours, policy) == fte
    assert cap_of(fte, policy) == (None if fte is None else 8 * fte)


@pytest.mark.django_db
def test_caseload_counts_people_active_on_the_day(study):
    from peerimpact.web.records.models import Participant, Policy
    from peerimpact.web.services.caseload import worker_caseloads

    rows = {r.worker.participant_id: r for r in worker_caseloads(Participant.objects.all(), D(2020, 3, 3), Policy.current())}
    assert {k: (r.active, r.cap) for k, r in rows.items()} == {"01": (1, 4.0), "02": (1, 4.0), "03": (1, 8.0)}
    later = worker_caseloads(Participant.objects.all(), D(2020, 5, 1), Policy.current())
    assert [r.active for r in later] == [0, 1, 1]  # P001 ended on 2020-05-01


@pytest.mark.django_db
def test_allocation_above_cap_needs_confirmation_and_reason(users):
    from peerimpact.web.records.models import Allocation
    from peerimpact.web.services.allocations import allocate
    from peerimpact.web.services.errors import FieldErrors

    coord = users["coord1"]
    base = {"worker_id": "01", "allocated_on": "2020-03-01"}
    for n in range(3):  # worker 01 (cap 4) already supports P001
        allocate(coord, {**base, "person_id": f"N{n}"})
    with pytest.raises(FieldErrors) as err:
        allocate(coord, {**base, "person_id": "N9"})
    assert err.value.errors == [("confirm_over_cap", "01 would support 5 people, above the cap of 4: tick to confirm and give a reason")]
    with pytest.raises(FieldErrors) as err:
        allocate(coord, {**base, "person_id": "N9", "confirm_over_cap": True})
    assert err.value.errors == [("over_cap_reason", "is required when exceeding the cap")]
    allocation, warnings = allocate(coord, {**base, "person_id": "N9", "confirm_over_cap": True, "over_cap_reason": "cover"})
    assert warnings == ["01 would support 5 people, above the cap of 4"] and allocation.over_cap_reason == "cover"
    assert Allocation.objects.filter(worker__participant_id="01").count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("data,errors", [
    ({"worker_id": "03", "person_id": "N1", "allocated_on": "2020-03-01"}, [("worker_id", "is not a peer worker you manage")]),
    ({"worker_id": "01", "person_id": "P003", "allocated_on": "2020-03-01"},
     [("person_id", "this id is already used for someone you do not manage: choose another")]),
    ({"worker_id": "01", "person_id": "N1", "allocated_on": "2020-03-01", "discharged_on": "2020-02-01"},
     [("discharged_on", "is before the allocation date")]),
], ids=["other-sites-worker", "other-sites-person", "discharge-before-allocation"])
def test_allocation_refused(users, data, errors):
    from peerimpact.web.services.allocations import allocate
    from peerimpact.web.services.errors import FieldErrors

    with pytest.raises(FieldErrors) as err:
        allocate(users["coord1"], data)
    assert err.value.errors == errors

"""The due list: each allocation's next slot, overdue first (services/due.py), on hand-worked schedules."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date
ALLOCATED, DISCHARGED = D(2020, 1, 1), D(2020, 1, 10)  # weekly slots from 2020-01-10: [01-10, 01-17), [01-17, 01-24) ...


def due_on(today, contacts, discharged=DISCHARGED, ended=None):
    from peerimpact.web.services.due import next_due
    from peerimpact.web.services.schedule import adherence, schedule_slots

    slots = schedule_slots(ALLOCATED, discharged, weekly_weeks=3, fortnightly_count=1)
    r = adherence(slots, [(d, "completed", p) for d, p in contacts], today, ended)
    d = next_due("A", r.slots, today, ended)
    return None if d is None else (d.kind, d.slot.label, d.overdue_since)


@pytest.mark.parametrize("today,contacts,discharged,ended,expected", [
    (D(2020, 1, 5), [], None, None, ("now", "before discharge", None)),  # on the ward, not yet seen
    (D(2020, 1, 5), [(D(2020, 1, 3), "pre_discharge")], None, None, None),  # seen; no discharge date: nothing more due
    (D(2020, 1, 12), [(D(2020, 1, 3), "pre_discharge")], DISCHARGED, None, ("now", "week 1", None)),
    (D(2020, 1, 12), [], DISCHARGED, None, ("overdue", "week 1", DISCHARGED)),  # the pre-discharge meeting was missed
    (D(2020, 1, 20), [(D(2020, 1, 3), "pre_discharge")], DISCHARGED, None, ("overdue", "week 2", D(2020, 1, 17))),
    (D(2020, 1, 20), [(D(2020, 1, 3), "pre_discharge"), (D(2020, 1, 11), "post_discharge")], DISCHARGED, None,
     ("now", "week 2", None)),
    (D(2020, 1, 20), [(D(2020, 1, 3), "pre_discharge"), (D(2020, 1, 11), "post_discharge"), (D(2020, 1, 18), "post_discharge")],
     DISCHARGED, None, ("upcoming", "week 3", None)),
    (D(2020, 1, 20), [], DISCHARGED, D(2020, 1, 15), None),  # support ended
    (D(2020, 3, 1), [], DISCHARGED, None, None),  # every slot over
], ids=["ward", "ward-seen", "week1", "missed-pre", "missed-week1", "week2-now", "week3-next", "ended", "over"])
def test_next_due(today, contacts, discharged, ended, expected):
    assert due_on(today, contacts, discharged, ended) == expected


def test_overdue_comes_first_then_the_soonest():
    from peerimpact.web.services.due import Due
    from peerimpact.web.services.schedule import Slot

    slot = lambda s, e: Slot("x", s, e, 1, False)  # noqa: E731
    rows = [Due("late-recent", "overdue", slot(D(2020, 2, 1), D(2020, 2, 8)), D(2020, 1, 30)),
            Due("up", "upcoming", slot(D(2020, 2, 9), D(2020, 2, 16)), None),
            Due("now-late-end", "now", slot(D(2020, 2, 1), D(2020, 2, 9)), None),
            Due("late-old", "overdue", slot(D(2020, 2, 1), D(2020, 2, 8)), D(2020, 1, 20)),
            Due("now-soon", "now", slot(D(2020, 2, 1), D(2020, 2, 3)), None)]
    assert [d.allocation for d in sorted(rows, key=lambda d: d.order)] == ["late-old", "late-recent", "now-soon", "now-late-end", "up"]

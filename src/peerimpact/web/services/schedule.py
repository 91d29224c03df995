"""The support schedule around discharge, and each person's adherence to it.

Default schedule (``Policy``): at least one meeting before discharge, weekly
for 10 weeks after discharge, then 3 fortnightly meetings. A slot is met by a
*completed* contact: before discharge, any contact logged with phase
``pre_discharge``; after discharge, a contact dated inside the slot's
``[start, end)``. A slot counts as due once it has ended (or, before
discharge, once the person has been discharged), and only while support
lasted. Engagement: at least ``engaged_sessions`` (2) completed contacts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

WEEK = dt.timedelta(weeks=1)


@dataclass(frozen=True)
class Slot:
    label: str
    start: dt.date
    end: dt.date | None  # exclusive; None = open (not yet discharged)
    needed: int  # completed contacts needed
    pre_discharge: bool


@dataclass(frozen=True)
class SlotStatus:
    slot: Slot
    completed: int
    due: bool

    @property
    def met(self) -> bool:
        return self.completed >= self.slot.needed


@dataclass(frozen=True)
class Adherence:
    slots: tuple[SlotStatus, ...]
    completed_contacts: int
    engaged: bool

    @property
    def due(self) -> int:
        return sum(s.due for s in self.slots)

    @property
    def met(self) -> int:
        return sum(s.due and s.met for s in self.slots)

    @property
    def ratio(self) -> float | None:
        """Met / due slots; None when nothing is due yet."""
        return self.met / self.due if self.due else None


def schedule_slots(allocated_on: dt.date, discharged_on: dt.date | None, *, pre_discharge_meetings: int = 1,
                   weekly_weeks: int = 10, fortnightly_count: int = 3) -> list[Slot]:
    """The schedule of one allocation (post-discharge slots only once a discharge date is known)."""
    slots = []
    if pre_discharge_meetings > 0:
        slots.append(Slot("before discharge", allocated_on, discharged_on, pre_discharge_meetings, True))
    if discharged_on is None:
        return slots
    for k in range(weekly_weeks):
        start = discharged_on + k * WEEK
        slots.append(Slot(f"week {k + 1}", start, start + WEEK, 1, False))
    base = discharged_on + weekly_weeks * WEEK
    for j in range(fortnightly_count):
        start = base + 2 * j * WEEK
        slots.append(Slot(f"fortnight {j + 1}", start, start + 2 * WEEK, 1, False))
    return slots


def adherence(slots: Iterable[Slot], contacts: Iterable[tuple[dt.date, str, str]], today: dt.date,
              ended_on: dt.date | None = None, engaged_sessions: int = 2) -> Adherence:
    """Adherence of ``contacts`` (``(date, status, phase)``) to ``slots`` as of ``today``."""
    completed = [(d, phase) for d, status, phase in contacts if status == "completed"]
    statuses = []
    for slot in slots:
        if slot.pre_discharge:
            n = sum(phase == "pre_discharge" for _, phase in completed)
            due = slot.end is not None and slot.end <= today
        else:
            n = sum(slot.start <= d < slot.end and phase == "post_discharge" for d, phase in completed)
            due = slot.end <= today
            if ended_on is not None and slot.start >= ended_on:
                due = False
        statuses.append(SlotStatus(slot, n, due))
    return Adherence(tuple(statuses), len(completed), len(completed) >= engaged_sessions)

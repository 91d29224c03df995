"""Who a peer worker should see next: each allocation's next slot of the support schedule, overdue ones first.

For one allocation (as of ``today``, support not ended): the *current* slot
is the first unmet slot that has not ended yet (the pre-discharge slot has no
end until a discharge date is recorded). The allocation is *overdue* when the
slot just before the current one ended unmet. Rows sort overdue first (the
longest overdue first), then slots open now (the soonest ending first), then
slots still to come (the soonest starting first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .schedule import Slot, SlotStatus


@dataclass(frozen=True)
class Due:
    allocation: object
    kind: str  # "overdue" | "now" | "upcoming"
    slot: Slot
    overdue_since: dt.date | None

    @property
    def order(self) -> tuple:
        rank = {"overdue": 0, "now": 1, "upcoming": 2}[self.kind]
        day = self.overdue_since if self.kind == "overdue" else (self.slot.end or dt.date.max) if self.kind == "now" else self.slot.start
        return (rank, day)


def next_due(allocation, statuses: tuple[SlotStatus, ...], today: dt.date, ended_on: dt.date | None = None) -> Due | None:
    """The allocation's next slot to meet, or None when support has ended or every slot is met."""
    if ended_on is not None and ended_on <= today:
        return None
    for i, s in enumerate(statuses):
        if s.met or (s.slot.end is not None and s.slot.end <= today):
            continue
        before = statuses[i - 1] if i > 0 else None
        overdue = before is not None and not before.met and before.slot.end is not None and before.slot.end <= today
        if overdue:
            return Due(allocation, "overdue", s.slot, before.slot.end)
        return Due(allocation, "now" if s.slot.start <= today else "upcoming", s.slot, None)
    return None


def due_list(rows, today: dt.date) -> list[Due]:
    """``rows`` of ``(allocation, Adherence)`` -> the due list, in order."""
    out = [d for a, r in rows if (d := next_due(a, r.slots, today, a.ended_on)) is not None]
    return sorted(out, key=lambda d: d.order)

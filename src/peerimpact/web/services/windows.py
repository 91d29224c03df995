"""When a timepoint's questionnaire is due: the post's start plus the timepoint's months, +/- a window.

The anchor is the participant's employment start date (the study counts
months since the start of the post), else their consent date. A month is
365.25 / 12 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Window:
    due: dt.date
    opens: dt.date
    closes: dt.date

    def state(self, today: dt.date) -> str:
        """``not_open`` before the window, ``open`` inside it (inclusive), ``late`` after it."""
        if today < self.opens:
            return "not_open"
        if today > self.closes:
            return "late"
        return "open"


def due_window(anchor: dt.date | None, month: float, window_weeks: int) -> Window | None:
    """The window of a timepoint ``month`` months after ``anchor`` (None without an anchor)."""
    if anchor is None:
        return None
    due = anchor + dt.timedelta(days=round(month * DAYS_PER_MONTH))
    half = dt.timedelta(weeks=window_weeks)
    return Window(due, due - half, due + half)


def anchor_of(participant) -> dt.date | None:
    employment = getattr(participant, "employment", None)  # None when absent
    if employment is not None and employment.deleted_at is None:
        return employment.start_date
    consent = participant.consent_or_none
    return consent.consent_date if consent else None

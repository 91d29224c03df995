"""Spells in and out of the database, for ``db import-study`` and ``db export-study``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ...study.checks import empty_table
from ...study.model import Study
from ...study.tables import ABSENCE


def store_spells(study: Study, participants: Mapping[str, Any], bulk: Callable[[type, list, Any], list], user) -> int:
    """Store ``study.absence`` (participants by id; ``bulk`` is the importer's audited bulk create); returns the count."""
    from .models import AbsenceSpell

    def day(value):
        return None if pd.isna(value) else pd.Timestamp(value).date()

    spells = [
        AbsenceSpell(participant=participants[r["participant_id"]], start_date=day(r["start_date"]), end_date=day(r["end_date"]),
                     reason=r["reason"])
        for r in study.absence.to_dict("records")
    ]
    return len(bulk(AbsenceSpell, spells, user))


def spells_frame() -> pd.DataFrame:
    """The live spells as ``absence.csv``'s typed table."""
    from .models import AbsenceSpell

    rows = [
        {"participant_id": s.participant.participant_id, "start_date": s.start_date, "end_date": s.end_date, "reason": s.reason}
        for s in AbsenceSpell.objects.select_related("participant").order_by("id")
    ]
    if not rows:
        return empty_table(ABSENCE)
    frame = pd.DataFrame(rows, columns=ABSENCE.column_names)
    for col in ("start_date", "end_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame

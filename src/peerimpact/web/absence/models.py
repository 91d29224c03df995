"""One sickness-absence spell of a peer worker (audited, soft-deleted like every study record)."""

from __future__ import annotations

from django.db import models

from ...study.tables import ABSENCE_REASONS
from ..records.models import Participant
from ..records.models.base import StudyRecord


class AbsenceSpell(StudyRecord):
    REASONS = [(r, r.replace("_", " ").capitalize()) for r in ABSENCE_REASONS]

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="absence_spells")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # open while the spell goes on
    reason = models.CharField(max_length=20, choices=REASONS)

    class Meta:
        ordering = ["id"]

"""Questionnaire responses: one per participant x timepoint x instrument form."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .base import StudyRecord
from .study import Participant, id_field


class QuestionnaireResponse(StudyRecord):
    """Values of the response columns of one instrument (``wemwbs_1`` ... or ``mjs.personal``).

    ``instrument`` is the column prefix (a short form is entered on its parent's
    form); an empty ``instrument`` marks a ``responses.csv`` row with no values.
    """

    DRAFT, SUBMITTED = "draft", "submitted"
    STATUSES = [(DRAFT, "Draft"), (SUBMITTED, "Submitted")]

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="responses")
    timepoint = id_field()
    instrument = models.CharField(max_length=64, blank=True)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    source = models.CharField(max_length=10, default="web")  # web | api | import
    in_window = models.BooleanField(null=True, blank=True, help_text="Submitted within the timepoint's window.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "timepoint", "instrument"], condition=Q(deleted_at__isnull=True), name="one_response_per_form"
            )
        ]

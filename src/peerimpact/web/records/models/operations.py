"""Peer-support operations: people supported, allocations, the contact log, and the policy."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ...prepared import PreparedQuery
from .base import StudyRecord
from .study import Participant, Site, id_field

CONTACT_MODES = [("face_to_face", "Face to face"), ("telephone", "Telephone"), ("other", "Other")]
CONTACT_STATUSES = [
    ("completed", "Completed"),
    ("attempted", "Attempted"),
    ("cancelled", "Cancelled"),
    ("did_not_attend", "Did not attend"),
]
CONTACT_PHASES = [("pre_discharge", "Before discharge"), ("post_discharge", "After discharge")]


class Person(StudyRecord):
    """A person supported by a peer worker: a pseudonymised id, never a name."""

    person_id = id_field(unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="people")

    class Meta:
        ordering = ["person_id"]

    def __str__(self) -> str:
        return self.person_id


class Allocation(StudyRecord):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="allocations")
    allocated_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    over_cap_reason = models.CharField(max_length=500, blank=True, default="", help_text="Why the cap was exceeded, if it was.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "worker", "allocated_on"], condition=Q(deleted_at__isnull=True), name="allocation_key"
            )
        ]


class Contact(StudyRecord):
    """One entry of the online contact log."""

    contact_id = id_field(unique=True)  # unique even among deleted records: ids are never reused
    worker = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField()
    mode = models.CharField(max_length=20, choices=CONTACT_MODES)
    duration_minutes = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(24 * 60)])
    status = models.CharField(max_length=20, choices=CONTACT_STATUSES)
    phase = models.CharField(max_length=20, choices=CONTACT_PHASES)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["worker", "date"])]


class Policy(StudyRecord):
    """Operational rules, configurable by a research admin (one row)."""

    caseload_per_fte = models.FloatField(default=8.0, validators=[MinValueValidator(0)], help_text="People per full-time equivalent.")
    full_time_hours = models.FloatField(default=37.5, validators=[MinValueValidator(1)], help_text="Contracted hours of one FTE.")
    bank_fte = models.FloatField(default=0.5, validators=[MinValueValidator(0)], help_text="FTE assumed for bank staff (no contracted hours).")
    pre_discharge_meetings = models.PositiveSmallIntegerField(default=1)
    weekly_weeks = models.PositiveSmallIntegerField(default=10, help_text="Weekly meetings for this many weeks after discharge.")
    fortnightly_count = models.PositiveSmallIntegerField(default=3, help_text="Then this many fortnightly meetings.")
    long_contact_minutes = models.PositiveSmallIntegerField(default=120, help_text="Warn about contacts longer than this.")
    engaged_sessions = models.PositiveSmallIntegerField(default=2, help_text="Completed sessions that count as engaged.")
    window_weeks = models.PositiveSmallIntegerField(default=4, help_text="A questionnaire is open this many weeks either side of its due date.")

    @classmethod
    def current(cls) -> "Policy":
        """The policy row, or the defaults when none is saved (one statement, compiled once: every contact POST reads it)."""
        policy = _CURRENT_POLICY.first()
        return policy if policy is not None else cls()


_CURRENT_POLICY = PreparedQuery(lambda: Policy.objects.order_by("id")[:1])


class StudyDownload(StudyRecord):
    """One download of the study folder from the browser: who, when, and the zip's SHA-256 (the audit trail shows it)."""

    downloaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]

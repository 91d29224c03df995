"""The study itself: definition, sites, participants (peer workers), consent,
employment, service use, transcripts and codings.

Column names follow the study-folder files (``participants.csv`` ...); the
documents of the folder (codebook, memos, synthesis, norms, custom
instruments) are kept as YAML text so that dates and key order survive.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .base import ID_MAX, ID_REGEX, StudyRecord

id_validator = RegexValidator(ID_REGEX, "letters, digits, '_', '.' and '-', starting with a letter or digit")


def id_field(**kwargs) -> models.CharField:
    return models.CharField(max_length=ID_MAX, validators=[id_validator], **kwargs)


class StudyConfig(StudyRecord):
    """The one study this database holds (``study.yaml`` and the folder's YAML documents)."""

    title = models.CharField(max_length=500)
    definition = models.JSONField(help_text="study.yaml as validated by StudyDefinition (JSON mode).")
    norms_yaml = models.TextField(blank=True, default="")
    codebook_yaml = models.TextField(blank=True, default="")
    memos_yaml = models.TextField(blank=True, default="")
    synthesis_yaml = models.TextField(blank=True, default="")
    instruments_yaml = models.TextField(blank=True, default="", help_text="The study's own instrument files: {id: definition}.")
    participant_columns = models.JSONField(default=list)
    response_columns = models.JSONField(default=list)
    coding_columns = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.title


class Site(StudyRecord):
    site_id = id_field(unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"Site {self.site_id}"


class Participant(StudyRecord):
    """A peer worker taking part in the study (pseudonymised id only)."""

    participant_id = id_field(unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    extra = models.JSONField(default=dict, blank=True, help_text="Demographic and other columns of participants.csv.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.participant_id

    @property
    def consent_or_none(self):
        consent = getattr(self, "consent", None)  # None when absent
        return None if consent is None or consent.deleted_at else consent


class Consent(StudyRecord):
    """Consent comes first: no questionnaire or interview data without it."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="consent")
    consent_date = models.DateField()
    form_version = models.CharField(max_length=50)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class Employment(StudyRecord):
    CONTRACTS = [("contracted", "Contracted"), ("bank", "Bank")]

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="employment")
    contract = models.CharField(max_length=20, choices=CONTRACTS)
    hours_per_week = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    sick_days = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])


class ServiceUse(StudyRecord):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="service_use")
    timepoint = id_field()
    service = id_field()
    used = models.BooleanField()
    count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "timepoint", "service"], condition=Q(deleted_at__isnull=True), name="service_use_key"
            )
        ]


class Transcript(StudyRecord):
    interview_id = models.CharField(max_length=200, unique=True)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="transcripts")
    site = id_field()
    timepoint = id_field()
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=300)

    class Meta:
        ordering = ["interview_id"]


class Coding(StudyRecord):
    """A coded span ``[start, end)`` in code points of the normalised transcript text."""

    segment_id = id_field()
    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="codings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    code = id_field()
    coder = id_field()
    extra = models.JSONField(default=dict, blank=True, help_text="Other columns of qual/codings.csv (version, timestamp ...).")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["segment_id", "code", "coder"], condition=Q(deleted_at__isnull=True), name="coding_key"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="coding_span"),
        ]

"""Blind double coding: coders assigned to a transcript, and its unblinding."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..records.models.base import StudyRecord
from ..records.models.study import Transcript, id_field


class Assignment(StudyRecord):
    """``coder`` (a coder id, see :func:`peerimpact.web.coding.identity.coder_id`) codes ``transcript`` blind.

    A transcript with two or more live assignments is *blind* until it is
    unblinded: each coder sees only their own codings of it.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="assignments")
    coder = id_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "coder"], condition=Q(deleted_at__isnull=True), name="assignment_key"),
        ]


class Unblinding(StudyRecord):
    """A research admin unblinded a transcript: its coders now see each other's codings."""

    transcript = models.OneToOneField(Transcript, on_delete=models.PROTECT, related_name="unblinding")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class CodingPolicy(StudyRecord):
    """How the study codes (one row; research admins change it)."""

    coders_may_edit_codebook = models.BooleanField(
        default=False, help_text="Coders may add, rename, merge, split and retire codes (workshops with emerging codes).")

    @classmethod
    def current(cls) -> "CodingPolicy":
        return cls.objects.order_by("id").first() or cls()


class CodingChanges(models.Model):
    """One row (``pk=1``): a counter of changes to the live human codings, and a random stamp renewed with each.

    Bookkeeping for the suggestion model's cache (:mod:`peerimpact.web.coding.state`), not study data: not audited,
    not exported. Several server processes share the database, so the count lives here, not in memory.
    """

    changes = models.PositiveBigIntegerField(default=0)
    stamp = models.CharField(max_length=32, default="")

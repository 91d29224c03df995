"""Soft delete and the audit history shared by every study record."""

from __future__ import annotations

import functools
import uuid

from django.db import models
from django.utils import timezone
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from ....study.definition import ID_PATTERN

ID_REGEX = ID_PATTERN  # one rule for ids: the study format's
ID_MAX = 64


class AuditHistoryManager(HistoryManager):
    """django-simple-history's manager, with its queryset-bound class built once.

    ``instance.history`` builds a new manager *class* on every access
    (``from_queryset``, which inspects every queryset method), and every audited
    save accesses it: about a tenth of a ``POST /api/contacts``. The class
    depends only on the queryset class, so it is cached.
    """

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


def audit_history(**kwargs) -> HistoricalRecords:
    """The audit trail of a model: django-simple-history with :class:`AuditHistoryManager`."""
    return HistoricalRecords(history_manager=AuditHistoryManager, **kwargs)


class LiveManager(models.Manager):
    """The default manager: records that have not been deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class StudyRecord(models.Model):
    """A record of study data: audited (django-simple-history) and never hard-deleted.

    ``uid`` is the opaque key used in page URLs, so that no participant or
    person id ever appears in a URL, a log line or a browser history.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()
    history = audit_history(inherit=True)

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    def soft_delete(self, user=None) -> None:
        """Mark deleted (the audit trail records who and when); data stay for the record."""
        self.deleted_at = timezone.now()
        if user is not None:
            self._history_user = user
        self._change_reason = "deleted"
        self.save(update_fields=["deleted_at"])

    def restore(self, user=None) -> None:
        """Undo :meth:`soft_delete` (the audit trail records who and when)."""
        self.deleted_at = None
        if user is not None:
            self._history_user = user
        self._change_reason = "restored"
        self.save(update_fields=["deleted_at"])

    def delete(self, *args, **kwargs):  # noqa: D401 - soft by design
        """Study records are soft-deleted; use :meth:`soft_delete`."""
        raise TypeError(f"{type(self).__name__} records are soft-deleted: call soft_delete(user)")

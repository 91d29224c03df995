"""The coding change stamp: a cheap "have the human codings changed?" for the suggestion model's cache (issue 15).

The suggestion model learns from the live *human* codings (``origin`` absent
or ``human``; codings accepted from a suggestion, ``origin: suggested``, are
not learned from). Hashing every coding on every ``GET /api/suggestions`` to
see whether the model is still current cost a third of the request, so
every write that can change that set renews one row instead,
:class:`~peerimpact.web.coding.models.CodingChanges`, in the same database
transaction as the write: its counter goes up by one and its stamp becomes a
new random value (random, so that a database rolled back or replaced can never
bring back a stamp a server process has already cached a model for).

Writes through ``Coding.save()`` (creating a coding, a soft delete, a restore,
any edit) renew it through :func:`on_coding_saved`, a ``post_save`` receiver
connected in :class:`~peerimpact.web.coding.apps.CodingConfig`, except the
creation, soft delete or restore of a ``suggested`` coding (not learned from,
as before). Writes that bypass ``save()`` (``bulk_create``, ``QuerySet.update``),
such as the study import, call :func:`bump` themselves.
"""

from __future__ import annotations

import uuid

from django.db.models import F

from .models import CodingChanges

ROW = 1


def bump() -> None:
    """Record a change to the human codings (in the caller's transaction, if any)."""
    stamp = uuid.uuid4().hex
    if not CodingChanges.objects.filter(pk=ROW).update(changes=F("changes") + 1, stamp=stamp):
        CodingChanges.objects.update_or_create(pk=ROW, defaults={"changes": 1, "stamp": stamp})


def coding_stamp() -> str:
    """The current change stamp ("" before any change is recorded)."""
    return CodingChanges.objects.filter(pk=ROW).values_list("stamp", flat=True).first() or ""


def coding_changes() -> int:
    """How many changes have been recorded (0 before any)."""
    return CodingChanges.objects.filter(pk=ROW).values_list("changes", flat=True).first() or 0


def on_coding_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """``post_save`` of a ``Coding``: :func:`bump`, unless a ``suggested`` coding was created, deleted or restored."""
    suggested = ((instance.extra or {}).get("origin") or "human") == "suggested"
    if suggested and (created or (update_fields is not None and set(update_fields) == {"deleted_at"})):
        return
    bump()

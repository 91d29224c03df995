"""Blind double coding: research admins assign two or more coders to a transcript, then unblind it."""

from __future__ import annotations

from django.db import transaction

from ..access import ADMIN, require_role
from ..records.models import Transcript
from .models import Assignment, Unblinding
from .visibility import is_blind


def assign_coders(user, t: Transcript, coders: list[str]) -> dict:
    """Make ``coders`` (coder ids) the transcript's blind coders (others' assignments are removed, audited)."""
    require_role(user, ADMIN)
    wanted = sorted(set(coders))
    with transaction.atomic():
        for a in Assignment.objects.filter(transcript=t).exclude(coder__in=wanted):
            a.soft_delete(user)
        have = set(Assignment.objects.filter(transcript=t).values_list("coder", flat=True))
        for coder in wanted:
            if coder not in have:
                a = Assignment(transcript=t, coder=coder)
                a._history_user, a._change_reason = user, "assigned for blind coding"
                a.save()
    return {"interview_id": t.interview_id, "assigned": wanted, "blind": is_blind(t)}


def unblind_transcript(user, t: Transcript) -> dict:
    """Record that a research admin unblinded the transcript (once; audited)."""
    require_role(user, ADMIN)
    if not Unblinding.all_objects.filter(transcript=t).exists():
        u = Unblinding(transcript=t, by=user)
        u._history_user, u._change_reason = user, "unblinded"
        u.save()
    assigned = sorted(Assignment.objects.filter(transcript=t).values_list("coder", flat=True))
    return {"interview_id": t.interview_id, "assigned": assigned, "blind": False}

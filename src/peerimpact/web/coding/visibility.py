"""What a user may see of the coding: blind double coding in one place.

=================  ==============================================================
who                sees
=================  ==============================================================
research admin     every coding of every transcript
coder              every transcript; on a *blind* transcript (two or more coders
                   assigned, not yet unblinded) only their own codings; on any
                   other transcript every coding
anyone else        nothing
=================  ==============================================================

The agreement of a transcript is shown to research admins, and to coders once
the transcript is not blind.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ..access import ADMIN, CODER, membership
from ..records.models import Coding, Transcript
from .identity import coder_id
from .models import Assignment


def coding_role(user) -> str | None:
    m = membership(user)
    return m.role if m is not None and m.role in (ADMIN, CODER) else None


def blind_transcript_ids() -> QuerySet:
    """Ids of transcripts with two or more live assignments and no unblinding."""
    return (Assignment.objects.values("transcript_id").annotate(n=Count("id")).filter(n__gte=2)
            .exclude(transcript__unblinding__isnull=False).values("transcript_id"))


def is_blind(transcript: Transcript) -> bool:
    return blind_transcript_ids().filter(transcript_id=transcript.pk).exists()


def transcripts_for(user) -> QuerySet:
    return Transcript.objects.select_related("participant") if coding_role(user) else Transcript.objects.none()


def codings_for(user) -> QuerySet:
    """Live codings the user may see (blind transcripts: their own only, unless admin)."""
    role = coding_role(user)
    qs = Coding.objects.all()  # no transcript join: its text is large; callers fetch it once
    if role is None:
        return qs.none()
    if role == ADMIN:
        return qs
    return qs.filter(~Q(transcript_id__in=blind_transcript_ids()) | Q(coder=coder_id(user)))


def may_see_agreement(user, transcript: Transcript) -> bool:
    role = coding_role(user)
    return role == ADMIN or (role == CODER and not is_blind(transcript))


def assigned_shown(user, assigned: list[str], blind: bool) -> list[str]:
    """The assigned coders the user may know of: a coder on a blind transcript learns only that they are one of them."""
    if blind and coding_role(user) != ADMIN:
        me = coder_id(user)
        return [me] if me in assigned else []
    return assigned

"""Transcripts and their codings (coders and research admins; no participant tables)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from ..access import ADMIN, CODER, codings_for, transcripts_for
from .common import page, roles


@roles(ADMIN, CODER)
def transcript_list(request):
    rows = transcripts_for(request.user).annotate(n_codings=Count("codings", filter=Q(codings__deleted_at__isnull=True)))
    return page(request, "web/transcripts.html", {"rows": rows.order_by("interview_id")})


@roles(ADMIN, CODER)
def transcript_detail(request, uid):
    transcript = get_object_or_404(transcripts_for(request.user), uid=uid)
    codings = codings_for(request.user).filter(transcript=transcript).order_by("start", "code")
    rows = [(c, transcript.text[c.start:c.end]) for c in codings]
    return page(request, "web/transcript.html", {"t": transcript, "rows": rows})

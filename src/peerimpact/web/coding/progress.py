"""How far coding has gone: characters coded per coder and transcript, codes by timepoint and site."""

from __future__ import annotations

from ...qual.agreement import covered, merge_intervals
from .models import Assignment
from .visibility import assigned_shown, blind_transcript_ids, codings_for


def coverage_rows(user, transcripts: list) -> list[dict]:
    """One row per transcript: site, participant, timepoint, coders assigned, and per visible coder the codings and
    the percentage of characters inside at least one of their codings."""
    ids = [t.pk for t in transcripts]
    spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for tid, coder, s, e in codings_for(user).filter(transcript_id__in=ids).values_list("transcript_id", "coder", "start", "end"):
        spans.setdefault((tid, coder), []).append((s, e))
    assigned: dict[int, list[str]] = {}
    for tid, coder in Assignment.objects.filter(transcript_id__in=ids).order_by("coder").values_list("transcript_id", "coder"):
        assigned.setdefault(tid, []).append(coder)
    blind = set(blind_transcript_ids().values_list("transcript_id", flat=True))
    rows = []
    for t in transcripts:
        n = len(t.text)
        coders = sorted(c for (tid, c) in spans if tid == t.pk)
        progress = [{"coder": c, "n_codings": len(spans[(t.pk, c)]),
                     "percent": 100 * covered(merge_intervals(spans[(t.pk, c)])) / n if n else 0.0} for c in coders]
        every = assigned.get(t.pk, [])
        shown = assigned_shown(user, every, t.pk in blind)
        rows.append({"t": t, "participant_id": t.participant.participant_id, "assigned": shown, "n_hidden": len(every) - len(shown),
                     "blind": t.pk in blind, "progress": progress})
    return rows

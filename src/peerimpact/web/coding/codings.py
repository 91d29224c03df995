"""Apply and remove codes: the writes behind ``POST /api/codings`` and ``DELETE /api/codings/{id}``.

A coding made in the browser is an ordinary ``qual/codings.csv`` row: span in
code points of the normalised text, the coder is the caller, ``version`` is
the codebook version in force, ``timestamp`` the time (UTC) and ``quote`` the
coded text (checked again by :func:`peerimpact.load_study` on export).
``origin`` is ``human``, or ``suggested`` with ``model_version`` when a coder
accepted a machine suggestion.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Value
from django.db.models.functions import Length, Substr
from django.http import Http404

from ...qual.codebook import Codebook
from ..access import ADMIN, role_of
from ..prepared import PreparedQuery
from ..records.models import Coding, Transcript
from ..services.errors import Collector, Conflict
from .codebook import CodeFates, active_code_ids, current_codebook
from .identity import coder_id
from .memos import segments_with_memos
from .visibility import coding_role, codings_for, may_see_agreement

ORIGINS = ("human", "suggested")


# The statements every POST /api/codings runs, compiled to SQL once: the transcript (its length and the coded text
# computed by the database: characters are code points on SQLite and PostgreSQL, and a long transcript's text is not
# fetched), then the codings of the span (its segment and an identical coding).
# Their integer placeholders are adapted per backend (``kinds``: the fields they are compared with).
_TRANSCRIPT_SPAN = PreparedQuery(
    lambda iid, pos, length: Transcript.objects.filter(interview_id=iid).defer("text")
    .annotate(n_chars=Length("text"), span_text=Substr("text", Value(pos), Value(length)))[:1],
    "\0interview", 1_000_000_001, 1_000_000_002, kinds=(None, IntegerField(), IntegerField()))
_SPAN_CODINGS = PreparedQuery(
    lambda tid, start, end: Coding.all_objects.filter(transcript_id=tid, start=start, end=end).order_by("id"),
    1_000_000_011, 1_000_000_012, 1_000_000_013,
    kinds=tuple(Coding._meta.get_field(name) for name in ("transcript", "start", "end")))


def segment_id_for(transcript: Transcript, start: int, end: int) -> str:
    """The segment of this span: an existing one with the same span, else one derived from the span (uuid-free, stable)."""
    existing = (Coding.all_objects.filter(transcript=transcript, start=start, end=end)
                .order_by("id").values_list("segment_id", flat=True).first())
    if existing is not None:
        return existing
    return new_segment_id(transcript.interview_id, start, end)


def new_segment_id(interview_id: str, start: int, end: int) -> str:
    """A segment id derived from the span (stable: two coders coding the same new span share it)."""
    digest = hashlib.sha256(f"{interview_id}\0{start}\0{end}".encode()).hexdigest()[:12]
    return f"w{digest}"


def coding_dict(c: Coding, text: str | None = None, fates: CodeFates | None = None, interview_id: str | None = None) -> dict:
    """The coding as the API shows it: ``code`` at the current codebook version (merged and renamed codes moved,
    ``code_before`` as coded), ``recode`` the candidate codes when its code was split, ``retired`` when retired."""
    if text is not None:
        quote = text[c.start:c.end]
    else:  # a coding made here recorded its quote; others read it from the transcript
        quote = c.extra.get("quote") or c.transcript.text[c.start:c.end]
    fates = fates or CodeFates(current_codebook())
    fate = fates(c.code, _version(c.extra.get("version")))
    return {
        "id": str(c.uid), "interview_id": interview_id or c.transcript.interview_id, "segment_id": c.segment_id, "start": c.start, "end": c.end,
        "code": fate.code if fate.kind == "moved" else c.code, "code_before": c.code, "recode": list(fate.into),
        "retired": fate.kind == "retired", "coder": c.coder, "quote": quote, "version": _version(c.extra.get("version")),
        "timestamp": c.extra.get("timestamp") or None, "origin": c.extra.get("origin") or "human",
    }


ROW_FIELDS = ("uid", "segment_id", "start", "end", "code", "coder", "extra")


def coding_rows(qs, text: str, fates: CodeFates, interview_id: str) -> list[dict]:
    """:func:`coding_dict` of every coding of ``qs`` (one transcript), read as plain rows (no model instances: faster)."""
    out = []
    for uid, segment_id, start, end, code, coder, extra in qs.values_list(*ROW_FIELDS):
        fate = fates(code, _version(extra.get("version")))
        out.append({
            "id": str(uid), "interview_id": interview_id, "segment_id": segment_id, "start": start, "end": end,
            "code": fate.code if fate.kind == "moved" else code, "code_before": code, "recode": list(fate.into),
            "retired": fate.kind == "retired", "coder": coder, "quote": text[start:end], "version": _version(extra.get("version")),
            "timestamp": extra.get("timestamp") or None, "origin": extra.get("origin") or "human",
        })
    return out


def _version(value) -> int | None:
    """The ``version`` cell as stored on import (text or number; empty: not recorded)."""
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


CONSENSUS = "consensus"


def create_coding(user, interview_id: str, start: int, end: int, code: str, origin: str = "human",
                  model_version: str | None = None, consensus: bool = False, book: Codebook | None = None) -> tuple[Coding, bool]:
    """Store one coding by ``user``; returns ``(coding, created)`` (an identical live coding is returned as is).

    Raises
    ------
    Http404
        The transcript does not exist or is not visible to the user.
    PermissionDenied
        A consensus coding on a transcript whose agreement the user may not see (blind).
    FieldErrors
        Every problem with the span, the code and the origin at once.
    """
    # the length and the coded text are computed by the database (characters = code points on SQLite and PostgreSQL):
    # a long transcript's text is not fetched on every coding
    transcript = _TRANSCRIPT_SPAN.first(interview_id, start + 1, max(end - start, 0)) if coding_role(user) else None
    if transcript is None:
        raise Http404
    if consensus and not may_see_agreement(user, transcript):
        raise PermissionDenied("consensus is recorded by research admins, or by coders once the transcript is unblinded")
    n = transcript.n_chars
    problems = Collector()
    if not 0 <= start <= n:
        problems.add("start", f"must be between 0 and {n} (code points of the normalised text)")
    if not 0 <= end <= n:
        problems.add("end", f"must be between 0 and {n} (code points of the normalised text)")
    elif end <= start:
        problems.add("end", "must be greater than start")
    book = book or current_codebook()
    active = active_code_ids(book)
    if code not in active:
        problems.add("code", f"{code!r} is not a code of codebook version {book.version}")
    if origin not in ORIGINS:
        problems.add("origin", f"must be one of {', '.join(ORIGINS)}")
    elif origin == "suggested" and not model_version:
        problems.add("model_version", "is required when origin is 'suggested'")
    problems.raise_if_any()
    coder = CONSENSUS if consensus else coder_id(user)
    extra = {"version": book.version, "timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
             "quote": transcript.span_text, "origin": origin}
    if model_version:
        extra["model_version"] = model_version
    for attempt in range(2):
        # one query: the segment of this span (if any) and an identical live coding (returned as is)
        here = _SPAN_CODINGS.all(transcript.pk, start, end)
        same = next((c for c in here if c.deleted_at is None and c.code == code and c.coder == coder), None)
        if same is not None:
            return same, False
        segment = here[0].segment_id if here else new_segment_id(transcript.interview_id, start, end)
        try:
            with transaction.atomic():
                coding = Coding(segment_id=segment, transcript=transcript, start=start, end=end, code=code, coder=coder, extra=extra)
                coding._history_user = user
                coding._change_reason = "consensus recorded in reconciliation" if consensus else "coded in the browser"
                coding.save()
            return coding, True
        except IntegrityError:  # the same coding stored by a concurrent request: return that one
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def delete_coding(user, uid: str) -> None:
    """Remove one of the user's own codings (research admins: any visible coding); soft, audited."""
    coding = codings_for(user).filter(uid=uid).first()
    if coding is None:
        raise Http404
    if coding.coder != coder_id(user) and role_of(user) != ADMIN:
        raise PermissionDenied("you can remove only your own codings")
    last = not Coding.objects.filter(segment_id=coding.segment_id).exclude(pk=coding.pk).exists()
    if last and coding.segment_id in segments_with_memos():
        raise Conflict([(None, f"segment {coding.segment_id} has memos and this is its last coding: "
                               "move the memos' text to the transcript first (a memo must keep its segment)")])
    with transaction.atomic():  # the delete, its audit record and the coding change stamp (state.py) together
        coding.soft_delete(user)

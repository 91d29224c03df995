"""Memos written beside the text: typed (interpretive, analytic, reflexive), authored, on a segment, a code, a theme
or a transcript. They are the study's ``qual/memos.yaml`` (``StudyConfig.memos_yaml``), validated by
:func:`peerimpact.qual.memos.parse_memos` before they are stored."""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from django.db import transaction
from django.http import Http404

from ...errors import StudyValidationError
from ...qual.memos import Memo, Memos, memos_to_dict, parse_memos
from ...qual.versions import known_codes
from ..access import ADMIN, role_of
from ..records.models import Coding, StudyConfig
from ..services.errors import FieldErrors
from ..services.yamltext import from_text, to_text
from .codebook import current_codebook
from .identity import coder_id
from .visibility import blind_transcript_ids, codings_for, transcripts_for


def memo_dict(m: Memo) -> dict:
    return {"id": m.id, "target_type": m.target.type, "target_id": m.target.id, "kind": m.kind, "author": m.author,
            "date": m.date.isoformat() if m.date else None, "text": m.text}


def _all(config: StudyConfig | None) -> list[Memo]:
    return list(_parsed(config.memos_yaml)) if config is not None and config.memos_yaml else []


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> tuple[Memo, ...]:
    """The memos of a YAML text (parsed once per text; memos are immutable)."""
    return tuple(parse_memos(from_text(text)).memos)


def memos_for(user, interview_id: str) -> list[dict]:
    """Memos on the transcript, on its segments the user may see, and on codes and themes.

    On a blind transcript a coder sees only their own transcript and segment memos."""
    t = transcripts_for(user).filter(interview_id=interview_id).first()
    if t is None:
        raise Http404
    segments = set(codings_for(user).filter(transcript=t).values_list("segment_id", flat=True))
    blind = role_of(user) != ADMIN and blind_transcript_ids().filter(transcript_id=t.pk).exists()
    me = coder_id(user)
    out = []
    for m in _all(StudyConfig.objects.order_by("id").first()):
        on_text = (m.target.type == "transcript" and m.target.id == interview_id) or (m.target.type == "segment" and m.target.id in segments)
        if m.target.type in ("code", "theme") or (on_text and (not blind or m.author == me)):
            out.append(memo_dict(m))
    return out


def add_memo(user, target_type: str, target_id: str, kind: str, text: str) -> dict:
    """Store a memo by ``user``; the target must exist (and a transcript or segment be visible to the user)."""
    if target_type == "transcript" and not transcripts_for(user).filter(interview_id=target_id).exists():
        raise Http404
    if target_type == "segment" and not codings_for(user).filter(segment_id=target_id).exists():
        raise Http404
    with transaction.atomic():
        config = StudyConfig.objects.select_for_update().order_by("id").first()
        if config is None:
            raise FieldErrors([(None, "the database holds no study")])
        book = current_codebook(config)
        targets = {"code": known_codes(book), "theme": {t.id for t in book.themes},
                   "transcript": set(transcripts_for(user).values_list("interview_id", flat=True)),
                   "segment": set(Coding.objects.values_list("segment_id", flat=True))}
        memos = _all(config)
        new = {"id": f"m{uuid.uuid4().hex[:12]}", "target": {"type": target_type, "id": target_id}, "kind": kind,
               "author": coder_id(user), "date": dt.date.today(), "text": text}
        raw = memos_to_dict(Memos(memos=memos))
        raw["memos"].append(new)
        try:
            parsed = parse_memos(raw, targets=targets)
        except StudyValidationError as exc:
            raise FieldErrors([(_field(p.column), p.message) for p in exc.problems]) from None
        config.memos_yaml = to_text(memos_to_dict(parsed))
        config._history_user, config._change_reason = user, f"memo {new['id']} on {target_type} {target_id}"
        config.save(update_fields=["memos_yaml"])
    return memo_dict(parsed.memos[-1])


def _field(column: str | None) -> str | None:
    if not column:
        return None
    last = column.split(".")[-1]
    return {"id": "target_id"}.get(last, last)


def segments_with_memos() -> set[str]:
    return {m.target.id for m in _all(StudyConfig.objects.order_by("id").first()) if m.target.type == "segment"}

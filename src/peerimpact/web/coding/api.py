"""The coding API, used by the workbench page itself (session + CSRF) and by scripts (bearer token).

``GET /api/transcripts``, ``GET /api/transcripts/{interview_id}``,
``GET /api/codings?interview_id=``, ``POST /api/codings``,
``DELETE /api/codings/{id}``, ``GET /api/codebook``,
``GET /api/agreement?interview_id=``; research admins also
``PUT /api/transcripts/{interview_id}/assignments`` and
``POST /api/transcripts/{interview_id}/unblind``. Research admins and coders
only (others 403); what a coder sees of a blind transcript is decided in
:mod:`peerimpact.web.coding.visibility`.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from ninja import Router, Status
from ninja.security import SessionAuth

from ..access import ADMIN, CODER, require_role, role_of
from ..api.schemas import ErrorOut
from ..api.tokens import TokenAuth
from ..records.models import Coding
from .agreement import transcript_agreement
from .blind import assign_coders, unblind_transcript
from .codebook import CodeFates, codebook_dict, current_codebook
from .codebook_edit import change_codebook
from .codings import CONSENSUS, coding_dict, coding_rows, create_coding, delete_coding
from .identity import coder_id
from .memos import add_memo, memos_for
from .models import Assignment, CodingPolicy
from .schemas import (
    AgreementOut,
    AssignmentIn,
    AssignmentOut,
    CodebookChangeIn,
    CodebookOut,
    CodingIn,
    CodingList,
    CodingOut,
    MemoIn,
    MemoList,
    MemoOut,
    PolicyIn,
    PolicyOut,
    TranscriptList,
    TranscriptOut,
)
from .turns import study_turns
from .visibility import assigned_shown, blind_transcript_ids, codings_for, may_see_agreement, transcripts_for

router = Router(tags=["coding"], auth=[TokenAuth(), SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _json(body: dict) -> JsonResponse:
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _user(request):
    require_role(request.auth, ADMIN, CODER)
    return request.auth


def _transcript(user, interview_id: str):
    transcript = transcripts_for(user).filter(interview_id=interview_id).first()
    if transcript is None:
        raise Http404
    return transcript


def _summaries(user, transcripts) -> list[dict]:
    ids = [t.pk for t in transcripts]
    blind = set(blind_transcript_ids().filter(transcript_id__in=ids).values_list("transcript_id", flat=True))
    assigned: dict[int, list[str]] = {}
    for tid, coder in Assignment.objects.filter(transcript_id__in=ids).order_by("coder").values_list("transcript_id", "coder"):
        assigned.setdefault(tid, []).append(coder)
    seen: dict[int, dict[str, int]] = {}
    for tid, coder in codings_for(user).filter(transcript_id__in=ids).values_list("transcript_id", "coder"):
        per = seen.setdefault(tid, {})
        per[coder] = per.get(coder, 0) + 1
    return [
        {"interview_id": t.interview_id, "site": t.site, "participant_id": t.participant.participant_id, "timepoint": t.timepoint,
         "n_characters": len(t.text), "n_codings": sum(seen.get(t.pk, {}).values()), "coders": sorted(seen.get(t.pk, {})),
         "assigned": assigned_shown(user, assigned.get(t.pk, []), t.pk in blind), "n_assigned": len(assigned.get(t.pk, [])),
         "blind": t.pk in blind}
        for t in transcripts
    ]


@router.get("/transcripts", response={200: TranscriptList, **ERRORS}, summary="Transcripts, with who coded them (coders and admins)")
def list_transcripts(request):
    user = _user(request)
    items = _summaries(user, list(transcripts_for(user).order_by("interview_id")))
    return {"count": len(items), "items": items}


@router.get("/transcripts/{interview_id}", response={200: TranscriptOut, **ERRORS},
            summary="A transcript: normalised text, speaker turns and the codings the caller may see")
def get_transcript(request, interview_id: str):
    user = _user(request)
    t = _transcript(user, interview_id)
    turns = study_turns(t.text)  # the study's speakers / turn_pattern
    fates = CodeFates(current_codebook())
    codings = coding_rows(codings_for(user).filter(transcript=t).order_by("start", "end", "code", "id"), t.text, fates, t.interview_id)
    body = {**_summaries(user, [t])[0], "text": t.text, "me": coder_id(user), "codings": codings,
            "turns": [{"speaker": s, "start": int(a), "end": int(b)} for s, a, b in turns[["speaker", "start", "end"]].itertuples(index=False)]}
    return _json(body)  # built to the schema above; validating 1,000 codings again would double the time


@router.get("/codings", response={200: CodingList, **ERRORS}, summary="Codings of one transcript the caller may see")
def list_codings(request, interview_id: str):
    user = _user(request)
    t = _transcript(user, interview_id)
    fates = CodeFates(current_codebook())
    items = coding_rows(codings_for(user).filter(transcript=t).order_by("start", "end", "code", "id"), t.text, fates, t.interview_id)
    return _json({"count": len(items), "items": items})


@router.post("/codings", response={201: CodingOut, 200: CodingOut, **ERRORS},
             summary="Apply a code to [start, end) (code points of the normalised text); the coder is the caller")
def post_coding(request, payload: CodingIn):
    user = _user(request)
    book = current_codebook()
    coding, created = create_coding(user, payload.interview_id, payload.start, payload.end, payload.code,
                                    origin=payload.origin, model_version=payload.model_version, book=book)
    return Status(201 if created else 200, coding_dict(coding, fates=CodeFates(book), interview_id=payload.interview_id))


@router.delete("/codings/{coding_id}", response={204: None, **ERRORS}, summary="Remove a coding (soft: it stays in the audit trail)")
def remove_coding(request, coding_id: uuid.UUID):
    delete_coding(_user(request), str(coding_id))
    return Status(204, None)


@router.get("/codebook", response={200: CodebookOut, **ERRORS}, summary="The current codebook: codes, themes and versions")
def get_codebook(request):
    _user(request)
    return codebook_dict(current_codebook())


@router.get("/agreement", response={200: AgreementOut, **ERRORS},
            summary="Agreement per code of a transcript's coders (percent, Cohen's kappa, Krippendorff's alpha; characters)")
def get_agreement(request, interview_id: str):
    user = _user(request)
    t = _transcript(user, interview_id)
    if not may_see_agreement(user, t):
        raise PermissionDenied("agreement is shown to research admins, and to coders once the transcript is unblinded")
    coders = sorted(set(Coding.objects.filter(transcript=t).exclude(coder=CONSENSUS).values_list("coder", flat=True)))
    return {"interview_id": t.interview_id, "coders": coders, **transcript_agreement(t)}


@router.put("/transcripts/{interview_id}/assignments", response={200: AssignmentOut, **ERRORS},
            summary="Research admins: the coders who code this transcript blind (two or more)")
def put_assignments(request, interview_id: str, payload: AssignmentIn):
    user = request.auth
    require_role(user, ADMIN)
    t = _transcript(user, interview_id)
    return assign_coders(user, t, payload.coders)


@router.post("/transcripts/{interview_id}/unblind", response={200: AssignmentOut, **ERRORS},
             summary="Research admins: unblind a transcript (its coders see each other's codings and the agreement)")
def unblind(request, interview_id: str):
    user = request.auth
    require_role(user, ADMIN)
    return unblind_transcript(user, _transcript(user, interview_id))


@router.post("/codebook/changes", response={201: CodebookOut, **ERRORS},
             summary="Change the codebook (add, rename, merge, split, retire, theme): a new version with its reason")
def post_codebook_change(request, payload: CodebookChangeIn):
    user = _user(request)
    data = payload.model_dump(exclude={"base_version", "action", "reason"}, exclude_none=True)
    book = change_codebook(user, payload.base_version, payload.action, payload.reason, data)
    return Status(201, codebook_dict(book))


@router.get("/recode", response={200: CodingList, **ERRORS},
            summary="The 'to recode' queue: the caller's codings whose code was split since (research admins: every coder's)")
def recode_queue(request, interview_id: str | None = None):
    user = _user(request)
    book = current_codebook()
    fates = CodeFates(book)
    split = {ch.code for v in book.versions for ch in v.changes if ch.action == "split"}
    qs = codings_for(user).filter(code__in=split).order_by("transcript__interview_id", "start", "end", "id")
    if role_of(user) != ADMIN:
        qs = qs.filter(coder=coder_id(user))
    if interview_id is not None:
        qs = qs.filter(transcript__interview_id=interview_id)
    rows = list(qs)
    texts = dict(transcripts_for(user).filter(pk__in={c.transcript_id for c in rows}).values_list("pk", "interview_id"))
    full = {pk: transcripts_for(user).get(pk=pk).text for pk in texts}
    items = [d for d in (coding_dict(c, full[c.transcript_id], fates, texts[c.transcript_id]) for c in rows) if d["recode"]]
    return {"count": len(items), "items": items}


@router.put("/coding-policy", response={200: PolicyOut, **ERRORS}, summary="Research admins: may coders change the codebook?")
def put_policy(request, payload: PolicyIn):
    user = request.auth
    require_role(user, ADMIN)
    policy = CodingPolicy.current()
    policy.coders_may_edit_codebook = payload.coders_may_edit_codebook
    policy._history_user, policy._change_reason = user, "coding policy changed"
    policy.save()
    return {"coders_may_edit_codebook": policy.coders_may_edit_codebook}


@router.get("/memos", response={200: MemoList, **ERRORS},
            summary="Memos on a transcript, its segments, and on codes and themes (blind: a coder's own transcript memos)")
def list_memos(request, interview_id: str):
    items = memos_for(_user(request), interview_id)
    return {"count": len(items), "items": items}


@router.post("/memos", response={201: MemoOut, **ERRORS}, summary="Write a memo (interpretive, analytic or reflexive); the author is the caller")
def post_memo(request, payload: MemoIn):
    return Status(201, add_memo(_user(request), payload.target_type, payload.target_id, payload.kind, payload.text))

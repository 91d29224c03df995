"""``GET /api/suggestions?interview_id=``: code suggestions for one transcript, learned from the study's human codings.

The model (:mod:`peerimpact.qual.suggest`) is trained in this process from the
study held in the database and kept while the study definition (whose
``speakers`` / ``turn_pattern`` setting cuts the transcripts into passages),
the codebook, the transcripts and the *human* codings stay the same
(accepting a suggestion adds a ``suggested`` coding, which the model does not
learn from, so it does not retrain). Nothing
leaves the machine. Research admins and coders only, as the rest of the coding
API; what a coder sees follows :mod:`peerimpact.web.coding.visibility`:

* passages the caller can see are coded with the code are not suggested; on a
  blind transcript another coder's codings are invisible, so they do not hide
  a suggestion either;
* for a blind transcript the model is trained *without* that transcript, so
  another coder's codings of it cannot shape its suggestions;
* reasons (similar human-coded segments) from blind transcripts are shown to
  research admins only.

A suggestion becomes a coding only when the coder accepts it in the workbench
(``POST /api/codings`` with ``origin: suggested`` and the ``model_version``).

Retraining does not block a request (issue 15). When the state has changed (a
new human coding, ...) and a model for an earlier state exists for the same
transcript set (the same held-out blind transcript, or none), the answer comes
at once from that previous model, marked ``"model_state": "stale"`` (each
suggestion still carries the version of the model that produced it), and one
retrain starts in a background thread, at most one per process at a time, at a
lower CPU priority. The next request after it finishes uses the new model
(``"model_state": "fresh"``). When no model exists yet for that transcript set
(the first request after the server starts, or a blind transcript never asked
for), the model is trained on the request thread, as before: the first answer
is never empty for want of a model. The background thread reads no database:
the study snapshot is built on the request thread that starts the retrain.
When the retrain finds too little to learn from, that is remembered for the
state, and the requests that follow get the empty answer with the note (as a
request-thread training would give), not the stale model and no new retrain.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from typing import Any, Optional

from django.http import Http404
from ninja import Router, Schema
from ninja.security import SessionAuth

from ...errors import StudyValidationError, UserInputError
from ...qual.suggest import THRESHOLD, SuggestModel, suggest, train
from ...study.model import Study
from ..access import ADMIN, CODER, require_role, role_of
from ..api.schemas import ErrorOut
from ..api.tokens import TokenAuth
from ..records.models import Coding, StudyConfig, Transcript
from ..services.errors import FieldErrors
from ..services.study_export import build_study
from .visibility import blind_transcript_ids, codings_for, transcripts_for

log = logging.getLogger(__name__)
router = Router(tags=["coding"], auth=[TokenAuth(), SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ExampleOut(Schema):
    segment_id: str
    interview_id: str
    start: int
    end: int
    similarity: float
    quote: str


class SuggestionOut(Schema):
    code: str
    score: float
    rank: int
    start: int
    end: int
    speaker: Optional[str] = None
    text: str
    model_version: str
    examples: list[ExampleOut]


class SuggestionList(Schema):
    interview_id: str
    model_version: Optional[str] = None
    threshold: float
    codes: list[str]
    skipped_codes: dict[str, str]
    count: int
    items: list[SuggestionOut]
    note: Optional[str] = None
    model_state: Optional[str] = None


_LOCK = threading.Lock()
_MODELS: dict[tuple[str, Optional[str]], tuple[Study, SuggestModel]] = {}


def state_key() -> str:
    """SHA-256 of what the model learns from: the study definition (its speaker-turn setting), the codebook, the transcripts
    and the live human codings."""
    h = hashlib.sha256()
    config = StudyConfig.objects.order_by("id").first()
    definition = config.definition if config is not None else None
    h.update(json.dumps(definition or {}, sort_keys=True, default=str).encode("utf-8") + b"\n")
    h.update((config.codebook_yaml if config is not None else "").encode("utf-8"))
    for iid, sha in Transcript.objects.order_by("interview_id").values_list("interview_id", "sha256"):
        h.update(f"t\0{iid}\0{sha}\n".encode("utf-8"))
    rows = Coding.objects.order_by("id").values_list("transcript__interview_id", "segment_id", "start", "end", "code", "coder", "extra")
    for iid, seg, s, e, code, coder, extra in rows:
        if ((extra or {}).get("origin") or "human") == "human":
            h.update(f"c\0{iid}\0{seg}\0{s}\0{e}\0{code}\0{coder}\0{(extra or {}).get('version')}\n".encode("utf-8"))
    return h.hexdigest()


def _train(study: Study, held_out: Optional[str]) -> SuggestModel:
    """:func:`~peerimpact.qual.suggest.train`; when there is too little to learn from yet (a :class:`UserInputError`,
    answered as a note, not a server error) scikit-learn's words, if any, go to the server log."""
    try:
        return train(study, exclude=[held_out] if held_out else None)
    except UserInputError as exc:
        if exc.__cause__ is not None:
            log.info("suggestion model not fitted (too little coded text): %s", exc.__cause__)
        raise


def model_for(held_out: Optional[str] = None) -> tuple[Study, SuggestModel]:
    """The study snapshot and the model for the current state (trained without ``held_out`` when given), trained on the
    calling thread if need be."""
    key = (state_key(), held_out)
    with _LOCK:
        failed = _FAILED.get(key)
        if failed is not None:
            raise failed
        found = _MODELS.get(key)
        if found is None:
            base = _MODELS.get((key[0], None))
            study = base[0] if base is not None else build_study()
            found = (study, _train(study, held_out))
            _install(key, found)
        return found


_FAILED: dict[tuple[str, Optional[str]], UserInputError] = {}
_RETRAIN: dict[str, Optional[threading.Thread]] = {"thread": None}
STALE_NOTE = "the model is being updated with the latest codings: these suggestions come from the previous model"


def _install(key: tuple[str, Optional[str]], found: tuple[Study, SuggestModel]) -> None:
    """Keep ``found`` for ``key``; drop models of other states (stale ones stay for the other held-out sets). Under _LOCK."""
    for old in [k for k in _MODELS if k[0] != key[0] and k[1] == key[1]]:
        del _MODELS[old]
    for old in [k for k in _FAILED if k[0] != key[0]]:
        del _FAILED[old]
    _MODELS[key] = found


def _retrain(key: tuple[str, Optional[str]], study: Study) -> None:
    """The background retrain: a lower CPU priority for this thread (Linux niceness is per thread), no database access."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: train at normal priority
        pass
    try:
        model = _train(study, key[1])
    except UserInputError as exc:
        with _LOCK:
            _FAILED[key] = exc
    except Exception:  # noqa: BLE001 - a background thread: log it; the next request trains on its own thread
        log.exception("suggestion model retrain failed")
    else:
        with _LOCK:
            _install(key, (study, model))
    finally:
        with _LOCK:
            _RETRAIN["thread"] = None


def retraining() -> Optional[threading.Thread]:
    """The background retrain in flight, if any (tests join it)."""
    with _LOCK:
        return _RETRAIN["thread"]


def model_or_stale(held_out: Optional[str] = None) -> tuple[Study, SuggestModel, str]:
    """:func:`model_for` without waiting for a retrain: ``(study, model, "fresh")`` for the current state, or, while the
    state has changed and an earlier model for ``held_out`` exists, that model with ``"stale"`` (a retrain started in the
    background unless one is already running)."""
    key = (state_key(), held_out)
    with _LOCK:
        failed = _FAILED.get(key)
        found = _MODELS.get(key)
        stale = next((v for k, v in _MODELS.items() if k[1] == held_out and k[0] != key[0]), None)
        if failed is not None or found is not None or stale is None:
            stale = None
        elif _RETRAIN["thread"] is None:
            base = _MODELS.get((key[0], None))
            study = base[0] if base is not None else build_study()
            thread = threading.Thread(target=_retrain, args=(key, study), name="suggest-retrain", daemon=True)
            _RETRAIN["thread"] = thread
            thread.start()
    if stale is not None:
        return stale[0], stale[1], "stale"
    study, model = model_for(held_out)
    return study, model, "fresh"


def _visible_spans(user, transcript: Transcript) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for code, s, e in codings_for(user).filter(transcript=transcript).values_list("code", "start", "end"):
        spans.setdefault(code, []).append((int(s), int(e)))
    return spans


def suggestions_for(user, interview_id: str) -> dict[str, Any]:
    """The suggestions ``user`` may see for one transcript (see the module docstring)."""
    require_role(user, ADMIN, CODER)
    transcript = transcripts_for(user).filter(interview_id=interview_id).first()
    if transcript is None:
        raise Http404
    blind = set(Transcript.objects.filter(pk__in=blind_transcript_ids()).values_list("interview_id", flat=True))
    try:
        study, model, model_state = model_or_stale(interview_id if interview_id in blind else None)
    except StudyValidationError as exc:
        raise FieldErrors([(None, str(p)) for p in exc.problems]) from None
    except UserInputError as exc:  # nothing to learn from yet: no suggestions, and why
        return {"interview_id": interview_id, "model_version": None, "threshold": THRESHOLD, "codes": [], "skipped_codes": {},
                "count": 0, "items": [], "note": str(exc)}
    if model_state == "stale" and interview_id not in study.transcripts:
        study, model = model_for(interview_id if interview_id in blind else None)  # a transcript new since: wait for it
        model_state = "fresh"
    try:
        result = suggest(study, interviews=[interview_id], model=model, exclude_coded=False)
    except StudyValidationError as exc:
        raise FieldErrors([(None, str(p)) for p in exc.problems]) from None
    except UserInputError as exc:
        raise FieldErrors([(None, str(exc))]) from None
    spans = _visible_spans(user, transcript)
    admin = role_of(user) == ADMIN
    items = []
    for rec in result.suggestions.to_dict("records"):
        if any(s < rec["end"] and e > rec["start"] for s, e in spans.get(rec["code"], ())):
            continue
        examples = [ex for ex in rec["examples"] if admin or ex["interview_id"] not in blind]
        items.append({**rec, "examples": examples})
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return {
        "interview_id": interview_id, "model_version": model.version, "threshold": THRESHOLD, "codes": list(model.codes),
        "skipped_codes": dict(model.skipped), "count": len(items), "items": items, "model_state": model_state,
        "note": STALE_NOTE if model_state == "stale" else None,
    }


@router.get("/suggestions", response={200: SuggestionList, **ERRORS},
            summary="Code suggestions for a transcript's passages, learned on this server from the study's human codings")
def get_suggestions(request, interview_id: str):
    return suggestions_for(request.auth, interview_id)

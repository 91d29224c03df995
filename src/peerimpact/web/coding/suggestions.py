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

Training never blocks a request and never runs in the server's process (issue
15): models are fitted by :mod:`peerimpact.web.coding.trainer`, a helper
process at a lower CPU priority, fed a snapshot of the study built on the
request thread that starts the training (the training reads no database). At
most one training runs per server process at a time (single flight), in a
background thread that waits for the helper and installs the model. Until a
model for the current state exists, a request is answered at once:

* ``"model_state": "stale"``: the state has changed (a new human coding, ...)
  and a model for an earlier state exists for the same transcript set (the
  same held-out blind transcript, or none): its suggestions, with a note (each
  suggestion still carries the version of the model that produced it);
* ``"model_state": "training"``: no model yet for this transcript set (the
  first request after the server starts, a blind transcript never asked for,
  or a transcript new since the earlier model): no suggestions, and a note
  saying they will come; the workbench asks again a few times, further apart
  each time.

A request that finds no training running starts one for its state. The next
request after it finishes uses the new model (``"model_state": "fresh"``).
When the training finds too little to learn from, that is remembered for the
state, and the requests that follow get the empty answer with the note, not
the stale model and no new training.

When the training *breaks* (the training process dies or is killed, the fit
raises anything else, or the study snapshot it needs cannot be read: a user
error there, such as an invalid study definition, is remembered as too little
to learn from is), the failure is logged once, with its traceback, and
remembered for the state and transcript set with a back-off
(:data:`BACKOFF_SECONDS`: 30 s, then 2 minutes, then 10 minutes for each
further failure in a row): until it has passed no request starts a training
for them (each costs about a second of CPU, and every poll of the workbench
would start one), and each is answered at once:

* ``"model_state": "stale"``, when an earlier model exists for the transcript
  set: its suggestions, with a note saying the update failed and when it will
  be tried again;
* ``"model_state": "failed"``, otherwise: no suggestions, and a note saying
  the model could not be trained and when it will be tried again (the
  workbench does not ask again by itself).

Both carry ``retry_in_seconds``, the seconds left of the back-off when the
answer was made (no other answer has the field), so that a client tells a broken
update from one in progress without reading the note, and says when as a
time of day rather than a countdown that goes stale. The first request after
the back-off starts a training again; whether one may start is checked again
under the lock that reserves it, so a training that breaks (or ends) while a
request reads the state is not followed by a second one. A model
installed for the state, or a new state (a new human coding), ends the
back-off.

The state a model belongs to is :func:`state_key`: a hash of the study
definition, the codebook and the transcripts' checksums, plus the coding
change stamp (:mod:`peerimpact.web.coding.state`) that every human coding
write renews in its own transaction, so no request reads every coding to know
whether the model is current.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Optional, Union

from django.http import Http404
from ninja import Router, Schema
from ninja.security import SessionAuth

from ...errors import StudyValidationError, UserInputError
from ...qual.suggest import THRESHOLD, SuggestModel, suggest
from ...study.model import Study
from ..access import ADMIN, CODER, require_role, role_of
from ..api.schemas import ErrorOut
from ..api.tokens import TokenAuth
from ..records.models import StudyConfig, Transcript
from ..services.errors import FieldErrors
from .snapshot import training_study
from .state import coding_stamp
from .trainer import TRAINER
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
    #: Only while a broken training backs off (``"failed"``, or ``"stale"`` after a broken update): the whole seconds
    #: until it may be tried again, counted from when the answer was made. Absent from every other answer.
    retry_in_seconds: Optional[int] = None


#: Seconds without a new training of a state (and transcript set) after its training broke: the first entry after the
#: first failure, the next after the second in a row, and so on; the last is the cap. Long enough that a server whose
#: training keeps breaking (a helper killed for lack of memory, say) spends about a second of CPU every few minutes on
#: it rather than one per poll of every open workbench, short enough that a passing failure heals by itself.
BACKOFF_SECONDS = (30.0, 120.0, 600.0)


@dataclass(frozen=True)
class Broken:
    """A training that broke (not "too little to learn from"): ``failures`` in a row for the same state and transcript
    set, the last with ``reason`` (the error's type and message: not the error, whose traceback would keep the study
    snapshot alive); no new training before ``retry_at`` (on :func:`_now`'s clock)."""

    failures: int
    retry_at: float
    reason: str


_LOCK = threading.Lock()
_MODELS: dict[tuple[str, Optional[str]], tuple[Study, SuggestModel]] = {}
#: Why the training of a key gave no model: too little to learn from (for good: the key is not trained again), or
#: :class:`Broken` (trained again after its back-off). Only the latest state's failures are kept.
_FAILED: dict[tuple[str, Optional[str]], Union[UserInputError, Broken]] = {}
_TRAINING: dict[str, Any] = {"thread": None, "future": None}
STALE_NOTE = "the model is being updated with the latest codings: these suggestions come from the previous model"
TRAINING_NOTE = "suggestions will appear once the model has learned from this study's codings (it is learning now)"
BROKEN_NOTE = "the suggestion model could not be trained; it will be tried again {when}"
BROKEN_STALE_NOTE = ("the model could not be updated with the latest codings: these suggestions come from the previous "
                     "model; the update will be tried again {when}")


def _now() -> float:
    """The back-off's clock: :func:`time.monotonic` (one place for a test to move it)."""
    return time.monotonic()


def _when(seconds: float) -> str:
    """``seconds`` from now in plain words: "in less than a minute", "in about 1 minute", "in about 10 minutes"."""
    if seconds < 60:
        return "in less than a minute"
    minutes = round(seconds / 60)
    return f"in about {minutes} minute{'' if minutes == 1 else 's'}"


def state_key() -> str:
    """What the model learns from, as one string: a SHA-256 of the study definition (its speaker-turn setting), the
    codebook and the transcripts' checksums, and the change stamp of the live human codings
    (:func:`peerimpact.web.coding.state.coding_stamp`)."""
    h = hashlib.sha256()
    config = StudyConfig.objects.order_by("id").only("definition", "codebook_yaml").first()
    definition = config.definition if config is not None else None
    h.update(json.dumps(definition or {}, sort_keys=True, default=str).encode("utf-8") + b"\n")
    h.update((config.codebook_yaml if config is not None else "").encode("utf-8"))
    for iid, sha in Transcript.objects.order_by("interview_id").values_list("interview_id", "sha256"):
        h.update(f"t\0{iid}\0{sha}\n".encode("utf-8"))
    return f"{h.hexdigest()}:{coding_stamp()}"


def _train(study: Study, held_out: Optional[str]) -> SuggestModel:
    """Fit a model on ``study`` without ``held_out`` in the training process (:mod:`.trainer`); too little to learn
    from is a :class:`UserInputError` (answered as a note, not a server error)."""
    try:
        fitted = TRAINER.fit(study, held_out)
    except UserInputError as exc:
        if exc.__cause__ is not None:
            log.info("suggestion model not fitted (too little coded text): %s", exc.__cause__)
        raise
    log.info("suggestion model %s trained in process %d: %.2f s CPU, %.2f s wall", fitted.model.version, fitted.pid,
             fitted.cpu_seconds, fitted.wall_seconds)
    return fitted.model


def _install(key: tuple[str, Optional[str]], found: tuple[Study, SuggestModel]) -> None:
    """Keep ``found`` for ``key``; drop models of other states (stale ones stay for the other held-out sets). Under _LOCK."""
    for old in [k for k in _MODELS if k[0] != key[0] and k[1] == key[1]]:
        del _MODELS[old]
    for old in [k for k in _FAILED if k[0] != key[0]]:
        del _FAILED[old]
    _FAILED.pop(key, None)  # a broken training of this key before: its back-off ends
    _MODELS[key] = found


def _remember(key: tuple[str, Optional[str]], failure: Union[UserInputError, Broken]) -> None:
    """Keep ``failure`` for ``key``, and only the latest state's failures. Under _LOCK."""
    for old in [k for k in _FAILED if k[0] != key[0]]:
        del _FAILED[old]
    _FAILED[key] = failure


def _backoff(failures: int) -> float:
    """Seconds without a new training after ``failures`` (1 or more) broken trainings in a row (:data:`BACKOFF_SECONDS`)."""
    return BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1]


def _broke(key: tuple[str, Optional[str]], exc: BaseException) -> Broken:
    """Remember that the training of ``key`` broke, with the back-off after this many failures in a row. Under _LOCK."""
    before = _FAILED.get(key)
    failures = before.failures + 1 if isinstance(before, Broken) else 1
    broken = Broken(failures, _now() + _backoff(failures), f"{type(exc).__name__}: {exc}")
    _remember(key, broken)
    return broken


def _record_broken(key: tuple[str, Optional[str]], exc: BaseException) -> None:
    """Remember that the training of ``key`` broke with ``exc`` (:func:`_broke`) and log it once, with its traceback."""
    with _LOCK:
        broken = _broke(key, exc)
    log.error("suggestion model training failed (%d time(s) in a row for this state); no new training for %.0f s",
              broken.failures, _backoff(broken.failures), exc_info=exc)


def _retry_in(failed: Union[UserInputError, Broken, None]) -> Optional[float]:
    """Seconds left of the back-off of ``failed`` (a broken training), or None when it has passed or nothing broke."""
    if not isinstance(failed, Broken):
        return None
    left = failed.retry_at - _now()
    return left if left > 0 else None


def _may_train(key: tuple[str, Optional[str]]) -> bool:
    """Whether a training of ``key`` may start: no model for it, not too little to learn from, no back-off. Under _LOCK."""
    failed = _FAILED.get(key)
    return key not in _MODELS and not isinstance(failed, UserInputError) and _retry_in(failed) is None


def _run(key: tuple[str, Optional[str]], study: Study, future: Future) -> None:
    """The background training thread: fit in the training process, install the model (or remember why not)."""
    try:
        model = _train(study, key[1])
    except UserInputError as exc:
        with _LOCK:
            _remember(key, exc)
        future.set_result(None)
    except Exception as exc:  # noqa: BLE001 - a background thread: log it; a request after the back-off trains again
        _record_broken(key, exc)
        future.set_exception(exc)
    else:
        with _LOCK:
            _install(key, (study, model))
        future.set_result(model)
    finally:
        with _LOCK:
            _TRAINING.update(thread=None, future=None)


def _start_training(key: tuple[str, Optional[str]]) -> bool:
    """Start the training for ``key`` in the background; whether it started.

    It does not start while a training is running (single flight), nor when the key needs none (:func:`_may_train`: a
    model for it, too little to learn from, or a broken training backing off), checked under the same hold of the lock:
    a training that breaks or ends after the caller read the state is seen here. The study snapshot
    (:func:`~peerimpact.web.coding.snapshot.training_study`: only what the model learns from) is built here, on the
    calling thread (the training reads no database); a snapshot of the same state taken for another held-out set is
    reused. A snapshot that cannot be built is a broken training of ``key`` (logged, with its back-off), or, when it
    is a :class:`UserInputError`, remembered for ``key`` as too little to learn from is.
    """
    with _LOCK:
        if _TRAINING["future"] is not None or not _may_train(key):
            return False
        future: Future = Future()
        _TRAINING.update(future=future)  # reserved: no other request builds a snapshot meanwhile
        base = _MODELS.get((key[0], None))
    try:
        study = base[0] if base is not None else training_study()
    except BaseException as exc:
        _snapshot_failed(key, exc)
        with _LOCK:
            _TRAINING.update(thread=None, future=None)
        future.set_exception(exc)
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not the training's failure
            raise
        return False
    thread = threading.Thread(target=_run, args=(key, study, future), name="suggest-retrain", daemon=True)
    with _LOCK:
        _TRAINING["thread"] = thread
    thread.start()
    return True


def _snapshot_failed(key: tuple[str, Optional[str]], exc: BaseException) -> None:
    """The study snapshot for ``key`` could not be built: remembered as its training's failure (a user error as such)."""
    if isinstance(exc, UserInputError):
        with _LOCK:
            _remember(key, exc)
    elif isinstance(exc, Exception):
        _record_broken(key, exc)


def training() -> Optional[Future]:
    """The training in flight, if any: a future that is done when its model is installed (or it failed)."""
    with _LOCK:
        return _TRAINING["future"]


def retraining() -> Optional[threading.Thread]:
    """The background thread of the training in flight, if any."""
    with _LOCK:
        return _TRAINING["thread"]


def wait_for_training(timeout: float = 300.0) -> None:
    """Wait until no training runs (at most ``timeout`` seconds in all; :class:`TimeoutError` after that)."""
    deadline = time.monotonic() + timeout
    while (future := training()) is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the suggestion model is still training")
        try:
            future.result(timeout=left)
        except FutureTimeout:
            raise TimeoutError("the suggestion model is still training") from None
        except Exception:  # noqa: BLE001 - a failed training is logged by its thread; the caller reads the outcome
            pass
        thread = retraining()
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))


def model_for(held_out: Optional[str] = None, timeout: float = 300.0) -> tuple[Study, SuggestModel]:
    """The study snapshot and the model for the current state (trained without ``held_out`` when given), waiting for
    the training (started if need be) at most ``timeout`` seconds. For tools and tests: requests never wait.

    Raises
    ------
    UserInputError
        Too little to learn from.
    RuntimeError
        The training broke, and its back-off has not passed (the message names the training's error).
    TimeoutError
        The model is not ready in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        key = (state_key(), held_out)
        with _LOCK:
            failed, found = _FAILED.get(key), _MODELS.get(key)
        if isinstance(failed, UserInputError):
            raise failed
        if found is not None:
            return found
        retry_in = _retry_in(failed)
        if isinstance(failed, Broken) and retry_in is not None:
            raise RuntimeError(f"the suggestion model could not be trained ({failed.failures} time(s) in a row, the last: "
                               f"{failed.reason}); it will be tried again {_when(retry_in)}")
        _start_training(key)  # or not: one is running, or the state changed meanwhile; the next round reads it again
        wait_for_training(max(0.0, deadline - time.monotonic()))
        if time.monotonic() > deadline:
            raise TimeoutError("the suggestion model is still training")


def model_or_stale(held_out: Optional[str] = None) -> tuple[Optional[Study], Optional[SuggestModel], str, Optional[float]]:
    """Without waiting: ``(study, model, model_state, retry_in)``. ``(study, model, "fresh", None)`` for the current
    state; while the state has changed and an earlier model for ``held_out`` exists, that one with ``"stale"``; else
    ``(None, None, "training", None)``. Unless the current state's model exists, a training is started in the
    background (if none is running), except while a broken training of the current state backs off: then no training
    starts, the answer is the stale model or ``(None, None, "failed", retry_in)``, and ``retry_in`` is the seconds left.

    Raises
    ------
    UserInputError
        The current state has too little to learn from (remembered from its training).
    """
    key = (state_key(), held_out)
    for may_start in (True, False):  # read the state; if a training should start and did not, read it again
        with _LOCK:
            failed, found = _FAILED.get(key), _MODELS.get(key)
            stale = next((v for k, v in _MODELS.items() if k[1] == held_out and k[0] != key[0]), None)
        if isinstance(failed, UserInputError):
            raise failed
        if found is not None:
            return found[0], found[1], "fresh", None
        retry_in = _retry_in(failed)
        if retry_in is not None:
            if stale is not None:
                return stale[0], stale[1], "stale", retry_in
            return None, None, "failed", retry_in
        if not may_start or _start_training(key):
            break
        # not started: a training is running, or one ended (or its snapshot failed) since the state was read
    if stale is not None:
        return stale[0], stale[1], "stale", None
    return None, None, "training", None


_RANKED: dict[str, tuple[Study, SuggestModel, list[dict[str, Any]]]] = {}
RANKED_KEPT = 64


def _ranked(study: Study, model: SuggestModel, interview_id: str) -> list[dict[str, Any]]:
    """Every passage of the transcript ``model`` scores at or above the threshold, best first (what
    :func:`~peerimpact.qual.suggest.suggest` gives, coded passages included), as records. Kept per transcript for as
    long as the same snapshot and model answer (they never change: a new state brings new objects), so a repeated
    request does not score the transcript again (about 50 ms for 20,000 words); at most :data:`RANKED_KEPT`."""
    with _LOCK:
        kept = _RANKED.get(interview_id)
    if kept is not None and kept[0] is study and kept[1] is model:
        return kept[2]
    records = suggest(study, interviews=[interview_id], model=model, exclude_coded=False).suggestions.to_dict("records")
    with _LOCK:
        if len(_RANKED) >= RANKED_KEPT and interview_id not in _RANKED:
            del _RANKED[next(iter(_RANKED))]
        _RANKED[interview_id] = (study, model, records)
    return records


def _visible_spans(user, transcript: Transcript) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for code, s, e in codings_for(user).filter(transcript=transcript).values_list("code", "start", "end"):
        spans.setdefault(code, []).append((int(s), int(e)))
    return spans


def _empty(interview_id: str, note: str) -> dict[str, Any]:
    return {"interview_id": interview_id, "model_version": None, "threshold": THRESHOLD, "codes": [], "skipped_codes": {},
            "count": 0, "items": [], "note": note, "model_state": None}


def suggestions_for(user, interview_id: str) -> dict[str, Any]:
    """The suggestions ``user`` may see for one transcript (see the module docstring)."""
    require_role(user, ADMIN, CODER)
    transcript = transcripts_for(user).filter(interview_id=interview_id).first()
    if transcript is None:
        raise Http404
    blind = set(Transcript.objects.filter(pk__in=blind_transcript_ids()).values_list("interview_id", flat=True))
    try:
        study, model, model_state, retry_in = model_or_stale(interview_id if interview_id in blind else None)
    except StudyValidationError as exc:
        raise FieldErrors([(None, str(p)) for p in exc.problems]) from None
    except UserInputError as exc:  # nothing to learn from yet: no suggestions, and why
        return _empty(interview_id, str(exc))
    if study is None or model is None or interview_id not in study.transcripts:  # no model, or a transcript new since
        if retry_in is not None:
            return {**_empty(interview_id, BROKEN_NOTE.format(when=_when(retry_in))), "model_state": "failed",
                    "retry_in_seconds": _seconds(retry_in)}
        return {**_empty(interview_id, TRAINING_NOTE), "model_state": "training"}
    try:
        ranked = _ranked(study, model, interview_id)
    except StudyValidationError as exc:
        raise FieldErrors([(None, str(p)) for p in exc.problems]) from None
    except UserInputError as exc:
        raise FieldErrors([(None, str(exc))]) from None
    spans = _visible_spans(user, transcript)
    admin = role_of(user) == ADMIN
    items = []
    for rec in ranked:
        if any(s < rec["end"] and e > rec["start"] for s, e in spans.get(rec["code"], ())):
            continue
        examples = [ex for ex in rec["examples"] if admin or ex["interview_id"] not in blind]
        items.append({**rec, "examples": examples})
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return {
        "interview_id": interview_id, "model_version": model.version, "threshold": THRESHOLD, "codes": list(model.codes),
        "skipped_codes": dict(model.skipped), "count": len(items), "items": items, "model_state": model_state,
        "note": _note(model_state, retry_in), **({} if retry_in is None else {"retry_in_seconds": _seconds(retry_in)}),
    }


def _seconds(retry_in: float) -> int:
    """``retry_in`` (more than 0) as whole seconds, rounded up (never 0: not before the back-off has passed)."""
    return max(1, math.ceil(retry_in))


def _note(model_state: str, retry_in: Optional[float]) -> Optional[str]:
    """The note of an answer with a model: none for ``"fresh"``; for ``"stale"``, why, and when a broken update is tried
    again (``retry_in`` seconds, while it backs off)."""
    if model_state != "stale":
        return None
    return STALE_NOTE if retry_in is None else BROKEN_STALE_NOTE.format(when=_when(retry_in))


@router.get("/suggestions", response={200: SuggestionList, **ERRORS}, exclude_unset=True,  # retry_in_seconds only when set
            summary="Code suggestions for a transcript's passages, learned on this server from the study's human codings")
def get_suggestions(request, interview_id: str):
    return suggestions_for(request.auth, interview_id)

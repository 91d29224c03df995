"""A suggestion training that *breaks* (the training process dies, or the fit raises something other than too little to
learn from) is remembered per state and transcript set with a growing back-off: the requests within it start no
training and are answered at once ("failed", or the stale model), with a plain note; the first request after it
trains again; a success or a new state ends it. The training process is faked (``Trainer.fit`` raises while
``broken`` is set), the clock is moved by hand (``suggestions._now``): no sleeps."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Optional

import pytest

from suggest_wait import UNCODED, imported_suggest_study, trained

pytestmark = pytest.mark.django_db

URL = f"/suggestions?interview_id={UNCODED}"
CRASH = "the suggestion training process ended during a job (exit code -9; EOFError)"


@pytest.fixture
def study(db, demo_study):  # overrides conftest's: a study with enough codings to learn from
    yield from imported_suggest_study(demo_study)


@dataclass
class Fake:
    """The clock the back-off reads and the training process: ``calls`` (held-out set of each fit); a fit waits for
    ``gate`` when there is one; while ``broken``, it raises :class:`~peerimpact.web.coding.trainer.TrainerError` (as when
    the process is killed); else it trains."""

    now: float = 1000.0
    broken: bool = True
    calls: list = field(default_factory=list)
    gate: Optional[threading.Event] = None


@pytest.fixture
def fake(monkeypatch):
    from peerimpact.web.coding import suggestions
    from peerimpact.web.coding.trainer import Trainer, TrainerError

    fake = Fake()
    real_fit = Trainer.fit

    def fit(self, study, held_out):
        fake.calls.append(held_out)
        if fake.gate is not None:
            assert fake.gate.wait(60)
        if fake.broken:
            raise TrainerError(CRASH)
        return real_fit(self, study, held_out)

    monkeypatch.setattr(Trainer, "fit", fit)
    monkeypatch.setattr(suggestions, "_now", lambda: fake.now)
    return fake


def get(client, auth) -> dict:
    r = client.get("/api" + URL, HTTP_AUTHORIZATION=auth)
    assert r.status_code == 200, r.content
    return r.json()


def get_and_wait(client, auth) -> dict:
    """One request, then wait for the training it may have started to end (it is not asked again)."""
    from peerimpact.web.coding import suggestions

    body = get(client, auth)
    suggestions.wait_for_training(120)
    return body


def failed(note: str, retry_in_seconds: int) -> dict:
    return {"interview_id": UNCODED, "model_version": None, "threshold": 0.5, "codes": [], "skipped_codes": {}, "count": 0,
            "items": [], "note": note, "model_state": "failed", "retry_in_seconds": retry_in_seconds}


def code_a_passage(client, auth, item: dict) -> None:
    """A human coding of a suggested passage: a new state."""
    body = {"interview_id": UNCODED, "start": item["start"], "end": item["end"], "code": item["code"]}
    r = client.post("/api/codings", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content


# After each broken training in a row: the back-off (seconds) and how the note says it.
BACKOFF = [(30.0, "in less than a minute"), (120.0, "in about 2 minutes"), (600.0, "in about 10 minutes"),
           (600.0, "in about 10 minutes")]


def test_a_broken_training_is_not_started_again_within_its_back_off_which_grows(client, token, fake, caplog):
    from peerimpact.web.coding import suggestions

    caplog.set_level(logging.INFO, logger="peerimpact.web.coding.suggestions")
    auth = token("coder")
    assert get_and_wait(client, auth)["model_state"] == "training"  # the first training starts, and breaks
    for failures, (delay, when) in enumerate(BACKOFF, start=1):
        broke_at = fake.now
        assert fake.calls == [None] * failures
        answers = [get(client, auth) for _ in range(2)]  # answered at once, with no training
        fake.now = broke_at + delay - 1
        answers.append(get(client, auth))
        assert answers == [failed(f"the suggestion model could not be trained; it will be tried again {when}", int(delay))] * 2 + [
            failed("the suggestion model could not be trained; it will be tried again in less than a minute", 1)]
        assert suggestions.training() is None and fake.calls == [None] * failures
        fake.now = broke_at + delay  # the back-off has passed: the next request trains again (and it breaks again)
        assert get_and_wait(client, auth)["model_state"] == "training"
    assert fake.calls == [None] * (len(BACKOFF) + 1)
    # logged once per failure, with its traceback; never a request's answer
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in logged] == [
        f"suggestion model training failed ({n} time(s) in a row for this state); no new training for {d:.0f} s"
        for n, d in enumerate([30, 120, 600, 600, 600], start=1)]
    assert all(r.exc_info and CRASH in str(r.exc_info[1]) for r in logged)


def test_model_for_raises_within_the_back_off_instead_of_training_again(client, token, fake):
    from peerimpact.web.coding import suggestions

    get_and_wait(client, token("coder"))
    with pytest.raises(RuntimeError, match=r"^the suggestion model could not be trained \(1 time\(s\) in a row, the last: "
                                           r"TrainerError: the suggestion training process ended during a job .*\); "
                                           r"it will be tried again in less than a minute$"):
        suggestions.model_for(timeout=60)
    assert fake.calls == [None]


def test_a_success_after_the_back_off_ends_it(client, token, fake):
    from peerimpact.web.coding import suggestions

    auth = token("coder")
    get_and_wait(client, auth)
    assert get(client, auth)["model_state"] == "failed"
    fake.now += 30
    fake.broken = False
    assert get_and_wait(client, auth)["model_state"] == "training"
    body = get(client, auth)
    assert (body["model_state"], body["note"], body.get("retry_in_seconds", "absent")) == ("fresh", None, "absent") and body["count"] > 0
    assert suggestions._FAILED == {}  # nothing left to back off from
    assert fake.calls == [None, None]


def test_while_backing_off_the_stale_model_answers_and_a_new_state_trains_at_once(client, token, fake):
    from peerimpact.web.coding import suggestions

    auth = token("coder")
    fake.broken = False
    first = trained(client, URL, auth).json()
    assert first["model_state"] == "fresh" and first["count"] >= 2
    code_a_passage(client, auth, first["items"][0])  # a new state: its training breaks
    fake.broken = True
    assert (get_and_wait(client, auth)["model_state"]) == "stale"
    answers = [get(client, auth) for _ in range(2)]
    for body in answers:  # the previous model, and why; no training
        assert (body["model_state"], body["model_version"], body["retry_in_seconds"]) == ("stale", first["model_version"], 30)
        assert body["note"] == ("the model could not be updated with the latest codings: these suggestions come from the "
                                "previous model; the update will be tried again in less than a minute")
        assert body["count"] == first["count"] - 1 and {x["model_version"] for x in body["items"]} == {first["model_version"]}
    assert fake.calls == [None, None] and suggestions.training() is None
    code_a_passage(client, auth, first["items"][1])  # another new state: not held back by the last one's failure
    fake.broken = False
    stale = get_and_wait(client, auth)
    assert (stale["model_state"], stale["note"], stale.get("retry_in_seconds", "absent")) == ("stale", suggestions.STALE_NOTE, "absent")
    assert fake.calls == [None, None, None]
    after = get(client, auth)
    assert after["model_state"] == "fresh" and after["model_version"] != first["model_version"]


def end_the_training_before_the_next_start(monkeypatch, fake) -> None:
    """The interleaving of a request with the training in flight: the request has read the state (no failure, no model
    yet); then the training (held at ``fake.gate``) is let go and ends, its outcome recorded; then the request goes on
    to start a training (``suggestions._start_training``)."""
    from peerimpact.web.coding import suggestions

    real = suggestions._start_training

    def interleaved(key):
        thread = suggestions.retraining()
        assert thread is not None and fake.gate is not None
        fake.gate.set()
        thread.join(60)
        assert not thread.is_alive() and suggestions.training() is None
        return real(key)

    monkeypatch.setattr(suggestions, "_start_training", interleaved)


@pytest.mark.parametrize(("broken", "model_state"), [(True, "failed"), (False, "fresh")], ids=["it-breaks", "it-ends-with-a-model"])
def test_a_training_that_ends_while_a_request_reads_the_state_is_not_followed_by_another(client, token, fake, monkeypatch,
                                                                                        broken, model_state):
    """The back-off (or the new model) is checked again where the training is reserved, under the same lock: the request
    is answered by what the training left, and no second fit starts."""
    from peerimpact.web.coding import suggestions

    auth = token("coder")
    fake.gate, fake.broken = threading.Event(), broken
    assert get(client, auth)["model_state"] == "training"  # the first training, held
    end_the_training_before_the_next_start(monkeypatch, fake)
    body = get(client, auth)
    suggestions.wait_for_training(120)
    assert fake.calls == [None]
    assert (body["model_state"], body.get("retry_in_seconds", "absent")) == (model_state, 30 if broken else "absent")


def test_model_for_does_not_train_again_after_a_training_that_breaks_while_it_reads_the_state(client, token, fake, monkeypatch):
    from peerimpact.web.coding import suggestions

    fake.gate = threading.Event()
    assert get(client, token("coder"))["model_state"] == "training"
    end_the_training_before_the_next_start(monkeypatch, fake)
    with pytest.raises(RuntimeError, match=r"^the suggestion model could not be trained \(1 time\(s\) in a row, the last: TrainerError"):
        suggestions.model_for(timeout=60)
    assert fake.calls == [None]


NO_STUDY = "the database holds no study: run `peerimpact db import-study DIR` first"


def snapshot_error(kind: str) -> Exception:
    from peerimpact.errors import UserInputError

    return RuntimeError("the database connection was closed") if kind == "broken" else UserInputError(NO_STUDY)


# What the snapshot of the study (built on the request thread) raises, and how each request is answered.
SNAPSHOT = [
    ("broken", failed("the suggestion model could not be trained; it will be tried again in less than a minute", 30)),
    ("user-error", {k: v for k, v in {**failed(NO_STUDY, 0), "model_state": None}.items() if k != "retry_in_seconds"}),
]


@pytest.mark.parametrize(("kind", "answer"), SNAPSHOT, ids=[row[0] for row in SNAPSHOT])
def test_a_snapshot_that_cannot_be_built_is_remembered_as_the_trainings_failure(client, token, fake, monkeypatch, caplog,
                                                                                kind, answer):
    """A snapshot that raises is a broken training (its back-off, logged once with its traceback), or a user error
    remembered for the state: it is not built again for every request."""
    from peerimpact.web.coding import suggestions

    caplog.set_level(logging.INFO, logger="peerimpact.web.coding.suggestions")
    error, built = snapshot_error(kind), []

    def snapshot():
        built.append(kind)
        raise error

    monkeypatch.setattr(suggestions, "training_study", snapshot)
    auth = token("coder")
    answers = [get(client, auth) for _ in range(3)]
    assert built == [kind] and fake.calls == [] and suggestions.training() is None
    assert answers == [answer] * 3
    logged = [(r.getMessage(), r.exc_info[1] if r.exc_info else None) for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == ([("suggestion model training failed (1 time(s) in a row for this state); no new training for 30 s", error)]
                      if kind == "broken" else [])
    fake.now += 30  # after the back-off a broken snapshot is tried again, once; a user error stays until the state changes
    get(client, auth)
    assert built == [kind] * (2 if kind == "broken" else 1)

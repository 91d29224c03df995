"""A suggestion training that *breaks* (the training process dies, or the fit raises something other than too little to
learn from) is remembered per state and transcript set with a growing back-off: the requests within it start no
training and are answered at once ("failed", or the stale model), with a plain note; the first request after it
trains again; a success or a new state ends it. The training process is faked (``Trainer.fit`` raises while
``broken`` is set), the clock is moved by hand (``suggestions._now``): no sleeps."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import pytest

from suggest_wait import UNCODED, forget_models, suggest_study, trained

pytestmark = pytest.mark.django_db

URL = f"/suggestions?interview_id={UNCODED}"
CRASH = "the suggestion training process ended during a job (exit code -9; EOFError)"


@pytest.fixture
def study(db, demo_study):  # overrides conftest's: a study with enough codings to learn from
    from peerimpact.web.services.study_import import import_loaded_study

    forget_models()
    yield import_loaded_study(suggest_study(demo_study))
    forget_models()


@dataclass
class Fake:
    """The clock the back-off reads and the training process: ``calls`` (held-out set of each fit); while ``broken``, a
    fit raises :class:`~peerimpact.web.coding.trainer.TrainerError` (as when the process is killed); else it trains."""

    now: float = 1000.0
    broken: bool = True
    calls: list = field(default_factory=list)


@pytest.fixture
def fake(monkeypatch):
    from peerimpact.web.coding import suggestions
    from peerimpact.web.coding.trainer import Trainer, TrainerError

    fake = Fake()
    real_fit = Trainer.fit

    def fit(self, study, held_out):
        fake.calls.append(held_out)
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


def failed(note: str) -> dict:
    return {"interview_id": UNCODED, "model_version": None, "threshold": 0.5, "codes": [], "skipped_codes": {}, "count": 0,
            "items": [], "note": note, "model_state": "failed"}


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
        assert answers == [failed(f"the suggestion model could not be trained; it will be tried again {when}")] * 2 + [
            failed("the suggestion model could not be trained; it will be tried again in less than a minute")]
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
    assert (body["model_state"], body["note"]) == ("fresh", None) and body["count"] > 0
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
        assert (body["model_state"], body["model_version"]) == ("stale", first["model_version"])
        assert body["note"] == ("the model could not be updated with the latest codings: these suggestions come from the "
                                "previous model; the update will be tried again in less than a minute")
        assert body["count"] == first["count"] - 1 and {x["model_version"] for x in body["items"]} == {first["model_version"]}
    assert fake.calls == [None, None] and suggestions.training() is None
    code_a_passage(client, auth, first["items"][1])  # another new state: not held back by the last one's failure
    fake.broken = False
    stale = get_and_wait(client, auth)
    assert (stale["model_state"], stale["note"]) == ("stale", suggestions.STALE_NOTE)
    assert fake.calls == [None, None, None]
    after = get(client, auth)
    assert after["model_state"] == "fresh" and after["model_version"] != first["model_version"]

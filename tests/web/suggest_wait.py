"""What the suggestion tests share: an answer of ``GET /api/suggestions`` once the model has been trained.

The first request for a state starts the training in the background and is answered ``"model_state": "training"``;
this waits for that training (:func:`peerimpact.web.coding.suggestions.wait_for_training`, a timeout, no sleeps) and
asks again.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qual"))
from suggest_helpers import demo_slice  # noqa: E402

UNCODED = "S1-PW01-T2"  # its codings are removed: the transcript the coder is about to code
TRIES = 4  # a training for another held-out set may have been in flight: each try starts at most one more


def suggest_study(demo_study):
    """12 demo transcripts with their codings, except UNCODED; no memos (they name removed segments)."""
    small = demo_slice(demo_study, 12)
    return dataclasses.replace(small, codings=small.codings[small.codings["interview_id"] != UNCODED].reset_index(drop=True))


def imported_suggest_study(demo_study):
    """For a ``study`` fixture: :func:`suggest_study` in the test database, from no model and back to none."""
    from peerimpact.web.services.study_import import import_loaded_study

    forget_models()
    yield import_loaded_study(suggest_study(demo_study))
    forget_models()


def trained(client, url: str, auth: str, timeout: float = 120.0):
    """The response to ``GET /api{url}`` once it is not ``"training"`` (``AssertionError`` if it stays so)."""
    from peerimpact.web.coding import suggestions

    for _ in range(TRIES):
        r = client.get("/api" + url, HTTP_AUTHORIZATION=auth)
        if r.status_code != 200 or r.json()["model_state"] != "training":
            return r
        suggestions.wait_for_training(timeout)
    raise AssertionError(f"{url}: still training after {TRIES} requests")


def hold_training(monkeypatch):
    """Hold every training until the test lets it go: ``(release, started, calls)``.

    ``calls`` records ``(thread name, held_out)`` of each training; ``started`` is set when one
    begins; it waits (at most 60 s) for ``release`` before training for real.
    """
    import threading

    from peerimpact.web.coding import suggestions

    release, started, calls = threading.Event(), threading.Event(), []
    real_train = suggestions._train

    def held_train(study, held_out):
        calls.append((threading.current_thread().name, held_out))
        started.set()
        assert release.wait(60)
        return real_train(study, held_out)

    monkeypatch.setattr(suggestions, "_train", held_train)
    return release, started, calls


def forget_models() -> None:
    """Drop this process's models (none training): each test starts from no model."""
    from peerimpact.web.coding import suggestions

    suggestions.wait_for_training(120)
    suggestions._MODELS.clear()
    suggestions._FAILED.clear()
    suggestions._RANKED.clear()

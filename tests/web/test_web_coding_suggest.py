"""``GET /api/suggestions``: code suggestions in the coding API (issue 17), on a slice of the synthetic demo study."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.django_db

from suggest_wait import UNCODED, hold_training, imported_suggest_study, suggest_study, trained  # noqa: E402


@pytest.fixture
def study(db, demo_study):  # overrides conftest's: a study with enough codings to learn from
    yield from imported_suggest_study(demo_study)


def api(client, method, url, auth, body=None):
    kwargs = {"HTTP_AUTHORIZATION": auth}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)("/api" + url, **kwargs)


def test_suggestions_equal_the_library_on_the_same_study(client, token, demo_study):
    from peerimpact.qual.suggest import suggest

    r = trained(client, f"/suggestions?interview_id={UNCODED}", token("coder"))
    assert r.status_code == 200, r.json()
    body = r.json()
    expected = suggest(suggest_study(demo_study), interviews=[UNCODED])
    assert body["model_version"] == expected.model.version
    assert [(s["code"], s["start"], s["end"]) for s in body["items"]] == list(
        zip(expected.suggestions["code"], expected.suggestions["start"], expected.suggestions["end"]))
    assert body["count"] == len(body["items"]) > 0
    first = body["items"][0]
    assert first["rank"] == 1 and first["score"] >= 0.5 and first["examples"]
    assert first["model_version"] == body["model_version"]


def test_accepted_suggestion_is_a_suggested_coding_in_the_export(client, token, tmp_path):
    from peerimpact import load_study
    from peerimpact.web.services.study_export import export_study

    auth = token("coder")
    body = trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()
    s = body["items"][0]
    r = api(client, "post", "/codings", auth, {"interview_id": UNCODED, "start": s["start"], "end": s["end"], "code": s["code"],
                                               "origin": "suggested", "model_version": s["model_version"]})
    assert r.status_code == 201, r.json()
    again = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()
    # The accepted passage is no longer suggested for that code; the model did not change (it learns from human codings only).
    assert (s["code"], s["start"], s["end"]) not in [(x["code"], x["start"], x["end"]) for x in again["items"]]
    assert again["model_version"] == body["model_version"]
    assert again["count"] == body["count"] - 1
    out = export_study(tmp_path / "out")
    rows = pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)
    mine = rows[rows["interview_id"] == UNCODED]
    assert mine[["start", "end", "code", "coder", "origin", "model_version"]].values.tolist() == [
        [str(s["start"]), str(s["end"]), s["code"], "coder", "suggested", s["model_version"]]]
    loaded = load_study(out)
    from peerimpact.qual import qual_data

    assert (qual_data(loaded).codings["origin"] == "suggested").sum() == 1


def test_blind_transcript_model_is_trained_without_it(client, token, demo_study):
    from peerimpact.qual.suggest import train
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user

    make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False)
    coded = "S1-PW01-T1"
    r = api(client, "put", f"/transcripts/{coded}/assignments", token("admin"), {"coders": ["coder", "coder2"]})
    assert r.status_code == 200, r.json()
    body = trained(client, f"/suggestions?interview_id={coded}", token("coder")).json()
    study = suggest_study(demo_study)
    assert body["model_version"] == train(study, exclude=[coded]).version != train(study).version
    # coder_a's codings of this blind transcript are invisible to 'coder', so they hide no suggestion either.
    assert body["count"] > 0


@pytest.mark.parametrize(
    "role, url, status, message",
    [
        ("worker01", f"/suggestions?interview_id={UNCODED}", 403, None),
        ("coder", "/suggestions?interview_id=S9-PW99-T1", 404, "not found"),
        (None, f"/suggestions?interview_id={UNCODED}", 401, "missing, invalid or expired token: POST /api/token first"),
    ],
    ids=["worker", "unknown-interview", "no-token"],
)
def test_errors_have_the_api_shape(client, token, role, url, status, message):
    r = api(client, "get", url, token(role) if role else "Bearer nope")
    assert r.status_code == status
    body = r.json()
    assert body["status"] == status and len(body["errors"]) == 1
    if message:
        assert body["errors"][0]["message"] == message


def test_nothing_to_learn_from_is_an_empty_answer(client, token):
    from peerimpact.web.records.models import Coding

    for c in Coding.objects.all():
        c.soft_delete()
    r = trained(client, f"/suggestions?interview_id={UNCODED}", token("coder"))
    assert r.status_code == 200
    assert r.json() == {
        "interview_id": UNCODED, "model_version": None, "threshold": 0.5, "codes": [], "skipped_codes": {}, "count": 0, "items": [],
        "note": "no human codings to learn from: code some passages first (qual/codings.csv)", "model_state": None,
    }


def test_a_new_coding_retrains_in_the_background_while_the_stale_model_answers(client, token, demo_study, monkeypatch):
    """Issue 15: after a new human coding the request answers at once from the previous model (marked stale) while one
    retrain runs in a background thread; the request after it finishes uses the new model."""

    from peerimpact.qual.suggest import train
    from peerimpact.web.coding import suggestions
    from peerimpact.web.services.study_export import build_study

    auth = token("coder")
    first = trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()
    assert (first["model_state"], first["note"]) == ("fresh", None)
    old_version = first["model_version"]
    s = first["items"][0]
    r = api(client, "post", "/codings", auth, {"interview_id": UNCODED, "start": s["start"], "end": s["end"], "code": s["code"]})
    assert r.status_code == 201, r.json()  # a human coding: the state changes

    release, started, calls = hold_training(monkeypatch)
    answers = [api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json() for _ in range(2)]
    assert started.wait(60)
    try:
        for body in answers:  # answered while the training is held: the previous model's suggestions
            assert (body["model_state"], body["model_version"]) == ("stale", old_version)
            assert body["note"] == suggestions.STALE_NOTE
            assert {x["model_version"] for x in body["items"]} == {old_version}
            # the newly coded passage is hidden at once, from the live codings
            assert (s["code"], s["start"], s["end"]) not in [(x["code"], x["start"], x["end"]) for x in body["items"]]
        assert [b["count"] for b in answers] == [first["count"] - 1] * 2
        assert calls == [("suggest-retrain", None)]  # one training, in the background thread
    finally:
        release.set()
        thread = suggestions.retraining()
        if thread is not None:
            thread.join(120)
    assert suggestions.retraining() is None
    after = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()
    expected = train(build_study()).version
    assert (after["model_state"], after["model_version"], after["note"]) == ("fresh", expected, None)
    assert expected != old_version
    assert after["count"] > 0 and {x["model_version"] for x in after["items"]} == {expected}
    assert len(calls) == 1  # the new model was not trained again on the request thread


def test_a_blind_transcript_is_answered_from_its_own_held_out_model_while_it_retrains(client, token, demo_study, monkeypatch):
    """The stale answer for a blind transcript comes from the earlier model trained *without* it, and its retrain holds
    it out too."""

    from peerimpact.qual.suggest import train
    from peerimpact.web.coding import suggestions
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user
    from peerimpact.web.services.study_export import build_study

    make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False)
    coded = "S1-PW01-T1"
    r = api(client, "put", f"/transcripts/{coded}/assignments", token("admin"), {"coders": ["coder", "coder2"]})
    assert r.status_code == 200, r.json()
    auth = token("coder")
    assert trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()["model_state"] == "fresh"  # the full model
    held_out_version = train(suggest_study(demo_study), exclude=[coded]).version
    assert trained(client, f"/suggestions?interview_id={coded}", auth).json()["model_version"] == held_out_version
    s = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()["items"][0]
    r = api(client, "post", "/codings", auth, {"interview_id": UNCODED, "start": s["start"], "end": s["end"], "code": s["code"]})
    assert r.status_code == 201, r.json()

    release, started, calls = hold_training(monkeypatch)
    try:
        body = api(client, "get", f"/suggestions?interview_id={coded}", auth).json()
        assert (body["model_state"], body["model_version"]) == ("stale", held_out_version)
        assert started.wait(60)
        assert calls == [("suggest-retrain", coded)]
    finally:
        release.set()
        thread = suggestions.retraining()
        if thread is not None:
            thread.join(120)
    after = api(client, "get", f"/suggestions?interview_id={coded}", auth).json()
    assert (after["model_state"], after["model_version"]) == ("fresh", train(build_study(), exclude=[coded]).version)
    assert after["model_version"] != held_out_version


def test_a_retrain_with_nothing_to_learn_from_is_the_note_once_it_has_run(client, token):
    from peerimpact.web.coding import suggestions
    from peerimpact.web.records.models import Coding

    auth = token("coder")
    first = trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()
    assert first["model_state"] == "fresh" and first["count"] > 0
    for c in Coding.objects.all():
        c.soft_delete()
    stale = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()
    assert (stale["model_state"], stale["model_version"]) == ("stale", first["model_version"])
    thread = suggestions.retraining()
    if thread is not None:
        thread.join(120)
    for _ in range(2):  # remembered: the note, and no further retrain
        body = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()
        assert suggestions.retraining() is None
        assert (body["model_state"], body["model_version"], body["count"]) == (None, None, 0)
        assert body["note"] == "no human codings to learn from: code some passages first (qual/codings.csv)"


def test_the_training_snapshot_is_the_databases_qualitative_study_exactly(client, token):
    """``training_study()`` (read on the request thread that starts a training) has the same definition, transcripts,
    codings (columns, cells, types; a browser coding's extra columns included), codebook and memos as ``build_study()``,
    and so the same model and suggestions."""
    import pandas as pd

    from peerimpact.qual.suggest import suggest, train
    from peerimpact.web.coding.snapshot import training_study
    from peerimpact.web.services.study_export import build_study

    r = api(client, "post", "/codings", token("coder"), {"interview_id": UNCODED, "start": 10, "end": 60, "code": "autonomy"})
    assert r.status_code == 201, r.json()
    light, full = training_study(), build_study()
    pd.testing.assert_frame_equal(light.codings, full.codings)
    assert "origin" in light.codings.columns and len(light.codings) == len(full.codings) > 0
    assert (light.definition, light.transcripts, light.codebook, light.memos) == (full.definition, full.transcripts, full.codebook,
                                                                                  full.memos)
    model = train(light)
    assert model.version == train(full).version
    pd.testing.assert_frame_equal(suggest(light, interviews=[UNCODED], model=model).suggestions,
                                  suggest(full, interviews=[UNCODED], model=model).suggestions)


def test_a_repeated_request_does_not_score_the_transcript_again(client, token, monkeypatch):
    """The ranked passages are kept per transcript while the same model answers; a new model scores again. The
    answers are the same either way (the caller's own codings still hide suggestions at once)."""
    from peerimpact.web.coding import suggestions

    calls = []
    real = suggestions.suggest

    def counted(*args, **kwargs):
        calls.append(kwargs["interviews"])
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "suggest", counted)
    auth = token("coder")
    first = trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()
    again = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()
    assert again == first and calls == [[UNCODED]]
    s = first["items"][0]
    r = api(client, "post", "/codings", auth, {"interview_id": UNCODED, "start": s["start"], "end": s["end"], "code": s["code"],
                                               "origin": "suggested", "model_version": s["model_version"]})
    assert r.status_code == 201, r.json()
    after = api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()  # same model: not scored again
    assert after["items"] == [{**x, "rank": i} for i, x in enumerate(first["items"][1:], start=1)] and calls == [[UNCODED]]
    t = first["items"][1]
    r = api(client, "post", "/codings", auth, {"interview_id": UNCODED, "start": t["start"], "end": t["end"], "code": t["code"]})
    assert r.status_code == 201, r.json()  # a human coding: a new model, scored again
    assert api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()["model_state"] == "stale"  # kept: not scored
    suggestions.wait_for_training(120)
    assert api(client, "get", f"/suggestions?interview_id={UNCODED}", auth).json()["model_state"] == "fresh"
    assert calls == [[UNCODED], [UNCODED]]

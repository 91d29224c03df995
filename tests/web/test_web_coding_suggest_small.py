"""``GET /api/suggestions`` on a study with too little coded text to learn from (the workbench tests' tiny synthetic
coding study): an answer with no suggestions and a note saying why, never a server error (it was a 500: scikit-learn's
"After pruning, no terms remain")."""

from __future__ import annotations

import json
import logging

import pytest

from suggest_wait import forget_models, trained
from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding-suggest-small") / "study")


@pytest.fixture
def study(db, coding_study_dir):  # overrides conftest's: the coding study, two human codings
    from peerimpact.web.services.study_import import import_study

    forget_models()
    yield import_study(coding_study_dir)
    forget_models()


def get(client, auth, iid=EMOJI_ID):
    """The answer once the model for the current state is trained (the first request only starts the training)."""
    return trained(client, f"/suggestions?interview_id={iid}", auth)


def test_too_little_text_is_an_empty_answer_with_the_reason_then_a_model_once_coded(client, token, caplog):
    caplog.set_level(logging.INFO, logger="peerimpact.web.coding.suggestions")
    auth = token("coder")
    r = get(client, auth)  # two human codings of a few words: scikit-learn keeps no term seen in two passages
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["model_version"], body["count"], body["items"], body["codes"]) == (None, 0, [], [])
    assert body["note"] == "too little coded text to learn from yet: code more passages first"
    assert [r.getMessage() for r in caplog.records] == [  # scikit-learn's words, in the server log
        "suggestion model not fitted (too little coded text): After pruning, no terms remain. Try a lower min_df or a higher max_df."]
    needle = "Quieter \U0001F600, cafe\u0301 \U0001D11E"  # what the workbench browser test codes first
    start = EMOJI_TEXT.index(needle)
    r = client.post("/api/codings", json.dumps({"interview_id": EMOJI_ID, "start": start, "end": start + len(needle), "code": "hope"}),
                    content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content
    body = get(client, auth).json()  # a third segment: enough words in common to fit (no code has 5 segments: none modelled)
    assert body["model_version"].startswith("tfidf-logreg-") and body["note"] is None
    assert body["skipped_codes"] == {c: "1 training segment(s); a model needs at least 5" for c in ("feeling_busy", "hope", "quiet")}


def test_a_changed_speaker_turn_setting_retrains(client, token):
    """The stored study definition (its ``speakers`` / ``turn_pattern``) is part of the model's state: changing it retrains."""
    from peerimpact.web.coding.suggestions import model_for, state_key
    from peerimpact.web.records.models import StudyConfig

    auth = token("coder")
    needle = "Quieter \U0001F600, cafe\u0301 \U0001D11E"  # a third segment: enough words in common to fit
    start = EMOJI_TEXT.index(needle)
    r = client.post("/api/codings", json.dumps({"interview_id": EMOJI_ID, "start": start, "end": start + len(needle), "code": "hope"}),
                    content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content
    before_key, (_, before) = state_key(), model_for()
    config = StudyConfig.objects.get()
    config.definition = {**config.definition, "speakers": ["Interviewer", "Participant"]}
    config.save()
    after_key, (study, after) = state_key(), model_for()
    assert after_key != before_key
    assert study.definition.speakers == ["Interviewer", "Participant"]
    assert (before.pattern, after.pattern) == (r"^(?P<speaker>Interviewer|PW)[ \t]*:[ \t]*", r"^(?P<speaker>Interviewer|Participant)[ \t]*:[ \t]*")
    assert after.version != before.version

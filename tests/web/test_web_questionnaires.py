"""Questionnaires from instrument definitions: consent first, windows, item validation, save and resume, no duplicates."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytestmark = pytest.mark.django_db

ALL_FOURS = {str(i): 4 for i in range(1, 15)}


def post(client, body, auth):
    return client.post("/api/questionnaires", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)


@pytest.fixture
def fresh_worker(users):
    """Participant 04 at site 1: consented, started today, so T1 is open and T2 (month 4) not yet."""
    from django.utils import timezone

    from peerimpact.web.records.models import Consent, Employment, Participant, Role, Site
    from peerimpact.web.services.accounts import make_user

    today = timezone.localdate()
    p = Participant.objects.create(participant_id="04", site=Site.objects.get(site_id="1"))
    Consent.objects.create(participant=p, consent_date=today, form_version="v2")
    Employment.objects.create(participant=p, contract="contracted", hours_per_week=20, start_date=today)
    make_user("worker04", "a-long-test-password-1", Role.WORKER, participant=p, validate_password=False)
    return p


def test_submission_is_scored_by_the_scoring_engine(client, token, fresh_worker):
    from peerimpact.web.api.tokens import issue_token
    from peerimpact.web.records.models import QuestionnaireResponse

    auth = "Bearer " + issue_token(fresh_worker.account.user)[0]
    r = post(client, {"participant_id": "04", "timepoint": "T1", "instrument": "wemwbs", "responses": ALL_FOURS}, auth)
    assert r.status_code == 201, r.content
    body = r.json()
    # WEMWBS total is the sum of its 14 items (docs/facts.md): 14 x 4 = 56.
    assert body["scores"] == [{"outcome": "wemwbs.total", "score": 56.0, "status": "complete", "items_answered": 14, "items_missing": 0}]
    assert body["in_window"] is True and body["warnings"] == []
    row = QuestionnaireResponse.objects.get(participant=fresh_worker, timepoint="T1")
    assert row.status == "submitted" and row.values == {f"wemwbs_{i}": 4 for i in range(1, 15)}


def test_save_resume_then_submit_once(client, fresh_worker):
    from peerimpact.web.api.tokens import issue_token

    auth = "Bearer " + issue_token(fresh_worker.account.user)[0]
    base = {"participant_id": "04", "timepoint": "T1", "instrument": "wemwbs"}
    draft = post(client, {**base, "responses": {"1": 2, "2": 3}, "submit": False}, auth)
    assert draft.status_code == 200 and draft.json()["status"] == "draft" and draft.json()["scores"] == []
    done = post(client, {**base, "responses": ALL_FOURS}, auth)
    assert done.status_code == 201
    again = post(client, {**base, "responses": ALL_FOURS}, auth)
    assert again.status_code == 409
    assert again.json() == {"status": 409, "errors": [{"field": "instrument", "message": "wemwbs for T1 was already submitted for this participant"}]}


def test_every_bad_item_is_reported(client, fresh_worker):
    from peerimpact.web.api.tokens import issue_token
    from peerimpact.web.records.models import QuestionnaireResponse

    auth = "Bearer " + issue_token(fresh_worker.account.user)[0]
    responses = {**ALL_FOURS, "1": 9, "2": 2.5, "3": 0, "15": 3}
    r = post(client, {"participant_id": "04", "timepoint": "T1", "instrument": "wemwbs", "responses": responses}, auth)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "responses.15", "message": "not an item or pre-scored subscale of wemwbs"},
        {"field": "responses.1", "message": "value 9 is outside the range 1–5 of wemwbs"},
        {"field": "responses.2", "message": "value 2.5 is not a whole number (wemwbs responses are whole numbers 1–5)"},
        {"field": "responses.3", "message": "value 0 is outside the range 1–5 of wemwbs"},
    ]
    assert not QuestionnaireResponse.objects.filter(participant=fresh_worker).exists()


def test_window_not_open_yet(client, fresh_worker):
    from peerimpact.web.api.tokens import issue_token

    auth = "Bearer " + issue_token(fresh_worker.account.user)[0]
    r = post(client, {"participant_id": "04", "timepoint": "T2", "instrument": "wemwbs", "responses": ALL_FOURS}, auth)
    due = dt.date.today() + dt.timedelta(days=round(4 * 365.25 / 12))
    opens = due - dt.timedelta(weeks=4)
    assert r.json()["errors"] == [{"field": "timepoint", "message": f"the T2 questionnaire opens on {opens.isoformat()} (due {due.isoformat()})"}]


def test_late_submission_is_flagged(client, token):
    r = post(client, {"participant_id": "02", "timepoint": "T2", "instrument": "wemwbs", "responses": ALL_FOURS}, token("worker02"))
    assert r.status_code == 201
    assert r.json()["in_window"] is False
    assert r.json()["warnings"][0].startswith("late: the T2 window closed on ")


def test_consent_first(client, users, token):
    from peerimpact.web.records.models import Consent

    Consent.objects.get(participant__participant_id="02").soft_delete(users["admin"])
    r = post(client, {"participant_id": "02", "timepoint": "T2", "instrument": "wemwbs", "responses": ALL_FOURS}, token("worker02"))
    assert r.json() == {"status": 422, "errors": [
        {"field": "participant_id", "message": "has no recorded consent: record consent before any questionnaire data"}]}


@pytest.mark.parametrize("role,body,expected", [
    ("worker01", {"participant_id": "02"}, (422, "participant_id", "you can enter only your own questionnaires")),
    ("worker01", {"participant_id": "03"}, (422, "participant_id", "you can enter only your own questionnaires")),
    ("admin", {"participant_id": "99"}, (422, "participant_id", "unknown participant '99'")),
    ("worker01", {"timepoint": "T9"}, (422, "timepoint", "unknown timepoint 'T9'; the study's are T1, T2")),
    ("worker01", {"instrument": "phq9"}, (422, "instrument", "'phq9' is not a questionnaire of this study (wemwbs)")),
    ("coord1", {}, (403, None, "only peer workers (their own) and research admins enter questionnaires")),
    ("coder", {}, (403, None, "only peer workers (their own) and research admins enter questionnaires")),
], ids=["other-worker", "other-site", "unknown-participant", "unknown-timepoint", "unknown-instrument", "coordinator", "coder"])
def test_refused_submissions(client, token, role, body, expected):
    from peerimpact.web.records.models import QuestionnaireResponse

    before = QuestionnaireResponse.all_objects.count()
    payload = {"participant_id": "01", "timepoint": "T2", "instrument": "wemwbs", "responses": ALL_FOURS, **body}
    r = post(client, payload, token(role))
    status, field, message = expected
    assert r.status_code == status
    assert r.json()["errors"] == [{"field": field, "message": message}]
    assert QuestionnaireResponse.all_objects.count() == before


def test_imported_responses_are_already_submitted(client, token):
    r = post(client, {"participant_id": "01", "timepoint": "T1", "instrument": "wemwbs", "responses": ALL_FOURS}, token("worker01"))
    assert r.status_code == 409


def test_form_generated_from_the_instrument_definition(study):
    from peerimpact.instruments import load_instruments
    from peerimpact.web.services.questionnaires import study_forms

    form = study_forms()["wemwbs"]
    wemwbs = load_instruments()["wemwbs"]
    assert [f.column for f in form.fields] == wemwbs.item_columns()
    assert form.anchors == [(v, wemwbs.anchors.get(v, "")) for v in range(wemwbs.response_min, wemwbs.response_max + 1)]
    assert all(f.text is None for f in form.fields)  # no item wording shipped for WEMWBS


@pytest.mark.parametrize("anchor,month,weeks,today,state", [
    (dt.date(2020, 1, 1), 0, 4, dt.date(2020, 1, 1), "open"),
    (dt.date(2020, 1, 1), 4, 4, dt.date(2020, 4, 3), "not_open"),
    (dt.date(2020, 1, 1), 4, 4, dt.date(2020, 4, 4), "open"),
    (dt.date(2020, 1, 1), 4, 4, dt.date(2020, 5, 30), "open"),
    (dt.date(2020, 1, 1), 4, 4, dt.date(2020, 5, 31), "late"),
], ids=["baseline-day", "day-before-opening", "opening-day", "closing-day", "day-after-closing"])
def test_window_states(anchor, month, weeks, today, state):
    """Due 2020-05-02 (4 x 30.4375 = 121.75 -> 122 days after 2020-01-01, a leap year); open 2020-04-04 to 2020-05-30."""
    from peerimpact.web.services.windows import due_window

    assert due_window(anchor, month, weeks).state(today) == state

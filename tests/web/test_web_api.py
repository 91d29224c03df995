"""The JSON API: token, contacts CRUD, questionnaires, OpenAPI, and one error shape for bad input."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

GOOD = {"person_id": "P001", "date": "2020-03-01", "mode": "telephone", "duration_minutes": 20,
        "status": "completed", "phase": "post_discharge"}


def post(client, url, body, auth=None):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **headers)


def test_token_for_right_password(client, users):
    r = post(client, "/api/token", {"username": "worker01", "password": "a-long-test-password-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "worker" and len(body["token"]) >= 40
    me = client.get("/api/me", HTTP_AUTHORIZATION="Bearer " + body["token"])
    assert me.json() == {"username": "worker01", "role": "worker"}


@pytest.mark.parametrize("username,password", [("worker01", "wrong-password"), ("nobody", "x"), ("norole", "a-long-test-password-1")],
                         ids=["wrong-password", "unknown-user", "user-without-role"])
def test_token_refused(client, users, username, password):
    r = post(client, "/api/token", {"username": username, "password": password})
    assert r.status_code == 401
    assert r.json() == {"status": 401, "errors": [{"field": None, "message": "wrong username or password"}]}


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic d29ya2VyMDE6eA==", "Bearer " + "x" * 500],
                         ids=["none", "unknown-token", "basic-auth", "huge-token"])
def test_requests_without_a_valid_token_are_401(client, users, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    r = client.get("/api/contacts", **kwargs)
    assert r.status_code == 401
    assert r.json() == {"status": 401, "errors": [{"field": None, "message": "missing, invalid or expired token: POST /api/token first"}]}


def test_expired_token_is_refused(client, users, token):
    from datetime import timedelta

    from django.utils import timezone

    from peerimpact.web.records.models import ApiToken

    auth = token("worker01")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/contacts", HTTP_AUTHORIZATION=auth).status_code == 401


def test_worker_creates_reads_updates_deletes_own_contact(client, token):
    from peerimpact.web.records.models import Contact

    auth = token("worker01")
    r = post(client, "/api/contacts", {**GOOD, "contact_id": "W1"}, auth)
    assert r.status_code == 201, r.content
    assert r.json() == {**GOOD, "contact_id": "W1", "worker_id": "01", "duration_minutes": 20.0, "warnings": []}
    assert client.get("/api/contacts/W1", HTTP_AUTHORIZATION=auth).json()["person_id"] == "P001"
    r = client.patch("/api/contacts/W1", json.dumps({"duration_minutes": 150}), content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 200
    assert r.json()["warnings"] == ["duration_minutes: 150 minutes is more than 120 minutes (2 hours): please check it"]
    assert client.delete("/api/contacts/W1", HTTP_AUTHORIZATION=auth).status_code == 204
    assert client.get("/api/contacts/W1", HTTP_AUTHORIZATION=auth).status_code == 404
    row = Contact.all_objects.get(contact_id="W1")
    assert row.deleted_at is not None and row.duration_minutes == 150
    assert [h.history_type for h in Contact.history.filter(contact_id="W1").order_by("history_date")] == ["+", "~", "~"]
    assert {h.history_user.username for h in Contact.history.filter(contact_id="W1")} == {"worker01"}


def test_contact_id_is_generated_and_never_reused(client, token):
    auth = token("worker01")
    first = post(client, "/api/contacts", GOOD, auth).json()["contact_id"]
    assert first.startswith("C") and len(first) == 21
    again = post(client, "/api/contacts", {**GOOD, "contact_id": "C1"}, auth)
    assert again.status_code == 409
    assert again.json() == {"status": 409, "errors": [{"field": "contact_id", "message": "'C1' is already used by another contact"}]}


def test_long_contact_is_stored_with_a_warning(client, token):
    r = post(client, "/api/contacts", {**GOOD, "duration_minutes": 121}, token("worker01"))
    assert r.status_code == 201
    assert r.json()["warnings"] == ["duration_minutes: 121 minutes is more than 120 minutes (2 hours): please check it"]


def test_list_is_scoped_to_the_worker(client, token):
    body = client.get("/api/contacts", HTTP_AUTHORIZATION=token("worker01")).json()
    assert body["count"] == 2 and {c["contact_id"] for c in body["items"]} == {"C1", "C2"}
    site = client.get("/api/contacts", HTTP_AUTHORIZATION=token("coord2")).json()
    assert {c["contact_id"] for c in site["items"]} == {"C4"}


def test_admin_must_name_the_worker(client, token):
    r = post(client, "/api/contacts", GOOD, token("admin"))
    assert r.json() == {"status": 422, "errors": [{"field": "worker_id", "message": "is required"}]}
    ok = post(client, "/api/contacts", {**GOOD, "worker_id": "01"}, token("admin"))
    assert ok.status_code == 201 and ok.json()["worker_id"] == "01"


FUTURE = "2099-01-01"
BAD_INPUTS = [
    ("string-duration", {**GOOD, "duration_minutes": "60"}, [("duration_minutes", "Input should be a valid number")]),
    ("nan-duration", {**GOOD, "duration_minutes": float("nan")}, [("duration_minutes", "Input should be a finite number")]),
    ("bool-duration", {**GOOD, "duration_minutes": True}, [("duration_minutes", "Input should be a valid number")]),
    ("negative-duration", {**GOOD, "duration_minutes": -5}, [("duration_minutes", "Input should be greater than or equal to 0")]),
    ("day-long-duration", {**GOOD, "duration_minutes": 1441}, [("duration_minutes", "Input should be less than or equal to 1440")]),
    ("number-person", {**GOOD, "person_id": 1}, [("person_id", "Input should be a valid string")]),
    ("huge-person", {**GOOD, "person_id": "P" * 100_000}, [("person_id", "String should have at most 64 characters")]),
    ("sql-person", {**GOOD, "person_id": "P001'; DROP TABLE records_contact; --"},
     [("person_id", "String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'")]),
    ("script-contact-id", {**GOOD, "contact_id": "<script>alert(1)</script>"},
     [("contact_id", "String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'")]),
    ("far-future-date", {**GOOD, "date": FUTURE}, [("date", f"{FUTURE} is in the future")]),
    ("impossible-date", {**GOOD, "date": "2020-02-30"}, [("date", "'2020-02-30' is not a valid date (expected YYYY-MM-DD)")]),
    ("ancient-date", {**GOOD, "date": "1999-12-31"}, [("date", "1999-12-31 is before 2000-01-01")]),
    ("date-format", {**GOOD, "date": "01/03/2020"}, [("date", "String should match pattern '^\\d{4}-\\d{2}-\\d{2}$'")]),
    ("bad-mode", {**GOOD, "mode": "email"}, [("mode", "Input should be 'face_to_face', 'telephone' or 'other'")]),
    ("unknown-field", {**GOOD, "deleted_at": None}, [("deleted_at", "unknown field")]),
    ("missing-fields", {"person_id": "P001"}, [("date", "is required"), ("mode", "is required"), ("status", "is required"),
                                               ("phase", "is required")]),
    ("other-workers-id", {**GOOD, "worker_id": "02"}, [("worker_id", "you can record only your own contacts")]),
    ("other-workers-person", {**GOOD, "person_id": "P002"}, [("person_id", "'P002' is not a person allocated to this worker")]),
    ("other-sites-person", {**GOOD, "person_id": "P003"}, [("person_id", "'P003' is not a person allocated to this worker")]),
    ("before-allocation", {**GOOD, "date": "2020-01-15"}, [("date", "contact on 2020-01-15 is before the allocation on 2020-02-01")]),
]


@pytest.mark.parametrize("body,expected", [(b, e) for _, b, e in BAD_INPUTS], ids=[i for i, _, _ in BAD_INPUTS])
def test_bad_input_is_refused_with_field_errors_and_nothing_stored(client, token, body, expected):
    from peerimpact.web.records.models import Contact

    before = Contact.all_objects.count()
    r = post(client, "/api/contacts", body, token("worker01"))
    assert r.status_code == 422, r.content
    assert r.json() == {"status": 422, "errors": [{"field": f, "message": m} for f, m in expected]}
    assert Contact.all_objects.count() == before


@pytest.mark.parametrize("raw,status,message", [
    ("{not json", 400, "Cannot parse request body"),
    ('{"duration_minutes": NaN}', 422, None),
    ("[1, 2]", 422, None),
    ('{"person_id": "' + "P" * 400_000 + '"}', 413, "the request body is too large"),
], ids=["invalid-json", "nan", "array", "too-large-body"])
def test_malformed_bodies(client, token, raw, status, message):
    from peerimpact.web.records.models import Contact

    before = Contact.all_objects.count()
    r = post(client, "/api/contacts", raw, token("worker01"))
    assert r.status_code == status
    body = r.json()
    assert body["status"] == status and body["errors"]
    if message:
        assert body["errors"] == [{"field": None, "message": message}]
    assert Contact.all_objects.count() == before


def test_patch_cannot_move_a_contact_to_another_worker(client, token):
    r = client.patch("/api/contacts/C1", json.dumps({"worker_id": "02"}), content_type="application/json",
                     HTTP_AUTHORIZATION=token("worker01"))
    assert r.json() == {"status": 422, "errors": [{"field": "worker_id", "message": "unknown field"}]}


def test_coordinator_cannot_write_contacts(client, token):
    r = post(client, "/api/contacts", {**GOOD, "worker_id": "01"}, token("coord1"))
    assert r.json() == {"status": 403, "errors": [{"field": None, "message": "only peer workers and research admins record contacts"}]}


def test_openapi_schema(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert {"/api/token", "/api/contacts", "/api/contacts/{contact_id}", "/api/questionnaires"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/contacts/{contact_id}"]) == {"get", "patch", "delete"}
    fields = schema["components"]["schemas"]["ContactIn"]["properties"]
    assert list(fields) == ["contact_id", "worker_id", "person_id", "date", "mode", "duration_minutes", "status", "phase"]

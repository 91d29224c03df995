"""Bearer-token API requests pass by the session, authentication and messages middleware; nothing else does."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path,authorization,skipped", [
    ("/api/contacts", "Bearer abc", True),
    ("/api/me", "Bearer abc", True),
    ("/api/token", "Bearer abc", False),  # sign-in by password: the lockout and session rules apply
    ("/api/contacts", "", False),
    ("/api/contacts", "Basic abc", False),
    ("/contacts/", "Bearer abc", False),  # pages always use the session
    ("/apix/contacts", "Bearer abc", False),
], ids=["contacts", "me", "token", "no-header", "basic", "page", "other-prefix"])
def test_which_requests_pass_by(path, authorization, skipped):
    from peerimpact.web.middleware import is_bearer_api

    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert is_bearer_api(RequestFactory().get(path, **extra)) is skipped


def test_a_session_cookie_does_not_authenticate_a_bearer_request(login, token):
    """A worker's browser session is ignored on a bearer request: the token alone decides (an invalid one is 401)."""
    client = login("worker01")
    r = client.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert r.status_code == 401
    r = client.get("/api/me", HTTP_AUTHORIZATION=token("worker02"))
    assert r.status_code == 200 and r.json()["username"] == "worker02"
    assert "Set-Cookie" not in r.headers or "peerimpact_session" not in r.headers["Set-Cookie"]


def test_a_bearer_request_is_audited_as_the_token_user(client, token):
    from peerimpact.web.services.audit import audit_events

    body = {"person_id": "P001", "date": "2020-03-01", "mode": "telephone", "duration_minutes": 20, "status": "completed",
            "phase": "post_discharge", "contact_id": "MW1"}
    r = client.post("/api/contacts", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token("worker01"))
    assert r.status_code == 201
    assert [(e.action, e.user) for e in audit_events(["Contact"]) if e.record == "MW1"] == [("create", "worker01")]


@pytest.mark.parametrize("authorization", [None, "", "Bearer abc", "bearer abc", "BEARER abc", "Bearer  two spaces", "Bearer a b",
                                           "Bearer", "Basic abc", "Token abc", " Bearer abc"])
def test_token_auth_reads_the_header_as_ninja_does(authorization):
    """TokenAuth reads ``Authorization`` from META (not ``request.headers``) and passes on the same token as ninja's HttpBearer."""
    from ninja.security import HttpBearer

    from peerimpact.web.api.tokens import TokenAuth

    class Ninja(HttpBearer):
        def authenticate(self, request, token):
            return ("token", token)

    class Ours(TokenAuth):
        def authenticate(self, request, token):
            return ("token", token)

    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    ours, ninja = RequestFactory().get("/api/me", **extra), RequestFactory().get("/api/me", **extra)
    assert Ours()(ours) == Ninja()(ninja)
    assert "headers" not in ours.__dict__  # the header dict was not built

"""``GET/POST /api/service-use``: the service-use page's rules through the API (csri services, consent first, audited)."""

from __future__ import annotations

import json

import pytest

from peerimpact.web.records.models.base import ID_REGEX

pytestmark = pytest.mark.django_db

URL = "/api/service-use"
ROW = {"participant_id": "01", "timepoint": "T1", "service": "gp", "used": True, "count": 3}


def post(client, body, auth):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json", HTTP_AUTHORIZATION=auth)


def stored():
    from peerimpact.web.records.models import ServiceUse

    return list(ServiceUse.all_objects.order_by("id").values("participant__participant_id", "timepoint", "service", "used", "count"))


def test_post_creates_then_changes_in_place_and_is_audited(client, token):
    from peerimpact.web.services.audit import audit_events

    auth = token("coord1")
    r = post(client, ROW, auth)
    assert (r.status_code, r.json()) == (201, ROW)
    r = post(client, {**ROW, "count": 5}, auth)
    assert (r.status_code, r.json()) == (200, {**ROW, "count": 5})
    r = post(client, {**ROW, "count": 5}, auth)  # unchanged: no new audit record
    assert r.status_code == 200
    assert stored() == [{"participant__participant_id": "01", "timepoint": "T1", "service": "gp", "used": True, "count": 5}]
    trail = [(e.action, e.user, e.reason, e.before, e.after.get("count")) for e in audit_events(["ServiceUse"])]
    assert trail == [("create", "coord1", "api", {}, 3), ("update", "coord1", "api", {"count": 3}, 5)]


def test_get_lists_and_filters(client, token):
    auth = token("admin")
    for body in (ROW, {**ROW, "service": "cmht", "used": False, "count": None}, {**ROW, "participant_id": "03", "timepoint": "T2"}):
        assert post(client, body, auth).status_code == 201
    r = client.get(URL, HTTP_AUTHORIZATION=auth).json()
    assert r["count"] == 3
    assert [(i["participant_id"], i["timepoint"], i["service"]) for i in r["items"]] == [("01", "T1", "cmht"), ("01", "T1", "gp"),
                                                                                         ("03", "T2", "gp")]
    only = client.get(URL + "?participant_id=01&timepoint=T1&limit=1&offset=1", HTTP_AUTHORIZATION=auth).json()
    assert only == {"count": 2, "items": [ROW]}
    bad = client.get(URL + "?limit=0", HTTP_AUTHORIZATION=auth)
    assert bad.json() == {"status": 422, "errors": [{"field": "limit", "message": "must be 1-1000"}]}


@pytest.mark.parametrize("change,errors", [
    ({"used": 1}, [{"field": "used", "message": "Input should be a valid boolean"}]),
    ({"count": "3"}, [{"field": "count", "message": "Input should be a valid integer"}]),
    ({"count": 10_001}, [{"field": "count", "message": "Input should be less than or equal to 10000"}]),
    ({"count": -1}, [{"field": "count", "message": "Input should be greater than or equal to 0"}]),
    ({"service": "dentist"}, [{"field": "service", "message": "unknown service 'dentist'"}]),
    ({"service": "<script>"}, [{"field": "service", "message": "String should match pattern '^[a-z][a-z0-9_]*$'"}]),
    ({"used": False}, [{"field": "count", "message": "3 given for gp but it is not marked as used"}]),
    ({"timepoint": "T9"}, [{"field": "timepoint", "message": "unknown timepoint 'T9'"}]),
    ({"timepoint": "T9", "service": "dentist"}, [{"field": "timepoint", "message": "unknown timepoint 'T9'"},
                                                 {"field": "service", "message": "unknown service 'dentist'"}]),
    ({"cost": 12}, [{"field": "cost", "message": "unknown field"}]),
    ({"participant_id": "01' OR 1=1 --"}, [{"field": "participant_id", "message": f"String should match pattern '{ID_REGEX}'"}]),
], ids=["used-int", "count-str", "count-high", "count-negative", "unknown-service", "script", "count-not-used", "timepoint",
        "every-problem", "unknown-field", "sql"])
def test_bad_input_is_refused_with_field_errors_and_nothing_stored(change, errors, client, token):
    r = post(client, {**ROW, **change}, token("admin"))
    assert r.json() == {"status": 422, "errors": errors}
    assert stored() == []


def test_missing_fields_are_listed_together(client, token):
    r = post(client, {"participant_id": "01"}, token("admin"))
    assert r.json() == {"status": 422, "errors": [{"field": f, "message": "is required"} for f in ("timepoint", "service", "used")]}


def test_consent_first(client, users, token):
    from peerimpact.web.records.models import Consent

    Consent.objects.get(participant__participant_id="02").soft_delete(users["admin"])
    r = post(client, {**ROW, "participant_id": "02"}, token("coord1"))
    assert r.json() == {"status": 422, "errors": [
        {"field": None, "message": "participant 02 has no recorded consent: record consent before any service-use data"}]}
    assert stored() == []


def test_unknown_participant_is_not_found(client, token):
    r = post(client, {**ROW, "participant_id": "99"}, token("admin"))
    assert r.json() == {"status": 404, "errors": [{"field": None, "message": "not found"}]}


def test_openapi_schema_lists_service_use(client):
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"][URL]) == {"get", "post"}
    body = schema["components"]["schemas"]["ServiceUseIn"]
    assert set(body["properties"]) == {"participant_id", "timepoint", "service", "used", "count"}
    assert set(body["required"]) == {"participant_id", "timepoint", "service", "used"}
    assert body["additionalProperties"] is False

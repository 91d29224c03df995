"""How many SQL statements one ``POST /api/contacts`` costs (the load test's hot path, bench/web_load.py).

Measured: one token lookup joined with the user and role, one allocation check
joined with the person that also reads the policy's long-contact threshold (a
subquery), the insert and its audit row (one statement on PostgreSQL). A change that adds round trips fails
here first.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BODY = {"person_id": "P001", "date": "2020-03-02", "mode": "telephone", "duration_minutes": 20, "status": "completed",
        "phase": "post_discharge"}


def test_post_contact_queries(client, token):
    auth = token("worker01")
    client.post("/api/contacts", json.dumps({**BODY, "contact_id": "W0"}), content_type="application/json", HTTP_AUTHORIZATION=auth)
    with CaptureQueriesContext(connection) as ctx:
        r = client.post("/api/contacts", json.dumps({**BODY, "contact_id": "W1"}), content_type="application/json",
                        HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    kinds = [(sql.split()[0], tuple(re.findall(r'(?:FROM|INTO) "(\w+)"', sql))) for sql in statements]
    inserts = ([("WITH", ("records_contact", "records_historicalcontact", "new"))] if connection.vendor == "postgresql"  # one statement
               else [("INSERT", ("records_contact",)), ("INSERT", ("records_historicalcontact",))])
    assert kinds == [("SELECT", ("records_apitoken",)), ("SELECT", ("records_policy", "records_allocation")), *inserts]


@pytest.mark.parametrize(("policy", "minutes", "warnings"), [
    (None, 120, []),
    (None, 121, ["duration_minutes: 121 minutes is more than 120 minutes (2 hours): please check it"]),
    (30, 30, []),
    (30, 31, ["duration_minutes: 31 minutes is more than 30 minutes (0.5 hours): please check it"]),
    (600, 121, []),
], ids=str)
def test_long_contact_threshold_read_with_the_allocation(policy, minutes, warnings, client, token):
    from peerimpact.web.records.models import Policy

    if policy is not None:  # the current policy row (as the policy page saves it), created if there is none
        row = Policy.current()
        row.long_contact_minutes = policy
        row.save()
    r = client.post("/api/contacts", json.dumps({**BODY, "contact_id": "W2", "duration_minutes": minutes}),
                    content_type="application/json", HTTP_AUTHORIZATION=token("worker01"))
    assert (r.status_code, r.json()["warnings"]) == (201, warnings)


@pytest.mark.parametrize("change", ["inactive", "expired", "unknown"], ids=str)
def test_the_single_token_lookup_still_refuses(change, client, token, users):
    import datetime as dt

    from django.utils import timezone

    from peerimpact.web.records.models import ApiToken

    auth = token("worker01")
    if change == "inactive":
        type(users["worker01"]).objects.filter(username="worker01").update(is_active=False)
    elif change == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    else:
        auth += "x"
    r = client.get("/api/me", HTTP_AUTHORIZATION=auth)
    assert (r.status_code, r.json()["errors"][0]["message"]) == (401, "missing, invalid or expired token: POST /api/token first")

"""Role x URL x object: every cross-site and cross-user access is refused (403 or 404), pages and API alike.

The expected access is written out here, independently of
``peerimpact.web.access``: a change in the code that widens access fails.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from studydata import ROLES

pytestmark = pytest.mark.django_db

AUTHENTICATED = set(ROLES)
# Pages without an object: which roles may open them.
PAGES = {
    "home": AUTHENTICATED,
    "contacts": {"admin", "coord1", "coord2", "worker01", "worker02", "worker03"},
    "contact-new": {"admin", "worker01", "worker02", "worker03"},
    "caseloads": {"admin", "coord1", "coord2"},
    "allocation-new": {"admin", "coord1", "coord2"},
    "adherence": {"admin", "coord1", "coord2", "worker01", "worker02", "worker03"},
    "workforce": {"admin", "coord1", "coord2"},
    "consent": {"admin"},
    "questionnaires": {"admin", "coord1", "coord2", "worker01", "worker02", "worker03"},  # coordinators: status and reopen only
    "transcripts": {"admin", "coder"},
    "codebook": {"admin", "coder"},
    "workshop": {"admin", "coder"},
    "coding-counts": {"admin", "coder"},
    "coding-search": {"admin", "coder"},
    "audit": {"admin"},
    "audit-csv": {"admin"},
    "report": {"admin"},
    "policy": {"admin", "coord1", "coord2"},  # coordinators read it; writes are checked below
    "accounts": {"admin"},
    "account-new": {"admin"},
    "participant-new": {"admin"},
    "service-use": {"admin", "coord1", "coord2"},
    "account-change": {"admin"},
    "password-change": AUTHENTICATED,  # everyone signed in changes their own password
}
# Pages about one object: object -> roles that may open it. Objects: contacts C1 (worker 01, site 1),
# C3 (worker 02, site 1), C4 (worker 03, site 2); people P001 (01), P002 (02), P003 (03, site 2).
OBJECT_PAGES = {
    ("contact-edit", "GET"): {"C1": {"admin", "worker01"}, "C3": {"admin", "worker02"}, "C4": {"admin", "worker03"}},
    ("contact-delete", "GET"): {"C1": {"admin", "worker01"}, "C3": {"admin", "worker02"}, "C4": {"admin", "worker03"}},
    ("contact-delete", "POST"): {"C1": {"admin", "worker01"}, "C3": {"admin", "worker02"}, "C4": {"admin", "worker03"}},
    ("allocation-edit", "GET"): {"P001": {"admin", "coord1"}, "P002": {"admin", "coord1"}, "P003": {"admin", "coord2"}},
    ("allocation-edit", "POST"): {"P001": {"admin", "coord1"}, "P002": {"admin", "coord1"}, "P003": {"admin", "coord2"}},
    ("person", "GET"): {"P001": {"admin", "coord1", "worker01"}, "P002": {"admin", "coord1", "worker02"},
                        "P003": {"admin", "coord2", "worker03"}},
    ("employment-edit", "GET"): {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}},
    ("absence-new", "GET"): {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}},
    ("consent-record", "GET"): {"01": {"admin"}, "03": {"admin"}},
    ("questionnaire-fill", "GET"): {"01": {"admin", "worker01"}, "02": {"admin", "worker02"}, "03": {"admin", "worker03"}},
    ("questionnaire-reopen", "POST"): {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}},
    ("transcript", "GET"): {"S1-PW01-T1": {"admin", "coder"}, "S2-PW03-T1": {"admin", "coder"}},
    ("transcript-reconcile", "GET"): {"S1-PW01-T1": {"admin", "coder"}},  # not blind: coders may reconcile
    ("transcript-blind", "POST"): {"S1-PW01-T1": {"admin"}},
    ("service-use-entry", "GET"): {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}},
    ("service-use-entry", "POST"): {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}},
}
# What each role's list pages must never show.
NEVER_SHOWN = {
    "coord1": ['<td data-label="Contact">C4</td>', "P003"],
    "coord2": ['<td data-label="Contact">C1</td>', '<td data-label="Contact">C3</td>', "P001", "P002"],
    "worker01": ['<td data-label="Contact">C3</td>', '<td data-label="Contact">C4</td>', "P002", "P003"],
    "worker02": ['<td data-label="Contact">C1</td>', '<td data-label="Contact">C4</td>', "P001", "P003"],
    "worker03": ['<td data-label="Contact">C1</td>', '<td data-label="Contact">C3</td>', "P001", "P002"],
}
API_READ = {"C1": {"admin", "coord1", "worker01"}, "C3": {"admin", "coord1", "worker02"}, "C4": {"admin", "coord2", "worker03"}}
API_WRITE = {"C1": {"admin", "worker01"}, "C3": {"admin", "worker02"}, "C4": {"admin", "worker03"}}
LISTED = {"admin": {"C1", "C2", "C3", "C4"}, "coord1": {"C1", "C2", "C3"}, "coord2": {"C4"}, "worker01": {"C1", "C2"},
          "worker02": {"C3"}, "worker03": {"C4"}}
DENIED = {403, 404}


def _object_url(name: str, key: str) -> str:
    from peerimpact.web.records.models import Contact, Employment, Participant, Person, Transcript

    if name in ("contact-edit", "contact-delete"):
        return reverse(name, args=[Contact.objects.get(contact_id=key).uid])
    if name == "person":
        return reverse(name, args=[Person.objects.get(person_id=key).uid])
    if name == "allocation-edit":
        from peerimpact.web.records.models import Allocation

        return reverse(name, args=[Allocation.objects.get(person__person_id=key).uid])
    if name in ("employment-edit", "absence-new"):
        return reverse(name, args=[Employment.objects.get(participant__participant_id=key).uid])
    if name == "consent-record":
        return reverse(name, args=[Participant.objects.get(participant_id=key).uid])
    if name == "service-use-entry":
        return reverse(name, args=[Participant.objects.get(participant_id=key).uid, "T2"])
    if name in ("questionnaire-fill", "questionnaire-reopen"):
        return reverse(name, args=[Participant.objects.get(participant_id=key).uid, "T2", "wemwbs"])
    return reverse(name, args=[Transcript.objects.get(interview_id=key).uid])


def _check(status: int, allowed: bool) -> bool:
    return status in (200, 302) if allowed else status in DENIED


@pytest.mark.parametrize("role", ROLES)
def test_pages(role, login):
    client = login(role)
    wrong = []
    checked = 0
    for name, roles in PAGES.items():
        r = client.get(reverse(name))
        checked += 1
        if not _check(r.status_code, role in roles) or (role not in roles and r.status_code == 302):
            wrong.append((name, r.status_code))
        if r.status_code == 200 and role in NEVER_SHOWN and name != "audit-csv":
            text = r.content.decode()
            wrong += [(name, f"shows {s}") for s in NEVER_SHOWN[role] if s in text]
    for (name, method), objects in OBJECT_PAGES.items():
        for key, roles in objects.items():
            url = _object_url(name, key)
            r = client.post(url) if method == "POST" else client.get(url)
            checked += 1
            if not _check(r.status_code, role in roles):
                wrong.append((name, key, r.status_code))
    assert checked == len(PAGES) + sum(len(o) for o in OBJECT_PAGES.values())
    assert wrong == []


# Routes checked elsewhere: sign-in/out, the API (test_api_contacts), POST-only account actions (ADMIN_WRITES below),
# undo of a delete and deleting an absence spell (test_web_workday), report files and the study zip (test_web_pages, test_web_workday), static files,
# and the coding workbench's pages (test_web_coding*).
ELSEWHERE = {"absence-delete", "login", "logout", "account-deactivate", "account-reactivate", "account-reset-password", "contact-restore",
             "report-file", "study-export", "static"}


def test_every_page_route_is_in_the_matrix():
    """Walking the URL conf: a new page must be added to the matrix (or to ELSEWHERE with the test that covers it)."""
    from django.urls import URLPattern, get_resolver

    names = {p.name for p in get_resolver().url_patterns if isinstance(p, URLPattern) and p.name}
    covered = set(PAGES) | {name for name, _ in OBJECT_PAGES} | ELSEWHERE
    coding = {n for n in names if n.startswith(("transcript", "codebook", "coding", "code-", "codes", "workshop", "search"))}
    assert sorted(names - covered - coding) == []


def test_anonymous_is_sent_to_sign_in(client, study):
    for name in PAGES:
        r = client.get(reverse(name))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize("role", ROLES)
def test_api_contacts(role, client, token):
    auth = token(role)
    wrong = []
    for key in ("C1", "C3", "C4"):
        url = f"/api/contacts/{key}"
        r = client.get(url, HTTP_AUTHORIZATION=auth)
        if not (r.status_code == 200 if role in API_READ[key] else r.status_code in DENIED):
            wrong.append(("GET", key, r.status_code))
        r = client.patch(url, json.dumps({"mode": "other"}), content_type="application/json", HTTP_AUTHORIZATION=auth)
        if not (r.status_code == 200 if role in API_WRITE[key] else r.status_code in DENIED):
            wrong.append(("PATCH", key, r.status_code))
    for key in ("C1", "C3", "C4"):
        r = client.delete(f"/api/contacts/{key}", HTTP_AUTHORIZATION=auth)
        if not (r.status_code == 204 if role in API_WRITE[key] else r.status_code in DENIED):
            wrong.append(("DELETE", key, r.status_code))
    listed = {c["contact_id"] for c in client.get("/api/contacts", HTTP_AUTHORIZATION=token(role)).json().get("items", [])}
    assert wrong == []
    assert not listed - LISTED.get(role, set())


def test_denied_api_writes_change_nothing(client, token):
    from peerimpact.web.records.models import Contact

    before = list(Contact.all_objects.order_by("id").values())
    client.patch("/api/contacts/C4", json.dumps({"mode": "other"}), content_type="application/json", HTTP_AUTHORIZATION=token("worker01"))
    client.delete("/api/contacts/C4", HTTP_AUTHORIZATION=token("coord1"))
    client.delete("/api/contacts/C1", HTTP_AUTHORIZATION=token("coord2"))
    assert list(Contact.all_objects.order_by("id").values()) == before


# Writes through the new admin pages: (url name, POST data) -> roles whose POST may change anything.
POLICY_FORM = {"caseload_per_fte": "3", "full_time_hours": "37.5", "bank_fte": "0.5", "pre_discharge_meetings": "1",
               "weekly_weeks": "10", "fortnightly_count": "3", "engaged_sessions": "2", "long_contact_minutes": "120", "window_weeks": "4"}
ADMIN_WRITES = {
    "policy": POLICY_FORM,
    "account-new": {"username": "made-by-test", "password1": "violet-harbour-lantern-42", "password2": "violet-harbour-lantern-42",
                    "role": "coder", "site_id": "", "participant_id": ""},
    "account-deactivate": {"username": "worker03"},
    "participant-new": {"participant_id": "09", "site_id": "1", "consent_date": "2020-05-01", "form_version": "v1"},
    "account-change": {"username": "coder", "role": "coordinator", "site_id": "2", "participant_id": ""},
    "account-reactivate": {"username": "worker03"},
    "account-reset-password": {"username": "worker02"},
}
ADMIN_WRITE_STATUS = {name: 302 for name in ADMIN_WRITES} | {"account-reset-password": 200}  # shows the temporary password


def _snapshot():
    from django.contrib.auth import get_user_model

    from peerimpact.web.records.models import Consent, Membership, Participant, Policy, ServiceUse

    return (list(Policy.all_objects.order_by("id").values()), list(get_user_model().objects.order_by("id").values("username", "is_active")),
            list(Participant.all_objects.order_by("id").values()), list(Consent.all_objects.order_by("id").values()),
            list(ServiceUse.all_objects.order_by("id").values()), list(Membership.objects.order_by("id").values()),
            list(get_user_model().objects.order_by("id").values("username", "password")))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_write_through_the_admin_pages(role, login):
    client = login(role)
    before = _snapshot()
    statuses = {name: client.post(reverse(name), data).status_code for name, data in ADMIN_WRITES.items()}
    assert statuses == {name: 403 for name in ADMIN_WRITES}
    assert _snapshot() == before


def test_admin_writes_through_the_admin_pages(login):
    client = login("admin")
    before = _snapshot()
    statuses = {name: client.post(reverse(name), data).status_code for name, data in ADMIN_WRITES.items()}
    assert statuses == ADMIN_WRITE_STATUS
    after = _snapshot()
    assert all(a != b for a, b in zip(after[:4], before[:4]))
    assert after[5] != before[5] and after[6] != before[6]  # role changed, password reset


@pytest.mark.parametrize("role,participant,allowed", [
    ("coord1", "03", False), ("coord2", "01", False), ("worker01", "01", False), ("worker03", "03", False), ("coder", "01", False),
    ("coord1", "01", True), ("coord2", "03", True), ("admin", "02", True),
], ids=lambda v: str(v))
def test_service_use_writes_are_scoped_to_the_site(role, participant, allowed, login):
    from peerimpact.web.records.models import Participant, ServiceUse

    url = reverse("service-use-entry", args=[Participant.objects.get(participant_id=participant).uid, "T1"])
    r = login(role).post(url, {"used__gp": "on", "count__gp": "2"})
    stored = ServiceUse.objects.filter(participant__participant_id=participant, service="gp", used=True, count=2).count()
    assert (r.status_code, stored) == ((302, 1) if allowed else (r.status_code if r.status_code in DENIED else -1, 0))


# Service use through the API: participant -> roles that may read and write it; others 403 (role) or 404 (scope).
API_SERVICE_USE = {"01": {"admin", "coord1"}, "02": {"admin", "coord1"}, "03": {"admin", "coord2"}}
API_SERVICE_USE_LISTED = {"admin": {"01", "02", "03"}, "coord1": {"01", "02"}, "coord2": {"03"}}


@pytest.mark.parametrize("role", ROLES)
def test_api_service_use(role, client, token, users):
    from peerimpact.web.records.models import Participant, ServiceUse
    from peerimpact.web.services.service_use import save_service_use

    for pid in API_SERVICE_USE:  # one stored row per participant, to be listed (or not)
        save_service_use(users["admin"], Participant.objects.get(participant_id=pid), "T1", {"cmht": (True, 1)})
    auth = token(role)
    wrong = []
    for pid, roles in API_SERVICE_USE.items():
        body = {"participant_id": pid, "timepoint": "T2", "service": "gp", "used": True, "count": 1}
        r = client.post("/api/service-use", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)
        saved = ServiceUse.objects.filter(participant__participant_id=pid, timepoint="T2").count()
        if not ((r.status_code, saved) == (201, 1) if role in roles else (r.status_code in DENIED and saved == 0)):
            wrong.append(("POST", pid, r.status_code, saved))
    r = client.get("/api/service-use", HTTP_AUTHORIZATION=auth)
    if role in API_SERVICE_USE_LISTED:
        assert r.status_code == 200
        assert {i["participant_id"] for i in r.json()["items"]} == API_SERVICE_USE_LISTED[role]
    else:
        assert r.json() == {"status": 403, "errors": [{"field": None, "message": "your role does not give access to this"}]}
    assert wrong == []


# The coding workbench (issue 15). The API a coder may use; every other route answers 403/404 (422 at most for a body
# that fails validation before the role check) and changes nothing.
CODER_API = {("post", "/api/token"), ("get", "/api/me"), ("get", "/api/transcripts"), ("get", "/api/transcripts/{interview_id}"),
             ("get", "/api/codings"), ("post", "/api/codings"), ("delete", "/api/codings/{coding_id}"), ("get", "/api/codebook"),
             ("get", "/api/agreement"), ("get", "/api/memos"), ("post", "/api/memos"), ("get", "/api/recode"),
             ("post", "/api/codebook/changes"),  # refused unless the coding policy lets coders change the codebook
             ("get", "/api/suggestions")}  # issue 17: suggestions for the transcript being coded
ADMIN_ONLY_CODING_API = {("put", "/api/transcripts/{interview_id}/assignments"), ("post", "/api/transcripts/{interview_id}/unblind"),
                         ("put", "/api/coding-policy")}
PARAMS = {"interview_id": "S1-PW01-T1", "contact_id": "C1", "coding_id": "00000000-0000-0000-0000-000000000000"}


def _db_state():
    from peerimpact.web.records.models import Coding, Contact, QuestionnaireResponse, ServiceUse, StudyConfig

    return [list(m.all_objects.order_by("id").values()) for m in (Coding, Contact, QuestionnaireResponse, ServiceUse, StudyConfig)]


def test_a_coder_reaches_no_api_beyond_the_coding_api(client, token):
    from peerimpact.web.api.routes import api

    auth = token("coder")
    paths = api.get_openapi_schema()["paths"]
    routes = {(m, p) for p, methods in paths.items() for m in methods}
    assert CODER_API <= routes and ADMIN_ONLY_CODING_API <= routes
    before = _db_state()
    wrong = []
    for method, path in sorted(routes - CODER_API):
        url = path.format(**PARAMS) + ("?interview_id=S1-PW01-T1" if method == "get" else "")
        kwargs = {"HTTP_AUTHORIZATION": auth}
        if method in ("post", "put", "patch"):
            kwargs.update(data=json.dumps({"coders": ["coder", "x1"], "coders_may_edit_codebook": True}), content_type="application/json")
        r = getattr(client, method)(url, **kwargs)
        if method == "get" and r.status_code == 200 and r.json().get("count") == 0 and r.json().get("items") == []:
            continue  # a list scoped to nothing (GET /api/contacts answers a coder with an empty page)
        if r.status_code not in DENIED | ({422} if method in ("post", "put", "patch") else set()):
            wrong.append((method, path, r.status_code))
    assert wrong == []
    assert _db_state() == before


def test_a_coder_cannot_see_another_coders_codings_while_blind(client, token, login, users):
    from peerimpact.web.api.tokens import issue_token
    from peerimpact.web.records.models import Role, Transcript
    from peerimpact.web.services.accounts import make_user

    other = "Bearer " + issue_token(make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False))[0]
    iid = "S2-PW03-T1"
    r = client.put(f"/api/transcripts/{iid}/assignments", json.dumps({"coders": ["coder", "coder2"]}),
                   content_type="application/json", HTTP_AUTHORIZATION=token("admin"))
    assert r.json()["blind"] is True
    hidden = client.post("/api/codings", json.dumps({"interview_id": iid, "start": 0, "end": 11, "code": "quiet"}),
                         content_type="application/json", HTTP_AUTHORIZATION=other).json()
    client.post("/api/memos", json.dumps({"target_type": "transcript", "target_id": iid, "kind": "reflexive", "text": "coder2-only"}),
                content_type="application/json", HTTP_AUTHORIZATION=other)
    auth = token("coder")
    seen = []
    for url in (f"/api/transcripts/{iid}", f"/api/codings?interview_id={iid}", f"/api/memos?interview_id={iid}", "/api/transcripts",
                "/api/recode"):
        body = client.get(url, HTTP_AUTHORIZATION=auth).content.decode()
        seen += [url for marker in (hidden["id"], "coder2") if marker in body]
    t = Transcript.objects.get(interview_id=iid)
    pages = [reverse("transcript", args=[t.uid]), reverse("transcripts"), reverse("workshop"), reverse("coding-counts") + "?count=segments"]
    for url in pages:
        if "coder2" in login("coder").get(url).content.decode():
            seen.append(url)
    assert seen == []
    assert login("coder").get(reverse("transcript-reconcile", args=[t.uid])).status_code == 403
    assert client.get(f"/api/agreement?interview_id={iid}", HTTP_AUTHORIZATION=auth).status_code == 403
    assert client.delete(f"/api/codings/{hidden['id']}", HTTP_AUTHORIZATION=auth).status_code == 404

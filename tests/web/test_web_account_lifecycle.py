"""Account lifecycle: role changes, reactivation, admin password resets, users changing their own password.

Every change is audited (who, reason, before and after, never the password
hash); the account travels in the POST body, never in the URL.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from studydata import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-lantern-42"


def events(table: str):
    from peerimpact.web.services.audit import audit_events

    return audit_events([table])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def member_events(username: str, reason: str):
    return [e for e in events("Membership") if e.record and e.reason == reason
            and (e.after.get("user_id") == username or _member_user(e.record) == username)]


def _member_user(record: str) -> str | None:
    from peerimpact.web.records.models import Membership

    m = Membership.objects.filter(pk=int(record.lstrip("#"))).select_related("user").first()
    return m.user.username if m else None


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def token_response(client, username: str, password: str):
    return client.post("/api/token", json.dumps({"username": username, "password": password}), content_type="application/json")


@pytest.mark.parametrize("name", ["account-change", "account-reactivate", "account-reset-password", "password-change"])
def test_new_urls_carry_no_identifier(name):
    from django.urls import get_resolver

    pattern = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == name)
    assert "<" not in str(pattern.pattern)


# --- role changes ------------------------------------------------------------------------------------

def test_admin_changes_a_workers_role_and_it_is_audited(login, client, users, token):
    from peerimpact.web.records.models import ApiToken

    old_token = token("worker03")
    r = login("admin").post(reverse("account-change"), {"username": "worker03", "role": "coordinator", "site_id": "1",
                                                         "participant_id": ""}, follow=True)
    assert "Account worker03 is now: Site coordinator." in text_of(r)
    m = users["worker03"].membership.__class__.objects.get(user=users["worker03"])
    assert (m.role, m.site.site_id, m.participant) == ("coordinator", "1", None)
    assert not ApiToken.objects.filter(user=users["worker03"]).exists()
    assert client.get("/api/me", HTTP_AUTHORIZATION=old_token).status_code == 401
    assert login("worker03").get(reverse("caseloads")).status_code == 200  # the new role's pages open
    [e] = member_events("worker03", "role changed")
    assert (e.action, e.user, e.before, e.after) == (
        "update", "admin", {"role": "worker", "site_id": None, "participant_id": "03"},
        {"role": "coordinator", "site_id": "1", "participant_id": None})


def test_a_worker_can_be_relinked_to_a_free_participant(login, users):
    from peerimpact.web.records.models import Participant
    from peerimpact.web.services.accounts import add_participant

    add_participant(users["admin"], "04", "2", "2020-05-01", "v2")
    login("admin").post(reverse("account-change"), {"username": "worker03", "role": "worker", "site_id": "", "participant_id": "04"})
    assert Participant.objects.get(participant_id="04").account.user.username == "worker03"


@pytest.mark.parametrize("data,message", [
    ({"username": "admin", "role": "coder"}, "Select a valid choice. admin is not one of the available choices."),
    ({"role": "coordinator"}, "A site coordinator needs their site"),
    ({"role": "worker", "participant_id": "01"}, "Participant 01 already has an account"),
    ({"role": "worker"}, "A peer worker needs their participant id"),
    ({"role": "coder", "site_id": "1"}, "Only a site coordinator has a site"),
    ({"role": "admin", "participant_id": "03"}, "Only a peer worker is linked to a participant"),
    ({"role": "worker", "participant_id": "03"}, "Worker03 already has this role, site and participant"),
], ids=["own-role", "coordinator-no-site", "participant-taken", "worker-no-participant", "coder-with-site",
        "admin-with-participant", "no-change"])
def test_role_change_problems_are_shown_and_nothing_changes(data, message, login, users):
    from peerimpact.web.records.models import Membership

    before = list(Membership.objects.order_by("id").values())
    r = login("admin").post(reverse("account-change"), {"username": "worker03", "site_id": "", "participant_id": "", **data})
    assert r.status_code == 200 and message in text_of(r)
    assert list(Membership.objects.order_by("id").values()) == before


def test_change_role_refuses_your_own_account(users):
    from peerimpact.web.services.errors import FieldErrors
    from peerimpact.web.services.lifecycle import change_role

    with pytest.raises(FieldErrors) as exc:
        change_role(users["admin"], "admin", "coder")
    assert exc.value.errors == [("username", "you cannot change your own role")]


# --- deactivate / reactivate --------------------------------------------------------------------------

def test_reactivated_account_signs_in_again_and_it_is_audited(login, client):
    admin = login("admin")
    admin.post(reverse("account-deactivate"), {"username": "worker03"})
    assert sign_in(client, "worker03", PASSWORD).status_code == 200  # the form again: inactive
    r = admin.post(reverse("account-reactivate"), {"username": "worker03"}, follow=True)
    assert "Account worker03 reactivated." in text_of(r)
    assert sign_in(client, "worker03", PASSWORD).status_code == 302
    changes = [(e.user, e.reason, e.before, e.after) for e in events("User") if e.record == "worker03" and e.action == "update"]
    assert changes == [("admin", "account deactivated", {"is_active": True}, {"is_active": False}),
                       ("admin", "account reactivated", {"is_active": False}, {"is_active": True})]


@pytest.mark.parametrize("url,username,message", [
    ("account-reactivate", "worker03", "worker03 is already active"),
    ("account-reactivate", "nobody", "no account named &#x27;nobody&#x27;"),
    ("account-reset-password", "admin", "change your own password on the password page"),
    ("account-reset-password", "norole", "norole has no role"),
], ids=["already-active", "unknown", "own-password", "no-role"])
def test_lifecycle_refusals_are_shown(url, username, message, login):
    r = login("admin").post(reverse(url), {"username": username}, follow=True)
    assert html.unescape(message) in text_of(r)


def test_reset_of_an_inactive_account_is_refused(login):
    admin = login("admin")
    admin.post(reverse("account-deactivate"), {"username": "worker03"})
    r = admin.post(reverse("account-reset-password"), {"username": "worker03"}, follow=True)
    assert "worker03 is inactive: reactivate the account first" in text_of(r)


# --- password reset by an admin -----------------------------------------------------------------------

def _reset(login, username: str) -> str:
    r = login("admin").post(reverse("account-reset-password"), {"username": username})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    return re.search(r'<code id="temporary-password">([^<]+)</code>', r.content.decode()).group(1)


def test_temporary_passwords_are_random_and_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    from peerimpact.web.services.lifecycle import TEMP_ALPHABET, temporary_password

    made = {temporary_password() for _ in range(50)}
    assert len(made) == 50
    for pw in list(made)[:5]:
        validate_password(pw)
        groups = pw.split("-")
        assert [len(g) for g in groups] == [5, 5, 5, 5] and set("".join(groups)) <= set(TEMP_ALPHABET)


def test_reset_password_forces_a_change_at_next_sign_in(login, client, users, token):
    old_token = token("worker01")
    temp = _reset(login, "worker01")
    assert client.get("/api/me", HTTP_AUTHORIZATION=old_token).status_code == 401  # tokens revoked
    assert sign_in(client, "worker01", PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, "worker01", temp).status_code == 302
    for name in ("home", "contacts", "questionnaires"):
        r = client.get(reverse(name))
        assert (r.status_code, r["Location"]) == (302, reverse("password-change")), name
    r = client.get(reverse("password-change"))
    assert "Your password was set by a research admin: choose your own before you continue." in text_of(r)
    refused = token_response(client, "worker01", temp)
    assert refused.status_code == 403 and refused.json() == {"status": 403, "errors": [
        {"field": "password", "message": "this password was set by a research admin: sign in on the web page and choose your own first"}]}
    r = client.post(reverse("password-change"), {"old_password": temp, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (r.status_code, r["Location"]) == (302, reverse("home"))
    assert client.get(reverse("contacts")).status_code == 200  # still signed in, no longer redirected
    assert token_response(client, "worker01", NEW_PASSWORD).status_code == 200
    reset = member_events("worker01", "password reset by admin")
    changed = member_events("worker01", "password changed")
    assert [(e.user, e.before["must_change_password"], e.after["must_change_password"]) for e in reset] == [("admin", False, True)]
    assert [(e.user, e.before["must_change_password"], e.after["must_change_password"]) for e in changed] == [("worker01", True, False)]
    assert all("password" not in e.after and temp not in json.dumps(e.after) for e in events("User") + events("Membership"))


def test_a_new_account_must_change_the_password_the_admin_chose(login, client):
    login("admin").post(reverse("account-new"), {"username": "coord-south", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                 "role": "coordinator", "site_id": "2", "participant_id": ""})
    assert sign_in(client, "coord-south", NEW_PASSWORD).status_code == 302
    r = client.get(reverse("caseloads"))
    assert (r.status_code, r["Location"]) == (302, reverse("password-change"))


# --- users change their own password ------------------------------------------------------------------

def test_a_user_changes_their_own_password_and_it_is_audited(login, client):
    worker = login("worker02")
    r = worker.post(reverse("password-change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                 "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your password has been changed." in text_of(r)
    assert sign_in(client, "worker02", PASSWORD).status_code == 200
    assert sign_in(client, "worker02", NEW_PASSWORD).status_code == 302
    [e] = member_events("worker02", "password changed")
    assert (e.action, e.user, list(e.after)) == ("update", "worker02", ["password_changed_at"])


@pytest.mark.parametrize("data,message", [
    ({"old_password": "not-the-password"}, "Your current password is not right"),
    ({"new_password2": NEW_PASSWORD + "x"}, "The two passwords differ"),
    ({"new_password1": "short-pw", "new_password2": "short-pw"}, "This password is too short. It must contain at least 12 characters."),
    ({"new_password1": PASSWORD, "new_password2": PASSWORD}, "Choose a password different from the current one"),
], ids=["wrong-old", "differ", "too-short", "unchanged"])
def test_own_password_problems_are_shown_and_nothing_changes(data, message, login, users):
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.get(username="worker02").password
    r = login("worker02").post(reverse("password-change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                            "new_password2": NEW_PASSWORD, **data})
    assert r.status_code == 200 and message in text_of(r)
    assert get_user_model().objects.get(username="worker02").password == before


def test_the_accounts_page_offers_the_lifecycle_actions(login):
    admin = login("admin")
    admin.post(reverse("account-deactivate"), {"username": "worker03"})
    page = admin.get(reverse("accounts")).content.decode()
    row = lambda name: re.search(rf'<tr><td data-label="Username">{name}</td>.*?</tr>', page, re.S).group(0)  # noqa: E731
    assert "Reactivate" in row("worker03") and "Deactivate" not in row("worker03")
    assert "Reset password" in row("worker01") and "Reactivate" not in row("worker01")
    assert "Reset password" not in row("admin") and "Deactivate" not in row("admin")

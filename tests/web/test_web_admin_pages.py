"""Policy settings, account and participant management, and service-use entry: behaviour and audit records.

Who may open these pages (cross-site and cross-user refusals) is walked in
``test_web_permission_matrix.py``; here: what they store, what they refuse,
and that every change leaves an audit event naming its author.
"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = {"caseload_per_fte": "8", "full_time_hours": "37.5", "bank_fte": "0.5", "pre_discharge_meetings": "1",
          "weekly_weeks": "10", "fortnightly_count": "3", "engaged_sessions": "2", "long_contact_minutes": "120", "window_weeks": "4"}
NEW_PASSWORD = "violet-harbour-lantern-42"


def events(table: str):
    from peerimpact.web.services.audit import audit_events

    return audit_events([table])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- policy -----------------------------------------------------------------------------------------

def test_admin_changes_the_policy_and_the_change_is_audited(login):
    from peerimpact.web.records.models import Policy

    r = login("admin").post(reverse("policy"), {**POLICY, "caseload_per_fte": "6", "window_weeks": "6"}, follow=True)
    assert "Policy saved: Caseload cap per FTE; Questionnaire window (± weeks around the due date)." in text_of(r)
    policy = Policy.current()
    assert (policy.caseload_per_fte, policy.window_weeks, policy.weekly_weeks) == (6.0, 6, 10)
    last = events("Policy")[-1]
    assert (last.action, last.user, last.reason) == ("update", "admin", "policy page")
    assert (last.before, last.after) == ({"caseload_per_fte": 8.0, "window_weeks": 4}, {"caseload_per_fte": 6.0, "window_weeks": 6})


def test_the_caseload_page_uses_the_changed_cap(login):
    coordinator = login("coord1")
    assert 'id="over-cap-warning"' not in text_of(coordinator.get(reverse("caseloads")))
    login("admin").post(reverse("policy"), {**POLICY, "caseload_per_fte": "1"})
    text = text_of(coordinator.get(reverse("caseloads")))
    assert "Cap: 1 people per full-time equivalent" in text
    assert "02 supports 1 people (cap 0.50)" in text  # bank worker 02: 0.5 FTE x 1, one open allocation


@pytest.mark.parametrize("field,value,message", [
    ("caseload_per_fte", "-1", "Ensure this value is greater than or equal to 0."),
    ("full_time_hours", "0", "Ensure this value is greater than or equal to 1."),
    ("weekly_weeks", "ten", "Enter a whole number."),
    ("window_weeks", "", "This field is required."),
], ids=["negative-cap", "zero-hours", "not-a-number", "missing"])
def test_invalid_policy_changes_store_nothing(login, field, value, message):
    from peerimpact.web.records.models import Policy

    before = len(events("Policy"))
    r = login("admin").post(reverse("policy"), {**POLICY, field: value})
    assert r.status_code == 200 and message in text_of(r)
    assert len(events("Policy")) == before
    assert Policy.current().caseload_per_fte == 8.0


def test_coordinators_read_the_policy_but_cannot_change_it(login):
    from peerimpact.web.records.models import Policy

    client = login("coord1")
    text = text_of(client.get(reverse("policy")))
    assert "Read only: a research admin changes the policy." in text and "Save policy" not in text
    assert "<th>Caseload cap per FTE</th><td>8.0</td>" in text
    assert client.post(reverse("policy"), {**POLICY, "caseload_per_fte": "20"}).status_code == 403
    assert Policy.current().caseload_per_fte == 8.0


# --- accounts ---------------------------------------------------------------------------------------

def account(**change) -> dict:
    return {"username": "coord-south", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "role": "coordinator",
            "site_id": "2", "participant_id": "", **change}


def test_admin_creates_an_account_that_can_sign_in_and_it_is_audited(login, client):
    from django.contrib.auth import get_user_model

    r = login("admin").post(reverse("account-new"), account(), follow=True)
    assert "Account coord-south created." in text_of(r)
    user = get_user_model().objects.get(username="coord-south")
    assert (user.membership.role, user.membership.site.site_id, user.membership.participant) == ("coordinator", "2", None)
    signed_in = client.post(reverse("login"), {"username": "coord-south", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("home")
    created = [e for e in events("User") if e.record == "coord-south"]
    assert [(e.action, e.user, e.reason) for e in created] == [("create", "admin", "account created")]
    assert "password" not in created[0].after
    member = [e for e in events("Membership") if e.after.get("user_id") == "coord-south"]
    assert [(e.action, e.user, e.after["role"], e.after["site_id"]) for e in member] == [("create", "admin", "coordinator", "2")]


def test_admin_creates_a_peer_worker_linked_to_a_participant(login, study):
    from django.contrib.auth import get_user_model

    from peerimpact.web.records.models import Participant, Site
    from peerimpact.web.services.accounts import add_participant

    add_participant(None, "04", "2", "2020-05-01", "v2")
    form = text_of(login("admin").get(reverse("account-new")))
    assert '<option value="04">' in form and '<option value="01">' not in form  # 01 already has an account
    login("admin").post(reverse("account-new"), account(username="worker04", role="worker", site_id="", participant_id="04"))
    m = get_user_model().objects.get(username="worker04").membership
    assert (m.role, m.participant.participant_id, m.site) == ("worker", "04", None)
    assert Participant.objects.get(participant_id="04").site == Site.objects.get(site_id="2")


@pytest.mark.parametrize("change,message", [
    ({"password1": "short-pw", "password2": "short-pw"}, "This password is too short. It must contain at least 12 characters."),
    ({"password1": "1qaz2wsx3edc", "password2": "1qaz2wsx3edc"}, "This password is too common."),
    ({"password1": "736492018465", "password2": "736492018465"}, "This password is entirely numeric."),
    ({"password2": NEW_PASSWORD + "x"}, "The two passwords differ"),
    ({"site_id": ""}, "A site coordinator needs their site"),
    ({"role": "worker", "site_id": ""}, "A peer worker needs their participant id"),
    ({"role": "admin"}, "Only a site coordinator has a site"),
    ({"username": "ADMIN"}, "An account named &#x27;ADMIN&#x27; already exists"),
    ({"role": "owner"}, "Select a valid choice. owner is not one of the available choices."),
], ids=["too-short", "common", "numeric", "mismatch", "coordinator-without-site", "worker-without-participant",
        "admin-with-site", "duplicate-username", "unknown-role"])
def test_bad_accounts_are_refused_and_store_nothing(login, change, message):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    before = User.objects.count()
    r = login("admin").post(reverse("account-new"), account(**change))
    assert r.status_code == 200 and html.unescape(message) in text_of(r)
    assert User.objects.count() == before


def test_a_participant_linked_to_an_account_cannot_get_a_second_one(study, users):
    from peerimpact.web.services.accounts import create_account
    from peerimpact.web.services.errors import FieldErrors

    with pytest.raises(FieldErrors) as exc:
        create_account(users["admin"], "second01", NEW_PASSWORD, "worker", participant_id="01")
    assert exc.value.errors == [("participant_id", "participant 01 already has an account")]


def test_admin_deactivates_an_account_which_then_cannot_work(login, token, client):
    from django.contrib.auth import get_user_model

    worker = login("worker02")
    auth = token("worker02")
    r = login("admin").post(reverse("account-deactivate"), {"username": "worker02"}, follow=True)
    assert "Account worker02 deactivated." in text_of(r)
    assert get_user_model().objects.get(username="worker02").is_active is False
    assert worker.get(reverse("contacts")).status_code == 302  # the session no longer signs in
    assert client.get("/api/me", HTTP_AUTHORIZATION=auth).status_code == 401
    last = [e for e in events("User") if e.record == "worker02"][-1]
    assert (last.action, last.user, last.before, last.after) == ("update", "admin", {"is_active": True}, {"is_active": False})


@pytest.mark.parametrize("username,message", [
    ("admin", "you cannot deactivate your own account"),
    ("nobody", "no account named &#x27;nobody&#x27;"),
], ids=["self", "unknown"])
def test_deactivation_refusals(login, username, message):
    from django.contrib.auth import get_user_model

    r = login("admin").post(reverse("account-deactivate"), {"username": username}, follow=True)
    assert html.unescape(message) in text_of(r)
    assert get_user_model().objects.filter(is_active=False).count() == 0


def test_the_account_list_names_no_identifier_in_a_url(login):
    text = text_of(login("admin").get(reverse("accounts")))
    assert '<td data-label="Username">worker01</td>' in text and '<td data-label="Username">coord2</td>' in text
    assert "worker01/" not in text and "?username" not in text


# --- participants with consent ----------------------------------------------------------------------

def test_admin_adds_a_participant_with_consent_and_both_are_audited(login, users):
    from peerimpact.web.records.models import Participant

    r = login("admin").post(reverse("participant-new"),
                            {"participant_id": "04", "site_id": "2", "consent_date": "2020-05-01", "form_version": "v2.1"}, follow=True)
    assert "Participant 04 added with consent." in text_of(r)
    p = Participant.objects.get(participant_id="04")
    c = p.consent_or_none
    assert (p.site.site_id, c.consent_date.isoformat(), c.form_version, c.recorded_by) == ("2", "2020-05-01", "v2.1", users["admin"])
    assert [(e.action, e.user) for e in events("Participant") if e.record == "04"] == [("create", "admin")]
    consent = [e for e in events("Consent") if e.after.get("participant_id") == "04"]
    assert [(e.action, e.user, e.after["form_version"], e.after["recorded_by_id"]) for e in consent] == [
        ("create", "admin", "v2.1", "admin")]


@pytest.mark.parametrize("change,message", [
    ({"participant_id": "01"}, "Participant 01 already exists"),
    ({"participant_id": "-04"}, "Enter a valid value."),
    ({"consent_date": "2099-01-01"}, "2099-01-01 is in the future"),
    ({"form_version": ""}, "Consent form version: Fill this in."),
    ({"site_id": "9"}, "Select a valid choice. 9 is not one of the available choices."),
], ids=["duplicate", "bad-id", "future-consent", "no-form-version", "unknown-site"])
def test_bad_participants_are_refused_and_store_nothing(login, change, message):
    from peerimpact.web.records.models import Consent, Participant

    data = {"participant_id": "04", "site_id": "2", "consent_date": "2020-05-01", "form_version": "v2", **change}
    before = (Participant.all_objects.count(), Consent.all_objects.count())
    r = login("admin").post(reverse("participant-new"), data)
    assert r.status_code == 200 and message in text_of(r)
    assert (Participant.all_objects.count(), Consent.all_objects.count()) == before


# --- service use ------------------------------------------------------------------------------------

SERVICES = ["psychiatric_inpatient", "crisis_team", "a_and_e", "gp", "cmht", "psychological_therapy", "outpatient", "other"]


def service_url(participant_id: str, timepoint: str = "T2") -> str:
    from peerimpact.web.records.models import Participant

    return reverse("service-use-entry", args=[Participant.objects.get(participant_id=participant_id).uid, timepoint])


def test_the_form_lists_the_csri_services_of_the_instrument_definition(login):
    from peerimpact.instruments import shipped_instruments

    text = text_of(login("coord1").get(service_url("01")))
    labels = [s.label for s in shipped_instruments()["csri"].services]
    assert [s.id for s in shipped_instruments()["csri"].services] == SERVICES
    assert all(f'<td data-label="Service">{label}</td>' in text for label in labels)


def test_coordinator_enters_service_use_and_every_change_is_audited(login, study):
    from peerimpact.web.records.models import ServiceUse
    from peerimpact.web.services.study_export import build_study

    client = login("coord1")
    r = client.post(service_url("01"), {"used__gp": "on", "count__gp": "3", "used__a_and_e": "on"}, follow=True)
    assert "Service use of 01 at T2 saved (8 changed)." in text_of(r)
    rows = {s.service: (s.used, s.count) for s in ServiceUse.objects.filter(participant__participant_id="01", timepoint="T2")}
    assert rows == {s: (s in ("gp", "a_and_e"), 3 if s == "gp" else None) for s in SERVICES}
    r = client.post(service_url("01"), {"used__gp": "on", "count__gp": "4", "used__a_and_e": "on"}, follow=True)
    assert "saved (1 changed)." in text_of(r)
    gp = [e for e in events("ServiceUse") if e.user == "coord1"]
    assert len(gp) == 9 and all(e.reason == "service-use form" for e in gp)
    assert (gp[-1].action, gp[-1].before, gp[-1].after) == ("update", {"count": 3}, {"count": 4})
    exported = build_study().service_use
    mine = exported[(exported.participant_id == "01") & (exported.timepoint == "T2")].set_index("service")
    assert (mine.loc["gp", "used"], mine.loc["gp", "count"]) == (1.0, 4.0)


@pytest.mark.parametrize("data,message", [
    ({"count__gp": "2"}, "2 given for gp but it is not marked as used"),
    ({"used__gp": "on", "count__gp": "-1"}, "Ensure this value is greater than or equal to 0."),
    ({"used__gp": "on", "count__gp": "99999"}, "Ensure this value is less than or equal to 10000."),
    ({"used__gp": "on", "count__gp": "two"}, "Enter a whole number."),
], ids=["count-without-use", "negative", "too-many", "not-a-number"])
def test_bad_service_use_stores_nothing(login, data, message):
    from peerimpact.web.records.models import ServiceUse

    r = login("admin").post(service_url("03"), data)
    assert r.status_code == 200 and message in text_of(r)
    assert not ServiceUse.objects.filter(participant__participant_id="03", timepoint="T2").exists()


def test_service_use_needs_consent_first(login, users):
    from peerimpact.web.records.models import Consent, ServiceUse

    Consent.objects.get(participant__participant_id="02").soft_delete(users["admin"])
    client = login("coord1")
    assert "no consent" in text_of(client.get(reverse("service-use")))
    r = client.post(service_url("02"), {"used__gp": "on", "count__gp": "1"})
    assert "Participant 02 has no recorded consent: record consent before any service-use data" in text_of(r)
    assert not ServiceUse.objects.filter(participant__participant_id="02").exists()


def test_unknown_timepoint_is_not_found(login):
    assert login("admin").get(service_url("01", "T9")).status_code == 404


def test_the_service_use_list_shows_only_the_coordinators_site(login):
    text = text_of(login("coord2").get(reverse("service-use")))
    assert '<td data-label="Participant">03</td>' in text
    assert '<td data-label="Participant">01</td>' not in text and '<td data-label="Participant">02</td>' not in text

"""Working-day behaviour of the pages (issue 14), through Django's test client on the tiny study.

Questionnaires: confirm before submitting with unanswered items, reopen (audited), results in plain words.
Contacts: the phase against the discharge date, pre-fill from an allocation, delete with confirmation and undo.
Coordinators: loads on the allocation form, over-cap reasons, the cap counting only while support lasts.
Audit trail: paged, filtered, CSV of the same filter; the study folder as a zip, audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
D = dt.date


def fill_url(participant_id: str, timepoint: str = "T2"):
    from peerimpact.web.records.models import Participant

    return reverse("questionnaire-fill", args=[Participant.objects.get(participant_id=participant_id).uid, timepoint, "wemwbs"])


def reopen_url(participant_id: str, timepoint: str = "T2"):
    return fill_url(participant_id, timepoint) + "reopen/"


SEVEN = {f"wemwbs_{i}": "3" for i in range(1, 8)}


def test_submit_with_unanswered_items_saves_a_draft_and_asks_to_confirm(login):
    from peerimpact.web.records.models import QuestionnaireResponse

    client = login("worker02")
    page = client.post(fill_url("02"), {**SEVEN, "action": "submit"}).content.decode()
    assert 'id="missing-items"' in page
    assert "7 of 14 not answered:</strong> Item 8, Item 9, Item 10, Item 11, Item 12, Item 13, Item 14." in page
    record = QuestionnaireResponse.objects.get(participant__participant_id="02", timepoint="T2")
    assert (record.status, len(record.values)) == ("draft", 7)
    done = client.post(fill_url("02"), {**SEVEN, "action": "submit-confirmed"}, follow=True).content.decode()
    assert "Mental wellbeing (WEMWBS): 7 of 14 items answered — too few to score" in done
    assert "too_many_missing" not in done and "wemwbs.total" not in done
    record.refresh_from_db()
    assert record.status == "submitted"


@pytest.mark.parametrize("role,allowed", [("admin", True), ("coord1", True), ("coord2", False), ("worker02", False), ("coder", False)])
def test_reopen_a_submitted_questionnaire(login, role, allowed):
    from peerimpact.web.records.models import QuestionnaireResponse
    from peerimpact.web.services.audit import audit_events

    values = {f"wemwbs_{i}": "2" for i in range(1, 15)}
    login("worker02").post(fill_url("02"), {**values, "action": "submit"})
    r = login(role).post(reopen_url("02"), follow=True)
    record = QuestionnaireResponse.objects.get(participant__participant_id="02", timepoint="T2")
    if not allowed:
        assert r.status_code in (403, 404) and record.status == "submitted"
        return
    assert r.status_code == 200 and "reopened: it can be corrected and submitted again" in r.content.decode()
    assert (record.status, record.values["wemwbs_1"]) == ("draft", 2)
    last = [e for e in audit_events(["QuestionnaireResponse"]) if e.action == "update"][-1]
    assert (last.user, last.reason, last.after["status"]) == (login(role).get("/").wsgi_request.user.username, "reopened", "draft")
    corrected = client_post = login("worker02").post(fill_url("02"), {**values, "wemwbs_1": "5", "action": "submit"}, follow=True)
    assert client_post.status_code == 200 and "Mental wellbeing (WEMWBS): 31 (14 of 14 items answered)" in corrected.content.decode()


def test_items_without_licensed_wording_are_numbered_with_a_paper_form_note(login):
    page = login("worker02").get(fill_url("02")).content.decode()
    assert "<legend>Item 3 of 14</legend>" in page
    assert 'id="paper-form-note"' in page and "licensed paper form" in page


@pytest.mark.parametrize("date,phase,message", [
    ("2020-02-11", "pre_discharge", "P001 was discharged on 2020-02-10, before this contact on 2020-02-11: choose after discharge"),
    ("2020-02-09", "post_discharge", "P001 is discharged on 2020-02-10, after this contact on 2020-02-09: choose before discharge"),
], ids=["before-after-discharge", "after-before-discharge"])
def test_the_phase_is_checked_against_the_discharge_date(login, date, phase, message):
    from peerimpact.web.records.models import Contact

    before = Contact.all_objects.count()
    body = {"person_id": "P001", "date": date, "mode": "telephone", "status": "completed", "phase": phase}
    page = login("worker01").post(reverse("contact-new"), body).content.decode()
    assert f'<p class="field-error" id="id_phase-error">{message}.</p>' in page
    assert Contact.all_objects.count() == before


@pytest.mark.parametrize("date,phase", [("2020-02-10", "pre_discharge"), ("2020-02-10", "post_discharge"), ("2020-02-05", "pre_discharge")])
def test_phases_the_discharge_date_allows(login, date, phase):
    from peerimpact.web.records.models import Contact

    body = {"person_id": "P001", "date": date, "mode": "telephone", "status": "completed", "phase": phase}
    assert login("worker01").post(reverse("contact-new"), body).status_code == 302
    assert Contact.objects.latest("id").phase == phase


def test_post_discharge_without_a_discharge_date_is_a_warning(login):
    body = {"person_id": "P002", "date": "2020-03-05", "mode": "telephone", "status": "completed", "phase": "post_discharge"}
    page = login("worker02").post(reverse("contact-new"), body, follow=True).content.decode()
    assert "No discharge date is recorded for P002: ask the coordinator to enter it." in page


def test_the_form_prefills_from_an_allocation_and_only_from_ones_the_user_sees(login):
    from peerimpact.web.records.models import Allocation

    p1 = Allocation.objects.get(person__person_id="P001")
    p3 = Allocation.objects.get(person__person_id="P003")
    page = login("worker01").get(reverse("contact-new") + f"?allocation={p1.uid}").content.decode()
    assert '<option value="P001" selected>' in page
    assert 'value="post_discharge" id="id_phase_1" required checked' in page  # discharged on 2020-02-10, before today
    other = login("worker01").get(reverse("contact-new") + f"?allocation={p3.uid}").content.decode()
    select = other.split('id="id_person_id"')[1].split("</select>")[0]
    assert '<option value="" selected>' in select and "P003" not in select  # worker 03's person: no pre-fill


def test_delete_confirms_and_undo_restores(login):
    from peerimpact.web.records.models import Contact
    from peerimpact.web.services.audit import audit_events

    client = login("worker01")
    c1 = Contact.objects.get(contact_id="C1")
    confirm = client.get(reverse("contact-delete", args=[c1.uid]))
    assert confirm.status_code == 200 and 'id="confirm-delete"' in confirm.content.decode()
    assert Contact.objects.filter(contact_id="C1").exists()
    r = client.post(reverse("contact-delete", args=[c1.uid]))
    assert r.status_code == 302 and r["Location"] == reverse("contacts") + f"?deleted={c1.uid}"
    assert not Contact.objects.filter(contact_id="C1").exists()
    assert 'id="undo-delete"' in client.get(r["Location"]).content.decode()
    assert login("worker02").post(reverse("contact-restore", args=[c1.uid])).status_code == 404
    assert login("coord1").post(reverse("contact-restore", args=[c1.uid])).status_code == 403
    assert client.post(reverse("contact-restore", args=[c1.uid])).status_code == 302
    assert Contact.objects.filter(contact_id="C1").exists()
    events = [(e.action, e.reason) for e in audit_events(["Contact"]) if e.record == "C1"]
    assert events[-2:] == [("delete", "deleted"), ("update", "restored")]


def test_the_contact_log_has_no_inline_style(login):
    assert "style=" not in login("worker01").get(reverse("contacts")).content.decode()


def test_the_allocation_form_shows_loads_against_the_cap(login):
    page = login("coord1").get(reverse("allocation-new")).content.decode()
    table = page.split('id="worker-loads"')[1].split("</table>")[0]
    # Today, P001 (ended 2020-05-01) no longer counts; P002 (no discharge, no end) does. Caps: 01 18.75 h -> 4, 02 bank -> 4.
    assert '<td data-label="Worker">01</td><td data-label="People supported">0</td>' in table
    assert '<td data-label="Worker">02</td><td data-label="People supported">1</td>' in table
    assert '<td data-label="Room">3 more</td>' in table and "03" not in table
    assert '<option value="02">02 — supports 1 of a cap of 4</option>' in page


@pytest.mark.parametrize("day,active", [
    (D(2020, 3, 3), {"01": 1, "02": 1, "03": 1}),
    (D(2020, 6, 24), {"01": 0, "02": 1, "03": 1}),  # P003 discharged 2020-03-05: 10 weekly + 3 fortnightly weeks -> 2020-06-25
    (D(2020, 6, 25), {"01": 0, "02": 1, "03": 0}),
    (D(2030, 1, 1), {"01": 0, "02": 1, "03": 0}),  # P002: neither discharged nor ended, still counts
])
def test_allocations_count_only_while_support_lasts(study, day, active):
    from peerimpact.web.records.models import Participant, Policy
    from peerimpact.web.services.caseload import worker_caseloads

    rows = worker_caseloads(Participant.objects.all(), day, Policy.current())
    assert {r.worker.participant_id: r.active for r in rows} == active


def test_over_cap_reasons_show_on_the_caseload_page(login, users):
    from peerimpact.web.services.allocations import allocate

    for n in range(4):
        allocate(users["admin"], {"worker_id": "01", "person_id": f"N{n}", "allocated_on": "2020-03-01",
                                  "confirm_over_cap": True, "over_cap_reason": f"cover for leave {n}"})
    page = login("coord1").get(reverse("caseloads") + "?as_of=2020-03-03").content.decode()
    assert "N3 (allocated 2020-03-01): cover for leave 3" in page


def test_the_audit_trail_is_paged_filtered_and_exported_with_the_filter(login, users):
    from peerimpact.web.services.contacts import create_contact

    for n in range(60):
        create_contact(users["worker01"], {"contact_id": f"PG{n:02d}", "person_id": "P001", "date": "2020-02-05", "mode": "telephone",
                                           "status": "completed", "phase": "pre_discharge"})
    admin = login("admin")
    first = admin.get(reverse("audit") + "?table=Contact&user=worker01&action=create").content.decode()
    assert "60 events match" in first and "Page 1 of 2" in first
    assert first.count('<td data-label="Who">worker01</td>') == 50
    second = admin.get(reverse("audit") + "?table=Contact&user=worker01&action=create&page=2").content.decode()
    assert second.count('<td data-label="Who">worker01</td>') == 10
    today = dt.date.today().isoformat()
    rows = list(csv.DictReader(io.StringIO(admin.get(reverse("audit-csv") + f"?table=Contact&user=worker01&from={today}").content.decode())))
    assert len(rows) == 60 and {r["record"] for r in rows} == {f"PG{n:02d}" for n in range(60)}
    assert admin.get(reverse("audit") + "?table=Contact&to=2000-01-01").content.decode().count("No events.") == 1


def test_a_research_admin_downloads_the_study_folder_and_it_is_audited(login, settings, tmp_path):
    from peerimpact.web.services.audit import audit_events

    settings.PEERIMPACT_DATA_DIR = str(tmp_path)
    r = login("admin").post(reverse("study-export"))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    data = b"".join(r.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"study/study.yaml", "study/contacts.csv", "study/participants.csv"} <= names
        assert "C1,01,P001,2020-02-03" in zf.read("study/contacts.csv").decode()
    downloads = audit_events(["StudyDownload"])
    assert [(e.action, e.user, e.after["size_bytes"]) for e in downloads] == [("create", "admin", len(data))]
    assert list((tmp_path / "exports").iterdir()) == []  # nothing left behind
    assert login("coord1").post(reverse("study-export")).status_code == 403


def test_every_contact_error_is_shown_in_one_round(login):
    """A missing mode (the form's check) and a date before the allocation (the service's) are reported together."""
    from peerimpact.web.records.models import Contact

    before = Contact.all_objects.count()
    body = {"person_id": "P001", "date": "2020-01-01", "status": "completed", "phase": "pre_discharge", "duration_minutes": "x"}
    page = login("worker01").post(reverse("contact-new"), body).content.decode()
    assert '<p class="field-error" id="id_mode-error">Choose one.</p>' in page
    assert '<p class="field-error" id="id_date-error">Contact on 2020-01-01 is before the allocation on 2020-02-01.</p>' in page
    assert '<p class="field-error" id="id_duration_minutes-error">Enter a number.</p>' in page
    summary = re.sub(r"<[^>]+>", "", page.split('id="error-summary"')[1].split("</div>")[0])  # the words shown
    assert "Duration (minutes): Enter a number." in summary and "duration_minutes" not in summary
    assert Contact.all_objects.count() == before


def test_ids_follow_the_study_format_rule_hyphens_included(login, client, token):
    """The study format allows '-' in ids (study.definition.ID_PATTERN): so do the pages and the API."""
    import json

    from peerimpact.web.records.models import Contact

    r = login("coord1").post(reverse("allocation-new"), {"worker_id": "01", "person_id": "P-9", "allocated_on": "2020-03-01"})
    assert r.status_code == 302
    body = {"person_id": "P-9", "date": "2020-03-02", "mode": "telephone", "status": "completed", "phase": "pre_discharge",
            "contact_id": "C-9"}
    r = client.post("/api/contacts", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token("worker01"))
    assert r.status_code == 201 and Contact.objects.get(contact_id="C-9").person.person_id == "P-9"


def test_the_person_page_says_the_state_of_each_slot(login):
    from peerimpact.web.records.models import Person

    p1 = Person.objects.get(person_id="P001")
    page = login("worker01").get(reverse("person", args=[p1.uid]) + "?as_of=2020-02-20").content.decode()
    # C1 (2020-02-03, before discharge) meets the first slot; C2 (2020-02-11) meets week 1; week 2 is open on 2020-02-20.
    states = re.findall(r'<td data-label="State">([^<]*)</td>', page)
    assert states[:4] == ["met", "met", "due now", "to come"]
    later = login("worker01").get(reverse("person", args=[p1.uid]) + "?as_of=2020-06-01").content.decode()
    states = re.findall(r'<td data-label="State">([^<]*)</td>', later)
    assert states[:4] == ["met", "met", "missed", "missed"] and states[-1] == "after support ended"  # ended 2020-05-01


@pytest.fixture
def format_2(study):
    from peerimpact.web.records.models import StudyConfig

    config = StudyConfig.objects.get()
    config.definition = {**config.definition, "format_version": 2}
    config.save()


def absence_url(participant_id: str) -> str:
    from peerimpact.web.records.models import Employment

    return reverse("absence-new", args=[Employment.objects.get(participant__participant_id=participant_id).uid])


@pytest.mark.parametrize("body,message", [
    ({"start_date": "2020-03-01", "end_date": "2020-02-01", "reason": "injury"}, "2020-02-01 is before the start 2020-03-01."),
    ({"start_date": "2019-12-01", "end_date": "2019-12-02", "reason": "injury"}, "2019-12-01 is before 01 started in post (2020-01-01)."),
    ({"start_date": "2020-04-03", "end_date": "", "reason": "other"}, "Overlaps the spell from 2020-04-01 (2020-04-05)."),
    ({"start_date": "2099-01-01", "reason": "other"}, "2099-01-01 is in the future."),
], ids=["end-before-start", "before-post", "overlap", "future"])
def test_absence_spells_follow_the_study_rules(login, format_2, body, message):
    from peerimpact.web.absence.models import AbsenceSpell

    client = login("coord1")
    assert client.post(absence_url("01"), {"start_date": "2020-04-01", "end_date": "2020-04-05", "reason": "mental_health"}).status_code == 302
    page = client.post(absence_url("01"), body).content.decode()
    assert message in page
    assert AbsenceSpell.objects.count() == 1


def test_absence_spells_are_entered_deleted_and_audited(login, format_2):
    from peerimpact.web.absence.models import AbsenceSpell

    client = login("coord1")
    r = client.post(absence_url("01"), {"start_date": "2020-04-01", "end_date": "", "reason": "musculoskeletal"}, follow=True)
    assert "Absence of 01 from 2020-04-01 recorded." in r.content.decode()
    spell = AbsenceSpell.objects.get()
    assert (spell.participant.participant_id, spell.end_date, spell.reason) == ("01", None, "musculoskeletal")
    assert '<td data-label="To">still absent</td>' in client.get(absence_url("01")).content.decode()
    assert login("coord2").get(absence_url("01")).status_code == 404
    assert login("coord2").post(reverse("absence-delete", args=[spell.uid])).status_code == 404
    assert 'id="confirm-delete"' in client.get(reverse("absence-delete", args=[spell.uid])).content.decode()
    assert client.post(reverse("absence-delete", args=[spell.uid])).status_code == 302
    assert not AbsenceSpell.objects.exists() and AbsenceSpell.all_objects.get().deleted_at is not None
    history = list(AbsenceSpell.history.order_by("history_id").values_list("history_user__username", "history_change_reason"))
    assert history == [("coord1", None), ("coord1", "deleted")]
    from peerimpact.web.services.audit import audit_events

    assert [(e.action, e.user, e.after.get("participant_id")) for e in audit_events(["AbsenceSpell"])][:1] == [("create", "coord1", "01")]


def test_a_format_1_study_takes_no_absence_spells(login):
    page = login("coord1").post(absence_url("01"), {"start_date": "2020-04-01", "end_date": "", "reason": "other"}).content.decode()
    assert "This study is format version 1, which has no absence spells" in page


@pytest.mark.parametrize("body,message", [
    ({"discharged_on": "2020-01-15", "ended_on": ""}, "2020-01-15 is before the allocation on 2020-02-01."),
    ({"discharged_on": "2020-03-10", "ended_on": "2020-03-01"}, "2020-03-01 is before the discharge on 2020-03-10."),
    ({"discharged_on": "2099-01-01", "ended_on": ""}, "2099-01-01 is in the future."),
], ids=["before-allocation", "end-before-discharge", "future"])
def test_allocation_dates_are_checked(login, body, message):
    from peerimpact.web.records.models import Allocation

    a = Allocation.objects.get(person__person_id="P001")
    page = login("coord1").post(reverse("allocation-edit", args=[a.uid]), body).content.decode()
    assert message in page
    a.refresh_from_db()
    assert (a.discharged_on, a.ended_on) == (D(2020, 2, 10), D(2020, 5, 1))


def test_a_coordinator_records_a_discharge_date_and_it_is_audited(login):
    from peerimpact.web.records.models import Allocation
    from peerimpact.web.services.audit import audit_events

    a = Allocation.objects.get(person__person_id="P002")
    r = login("coord1").post(reverse("allocation-edit", args=[a.uid]), {"discharged_on": "2020-03-20", "ended_on": ""}, follow=True)
    assert "Allocation of P002 with 02 saved." in r.content.decode()
    a.refresh_from_db()
    assert (a.discharged_on, a.ended_on) == (D(2020, 3, 20), None)
    last = [e for e in audit_events(["Allocation"]) if e.action == "update"][-1]
    assert (last.user, last.before, last.after) == ("coord1", {"discharged_on": None}, {"discharged_on": "2020-03-20"})
    again = login("coord1").post(reverse("allocation-edit", args=[a.uid]), {"discharged_on": "2020-03-20", "ended_on": ""}, follow=True)
    assert "Nothing changed for P002 with 02." in again.content.decode()

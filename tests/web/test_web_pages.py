"""The pages: contact log form, caseloads with the over-cap warning, consent, questionnaires, audit trail."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTACT = {"person_id": "P001", "date": "2020-03-02", "mode": "face_to_face", "duration_minutes": "150",
           "status": "completed", "phase": "post_discharge"}


def test_worker_records_a_contact_with_a_long_duration_warning(login):
    from peerimpact.web.records.models import Contact

    client = login("worker01")
    form = client.get(reverse("contact-new")).content.decode()
    assert '<option value="P001">' in form and "P002" not in form and "P003" not in form
    r = client.post(reverse("contact-new"), CONTACT, follow=True)
    text = r.content.decode()
    assert "150 minutes is more than 120 minutes (2 hours): please check it" in text
    contact = Contact.objects.latest("id")
    assert (contact.worker.participant_id, contact.person.person_id, contact.duration_minutes) == ("01", "P001", 150.0)
    assert f'<td data-label="Contact">{contact.contact_id}</td>' in text


@pytest.mark.parametrize("change,message", [
    ({"date": "2099-01-01"}, "2099-01-01 is in the future"),
    ({"date": "2020-01-01"}, "Contact on 2020-01-01 is before the allocation on 2020-02-01"),
    ({"person_id": "P003"}, "Select a valid choice. P003 is not one of the available choices."),
    ({"duration_minutes": "2000"}, "Ensure this value is less than or equal to 1440."),
], ids=["future", "before-allocation", "other-sites-person", "too-long"])
def test_contact_form_errors_store_nothing(login, change, message):
    from peerimpact.web.records.models import Contact

    before = Contact.all_objects.count()
    r = login("worker01").post(reverse("contact-new"), {**CONTACT, **change})
    assert r.status_code == 200 and message in r.content.decode()
    assert Contact.all_objects.count() == before


def test_caseload_page_warns_above_the_cap(login, users):
    from peerimpact.web.services.allocations import allocate

    for n in range(4):
        allocate(users["admin"], {"worker_id": "01", "person_id": f"N{n}", "allocated_on": "2020-03-01",
                                  "confirm_over_cap": True, "over_cap_reason": "test"})
    page = login("coord1").get(reverse("caseloads") + "?as_of=2020-03-03").content.decode()
    assert "Over the caseload cap:" in page and "01 supports 5 people (cap 4)" in page
    assert login("coord2").get(reverse("caseloads") + "?as_of=2020-03-03").content.decode().count("Over the caseload cap") == 0


def test_allocation_form_asks_to_confirm_over_cap(login, users):
    client = login("coord1")
    for n in range(3):
        client.post(reverse("allocation-new"), {"worker_id": "01", "person_id": f"N{n}", "allocated_on": "2020-03-01"})
    r = client.post(reverse("allocation-new"), {"worker_id": "01", "person_id": "N9", "allocated_on": "2020-03-01"})
    assert "01 would support 5 people, above the cap of 4: tick to confirm and give a reason" in r.content.decode()


def test_consent_is_recorded_with_who_and_form_version(login, users):
    from peerimpact.web.records.models import Participant

    p = Participant.objects.get(participant_id="02")
    r = login("admin").post(reverse("consent-record", args=[p.uid]), {"consent_date": "2020-02-02", "form_version": "v3"}, follow=True)
    assert r.status_code == 200
    p.refresh_from_db()
    assert (p.consent.consent_date.isoformat(), p.consent.form_version, p.consent.recorded_by.username) == ("2020-02-02", "v3", "admin")


def test_questionnaire_page_save_resume_submit(login, users):
    from peerimpact.web.records.models import Participant, QuestionnaireResponse

    p = Participant.objects.get(participant_id="02")
    url = reverse("questionnaire-fill", args=[p.uid, "T2", "wemwbs"])
    client = login("worker02")
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 14 * 5 and "Item 14" in page
    client.post(url, {"wemwbs_1": "5", "wemwbs_2": "4", "action": "save"})
    assert QuestionnaireResponse.objects.get(participant=p, timepoint="T2").status == "draft"
    resumed = client.get(url).content.decode()
    assert 'name="wemwbs_1" value="5" checked' in resumed
    bad = client.post(url, {"wemwbs_1": "7", "action": "submit"}).content.decode()
    assert "Value 7 is outside the range 1–5 of wemwbs" in bad
    values = {f"wemwbs_{i}": "2" for i in range(1, 15)}
    done = client.post(url, {**values, "action": "submit"}, follow=True).content.decode()
    assert "Mental wellbeing (WEMWBS): 28 (14 of 14 items answered)" in done
    assert "Already submitted" in client.get(url).content.decode()


def test_audit_trail_page_and_csv(login, users, token, client):
    body = {"person_id": "P001", "date": "2020-03-01", "mode": "telephone", "duration_minutes": 20, "status": "completed",
            "phase": "post_discharge", "contact_id": "AUD1"}
    auth = token("worker01")
    client.post("/api/contacts", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)
    client.patch("/api/contacts/AUD1", json.dumps({"duration_minutes": 30}), content_type="application/json", HTTP_AUTHORIZATION=auth)
    client.delete("/api/contacts/AUD1", HTTP_AUTHORIZATION=auth)
    admin = login("admin")
    assert "AUD1" in admin.get(reverse("audit") + "?table=Contact").content.decode()
    r = admin.get(reverse("audit-csv") + "?table=Contact")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    rows = [row for row in csv.DictReader(io.StringIO(r.content.decode())) if row["record"] == "AUD1"]
    assert [(row["user"], row["action"], row["table"]) for row in rows] == [("worker01", "create", "Contact"), ("worker01", "update", "Contact"),
                                                                            ("worker01", "delete", "Contact")]
    created = json.loads(rows[0]["after"])
    assert (created["worker_id"], created["person_id"], created["duration_minutes"]) == ("01", "P001", 20.0)
    assert (json.loads(rows[1]["before"]), json.loads(rows[1]["after"])) == ({"duration_minutes": 20.0}, {"duration_minutes": 30.0})
    assert list(json.loads(rows[2]["after"])) == ["deleted_at"]


def test_transcript_page_shows_the_coded_text(login):
    from peerimpact.web.records.models import Transcript

    t = Transcript.objects.get(interview_id="S1-PW01-T1")
    page = login("coder").get(reverse("transcript", args=[t.uid])).content.decode()
    assert "<mark>Busy but good.</mark>" in page and "feeling_busy" in page


def test_report_page_builds_and_offers_both_files(login, monkeypatch, tmp_path, settings):
    """The page calls peerimpact.pipeline.run_pipeline with the database's study (the real run is in the e2e test)."""
    import peerimpact.pipeline

    seen = {}

    def fake_pipeline(study, out_dir):
        seen["participants"] = sorted(study.participants["participant_id"])
        out_dir.mkdir(parents=True)
        (out_dir / "report.html").write_text("<html>report</html>")
        (out_dir / "report.docx").write_bytes(b"PK docx")

    settings.PEERIMPACT_DATA_DIR = str(tmp_path)
    monkeypatch.setattr(peerimpact.pipeline, "run_pipeline", fake_pipeline)
    client = login("admin")
    page = client.post(reverse("report"), follow=True).content.decode()
    assert seen == {"participants": ["01", "02", "03"]} and "Report built." in page
    run = next((tmp_path / "reports").iterdir()).name
    r = client.get(reverse("report-file", args=[run, "report.docx"]))
    assert r["Content-Disposition"] == f'attachment; filename="peerimpact-{run}-report.docx"'
    assert b"".join(r.streaming_content) == b"PK docx"
    assert client.get(reverse("report-file", args=[run, "results.json"])).status_code == 404

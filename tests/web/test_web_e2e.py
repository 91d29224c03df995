"""End to end in headless Chromium against ``peerimpact serve --demo`` (screenshots in test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from browser import sign_in
from liveserver import server_for_tests

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with server_for_tests(tmp_path_factory.mktemp("e2e") / "data") as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_worker_records_a_contact(server, page):
    sign_in(page, server, "worker-s1-01")
    page.click("text=Record a contact")
    person = page.locator("#id_person_id option").nth(1).get_attribute("value")  # the first is "choose"
    page.select_option("#id_person_id", person)
    page.fill("#id_date", dt.date.today().isoformat())
    page.check("input[name=mode][value=telephone]")
    page.fill("#id_duration_minutes", "25")
    page.check("input[name=status][value=completed]")
    page.check("input[name=phase][value=post_discharge]")
    shot(page, "e2e-worker-contact-form")
    page.click("text=Save contact")
    page.wait_for_url(server + "/contacts/")
    saved = page.locator(".ok").inner_text()
    assert saved.startswith("Contact C") and saved.endswith("saved.")
    contact_id = saved.split()[1]
    row = page.locator("tr", has=page.locator(f"td:text-is('{contact_id}')"))
    assert row.locator("td").nth(2).inner_text() == person
    assert row.locator("td").nth(5).inner_text() == "25.0"
    shot(page, "e2e-worker-contact-log")


def test_coordinator_sees_caseload_and_over_cap_warning(server, page):
    sign_in(page, server, "coordinator-s1")
    page.goto(server + "/caseloads/")
    assert page.locator("#over-cap-warning").count() == 0
    today = dt.date.today().isoformat()
    for n in range(1, 30):  # allocate until the cap of worker 01 is reached (bounded)
        page.goto(server + "/allocations/new/")
        page.select_option("#id_worker_id", "01")
        page.fill("#id_person_id", f"E2E{n:03d}")
        page.fill("#id_allocated_on", today)
        page.click("main button[type=submit]")
        if "tick to confirm" in page.content().lower():
            break
    else:
        pytest.fail("the allocation form never asked to confirm exceeding the cap")
    shot(page, "e2e-coordinator-over-cap-confirm")
    page.check("#id_confirm_over_cap")
    page.fill("#id_over_cap_reason", "covering a colleague's leave")
    page.click("main button[type=submit]")
    page.wait_for_url(server + "/caseloads/")
    warning = page.locator("#over-cap-warning").inner_text()
    assert warning.startswith("Over the caseload cap:") and "01 supports" in warning
    assert page.locator("#worker-caseloads tr.over td").first.inner_text() == "01"
    shot(page, "e2e-coordinator-caseloads")


def test_admin_downloads_the_report(server, page, tmp_path):
    sign_in(page, server, "admin")
    page.goto(server + "/report/")
    page.click("#build-report")
    page.wait_for_selector("text=Report built.", timeout=180_000)
    shot(page, "e2e-admin-report")
    with page.expect_download() as html_download:
        page.click("text=report.html")
    html = tmp_path / "report.html"
    html_download.value.save_as(html)
    with page.expect_download() as docx_download:
        page.click("text=report.docx")
    docx = tmp_path / "report.docx"
    docx_download.value.save_as(docx)
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html") and "synthetic" in text.lower()
    assert docx.read_bytes()[:2] == b"PK"


def test_admin_creates_a_peer_worker_who_must_choose_a_password(server, page, browser):
    first_password, own_password = "amber-quay-lantern-5317", "slate-meadow-orchard-8842"
    sign_in(page, server, "admin")
    page.goto(server + "/users/new/")
    page.fill("#id_username", "worker-e2e")
    page.fill("#id_password1", first_password)
    page.fill("#id_password2", first_password)
    page.select_option("#id_role", "worker")
    participant = page.locator("#id_participant_id option").nth(1).get_attribute("value")  # the first free participant
    page.select_option("#id_participant_id", participant)
    page.click("main button[type=submit]")
    page.wait_for_url(server + "/users/")
    assert page.locator(".ok").inner_text() == "Account worker-e2e created."
    shot(page, "e2e-admin-account-created")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        worker = context.new_page()
        worker.set_default_timeout(60_000)
        worker.goto(server + "/accounts/login/")
        worker.fill("#id_username", "worker-e2e")
        worker.fill("#id_password", first_password)
        worker.click("button[type=submit]")
        worker.wait_for_url(server + "/account/password/")
        assert worker.locator("#password-change-required").count() == 1
        worker.goto(server + "/contacts/")  # every other page sends them back
        worker.wait_for_url(server + "/account/password/")
        worker.fill("#id_old_password", first_password)
        worker.fill("#id_new_password1", own_password)
        worker.fill("#id_new_password2", own_password)
        worker.click("main button[type=submit]")
        worker.wait_for_url(server + "/")
        assert worker.locator(".ok").inner_text() == "Your password has been changed."
        worker.click("text=Contact log")
        worker.wait_for_url(server + "/contacts/")
        shot(worker, "e2e-new-worker-contact-log")
    finally:
        context.close()

"""A peer worker's day on a 390 x 844 phone: the home page lists who is due (overdue first) and a contact is recorded
in at most 4 taps, pre-filled from the allocation; deleting asks to confirm and can be undone.

The allocations are made first through the coordinator's allocation form (the demo's allocations all ended in 2019).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from browser import PHONE, ConsoleErrors, demo_server, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("phone") / "data") as s:
        yield s


def _allocate(browser, server, person: str, allocated: dt.date, discharged: dt.date | None) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, server.url, "coordinator-s1")
    page.goto(server.url + "/allocations/new/")
    page.select_option("#id_worker_id", "01")
    page.fill("#id_person_id", person)
    page.fill("#id_allocated_on", allocated.isoformat())
    if discharged:
        page.fill("#id_discharged_on", discharged.isoformat())
    page.click("main button[type=submit]")
    if page.locator("#id_confirm_over_cap").count() and page.locator(".error-summary").count():
        page.check("#id_confirm_over_cap")
        page.fill("#id_over_cap_reason", "browser test")
        page.click("main button[type=submit]")
    page.wait_for_url(server.url + "/caseloads/")
    context.close()


def _contact_row(server, person: str) -> list[tuple]:
    return server.rows("SELECT c.mode, c.status, c.phase, c.date, c.deleted_at FROM records_contact c "
                       "JOIN records_person p ON p.id = c.person_id WHERE p.person_id = ? ORDER BY c.id", (person,))


def test_due_list_and_a_contact_in_four_taps(server, browser):
    # PHN_LATE: discharged 20 days ago, nobody seen: the week-2 slot ended unmet, so it is overdue (first in the list).
    # PHN_WARD: allocated today, still on the ward: the pre-discharge meeting is due now.
    _allocate(browser, server, "PHN_WARD", TODAY, None)
    _allocate(browser, server, "PHN_LATE", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=20))

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = ConsoleErrors(page)
    sign_in(page, server.url, "worker-s1-01")
    items = page.locator("#due-list li")
    names = [items.nth(i).locator("strong").inner_text() for i in range(items.count())]
    assert names[:2] == ["PHN_LATE", "PHN_WARD"]
    assert items.nth(0).inner_text().startswith("PHN_LATE\nOverdue since")

    taps = 0
    item = page.locator("#due-list li", has=page.locator("strong", has_text="PHN_LATE"))
    item.locator("a.button").tap()
    taps += 1
    page.wait_for_url(re.compile(r".*/contacts/new/\?allocation=[0-9a-f-]+$"))
    # Pre-filled from the allocation: the person, today, and "after discharge" (discharged 20 days ago).
    assert page.locator("#id_person_id").input_value() == "PHN_LATE"
    assert page.locator("#id_date").input_value() == TODAY.isoformat()
    assert page.locator("input[name=phase]:checked").get_attribute("value") == "post_discharge"
    page.locator("label", has_text="Telephone").tap()
    taps += 1
    page.locator("label", has_text="Completed").tap()
    taps += 1
    page.locator("main button[type=submit]").tap()
    taps += 1
    page.wait_for_url(server.url + "/contacts/")
    assert taps <= 4
    assert _contact_row(server, "PHN_LATE") == [("telephone", "completed", "post_discharge", _as_stored(server, TODAY), None)]
    assert console.take() == []
    context.close()


def _as_stored(server, day: dt.date):
    return day.isoformat() if server.sqlite is not None else day


def test_the_blank_form_preselects_nothing_and_checks_the_phase(server, browser):
    _allocate(browser, server, "PHN_DIS", TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=3))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server.url, "worker-s1-01")
    page.goto(server.url + "/contacts/new/")
    assert page.locator("#id_person_id").input_value() == ""
    assert page.locator("input[type=radio]:checked").count() == 0
    page.select_option("#id_person_id", "PHN_DIS")
    page.locator("label", has_text="Face to face").click()
    page.locator("label", has_text="Completed").click()
    page.locator("label", has_text="Before discharge").click()
    page.click("main button[type=submit]")
    # All errors at once, next to the field and in the summary, in plain words: the contact is after the discharge.
    error = page.locator("#id_phase .field-error").inner_text()
    assert error == (f"PHN_DIS was discharged on {(TODAY - dt.timedelta(days=3)).isoformat()}, before this contact on "
                     f"{TODAY.isoformat()}: choose after discharge.")
    assert "phase" not in page.locator("#error-summary").inner_text().lower()  # no internal name
    assert _contact_row(server, "PHN_DIS") == []
    context.close()


def test_delete_asks_to_confirm_and_can_be_undone(server, browser):
    _allocate(browser, server, "PHN_DEL", TODAY - dt.timedelta(days=2), None)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = ConsoleErrors(page)
    sign_in(page, server.url, "worker-s1-01")
    page.goto(server.url + "/contacts/new/")
    page.select_option("#id_person_id", "PHN_DEL")
    page.locator("label", has_text="Telephone").click()
    page.locator("label", has_text="Attempted").click()
    page.locator("label", has_text="Before discharge").click()
    page.click("main button[type=submit]")
    page.wait_for_url(server.url + "/contacts/")
    row = page.locator("table.cards tbody tr", has=page.locator("td", has_text="PHN_DEL"))
    row.locator("a", has_text="Delete").click()
    assert page.locator("h1").inner_text().startswith("Delete contact")
    assert _contact_row(server, "PHN_DEL")[0][4] is None  # asking deleted nothing
    page.click("#confirm-delete")
    page.wait_for_url(re.compile(r".*/contacts/\?deleted=[0-9a-f-]+$"))
    assert _contact_row(server, "PHN_DEL")[0][4] is not None
    assert page.locator("table.cards td", has_text="PHN_DEL").count() == 0
    page.locator("#undo-delete button").click()
    page.wait_for_url(server.url + "/contacts/")
    assert _contact_row(server, "PHN_DEL")[0][4] is None
    assert page.locator("table.cards td", has_text="PHN_DEL").count() == 1
    assert console.take() == []
    context.close()

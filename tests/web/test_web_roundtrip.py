"""Every edit form round-trips unchanged: opened for a populated record and submitted untouched in Chromium, it stores
exactly what was there (every column of every study table, read back with plain SQL).

The forms are found by walking the URL conf (``pages_walk``): every page is opened as a research admin (who may open
all of them), and every POST form in the page's main area that shows a stored value (a filled input, a checked box or
radio, a selected option) is an edit form.
"""

from __future__ import annotations

import pytest

from browser import ConsoleErrors, demo_server, page_routes, sign_in
from pages_walk import page_urls, unclassified

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The edit forms the walk must find (it may find more): a walk that finds none of them is broken, not passing.
EXPECTED_EDIT_FORMS = {"contact-edit", "employment-edit", "consent-record", "service-use-entry", "questionnaire-fill", "policy",
                       "allocation-edit"}

# Which forms in a page show stored values; JavaScript evaluated in the page.
EDIT_FORMS_JS = """() => [...document.querySelectorAll('main form')].map((f, i) => {
  if ((f.getAttribute('method') || 'get').toLowerCase() !== 'post') return null;
  const shown = [...f.elements].filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.tagName !== 'BUTTON');
  const filled = shown.filter(e => (e.type === 'radio' || e.type === 'checkbox') ? e.hasAttribute('checked')
      : e.tagName === 'SELECT' ? [...e.options].some(o => o.hasAttribute('selected') && o.value !== '')
      : (e.getAttribute('value') || e.textContent || '') !== '');
  return filled.length ? i : null;
}).filter(i => i !== null)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("roundtrip") / "data") as s:
        yield s


def test_every_route_is_classified():
    assert unclassified() == [], "add these routes to pages_walk.ARGS (pages) or pages_walk.NOT_PAGES"


def test_every_edit_form_round_trips_unchanged(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = ConsoleErrors(page)
    sign_in(page, server.url, "admin")
    urls = page_urls(server, "admin")
    one_record = {name for name, (route, conv) in page_routes().items() if conv} | {"policy"}

    # A submitted questionnaire shows no form: reopen it (as a coordinator would) so that its draft can round-trip.
    page.goto(server.url + "/questionnaires/")
    fill = urls["questionnaire-fill"]
    page.locator(f"form[action='{fill}reopen/'] button").click()
    assert "reopened" in page.locator(".ok").first.inner_text()

    found, problems = set(), []
    for name, path in sorted(urls.items()):
        page.goto(server.url + path)
        forms = page.evaluate(EDIT_FORMS_JS)
        for index in forms:
            page.goto(server.url + path)  # a fresh copy of the form for each
            before = server.snapshot()
            form = page.locator("main form").nth(index)
            invalid = form.evaluate("f => [...f.elements].filter(e => e.willValidate && !e.checkValidity()).map(e => e.name)")
            if invalid:  # the browser refuses to send the form untouched (a stored value it cannot show, e.g. 05/12/2026)
                if name in one_record:
                    problems.append((name, index, f"opens with invalid fields {invalid}"))
                continue
            try:
                with page.expect_navigation(timeout=20_000):
                    form.locator("button[type=submit]").first.click()
            except Exception as exc:  # noqa: BLE001 - reported with the form that failed
                problems.append((name, index, f"submitting did not load a page: {exc}"))
                continue
            after = server.snapshot()
            changed = {t: [(b, a) for b, a in zip(before[t], after[t]) if a != b] or (len(before[t]), len(after[t]))
                       for t in before if before[t] != after[t]}
            if changed:
                problems.append((name, index, changed))
            if name in one_record:  # a form for one record: saving it untouched is not an error
                errors = page.locator(".error-summary, .field-error").all_inner_texts()
                if errors:
                    problems.append((name, index, errors))
            found.add(name)
    assert problems == [], "\n".join(map(str, problems))
    assert EXPECTED_EDIT_FORMS <= found, f"the walk found no edit form on {EXPECTED_EDIT_FORMS - found}"
    assert console.take() == []
    context.close()


def test_dates_render_iso_in_every_date_input(server, browser):
    """Each date input of each page holds ``YYYY-MM-DD`` (or nothing), which is all a browser's date input accepts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server.url, "admin")
    bad = []
    seen = 0
    for name, path in sorted(page_urls(server, "admin").items()):
        page.goto(server.url + path)
        for value in page.eval_on_selector_all("input[type=date]", "els => els.map(e => e.getAttribute('value'))"):
            seen += 1
            if value not in (None, "") and not (len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit()):
                bad.append((name, value))
    assert bad == [] and seen >= 5
    context.close()

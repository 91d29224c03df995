"""The workbench's suggestions panel when the server's training broke, in headless Chromium against ``peerimpact serve``:
a ``"failed"`` answer shows its note (announced in the live region, as the training note) and the panel does not ask
again, where a ``"training"`` answer is asked again a bounded number of times; a stale model's answer shows its note
beside the list. The answers of ``GET /api/suggestions`` are given by the test (``page.route``) and the page's clock is
Playwright's (``page.clock``): the server's training is not involved, and nothing sleeps."""

from __future__ import annotations

import pytest

from browser import chromium
from test_web_coding_browser import new_page, serious_axe_violations, serve_imported_study, sign_in
from test_web_coding_study import EMOJI_ID, write_coding_study

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FAILED_NOTE = "the suggestion model could not be trained; it will be tried again in about 2 minutes"
STALE_NOTE = ("the model could not be updated with the latest codings: these suggestions come from the previous model; "
              "the update will be tried again in less than a minute")
TRAINING_NOTE = "suggestions will appear once the model has learned from this study's codings (it is learning now)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("suggest-backoff-e2e")
    with serve_imported_study(write_coding_study(base / "study"), base / "data") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium(chromium_path) as b:
        yield b


def answer(model_state: str, note: str, items: list) -> dict:
    return {"interview_id": EMOJI_ID, "model_version": "m1" if items else None, "threshold": 0.5, "codes": [],
            "skipped_codes": {}, "count": len(items), "items": items, "note": note, "model_state": model_state}


def open_with(page, server, body: dict) -> list[str]:
    """Open the workbench with ``body`` as every answer of ``GET /api/suggestions``; the URLs asked, as they come."""
    asked: list[str] = []

    def fulfil(route):
        asked.append(route.request.url)
        route.fulfill(json=body)

    page.clock.install()
    sign_in(page, server, "coder")
    page.route("**/api/suggestions?*", fulfil)
    page.goto(server["url"] + "/transcripts/")
    page.click(f"a:text-is('{EMOJI_ID}')")
    page.wait_for_selector("#workbench[data-ready='1']")
    page.wait_for_selector(f"#suggest-box[data-state='{body['model_state']}']")
    return asked


def asked_after(page, asked: list[str]) -> list[str]:
    """The panel's requests so far: a probe of the same URL is asked last, so a request the page started before it
    has been routed when the probe's answer comes back."""
    page.evaluate("async () => (await fetch('/api/suggestions?interview_id=probe')).status")
    assert asked[-1].endswith("interview_id=probe")
    return asked[:-1]


@pytest.mark.parametrize(("model_state", "note", "requests", "shown"), [
    ("training", TRAINING_NOTE, 2, "Suggestions will appear once the model has learned from this study's codings. "
                                   "It is learning now; this panel updates by itself."),
    ("failed", FAILED_NOTE, 1, f"No suggestions: {FAILED_NOTE}. Reload the page then."),
], ids=["training-asks-again", "failed-does-not-ask-again"])
def test_the_note_is_announced_and_only_training_is_asked_again(server, browser, model_state, note, requests, shown):
    page = new_page(browser)
    asked = open_with(page, server, answer(model_state, note, []))
    assert page.locator("#suggest-note").inner_text() == shown
    assert page.locator("#suggest-note").get_attribute("aria-live") == "polite" and page.locator("#suggest-list").is_hidden()
    assert serious_axe_violations(page) == []
    page.clock.run_for(600_000)  # ten minutes of the page's timers: a request the first answer scheduled is made
    assert len(asked_after(page, asked)) == requests
    assert page.js_errors == []
    page.context.close()


def test_a_stale_models_suggestions_show_the_note_beside_the_list(server, browser):
    item = {"code": "hope", "score": 0.9, "rank": 1, "start": 0, "end": 5, "speaker": None, "text": "a passage",
            "model_version": "m1", "examples": []}
    page = new_page(browser)
    open_with(page, server, answer("stale", STALE_NOTE, [item]))
    page.wait_for_selector("#suggest-box[data-ready='1']")
    assert page.locator("#suggest-list li.suggestion").count() == 1
    note = page.locator("#suggest-note")
    assert note.is_visible() and note.inner_text() == STALE_NOTE[0].upper() + STALE_NOTE[1:] + "."
    assert serious_axe_violations(page) == []
    assert page.js_errors == []
    page.context.close()

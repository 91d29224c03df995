"""The workbench's suggestions panel when the server's training broke, in headless Chromium against ``peerimpact serve``:
a ``"failed"`` answer says so, and when it is tried again as a time of day (announced in the live region, as the training
note), and the panel does not ask again, where a ``"training"`` answer is asked again a bounded number of times; a stale
model's answer says beside the list whose suggestions they are and what to do, its heading telling an update in
progress from a broken one (``retry_in_seconds``, not the note's words). The answers of ``GET /api/suggestions`` are
given by the test (``page.route``) and the page's clock is Playwright's (``page.clock``, from :data:`NOW`): the
server's training is not involved, and nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest

from test_web_coding_browser import new_page, serious_axe_violations, serve_imported_study, sign_in
from test_web_coding_study import EMOJI_ID, write_coding_study

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FAILED_NOTE = "the suggestion model could not be trained; it will be tried again in about 2 minutes"
STALE_NOTE = ("the model could not be updated with the latest codings: these suggestions come from the previous model; "
              "the update will be tried again in less than a minute")
TRAINING_NOTE = "suggestions will appear once the model has learned from this study's codings (it is learning now)"
UPDATING_NOTE = "the model is being updated with the latest codings: these suggestions come from the previous model"
RETRY_SECONDS = [2, 3, 5, 8, 13, 20, 30, 45]  # suggest.js: the panel's waits before asking again while training
# The page's clock when it opens (it runs on while the page loads: the expected times of day are read from the page).
NOW = dt.datetime(2026, 3, 2, 9, 41, 20, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("suggest-backoff-e2e")
    with serve_imported_study(write_coding_study(base / "study"), base / "data") as srv:
        yield srv


def answer(model_state: str, note: str, items: list, retry_in_seconds: int | None = None) -> dict:
    body = {"interview_id": EMOJI_ID, "model_version": "m1" if items else None, "threshold": 0.5, "codes": [],
            "skipped_codes": {}, "count": len(items), "items": items, "note": note, "model_state": model_state}
    return body if retry_in_seconds is None else {**body, "retry_in_seconds": retry_in_seconds}


def item(code: str, start: int) -> dict:
    return {"code": code, "score": 0.9, "rank": 1, "start": start, "end": start + 5, "speaker": None, "text": f"a passage {start}",
            "model_version": "m1", "examples": []}


def clock_time(page, seconds: int) -> str:
    """The page's time now (it ran on from :data:`NOW` while the page loaded; read just after the answer was shown)
    plus ``seconds``, rounded up to a whole minute, as the page's local time of day ("09:44")."""
    minute = -(-(page.evaluate("Date.now()") / 1000 + seconds) // 60) * 60
    hours, minutes = page.evaluate("(ms) => { const d = new Date(ms); return [d.getHours(), d.getMinutes()]; }", minute * 1000)
    return f"{hours:02d}:{minutes:02d}"


def open_with(page, server, body: dict) -> list[str]:
    """Open the workbench with ``body`` as every answer of ``GET /api/suggestions``; the URLs asked, as they come."""
    asked: list[str] = []

    def fulfil(route):
        asked.append(route.request.url)
        route.fulfill(json=body)

    page.clock.install(time=NOW)
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


# (model_state, note, retry_in_seconds, requests made in ten minutes (training: at least), what the panel says: {at} is the
# retry's time of day)
ANNOUNCED = [
    ("training", TRAINING_NOTE, None, 2, "Suggestions will appear once the model has learned from this study's codings. "
                                         "It is learning now; this panel updates by itself."),
    ("failed", FAILED_NOTE, 120, 1, "No suggestions: the model could not be trained. It will be tried again at {at}: reload the page then."),
]


@pytest.mark.parametrize(("model_state", "note", "retry_in_seconds", "requests", "shown"), ANNOUNCED,
                         ids=["training-asks-again", "failed-does-not-ask-again"])
def test_the_note_is_announced_and_only_training_is_asked_again(server, browser, model_state, note, retry_in_seconds, requests,
                                                               shown):
    page = new_page(browser)
    asked = open_with(page, server, answer(model_state, note, [], retry_in_seconds))
    expected = shown.format(at=clock_time(page, retry_in_seconds or 0))
    assert page.locator("#suggest-note").inner_text() == expected
    assert page.locator("#suggest-note").get_attribute("aria-live") == "polite" and page.locator("#suggest-list").is_hidden()
    assert serious_axe_violations(page) == []
    page.clock.run_for(600_000)  # ten minutes of the page's timers: a request the first answer scheduled is made
    made = len(asked_after(page, asked))
    if model_state == "failed":
        assert made == requests  # never asked again
    else:  # asked again, how many times depends on when each routed answer comes back during the fast-forward, but
        assert requests <= made <= 1 + len(RETRY_SECONDS)  # never more than the panel's bounded retries
    if model_state == "failed":  # a time of day, not a countdown: still true ten minutes on
        assert page.locator("#suggest-note").inner_text() == expected
    assert page.js_errors == []
    page.context.close()


# (note, retry_in_seconds, heading, what the panel says beside the list: {at} is the retry's time of day)
STALE = [
    (UPDATING_NOTE, None, "Suggestions (updating…)",
     "The model is being updated with the latest codings: these suggestions come from the previous model. "
     "Reload the page in a minute or so for suggestions that include them."),
    (STALE_NOTE, 70, "Suggestions (from the previous model)",
     "The model could not be updated with the latest codings, so these suggestions come from the previous model. "
     "It will be tried again at {at}: reload the page then."),
]


@pytest.mark.parametrize(("note", "retry_in_seconds", "heading", "shown"), STALE, ids=["updating", "update-failed"])
def test_a_stale_models_suggestions_say_whose_they_are_beside_the_list(server, browser, note, retry_in_seconds, heading, shown):
    """The heading follows ``retry_in_seconds``; the note is announced once (a reject does not rewrite it)."""
    page = new_page(browser)
    open_with(page, server, answer("stale", note, [item("hope", 0), item("hope", 10)], retry_in_seconds))
    page.wait_for_selector("#suggest-box[data-ready='1']")
    assert page.locator("#suggest-list li.suggestion").count() == 2
    assert page.locator("#suggest-label").inner_text() == heading
    shown = shown.format(at=clock_time(page, retry_in_seconds or 0))
    note_el = page.locator("#suggest-note")
    assert note_el.is_visible() and note_el.inner_text() == shown and note_el.get_attribute("aria-live") == "polite"
    assert serious_axe_violations(page) == []
    page.evaluate("""() => { window.noteChanges = 0;
        new MutationObserver(() => { window.noteChanges += 1; })
          .observe(document.getElementById('suggest-note'), { childList: true, characterData: true, subtree: true }); }""")
    page.focus("#suggest-list")
    page.keyboard.press("x")
    page.wait_for_function("document.querySelectorAll('#suggest-list li.suggestion').length === 1")
    assert page.evaluate("window.noteChanges") == 0 and note_el.inner_text() == shown
    assert page.js_errors == []
    page.context.close()

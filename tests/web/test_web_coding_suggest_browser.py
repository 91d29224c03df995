"""Code suggestions in the workbench, in headless Chromium against ``peerimpact serve`` (issue 17): shown for a
transcript, accepted and rejected by keyboard; the accepted one is in ``codings.csv`` after ``db export-study``
with ``origin = suggested`` and the model version. Synthetic data: a slice of the demo study."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from liveserver import SERVE_CLI
from test_web_coding_browser import new_page, serious_axe_violations, serve_imported_study, sign_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qual"))
from suggest_helpers import demo_slice  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNCODED = "S1-PW01-T2"


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_study):
    from peerimpact.study.write import write_study

    base = tmp_path_factory.mktemp("suggest-e2e")
    small = demo_slice(demo_study, 12)
    small = dataclasses.replace(small, codings=small.codings[small.codings["interview_id"] != UNCODED].reset_index(drop=True))
    study = write_study(small, base / "study")
    with serve_imported_study(study, base / "data") as srv:
        yield srv


def suggestions(page) -> list[str]:
    page.wait_for_selector("#suggest-box[data-ready='1']", timeout=120_000)  # the first model may still be training
    return [li.get_attribute("data-code") + "|" + li.locator("blockquote").inner_text() for li in page.locator("#suggest-list li.suggestion").all()]


def test_first_visit_says_the_model_is_learning_then_shows_suggestions_by_itself(server, browser):
    """Issue 15: the server's first model is trained in the background; the panel says so in plain words and asks again
    (a few times, further apart), so the suggestions appear without a reload. The first test of this module: the
    server has no model yet."""
    page = new_page(browser)
    sign_in(page, server, "coder")
    page.goto(server["url"] + "/transcripts/")
    page.click(f"a:text-is('{UNCODED}')")
    page.wait_for_selector("#workbench[data-ready='1']")
    page.wait_for_selector("#suggest-box[data-state='training']")
    note = page.locator("#suggest-note").inner_text()
    assert note.startswith("Suggestions will appear once the model has learned from this study's codings.")
    assert page.locator("#suggest-list").is_hidden()
    assert len(suggestions(page)) >= 1  # the panel asked again, and the model was ready
    assert page.locator("#suggest-box").get_attribute("data-state") == "fresh"
    assert page.js_errors == []
    page.context.close()


def test_suggestions_accepted_and_rejected_by_keyboard(server, browser, tmp_path):
    page = new_page(browser)
    sign_in(page, server, "coder")
    page.goto(server["url"] + "/transcripts/")
    page.click(f"a:text-is('{UNCODED}')")
    page.wait_for_selector("#workbench[data-ready='1']")
    shown = suggestions(page)
    assert len(shown) >= 3
    api = page.evaluate("async (iid) => (await (await fetch('/api/suggestions?interview_id=' + iid, {credentials: 'same-origin'})).json())",
                        UNCODED)
    assert [s["code"] for s in api["items"]] == [x.split("|")[0] for x in shown]
    # Each suggestion is highlighted in the transcript (a layer of the workbench).
    assert page.locator("#text .seg.suggested-current").count() >= 1
    first, second = api["items"][0], api["items"][1]

    page.locator("#suggest-list").focus()
    page.keyboard.press("a")  # accept the first
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Accepted')")
    page.keyboard.press("x")  # reject the next one (now first in the list)
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Rejected')")
    assert len(suggestions(page)) == len(shown) - 2
    # The accepted suggestion is now a coding, highlighted like any other.
    assert page.locator("#text .seg.hl").count() >= 1

    page.reload()
    page.wait_for_selector("#workbench[data-ready='1']")
    after = suggestions(page)
    assert len(after) == len(shown) - 2  # accepted: coded now; rejected: remembered
    assert page.js_errors == []

    out = tmp_path / "out"
    subprocess.run([sys.executable, str(SERVE_CLI), "db", "export-study", "--out", str(out), "--overwrite", "--data-dir",
                    str(server["data"])], env=server["env"], check=True, capture_output=True)
    rows = pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)
    mine = rows[rows["interview_id"] == UNCODED]
    assert mine[["start", "end", "code", "coder", "origin", "model_version"]].values.tolist() == [
        [str(first["start"]), str(first["end"]), first["code"], "coder", "suggested", first["model_version"]]]
    assert (second["code"], str(second["start"])) not in set(zip(mine["code"], mine["start"]))
    page.context.close()


def test_suggestions_panel_passes_axe_with_suggestions_and_without(server, browser):
    """The listbox owns only options (axe: aria-required-children, listitem); its empty state is a paragraph beside it."""
    page = new_page(browser)
    sign_in(page, server, "coder")
    page.goto(server["url"] + "/transcripts/")
    page.click(f"a:text-is('{UNCODED}')")
    page.wait_for_selector("#workbench[data-ready='1']")
    n = len(suggestions(page))
    assert n >= 1 and page.locator("#suggest-note").is_hidden()
    assert serious_axe_violations(page) == []
    page.locator("#suggest-list").focus()
    for k in range(n):  # reject them all: the panel's empty state
        page.keyboard.press("x")
        page.wait_for_function("(left) => document.querySelectorAll('#suggest-list li.suggestion').length === left", arg=n - k - 1)
    assert serious_axe_violations(page) == []
    assert page.locator("#suggest-list").is_hidden()
    assert page.locator("#suggest-note").inner_text() == "No suggestions for this transcript."
    assert page.evaluate("() => document.activeElement.id") == "text"  # focus back on the transcript, not lost
    assert page.js_errors == []
    page.context.close()

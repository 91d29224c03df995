"""The coding workbench in headless Chromium against ``peerimpact serve`` (SQLite, or PostgreSQL with
``PEERIMPACT_TEST_DB=postgres``), on the synthetic coding study (a CRLF source with an emoji).

Screenshots go to docs/img/ (the coder's walkthrough in docs/web.md shows them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import pytest

import liveserver
from liveserver import SERVE_CLI, running_server, throwaway_postgres
from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PASSWORD = "a-long-test-password-1"
SETUP = """
import sys
from pathlib import Path
from peerimpact.web import server
server.configure(Path(sys.argv[1]))
from peerimpact.web.records.models import Role
from peerimpact.web.services.accounts import make_user
for name, role in (("admin", Role.ADMIN), ("coder", Role.CODER), ("coder2", Role.CODER), ("worker", None)):
    if role is not None:
        make_user(name, sys.argv[2], role, validate_password=False)
"""


def _env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("coding-e2e")
    study = write_coding_study(base / "study")
    data = base / "data"
    with ExitStack() as stack:
        extra = {"DATABASE_URL": stack.enter_context(throwaway_postgres())} if liveserver.test_db_kind() == "postgres" else {}
        env = _env(extra)
        subprocess.run([sys.executable, str(SERVE_CLI), "db", "import-study", str(study), "--data-dir", str(data)], env=env, check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-c", SETUP, str(data), PASSWORD], env=env, check=True, capture_output=True)
        url = stack.enter_context(running_server(data, demo=False, env=extra))
        yield {"url": url, "data": data, "env": env}


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    return page


@pytest.fixture
def page(browser):
    p = new_page(browser)
    yield p
    p.context.close()


def sign_in(page, server, username: str) -> None:
    page.goto(server["url"] + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server["url"] + "/")


def open_workbench(page, server, iid: str = EMOJI_ID) -> None:
    page.goto(server["url"] + "/transcripts/")
    page.click(f"a:text-is('{iid}')")
    page.wait_for_selector("#workbench[data-ready='1']")


def shot(page, name: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=False)


def select_text(page, needle: str) -> None:
    """Select ``needle`` in the transcript with the DOM Range API, by UTF-16 offsets (what a mouse drag produces)."""
    page.evaluate(
        """(needle) => {
            const segs = [...document.querySelectorAll('#text .seg')];
            let all = '', nodes = [];
            for (const s of segs) { nodes.push([s.firstChild, all.length]); all += s.textContent; }
            const a = all.indexOf(needle), b = a + needle.length;
            const at = (x) => { let k = nodes.length - 1; while (k > 0 && nodes[k][1] > x) k--; return [nodes[k][0], x - nodes[k][1]]; };
            const r = document.createRange(); r.setStart(...at(a)); r.setEnd(...at(b));
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        }""",
        needle,
    )


def highlights(page, iid: str = EMOJI_ID) -> list[tuple[str, str, str]]:
    """(code, coder, highlighted text) of each coding shown: the text of every span marked with the coding's id."""
    return [tuple(x) for x in page.evaluate(
        """async (iid) => {
            const r = await fetch('/api/codings?interview_id=' + encodeURIComponent(iid), {credentials: 'same-origin'});
            const codings = (await r.json()).items;
            const segs = [...document.querySelectorAll('#text .seg.hl')];
            return codings.map(c => [c.code, c.coder,
                segs.filter(s => s.dataset.codings.split(' ').includes(c.id)).map(s => s.textContent).join('')]);
        }""", iid)]


def api_codings(server, iid=EMOJI_ID) -> list[dict]:
    code = ("import sys, json\nfrom pathlib import Path\nfrom peerimpact.web import server\nserver.configure(Path(sys.argv[1]))\n"
            "from peerimpact.web.records.models import Coding\n"
            "print(json.dumps([dict(coder=c.coder, code=c.code, start=c.start, end=c.end) for c in "
            "Coding.objects.filter(transcript__interview_id=sys.argv[2]).order_by('id')]))")
    out = subprocess.run([sys.executable, "-c", code, str(server["data"]), iid], env=server["env"], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout)


def export(server, out: Path) -> pd.DataFrame:
    subprocess.run([sys.executable, str(SERVE_CLI), "db", "export-study", "--out", str(out), "--overwrite", "--data-dir",
                    str(server["data"])], env=server["env"], check=True, capture_output=True)
    return pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)


def test_select_code_reload_and_export_have_the_same_quote(server, page, tmp_path):
    needle = "Quieter \U0001F600, cafe\u0301 \U0001D11E"
    sign_in(page, server, "coder")
    open_workbench(page, server)
    assert page.locator(".ids").inner_text().startswith("Site 2 · Participant 03 · Timepoint T1")
    select_text(page, needle)
    page.click("button.code-button[data-code='hope']")
    page.wait_for_selector("#details .coding-list")
    shot(page, "coding-workbench")
    page.reload()
    page.wait_for_selector("#workbench[data-ready='1']")
    assert ("hope", "coder", needle) in highlights(page)
    rows = export(server, tmp_path / "out")
    row = rows[(rows["code"] == "hope") & (rows["coder"] == "coder")].iloc[0]
    assert row["quote"] == needle
    start = EMOJI_TEXT.index(needle)
    assert (int(row["start"]), int(row["end"])) == (start, start + len(needle))  # code points, not UTF-16 units
    assert page.js_errors == []


def test_keyboard_only_coding(server, page):
    sign_in(page, server, "coder2")
    open_workbench(page, server, "S1-PW01-T1")
    page.locator("#text").focus()  # the caret goes to the start of the text
    page.keyboard.press("ArrowDown")  # the second line: "PW: Busy but good."
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected.strip() == "Busy"
    page.keyboard.press("c")
    assert page.evaluate("() => document.activeElement.id") == "palette-filter"
    page.keyboard.type("peer")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Coded') || document.getElementById('status').classList.contains('error')")
    assert page.locator("#status").inner_text().startswith("Coded"), page.locator("#status").inner_text()
    assert [h for h in highlights(page, "S1-PW01-T1") if h[0] == "peer_identity"] == [("peer_identity", "coder2", selected)]
    page.keyboard.press("n")  # back in the text: move between highlights
    shown = page.locator("#details li.current strong").inner_text()
    assert shown in ("Peer identity", "Feeling busy")
    while page.locator("#details li.current strong").inner_text() != "Peer identity":
        page.keyboard.press("n")
    page.keyboard.press("Delete")
    page.wait_for_function("() => !document.querySelector('#details .coding-list')")
    assert [c for c in api_codings(server, "S1-PW01-T1") if c["coder"] == "coder2"] == []
    assert page.js_errors == []

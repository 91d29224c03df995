"""The coding workbench in headless Chromium against ``peerimpact serve`` (SQLite, or PostgreSQL with
``PEERIMPACT_TEST_DB=postgres``), on the synthetic coding study (a CRLF source with an emoji).

Screenshots go to a temporary folder; with ``PEERIMPACT_DOCS_IMG=docs/img`` they replace the ones the coder's walkthrough in
docs/web.md shows (a deliberate act, as for golden files: tests do not write into the repository, issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

import liveserver
from liveserver import SERVE_CLI, running_server, throwaway_postgres
from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG_ENV = "PEERIMPACT_DOCS_IMG"
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


@contextmanager
def serve_imported_study(study: Path, data: Path) -> Iterator[dict]:
    """``db import-study`` of ``study`` into ``data``, the test accounts, then ``peerimpact serve`` (SQLite, or a throwaway
    PostgreSQL database with ``PEERIMPACT_TEST_DB=postgres``); yields url, data folder and the environment for CLI calls."""
    with ExitStack() as stack:
        extra = {"DATABASE_URL": stack.enter_context(throwaway_postgres())} if liveserver.test_db_kind() == "postgres" else {}
        env = _env(extra)
        subprocess.run([sys.executable, str(SERVE_CLI), "db", "import-study", str(study), "--data-dir", str(data)], env=env, check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-c", SETUP, str(data), PASSWORD], env=env, check=True, capture_output=True)
        url = stack.enter_context(running_server(data, demo=False, env=extra))
        yield {"url": url, "data": data, "env": env}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("coding-e2e")
    with serve_imported_study(write_coding_study(base / "study"), base / "data") as srv:
        yield srv


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    # failed requests of the workbench, the suggestions panel's /api/suggestions included
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


def screenshot_dir(setting: str | None, tmp: Path) -> Path:
    """Where screenshots go: ``tmp``, or the folder named by ``$PEERIMPACT_DOCS_IMG`` (relative to the repository root)."""
    return ROOT / setting if setting else tmp


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_dir(os.environ.get(DOCS_IMG_ENV), tmp_path_factory.mktemp("screenshots"))


@pytest.mark.parametrize(
    "setting, expected",
    [(None, "TMP"), ("", "TMP"), ("docs/img", str(ROOT / "docs" / "img")), ("/srv/shots", "/srv/shots")],
    ids=["unset", "empty", "docs-img", "absolute"],
)
def test_screenshots_go_to_a_temporary_folder_unless_a_folder_is_named(setting, expected, tmp_path):
    assert str(screenshot_dir(setting, tmp_path)) == (str(tmp_path) if expected == "TMP" else expected)


def test_screenshots_of_this_run_stay_out_of_the_repository(shots):
    assert os.environ.get(DOCS_IMG_ENV) or not shots.resolve().is_relative_to(ROOT)


def shot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


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


def test_select_code_reload_and_export_have_the_same_quote(server, page, tmp_path, shots):
    needle = "Quieter \U0001F600, cafe\u0301 \U0001D11E"
    sign_in(page, server, "coder")
    open_workbench(page, server)
    assert page.locator(".ids").inner_text().startswith("Site 2 · Participant 03 · Timepoint T1")
    select_text(page, needle)
    page.click("button.code-button[data-code='hope']")
    page.wait_for_selector("#details .coding-list")
    shot(page, shots, "coding-workbench")
    assert (shots / "coding-workbench.png").read_bytes().startswith(b"\x89PNG")
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


def code_in(page, needle: str, code_id: str) -> None:
    page.evaluate("() => { document.getElementById('status').textContent = ''; }")
    select_text(page, needle)
    page.click(f"button.code-button[data-code='{code_id}']")
    page.wait_for_function("() => document.getElementById('status').textContent !== ''")
    assert page.locator("#status").inner_text().startswith("Coded"), page.locator("#status").inner_text()


def coders_shown(page, iid) -> set[str]:
    return {h[1] for h in highlights(page, iid)}


def test_two_coders_are_blind_until_unblinding_and_reconciliation_kappa_equals_the_command_line(server, browser, tmp_path, shots):
    from typer.testing import CliRunner

    from peerimpact.cli.main import app

    iid = "S1-PW02-T1"
    admin, c1, c2 = new_page(browser), new_page(browser), new_page(browser)
    try:
        sign_in(admin, server, "admin")
        open_workbench(admin, server, iid)
        admin.fill("#blind-coders", "coder, coder2")
        admin.click("text=Assign")
        assert "Blind double coding of S1-PW02-T1 by coder, coder2." in admin.locator(".ok").inner_text()
        for page, user, spans in ((c1, "coder", [("Sharing my story", "peer_identity"), ("The team listens now.", "hope")]),
                                  (c2, "coder2", [("Sharing my story helps", "peer_identity"), ("trust me", "hope")])):
            sign_in(page, server, user)
            open_workbench(page, server, iid)
            assert "blind: you see only your own codings" in page.locator(".ids").inner_text()
            for needle, code_id in spans:
                code_in(page, needle, code_id)
        for page, user in ((c1, "coder"), (c2, "coder2")):
            page.reload()
            page.wait_for_selector("#workbench[data-ready='1']")
            assert coders_shown(page, iid) == {user}
            assert page.locator("a:text-is('Reconcile')").count() == 0
        shot(c1, shots, "coding-blind")
        admin.reload()
        admin.click("button:text-is('Unblind')")
        assert "is unblinded" in admin.locator(".ok").inner_text()
        c1.reload()
        c1.wait_for_selector("#workbench[data-ready='1']")
        assert coders_shown(c1, iid) == {"coder", "coder2"}
        c1.click("a:text-is('Reconcile')")
        c1.wait_for_selector("#agreement")
        shot(c1, shots, "coding-reconcile")
        shown = {code: float(c1.locator(f"#agreement tr[data-code='{code}'][data-pair='coder|coder2'] td.kappa").get_attribute("data-value"))
                 for code in ("peer_identity", "hope")}
        export(server, tmp_path / "out")
        result = CliRunner().invoke(app, ["qual", "agreement", str(tmp_path / "out"), "--coder", "coder", "--coder", "coder2",
                                          "--level", "character"])
        assert result.exit_code == 0, result.output
        cli = json.loads(result.stdout)["pairs"]
        # the CLI pools over every transcript both coded; S1-PW02-T1 is the only one coder and coder2 both coded
        assert {r["interview_id"] for r in cli if r["scope"] == "code_interview"} == {iid}
        assert shown == {r["code"]: r["kappa"] for r in cli if r["scope"] == "code" and r["code"] in shown}
        assert c1.js_errors == [] and c2.js_errors == [] and admin.js_errors == []
    finally:
        for p in (admin, c1, c2):
            p.context.close()


def test_workshop_merges_two_members_codes_into_a_new_codebook_version(server, browser, shots):
    iid = "S1-PW01-T2"
    admin, c1 = new_page(browser), new_page(browser)
    try:
        sign_in(admin, server, "admin")
        admin.goto(server["url"] + "/codebook/")
        admin.fill("#form-add #add-id", "belonging")
        admin.fill("#form-add #add-name", "Belonging")
        admin.fill("#form-add #add-reason", "workshop 1: an emerging idea")
        admin.click("#form-add button")
        version = int(admin.locator("h1").inner_text().split()[-1])
        sign_in(c1, server, "coder")
        open_workbench(c1, server, iid)
        code_in(c1, "part of the team", "belonging")
        open_workbench(admin, server, iid)
        code_in(admin, "I feel like part of the team", "peer_identity")
        admin.goto(server["url"] + f"/workshop/?interview={iid}")
        assert "× 1" in admin.locator("tr[data-code='belonging']").inner_text()
        admin.check("#merge-belonging")
        admin.check("#merge-peer_identity")
        admin.fill("#ws-name", "Workshop 2")
        admin.fill("#ws-into", "peer_identity")
        admin.fill("#ws-reason", "belonging is part of peer identity")
        shot(admin, shots, "coding-workshop")
        admin.click("button:text-is('Merge ticked codes')")
        assert f"Saved as codebook version {version + 1}." in admin.locator(".ok").inner_text()
        row = admin.locator("tr[data-code='peer_identity']").inner_text()
        assert "coder × 1" in row and "admin × 1" in row
        admin.goto(server["url"] + "/codebook/")
        assert f"Version {version + 1}" in admin.locator("#versions").inner_text()
        assert "Workshop 2: belonging is part of peer identity" in admin.locator("#versions").inner_text()
    finally:
        for p in (admin, c1):
            p.context.close()


def test_codebook_merge_and_split_with_the_recode_queue(server, browser, shots):
    iid = "S1-PW02-T2"
    admin, c1 = new_page(browser), new_page(browser)
    try:
        sign_in(c1, server, "coder")
        open_workbench(c1, server, iid)
        code_in(c1, "Some weeks are busy", "feeling_busy")
        code_in(c1, "some are quiet", "quiet")
        code_in(c1, "both are fine", "hope")
        sign_in(admin, server, "admin")
        admin.goto(server["url"] + "/codebook/")
        for code_id in ("feeling_busy", "quiet"):
            admin.check(f"#form-merge input[value='{code_id}']")
        admin.fill("#merge-into", "pace")
        admin.fill("#merge-name", "Pace of work")
        admin.fill("#merge-reason", "busy and quiet are one idea")
        admin.click("#form-merge button")
        assert "Saved as codebook version" in admin.locator(".ok").inner_text()
        admin.select_option("#split-code", "hope")
        admin.fill("#split-into", "hope_self: Hope for self\nhope_others: Hope for others")
        admin.fill("#split-reason", "hope was two ideas")
        admin.click("#form-split button")
        assert "Saved as codebook version" in admin.locator(".ok").inner_text()
        shot(admin, shots, "coding-codebook")
        c1.reload()
        c1.wait_for_selector("#workbench[data-ready='1']")
        assert sorted(h[0] for h in highlights(c1, iid)) == ["hope", "pace", "pace"]  # merged codes follow the merge
        assert c1.locator("#recode-box").is_visible()
        assert "both are fine" in c1.locator("#recode-list").inner_text()
        shot(c1, shots, "coding-recode")
        c1.click("#recode-list button:text-is('Recode as Hope for others')")
        c1.wait_for_selector("#recode-box", state="hidden")
        assert sorted(h[0] for h in highlights(c1, iid)) == ["hope_others", "pace", "pace"]
        assert c1.js_errors == [] and admin.js_errors == []
    finally:
        for p in (admin, c1):
            p.context.close()


def test_two_browsers_coding_one_transcript_at_once_lose_nothing(server, browser):
    iid = "S1-PW01-T1"
    a, b = new_page(browser), new_page(browser)
    try:
        sign_in(a, server, "coder")
        sign_in(b, server, "admin")
        open_workbench(a, server, iid)
        open_workbench(b, server, iid)
        words = ["Interviewer", "How", "has", "it", "been", "Busy", "but", "good"]
        first, second = sorted(a.eval_on_selector_all("button.code-button", "bs => bs.map(b => b.dataset.code)"))[:2]
        before = len(api_codings(server, iid))
        for word in words:  # interleaved: each click sends a request without waiting for the other browser's
            for page, code_id in ((a, first), (b, second)):
                select_text(page, word)
                page.click(f"button.code-button[data-code='{code_id}']", no_wait_after=True)
        for page in (a, b):
            page.wait_for_load_state("networkidle")
        stored = api_codings(server, iid)
        assert len(stored) - before == 2 * len(words)
        for page in (a, b):
            page.reload()
            page.wait_for_selector("#workbench[data-ready='1']")
            shown = highlights(page, iid)
            for word in words:
                assert (first, "coder", word) in shown and (second, "admin", word) in shown
        assert a.js_errors == [] and b.js_errors == []
    finally:
        for p in (a, b):
            p.context.close()


AXE_PAGES = ["/transcripts/", "/codebook/", "/workshop/", "/coding/counts/", "/coding/search/?q=team"]


def serious_axe_violations(page) -> list[tuple]:
    """axe-core's serious and critical violations on the page as it is now: (rule, impact, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violation_on_the_workbench_pages(server, page):
    sign_in(page, server, "admin")
    urls = [server["url"] + u for u in AXE_PAGES]
    page.goto(server["url"] + "/transcripts/")
    workbench = page.locator(f"a:text-is('{EMOJI_ID}')").get_attribute("href")
    urls += [server["url"] + workbench, server["url"] + workbench + "reconcile/"]
    problems = {}
    for url in urls:
        page.goto(url)
        if "/transcripts/" in url and url.count("/") > 4:
            if not url.endswith("reconcile/"):
                page.wait_for_selector("#workbench[data-ready='1']")
                page.wait_for_selector("#suggest-box[data-ready='1']")  # the suggestions panel (issue 17), loaded
                page.locator("#text .seg.hl").first.click()  # the details pane with its memo form, too
        bad = serious_axe_violations(page)
        if bad:
            problems[url] = bad
    assert problems == {}


def test_search_then_code_this_passage(server, page):
    sign_in(page, server, "coder")
    page.goto(server["url"] + "/coding/search/?q=cafe")  # the index folds the accent: finds "café"
    page.click("a:has-text('Code this passage')")
    page.wait_for_selector("#workbench[data-ready='1']")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert "cafe\u0301" in selected and selected in EMOJI_TEXT
    page.keyboard.press("1")  # the first code of the palette, on the selected passage
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Coded')")
    assert page.js_errors == []


def test_a_memo_written_beside_a_highlight(server, page):
    sign_in(page, server, "coder")
    open_workbench(page, server, EMOJI_ID)
    page.locator("#text .seg.hl").first.click()
    page.wait_for_selector("#details .memo-form")
    page.select_option("#memo-target", index=2)  # the code's theme (the synthetic codebook's "workload" or another)
    target = page.locator("#memo-target option").nth(2).inner_text()
    page.select_option("#memo-kind", "reflexive")
    page.fill("#memo-text", "Synthetic memo: the pace feels different at this site.")
    page.click("#details button:text-is('Save memo')")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Memo saved')")
    page.reload()
    page.wait_for_selector("#workbench[data-ready='1']")
    page.locator("#text .seg.hl").first.click()
    memos = page.locator("#details .memo-list").inner_text()
    assert "reflexive memo on" in memos and "by coder" in memos and "the pace feels different" in memos, (target, memos)
    assert page.js_errors == []


# synthetic: characters HTML markup would change (tags, entities, quotes; a carriage return) beside an emoji; the workbench
# writes its spans as one HTML string (text with a CR is set as text instead) and must show the text exactly
MARKUP = [
    ("SYN-MARKUP-T1", "Interviewer: Is <b>\"R&D\"</b> &amp; <i>x</i> > y?\nPW: Yes 😀 it's & more.\n",
     [("<b>\"R&D\"</b> &amp;", "coder"), ("😀 it's", "coder"), ("R&D\"</b> &amp; <i>x", "coder2")]),
    ("SYN-MARKUP-T2", "Interviewer: Is <b>\"R&D\"</b> ok?\nPW: Yes 😀 it's a\rline & more.\n",
     [("<b>\"R&D\"</b>", "coder"), ("😀 it's a\rline", "coder2")]),
]
ADD_MARKUP = """
import sys
from pathlib import Path
from peerimpact.web import server
server.configure(Path(sys.argv[1]))
from peerimpact.study.text import text_sha256
from peerimpact.web.coding.codebook import active_code_ids, current_codebook
from peerimpact.web.records.models import Coding, Participant, Transcript
iid, text, spans = sys.argv[2], sys.argv[3], sys.argv[4:]
p = Participant.objects.order_by("participant_id").first()
t = Transcript.objects.create(interview_id=iid, participant=p, site=p.site.site_id, timepoint="T1", text=text, sha256=text_sha256(text),
                              file=f"transcripts/{iid}.txt")
book = current_codebook()
code = sorted(active_code_ids(book))[0]
for k, (needle, coder) in enumerate(zip(spans[::2], spans[1::2])):
    s = text.index(needle)
    Coding.objects.create(segment_id=f"{iid}-{k}", transcript=t, start=s, end=s + len(needle), code=code, coder=coder,
                          extra={"version": book.version, "quote": needle, "origin": "human"})
"""


@pytest.mark.parametrize("iid, text, spans", MARKUP, ids=["markup", "carriage-return"])
def test_markup_characters_and_a_carriage_return_are_shown_as_they_are(server, page, iid, text, spans):
    args = [x for needle, coder in spans for x in (needle, coder)]
    subprocess.run([sys.executable, "-c", ADD_MARKUP, str(server["data"]), iid, text, *args], env=server["env"], check=True,
                   capture_output=True)
    sign_in(page, server, "admin")
    open_workbench(page, server, iid)
    shown = page.evaluate("() => [...document.querySelectorAll('#text .seg')].map((s) => s.textContent).join('')")
    assert shown == text
    assert page.evaluate("() => document.querySelectorAll('#text b, #text i').length") == 0
    assert sorted((coder, quote) for _, coder, quote in highlights(page, iid)) == sorted((c, n) for n, c in spans)
    assert page.js_errors == []

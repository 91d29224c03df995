"""The demo report in headless Chromium: no console errors, no broken images, banner, contrast, screenshot.

Screenshots go to ``test-artifacts/report/``. The README's screenshot,
``docs/img/report-demo.png``, is replaced only when
``PEERIMPACT_UPDATE_GOLDEN=1`` (a deliberate act, like the golden CSVs).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from report_helpers import ARTIFACTS, HERE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_IMG = HERE.parents[1] / "docs" / "img" / "report-demo.png"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

# WCAG relative luminance and contrast of each element's text against the first opaque background behind it.
CONTRAST_JS = """
(selectors) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                       return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
                                 if (c.a > 0.99) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const out = [];
  for (const sel of selectors) {
    for (const el of Array.from(document.querySelectorAll(sel)).slice(0, 20)) {
      const fg = lum(parse(getComputedStyle(el).color)), bg = lum(background(el));
      out.push({sel, ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)});
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def page(demo_report, chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        failed: list[str] = []
        pg.on("requestfailed", lambda r: failed.append(r.url[:80]))
        pg.goto(demo_report.html.as_uri())
        pg.wait_for_load_state("load")
        yield pg, errors, failed
        browser.close()


def test_no_console_errors_or_failed_requests(page):
    _, errors, failed = page
    assert errors == [] and failed == []


def test_no_broken_images(page):
    pg, _, _ = page
    images = pg.evaluate("() => Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt.length])")
    assert len(images) >= 8
    assert all(complete and width > 0 and alt > 40 for complete, width, alt in images), images


def test_banner_is_visible_on_screen_and_in_every_section(page):
    pg, _, _ = page
    banner = pg.locator(".synthetic-banner")
    assert banner.is_visible() and banner.inner_text() == "Synthetic data: not real participants"
    pg.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
    assert pg.evaluate("() => document.querySelector('.synthetic-banner').getBoundingClientRect().top") == 0
    flags = pg.evaluate("() => Array.from(document.querySelectorAll('main > section')).map(s => !!s.querySelector('.section-flag'))")
    assert flags and all(flags)


def test_printed_pages_each_carry_the_banner(page, tmp_path):
    """In print the banner moves to the @page margin boxes (top and bottom of every page)."""
    pg, _, _ = page
    pg.emulate_media(media="print")
    try:
        assert pg.locator(".synthetic-banner").is_hidden() and pg.locator("nav.toc").is_hidden()
        assert pg.locator(".section-flag").first.is_visible()
        pdf = tmp_path / "report.pdf"
        pg.pdf(path=str(pdf), format="A4")
    finally:
        pg.emulate_media(media="screen")
    gs = shutil.which("gs")
    if gs is None:
        why = "ghostscript (gs) not available to read the printed PDF's text"
        if os.environ.get("PEERIMPACT_REQUIRE_ORACLES", "") == "1":
            pytest.fail(f"{why} (PEERIMPACT_REQUIRE_ORACLES=1: apt-get install ghostscript)")
        pytest.skip(why)
    import subprocess

    text = subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-sOutputFile=-", str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    numbers = re.findall(r"page (\d+) of (\d+)", text)
    pages = int(numbers[0][1])
    assert [int(n) for n, _ in numbers] == list(range(1, pages + 1)) and pages >= 10
    assert text.count("Synthetic data: not real participants") == 2 * pages


def test_text_contrast_meets_wcag_aa(page):
    pg, _, _ = page
    ratios = pg.evaluate(CONTRAST_JS, ["body p", ".synthetic-banner", "table.journal th", "table.journal td", "caption",
                                       ".table-note", "figcaption", ".section-flag", "a", "ul.warnings li"])
    low = [r for r in ratios if r["ratio"] < 4.5]
    assert ratios and not low, low


def test_screenshot(page):
    pg, _, _ = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # the README shows the outcomes section: banner, Table 3 and the start of the trajectories
    pg.evaluate("() => window.scrollTo(0, document.getElementById('outcomes').offsetTop - 48)")
    shot = ARTIFACTS / "report-demo.png"
    pg.screenshot(path=str(shot))
    pg.screenshot(path=str(ARTIFACTS / "report-demo-full.png"), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if os.environ.get("PEERIMPACT_UPDATE_GOLDEN") == "1":
        DOCS_IMG.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG)
    assert DOCS_IMG.is_file(), "docs/img/report-demo.png is missing: run with PEERIMPACT_UPDATE_GOLDEN=1"


# Each table's right edge against its box and the page: a table that would scroll sideways is wider than either.
OVERFLOW_JS = """
() => Array.from(document.querySelectorAll('table.journal')).map(t => {
  const box = t.closest('.table-scroll') || t.parentElement;
  return {key: (t.closest('.table-block') || t).id || t.querySelector('caption').innerText.slice(0, 40),
          table: Math.ceil(t.getBoundingClientRect().width), box: box.clientWidth, scroll: box.scrollWidth,
          page: document.documentElement.clientWidth, right: Math.ceil(t.getBoundingClientRect().right)};
})
"""


def _overflowing(pg) -> tuple[int, list[dict]]:
    tables = pg.evaluate(OVERFLOW_JS)
    return len(tables), [t for t in tables if t["scroll"] > t["box"] + 1 or t["right"] > t["page"] + 1]


def test_no_table_scrolls_sideways_on_a_1280_px_screen(page):
    pg, _, _ = page
    assert pg.viewport_size["width"] == 1280
    n, wide = _overflowing(pg)
    assert n >= 15 and wide == [], wide


def test_every_table_fits_the_width_of_an_a4_portrait_page(page, demo_report):
    """Printed at A4 portrait (210 mm less the 14 mm side margins of report.css = 182 mm = 688 CSS px)."""
    screen, _, _ = page
    pg = screen.context.browser.new_page(viewport={"width": 688, "height": 1000})
    try:
        pg.emulate_media(media="print")
        pg.goto(demo_report.html.as_uri())
        pg.wait_for_load_state("load")
        n, wide = _overflowing(pg)
    finally:
        pg.close()
    assert n >= 15 and wide == [], wide


def _six_timepoint_report(tmp_path) -> str:
    """Table 3 of a study with six timepoints (20 columns): rendered as parts that each fit the page."""
    from types import SimpleNamespace

    import pandas as pd

    from peerimpact.report.document import ReportDocument, Section
    from peerimpact.report.html import render_html
    from peerimpact.report.inputs import ResultsView
    from peerimpact.report.labels import Labels
    from peerimpact.report.provenance import Provenance
    from peerimpact.report.tables_outcomes import table_outcomes_vs_norms
    from peerimpact.study.definition import StudyDefinition

    tps = [(f"M{m}", f"Month {m} follow-up", m) for m in (0, 3, 6, 9, 12, 18)]
    d = StudyDefinition(title="Six timepoints (synthetic)", synthetic=True, sites=[{"id": "1", "name": "One"}],
                        timepoints=[{"id": t, "label": label, "month": m} for t, label, m in tps])
    study = SimpleNamespace(definition=d, instruments={})
    desc = pd.DataFrame([(o, t, 120, 48.25 + k, 9.125, 14.0, 70.0, 51.6, 8.71, "synthetic norm")
                         for o in ("wemwbs.total", "mbi_hss.emotional_exhaustion") for k, (t, _, _) in enumerate(tps)],
                        columns=["outcome", "timepoint", "n", "mean", "sd", "min", "max", "norm_mean", "norm_sd", "norm_source"])
    table = table_outcomes_vs_norms(ResultsView(desc, pd.DataFrame()), study, Labels(study)).numbered("3")
    assert len(table.columns) == 20
    doc = ReportDocument(title=d.title, synthetic=True, sections=(Section("outcomes", "Outcomes", (table,)),),
                         provenance=Provenance("2026-01-01T00:00:00Z", (("peerimpact", "test"),), ()))
    path = tmp_path / "wide.html"
    path.write_text(render_html(doc), encoding="utf-8")
    return path.as_uri()


@pytest.mark.parametrize("media,width", [("screen", 1280), ("print", 688)], ids=["screen-1280", "a4-portrait"])
def test_a_table_wider_than_the_page_is_split_into_parts_that_fit(page, tmp_path, media, width):
    screen, _, _ = page
    pg = screen.context.browser.new_page(viewport={"width": width, "height": 1000})
    try:
        pg.emulate_media(media=media)
        pg.goto(_six_timepoint_report(tmp_path))
        pg.wait_for_load_state("load")
        n, wide = _overflowing(pg)
        captions = pg.evaluate("() => Array.from(document.querySelectorAll('table.journal caption')).map(c => c.innerText)")
    finally:
        pg.close()
    assert n >= 3 and wide == [], wide  # the provenance table and at least two parts of Table 3
    assert captions[:2] == ["Table 3. Outcomes at each timepoint compared with published norms",
                            "Table 3. Outcomes at each timepoint compared with published norms (continued, part 2 of 2)"]

"""Every page, as each role, on a 360 x 740 phone: no sideways scrolling, touch targets of at least 44 px, inputs of at
least 16 px (iOS zooms into smaller ones), a skip link, no console error (CSP violations included), and axe-core
(``axe-playwright-python``, which bundles axe.min.js: no network) with no serious or critical violation. On a 1280 x 800
desktop every page again: axe-core (no serious or critical violation) and no console error, the main menu shown
without a menu button. The CSS-only phone menu opens by mouse and by keyboard.

The pages come from walking the URL conf (``pages_walk``); a page a role may not open (403/404) is skipped for it.
"""

from __future__ import annotations

import pytest

from browser import NARROW, ConsoleErrors, demo_server, sign_in
from pages_walk import page_urls

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = ("admin", "coordinator-s1", "worker-s1-01", "coder")
MIN_TARGET = 44
DESKTOP = {"width": 1280, "height": 800}
# Measured in the page: the document's width against the viewport; interactive elements smaller than the minimum
# (links inside running text are exempt, as in WCAG 2.5.5); inputs whose font is under 16 px.
MEASURE_JS = """() => {
  const small = [];
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.innerText || e.value || e.name || '').trim().slice(0, 30) + '"';
  const targets = [...document.querySelectorAll('button, a, select, input, textarea, label.choice, .menu-button')]
    .filter(e => !(e.tagName === 'INPUT' && ['hidden', 'radio', 'checkbox'].includes(e.type)))
    .filter(e => !e.classList.contains('skip-link'))
    .filter(e => !(e.tagName === 'A' && e.closest('p, li:not(#site-nav li), dd, legend, small, .muted') && !e.classList.contains('button')
                   && !e.closest('ul.links')))
    .filter(visible);
  for (const e of targets) {
    const r = e.getBoundingClientRect();
    const needsWidth = e.tagName === 'BUTTON' || e.classList.contains('button');
    if (r.height < 44 - 0.5 || (needsWidth && r.width < 44 - 0.5)) small.push(name(e) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  const fonts = [...document.querySelectorAll('input, select, textarea')].filter(visible)
    .filter(e => parseFloat(getComputedStyle(e).fontSize) < 16).map(name);
  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, small, fonts,
          skip: !!document.querySelector('a.skip-link[href="#main"]') && !!document.getElementById('main'),
          header: document.querySelector('header').getBoundingClientRect().height};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("sweep") / "data") as s:
        yield s


@pytest.mark.parametrize("username", USERS)
def test_every_page_on_a_phone(server, browser, username):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = ConsoleErrors(page)
    problems, opened = [], []

    def check(name: str, path: str) -> None:
        response = page.goto(server.url + path)
        if response.status in (403, 404):
            console.take()  # the browser logs the refused page itself
            return
        assert response.status == 200, (name, response.status)
        opened.append(name)
        m = page.evaluate(MEASURE_JS)
        if m["scroll"] > m["width"]:
            problems.append((name, f"scrolls sideways: {m['scroll']} px wide on a {m['width']} px screen"))
        problems.extend((name, f"touch target under {MIN_TARGET} px: {s}") for s in m["small"])
        problems.extend((name, f"input font under 16 px: {f}") for f in m["fonts"])
        if not m["skip"]:
            problems.append((name, "no skip link to #main"))
        if m["header"] > 64:
            problems.append((name, f"header {m['header']:.0f} px high"))
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append((name, f"axe {v['impact']}: {v['id']} on {[n['target'] for n in v['nodes']][:3]}"))
        problems.extend((name, e) for e in console.take())

    check("login", "/accounts/login/")
    sign_in(page, server.url, username)
    for name, path in sorted(page_urls(server, username).items()):
        check(name, path)
    assert problems == [], "\n".join(map(str, problems))
    assert len(opened) >= 4
    context.close()


# On a desktop the menu is always shown; the phone menu's button and its checkbox are neither seen nor reachable.
DESKTOP_JS = """() => {
  const shown = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const nav = document.getElementById('site-nav');
  return {nav: nav === null || shown(nav), toggle: shown(document.getElementById('menu-toggle')),
          button: shown(document.querySelector('.menu-button'))};
}"""


def axe_problems(axe, page, name: str) -> list[tuple[str, str]]:
    return [(name, f"axe {v['impact']}: {v['id']} on {[n['target'] for n in v['nodes']][:3]}")
            for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("username", USERS)
def test_every_page_on_a_desktop(server, browser, username):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = ConsoleErrors(page)
    problems, opened = [], []

    def check(name: str, path: str) -> None:
        response = page.goto(server.url + path)
        if response.status in (403, 404):
            console.take()
            return
        assert response.status == 200, (name, response.status)
        opened.append(name)
        m = page.evaluate(DESKTOP_JS)
        if not m["nav"] or m["toggle"] or m["button"]:
            problems.append((name, f"desktop menu: nav shown {m['nav']}, checkbox shown {m['toggle']}, button shown {m['button']}"))
        problems.extend(axe_problems(axe, page, name))
        problems.extend((name, e) for e in console.take())

    check("login", "/accounts/login/")
    sign_in(page, server.url, username)
    for name, path in sorted(page_urls(server, username).items()):
        check(name, path)
    assert problems == [], "\n".join(map(str, problems))
    assert len(opened) >= 4
    context.close()


@pytest.mark.parametrize("how", ["mouse", "keyboard"])
def test_the_phone_menu_opens_without_scripts(server, browser, how):
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True)
    page = context.new_page()
    console = ConsoleErrors(page)
    sign_in(page, server.url, "admin")
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    if how == "mouse":
        page.get_by_text("Menu", exact=True).click()
    else:
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")  # the menu checkbox, named "Menu" by its label
        assert page.evaluate("() => document.activeElement.id") == "menu-toggle"
        page.keyboard.press("Space")
    assert nav.is_visible() and nav.get_by_role("link", name="Audit trail").is_visible()
    assert page.get_by_role("checkbox", name="Menu").is_checked()
    assert console.take() == []
    context.close()

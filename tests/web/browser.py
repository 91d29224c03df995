"""What the browser tests share: a demo server whose database the test can read, Chromium, sign-in, and the URL walk.

The database is read with plain SQL (``sqlite3`` or ``psycopg``), not through
Django, so a check that a stored record is unchanged does not trust the code
under test.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from liveserver import running_server, test_db_kind, throwaway_postgres

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PASSWORD = "demo-password"
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Server:
    url: str
    sqlite: Path | None
    postgres: str | None

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one read-only query on the server's database."""
        if self.sqlite is not None:
            con = sqlite3.connect(f"file:{self.sqlite}?mode=ro", uri=True)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.postgres) as con:
            return con.execute(sql.replace("?", "%s"), params).fetchall()

    def tables(self) -> list[str]:
        if self.sqlite is not None:
            names = [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            names = [r[0] for r in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return sorted(n for n in names if n.startswith("records_") and not n.startswith("records_historical"))

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every study table (history tables left out), in id order."""
        return {t: self.rows(f'SELECT * FROM "{t}" ORDER BY id') for t in self.tables()}

    def uid(self, sql: str, params: tuple = ()) -> str:
        rows = self.rows(sql, params)
        assert rows, f"no row for {sql} {params}"
        return str(uuid.UUID(str(rows[0][0])))


@contextmanager
def demo_server(data_dir: Path) -> Iterator[Server]:
    """``peerimpact serve --demo`` on SQLite, or (``PEERIMPACT_TEST_DB=postgres``) on a throwaway PostgreSQL database."""
    if test_db_kind() != "postgres":
        with running_server(data_dir) as url:
            yield Server(url, data_dir / "peerimpact.sqlite3", None)
        return
    with throwaway_postgres() as db_url:
        with running_server(data_dir, env={"DATABASE_URL": db_url}) as url:
            yield Server(url, None, db_url)


@contextmanager
def chromium(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page, server: str, username: str) -> None:
    page.goto(server + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(server + "/")


class ConsoleErrors:
    """Collects console errors (CSP violations included) and uncaught page errors."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"{page.url}: console: {m.text} ({m.location.get('url')})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: page error: {e}"))

    def take(self) -> list[str]:
        out, self.errors = self.errors, []
        return out


def url_patterns() -> list:
    """Every route of the web app's URL conf (``name``, ``route``, converters), found by walking it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    out = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append((p.name, prefix + str(p.pattern), dict(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return out


def page_routes() -> dict[str, tuple[str, dict]]:
    """The pages (not the API): ``{name: (route, converters)}``."""
    return {name: (route, conv) for name, route, conv in url_patterns() if name and not route.startswith("api/")}

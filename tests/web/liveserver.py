"""A real server for the browser tests and the load test: ``peerimpact serve`` in a subprocess on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SERVE_CLI = Path(__file__).with_name("serve_cli.py")
PG_ADMIN_URL = os.environ.get("PEERIMPACT_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")


def test_db_kind() -> str:
    return os.environ.get("PEERIMPACT_TEST_DB", "sqlite").strip().lower()


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Create a uniquely named PostgreSQL database beside ``PEERIMPACT_TEST_DATABASE_URL``; yield its URL; drop it."""
    import psycopg

    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    name = f"peerimpact_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server_for_tests(data_dir: Path, **kwargs) -> Iterator[str]:
    """:func:`running_server` on the database the tests run on: SQLite, or (``PEERIMPACT_TEST_DB=postgres``)
    a throwaway PostgreSQL database passed to the server as ``DATABASE_URL``."""
    if test_db_kind() != "postgres":
        with running_server(data_dir, **kwargs) as url:
            yield url
        return
    with throwaway_postgres() as db_url:
        env = {**(kwargs.pop("env", None) or {}), "DATABASE_URL": db_url}
        with running_server(data_dir, env=env, **kwargs) as url:
            yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, *, demo: bool = True, threads: int = 8, workers: int = 1, env: dict | None = None,
                   timeout: float = 120.0) -> Iterator[str]:
    """Start the server, wait until it answers, yield its base URL, and stop it."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    full_env.update(env or {})
    args = [sys.executable, str(SERVE_CLI), "serve", "--port", str(port), "--data-dir", str(data_dir), "--threads", str(threads),
            "--workers", str(workers)]
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = open(data_dir.parent / f"server-{port}.log", "w")
    proc = subprocess.Popen(args + (["--demo"] if demo else []), stdout=log, stderr=subprocess.STDOUT, env=full_env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {Path(log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

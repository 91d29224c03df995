"""CPU time of one ``POST /api/contacts`` inside the server process, without the HTTP server.

The demo study is prepared in a temporary folder (SQLite) or a fresh PostgreSQL
database (dropped afterwards), then the WSGI application is called directly in
this one thread, ``--posts`` times, with the request the load test sends
(``bench/web_load.py``). ``time.thread_time`` around each call gives the
server's own CPU per request, free of the HTTP server, the load generator and
the other processes of a shared machine, which is the figure to compare
before and after a change to the request path. ``GET /api/me`` (a trivial
authenticated endpoint) is measured in the same run as the baseline.

``--breakdown`` also times the main steps of a POST (token check, validation,
the contact's insert with its audit row, commit) by wrapping the functions
that do them; ``--profile N`` prints the N most expensive functions by
cumulative time (cProfile; its overhead inflates every figure).

Usage::

    python bench/web_post_cpu.py                         # SQLite, 1,000 POSTs
    python bench/web_post_cpu.py --db postgres --breakdown

Only the loopback PostgreSQL server of ``PEERIMPACT_BENCH_PG`` is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_ADMIN_URL = os.environ.get("PEERIMPACT_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
WORKER, PASSWORD = "worker-s1-01", "demo-password"


def environ(method: str, path: str, body: bytes = b"", token: str | None = None) -> dict:
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
           "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
           "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    if token:
        env["HTTP_AUTHORIZATION"] = "Bearer " + token
    return env


def call(app, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[str, bytes]:
    status: list[str] = []
    chunks = app(environ(method, path, b"" if body is None else json.dumps(body).encode(), token),
                 lambda s, headers, exc_info=None: status.append(s))
    try:
        data = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return status[0], data


def timed(app, requests: list[tuple], expect: str) -> list[float]:
    """CPU seconds of this thread for each request; every status must start with ``expect``."""
    out = []
    for method, path, body, token in requests:
        t0 = time.thread_time()
        status, data = call(app, method, path, body, token)
        out.append(time.thread_time() - t0)
        if not status.startswith(expect):
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
    return out


class Steps:
    """Accumulated thread CPU time of some functions, wrapped in place."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.depth = 0

    def wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)
        steps = self

        def wrapper(*args, **kwargs):
            t0 = time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                steps.seconds[label] = steps.seconds.get(label, 0.0) + time.thread_time() - t0

        setattr(owner, name, wrapper)


def breakdown() -> Steps:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from peerimpact.web.api import tokens
    from peerimpact.web.services import contacts

    steps = Steps()
    steps.wrap(tokens.TokenAuth, "authenticate", "token check")
    steps.wrap(contacts, "_validate_new", "validation (allocation query)")
    if hasattr(contacts, "insert_contact"):
        steps.wrap(contacts, "insert_contact", "contact insert + audit row (+ commit)")
    else:
        steps.wrap(contacts.Contact, "save", "contact insert + audit row")
    steps.wrap(contacts, "contact_dict", "response dict")
    steps.wrap(BaseDatabaseWrapper, "commit", "commit")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--breakdown", action="store_true", help="time the main steps of a POST")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N most expensive functions (cProfile)")
    args = parser.parse_args(argv)
    if not 10 <= args.posts <= 20000:
        parser.error("--posts must be 10-20000")
    pg_name = None
    with tempfile.TemporaryDirectory(prefix="peerimpact-postcpu-") as tmp:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        if args.db == "postgres":
            import psycopg

            pg_name = f"peerimpact_postcpu_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                con.execute(f'CREATE DATABASE "{pg_name}"')
            os.environ["DATABASE_URL"] = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{pg_name}"
        else:
            os.environ.pop("DATABASE_URL", None)
        try:
            return measure(Path(tmp) / "data", args)
        finally:
            if pg_name:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                    con.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def measure(data_dir: Path, args) -> int:
    from peerimpact.web.server import prepare

    prepare(data_dir, demo=True)
    from peerimpact.web.wsgi import application as app

    status, body = call(app, "POST", "/api/token", {"username": WORKER, "password": PASSWORD})
    token = json.loads(body)["token"]
    status, body = call(app, "GET", "/api/contacts", token=token)
    people = sorted({c["person_id"] for c in json.loads(body)["items"]})
    prefix, today = "P" + uuid.uuid4().hex[:8].upper(), dt.date.today().isoformat()

    def posts(n: int, start: int) -> list[tuple]:
        return [("POST", "/api/contacts", {"contact_id": f"{prefix}{i:06d}", "person_id": people[i % len(people)], "date": today,
                                           "mode": "telephone", "duration_minutes": 20, "status": "completed",
                                           "phase": "post_discharge"}, token) for i in range(start, start + n)]

    gets = [("GET", "/api/me", None, token)] * args.posts
    timed(app, gets[:100] + posts(100, 0), "2")  # warm-up: compiled statements, caches, prepared statements
    me = timed(app, gets, "200")
    steps = breakdown() if args.breakdown else None
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # CPU time: waiting on the database is not counted
        profiler.enable()
    post = timed(app, posts(args.posts, 100), "201")
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    print(f"{args.db}: {args.posts} requests each, CPU of this thread per request (mean / median / p95):")
    for name, xs in (("GET /api/me", me), ("POST /api/contacts", post)):
        xs = sorted(xs)
        print(f"  {name:<20} {statistics.fmean(xs) * 1000:.3f} / {statistics.median(xs) * 1000:.3f} / "
              f"{xs[int(0.95 * (len(xs) - 1))] * 1000:.3f} ms")
    if steps is not None:
        for label, seconds in steps.seconds.items():
            print(f"    {label:<32} {seconds / args.posts * 1000:.3f} ms per POST")
    from peerimpact.web.records.models import Contact

    stored = Contact.all_objects.filter(contact_id__startswith=prefix).count()
    audited = Contact.history.filter(contact_id__startswith=prefix, history_type="+").count()
    print(f"  stored {stored}, audited {audited} (expected {args.posts + 100})")
    return 0 if stored == audited == args.posts + 100 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Load test of the web API on loopback: 50 concurrent clients post 2,000 contacts.

The server is started for real (``peerimpact serve --demo``: waitress, the
production WSGI server of ``peerimpact serve``) on 127.0.0.1 with a free port,
once on SQLite and once on PostgreSQL (a fresh database, dropped afterwards).
Each run is bounded (a fixed number of requests, a per-request timeout and an
overall deadline) and stops by itself. It then checks, in the database itself,
that every contact was stored exactly once and has exactly one audit record
("+" in the contact history), and prints throughput and p50/p95 latency for
``POST /api/contacts`` with the ratio to ``GET /api/me`` (a trivial
authenticated endpoint) measured in the same run.

Usage::

    python bench/web_load.py                      # both databases, 50 clients, 2,000 contacts
    python bench/web_load.py --db sqlite --clients 10 --contacts 200

Exit code 1 if any contact is lost, duplicated, refused or lacks its audit
record (or a request fails); 0 otherwise. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("PEERIMPACT_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
LAUNCH = "import typer; from peerimpact.cli.web import register; app = typer.Typer(); register(app); app()"
PREPARE = "import sys; from pathlib import Path; from peerimpact.web.server import prepare; prepare(Path(sys.argv[1]), demo=True)"
WORKERS = ("worker-s1-01", "worker-s1-02")
PASSWORD = "demo-password"
REQUEST_TIMEOUT = 30.0


@dataclass
class Phase:
    name: str
    latencies: list[float]
    statuses: dict[int, int]
    seconds: float

    def percentile(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))] if xs else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, env: dict, threads: int, server: str, workers: int) -> tuple[subprocess.Popen, int]:
    """``peerimpact serve --demo`` (waitress), or the documented gunicorn deployment on a prepared data folder."""
    port = free_port()
    log = open(data_dir.parent / "server.log", "w")
    if server == "waitress":
        args = [sys.executable, "-c", LAUNCH, "serve", "--demo", "--host", HOST, "--port", str(port),
                "--data-dir", str(data_dir), "--threads", str(threads)]
    else:
        subprocess.run([sys.executable, "-c", PREPARE, str(data_dir)], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        env = {**env, "PEERIMPACT_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "peerimpact.web.settings.local"}
        args = [sys.executable, "-m", "gunicorn", "peerimpact.web.wsgi:application", "--bind", f"{HOST}:{port}",
                "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-", "--log-level", "warning"]
        log = open(data_dir.parent / "gunicorn.log", "w")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL if server == "gunicorn" else log, stderr=log, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + Path(log.name).read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=2):
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start within 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def call(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def token_for(port: int, username: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    status, body = call(conn, "POST", "/api/token", {"username": username, "password": PASSWORD})
    conn.close()
    if status != 200:
        raise RuntimeError(f"token for {username}: HTTP {status} {body[:200]!r}")
    return json.loads(body)["token"]


def people_of(port: int, token: str) -> list[str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    status, body = call(conn, "GET", "/api/contacts?limit=1000", token=token)
    conn.close()
    people = sorted({c["person_id"] for c in json.loads(body)["items"]})
    if status != 200 or not people:
        raise RuntimeError("the demo worker has no people to record contacts for")
    return people


def run_phase(name: str, port: int, clients: int, jobs: list[tuple[str, str, dict | None, str]], deadline: float) -> Phase:
    """Send ``jobs`` (method, path, body, token) from ``clients`` threads with keep-alive connections."""
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < deadline:
            try:
                method, path, body, token = work.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                status, _ = call(conn, method, path, body, token)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 1)
    return Phase(name, latencies, statuses, time.perf_counter() - start)


def stored_counts(kind: str, target: str, prefix: str) -> tuple[int, int, int]:
    """(contacts with the run's prefix, distinct contact ids, '+' audit records of them), read from the database."""
    sql_rows = ("SELECT COUNT(*), COUNT(DISTINCT contact_id) FROM records_contact WHERE contact_id LIKE %s",
                "SELECT COUNT(*) FROM records_historicalcontact WHERE contact_id LIKE %s AND history_type = '+'")
    like = prefix + "%"
    if kind == "sqlite":
        with sqlite3.connect(target) as con:
            n, distinct = con.execute(sql_rows[0].replace("%s", "?"), (like,)).fetchone()
            (audited,) = con.execute(sql_rows[1].replace("%s", "?"), (like,)).fetchone()
        return n, distinct, audited
    import psycopg

    with psycopg.connect(target) as con:
        n, distinct = con.execute(sql_rows[0], (like,)).fetchone()
        (audited,) = con.execute(sql_rows[1], (like,)).fetchone()
    return n, distinct, audited


def run(kind: str, clients: int, contacts: int, threads: int, budget: float, server: str = "waitress", workers: int = 2) -> bool:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    pg_name = None
    with tempfile.TemporaryDirectory(prefix=f"peerimpact-load-{kind}-") as tmp:
        data_dir = Path(tmp) / "data"
        if kind == "postgres":
            import psycopg

            pg_name = f"peerimpact_load_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                con.execute(f'CREATE DATABASE "{pg_name}"')
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            env["DATABASE_URL"] = f"{base}/{pg_name}"
        try:
            proc, port = start_server(data_dir, env, threads, server, workers)
            try:
                tokens = {w: token_for(port, w) for w in WORKERS}
                people = {w: people_of(port, tokens[w]) for w in WORKERS}
                prefix = "L" + uuid.uuid4().hex[:8].upper()
                today = dt.date.today().isoformat()
                posts = []
                for i in range(contacts):
                    worker = WORKERS[i % len(WORKERS)]
                    body = {"contact_id": f"{prefix}{i:05d}", "person_id": people[worker][i % len(people[worker])], "date": today,
                            "mode": "telephone", "duration_minutes": 20, "status": "completed", "phase": "post_discharge"}
                    posts.append(("POST", "/api/contacts", body, tokens[worker]))
                gets = [("GET", "/api/me", None, tokens[WORKERS[i % len(WORKERS)]]) for i in range(contacts)]
                deadline = time.monotonic() + budget
                warm = run_phase("warm-up", port, clients, gets[:clients], deadline)
                trivial = run_phase("GET /api/me", port, clients, gets, deadline)
                write = run_phase("POST /api/contacts", port, clients, posts, deadline)
            finally:
                stop_server(proc)
            target = str(data_dir / "peerimpact.sqlite3") if kind == "sqlite" else env["DATABASE_URL"]
            stored, distinct, audited = stored_counts(kind, target, prefix)
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                    con.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    ok = (write.statuses == {201: contacts} and trivial.statuses == {200: contacts} and warm.statuses.get(200) == len(warm.latencies)
          and stored == distinct == audited == contacts)
    shape = f"{workers} workers x {threads} threads" if server == "gunicorn" else f"{threads} threads"
    print(f"\n== {kind}, {server} ({shape}): {clients} clients, {contacts} contacts")
    for phase in (trivial, write):
        print(f"{phase.name:<20} {len(phase.latencies):>5} requests in {phase.seconds:6.2f} s = {phase.throughput:7.1f} req/s; "
              f"p50 {phase.percentile(0.5) * 1000:6.1f} ms, p95 {phase.percentile(0.95) * 1000:6.1f} ms; statuses {phase.statuses}")
    print(f"ratio POST/GET-me: throughput {write.throughput / trivial.throughput:.2f}, "
          f"p50 {write.percentile(0.5) / trivial.percentile(0.5):.2f}, p95 {write.percentile(0.95) / trivial.percentile(0.95):.2f}")
    print(f"stored {stored}, distinct {distinct}, audit records {audited} (expected {contacts} each): {'OK' if ok else 'FAILED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress",
                        help="waitress = `peerimpact serve`; gunicorn = the deployment of docs/deploy.md")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--budget", type=float, default=300.0, help="overall deadline per database, seconds")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 200 and 1 <= args.contacts <= 20000):
        parser.error("clients must be 1-200 and contacts 1-20000")
    results = [run(kind.strip(), args.clients, args.contacts, args.threads, args.budget, args.server, args.workers)
               for kind in args.db.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

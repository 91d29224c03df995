"""Load test of the web API on loopback: 50 concurrent clients post 2,000 contacts.

The server is started for real (``peerimpact serve --demo``: waitress, or
gunicorn with ``--workers`` above 1) on 127.0.0.1 with a free port, once on
SQLite and once on PostgreSQL (a fresh database, dropped afterwards). Each run
is bounded (a fixed number of requests, a per-request timeout and an overall
deadline) and stops by itself. It then checks, in the database itself, that
every contact was stored exactly once and has exactly one audit record ("+" in
the contact history), and prints throughput and p50/p95 latency for
``POST /api/contacts`` with the ratio to ``GET /api/me`` (a trivial
authenticated endpoint) measured in the same run.

The clients are closed-loop: each of the 50 sends its next request as soon as
it has read the whole previous response (HTTP/1.1 keep-alive, no think time).
They run as asyncio tasks in one process (``--client asyncio``, the default),
because 50 Python threads with ``http.client`` (``--client threads``) spend
much of the machine's CPU on themselves: the load generator shares the cores
with the server. A request's latency runs from just before its first byte is
written to just after the last byte of its response is read. The CPU time used
by the server processes and by the load generator during each phase is
printed per request (Linux ``/proc``), to show where the machine's time went; on
PostgreSQL also that of the database backends serving the run (they share the
same cores).

Usage::

    python bench/web_load.py                      # both databases, 50 clients, 2,000 contacts
    python bench/web_load.py --db sqlite --clients 10 --contacts 200
    python bench/web_load.py --db sqlite --workers 1   # one waitress process

Exit code 1 if any contact is lost, duplicated, refused or lacks its audit
record (or a request fails); 0 otherwise. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchutil import HOST, LAUNCH, REQUEST_TIMEOUT, call, free_port, token_for, wait_for_server

PG_ADMIN_URL = os.environ.get("PEERIMPACT_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PREPARE = "import sys; from pathlib import Path; from peerimpact.web.server import prepare; prepare(Path(sys.argv[1]), demo=True)"
WORKERS = ("worker-s1-01", "worker-s1-02")
PASSWORD = "demo-password"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

Job = tuple[str, str, "dict | None", str]  # method, path, JSON body, token


@dataclass
class Phase:
    name: str
    latencies: list[float]
    statuses: dict[int, int]
    seconds: float
    server_cpu: float = float("nan")  # seconds, all server processes
    client_cpu: float = float("nan")  # seconds, this process
    machine_cpu: float = float("nan")  # seconds, every process of the machine
    database_cpu: float = float("nan")  # seconds, the PostgreSQL backends serving the run's database (NaN on SQLite)

    def percentile(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))] if xs else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


def machine_cpu() -> float:
    """CPU seconds used by the whole machine so far (all cores, everything but idle and iowait); NaN without /proc."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live children; NaN without Linux /proc."""
    total, found = 0.0, False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return float("nan")
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            found = True
    return total if found else float("nan")


def database_cpu(name: str | None) -> float:
    """CPU seconds used so far by the live PostgreSQL backends connected to database ``name``; NaN without one or /proc."""
    if name is None:
        return float("nan")
    total = 0.0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return float("nan")
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                title = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
            if not title.startswith("postgres:") or f" {name} " not in title:
                continue
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def start_server(data_dir: Path, env: dict, threads: int, server: str, workers: int) -> tuple[subprocess.Popen, int]:
    """``peerimpact serve --demo`` (waitress, or gunicorn when ``workers`` > 1), or the gunicorn command
    line of docs/deploy.md on a data folder prepared the same way."""
    port = free_port()
    log_path = data_dir.parent / "server.log"
    with open(log_path, "w") as log:
        if server == "serve":
            args = [sys.executable, "-c", LAUNCH, "serve", "--demo", "--host", HOST, "--port", str(port),
                    "--data-dir", str(data_dir), "--threads", str(threads), "--workers", str(workers)]
        else:
            subprocess.run([sys.executable, "-c", PREPARE, str(data_dir)], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
            env = {**env, "PEERIMPACT_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "peerimpact.web.settings.local"}
            args = [sys.executable, "-m", "gunicorn", "peerimpact.web.wsgi:application", "--bind", f"{HOST}:{port}",
                    "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for_server(proc, port, log_path)
    return proc, port


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def people_of(port: int, token: str) -> list[str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    status, body = call(conn, "GET", "/api/contacts?limit=1000", token=token)
    conn.close()
    people = sorted({c["person_id"] for c in json.loads(body)["items"]})
    if status != 200 or not people:
        raise RuntimeError("the demo worker has no people to record contacts for")
    return people


def run_phase(name: str, port: int, clients: int, jobs: list[Job], deadline: float, client: str, server_pid: int,
              pg_name: str | None = None) -> Phase:
    """Send ``jobs`` from ``clients`` concurrent keep-alive connections; latencies, statuses and CPU used."""
    server0, client0, machine0, db0 = process_tree_cpu(server_pid), time.process_time(), machine_cpu(), database_cpu(pg_name)
    start = time.perf_counter()
    runner = run_asyncio if client == "asyncio" else run_threads
    latencies, statuses = runner(port, clients, jobs, deadline)
    seconds = time.perf_counter() - start
    return Phase(name, latencies, statuses, seconds, process_tree_cpu(server_pid) - server0, time.process_time() - client0,
                 machine_cpu() - machine0, database_cpu(pg_name) - db0)


def request_bytes(port: int, job: Job) -> bytes:
    method, path, body, token = job
    payload = b"" if body is None else json.dumps(body).encode()
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
    return head.encode("ascii") + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one whole HTTP/1.1 response; (status, whether the server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip().lower() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


def run_asyncio(port: int, clients: int, jobs: list[Job], deadline: float) -> tuple[list[float], dict[int, int]]:
    """``clients`` asyncio tasks in this process, each with its own keep-alive connection."""
    requests = [request_bytes(port, job) for job in reversed(jobs)]  # popped from the end, in order
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client() -> None:
        conn = None
        while requests and time.monotonic() < deadline:
            data = requests.pop()
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.wait_for(asyncio.open_connection(HOST, port), REQUEST_TIMEOUT)
                reader, writer = conn
                writer.write(data)
                status, keep = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                status, keep = 0, False
            latencies.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if not keep and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    async def main() -> None:
        tasks = [asyncio.create_task(client()) for _ in range(clients)]
        done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 1)
        for task in pending:
            task.cancel()

    asyncio.run(main())
    return latencies, statuses


def run_threads(port: int, clients: int, jobs: list[Job], deadline: float) -> tuple[list[float], dict[int, int]]:
    """``clients`` threads with ``http.client`` keep-alive connections (the previous load generator)."""
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
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 1)
    return latencies, statuses


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


def run(kind: str, clients: int, contacts: int, threads: int, budget: float, server: str = "serve", workers: int = 2,
        client: str = "asyncio") -> bool:
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
                tokens = {w: token_for(port, w, PASSWORD) for w in WORKERS}
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
                warm = run_phase("warm-up", port, clients, gets[:clients], deadline, client, proc.pid)
                trivial = run_phase("GET /api/me", port, clients, gets, deadline, client, proc.pid, pg_name)
                write = run_phase("POST /api/contacts", port, clients, posts, deadline, client, proc.pid, pg_name)
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
    if server == "serve":
        shape = f"peerimpact serve, gunicorn {workers} workers x {threads} threads" if workers > 1 else f"peerimpact serve, waitress {threads} threads"
    else:
        shape = f"gunicorn command line, {workers} workers x {threads} threads"
    print(f"\n== {kind}, {shape}: {clients} closed-loop {client} clients, {contacts} contacts")
    for phase in (trivial, write):
        n = len(phase.latencies) or 1
        print(f"{phase.name:<20} {len(phase.latencies):>5} requests in {phase.seconds:6.2f} s = {phase.throughput:7.1f} req/s; "
              f"p50 {phase.percentile(0.5) * 1000:6.1f} ms, p95 {phase.percentile(0.95) * 1000:6.1f} ms; statuses {phase.statuses}; "
              f"CPU per request: server {phase.server_cpu / n * 1000:.2f} ms, "
              + (f"database {phase.database_cpu / n * 1000:.2f} ms, " if pg_name else "")
              + f"load generator {phase.client_cpu / n * 1000:.2f} ms; "
              f"cores busy: {phase.machine_cpu / phase.seconds:.2f} of {os.cpu_count()}")
    print(f"ratio POST/GET-me: throughput {write.throughput / trivial.throughput:.2f}, "
          f"p50 {write.percentile(0.5) / trivial.percentile(0.5):.2f}, p95 {write.percentile(0.95) / trivial.percentile(0.95):.2f}")
    print(f"stored {stored}, distinct {distinct}, audit records {audited} (expected {contacts} each): {'OK' if ok else 'FAILED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2,
                        help="server processes: `peerimpact serve --workers N` (1 = waitress in one process, more = gunicorn)")
    parser.add_argument("--threads", type=int, default=2, help="threads per server process")
    parser.add_argument("--server", choices=("serve", "gunicorn"), default="serve",
                        help="serve = `peerimpact serve --demo`; gunicorn = the gunicorn command line of docs/deploy.md")
    parser.add_argument("--client", choices=("asyncio", "threads"), default="asyncio",
                        help="load generator: asyncio tasks in one process, or one thread per client with http.client")
    parser.add_argument("--budget", type=float, default=300.0, help="overall deadline per database, seconds")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 200 and 1 <= args.contacts <= 20000 and 1 <= args.workers <= 8 and 1 <= args.threads <= 64):
        parser.error("clients must be 1-200, contacts 1-20000, workers 1-8 and threads 1-64")
    results = [run(kind.strip(), args.clients, args.contacts, args.threads, args.budget, args.server, args.workers, args.client)
               for kind in args.db.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

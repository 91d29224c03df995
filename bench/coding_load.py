"""Coding workbench speed on loopback (issue 15 item 12), SQLite and PostgreSQL.

1. A 20,000-word synthetic transcript with 1,000 codings (10 coders) is opened in headless Chromium
   (Debian's ``/usr/bin/chromium``); "interactive" is the ``workbench-ready`` performance mark that
   ``static/web/coding/workbench.js`` sets once the text, highlights, code palette and recode list
   are in place, measured from navigation start. Targets: <= 500 ms. Each load is printed with the
   server's CPU and its training process's CPU (from /proc) between navigation and ready, and what
   the page's ``GET /api/suggestions`` answered (``training``: the first model was being trained).
   Then ``--train-runs`` loads, each opened just after a retrain started (a new human coding, then a
   suggestions request), to see what training costs a page while it runs; ``--train-in thread``
   runs the same server with training on a background thread of its own process (how retraining
   ran before ``web/coding/trainer.py``), for comparison.
2. Ten coders apply codes at once through ``POST /api/codings`` (bearer tokens, keep-alive, no think
   time): round-trip latency p50/p95 and throughput, with ``GET /api/me`` in the same run as a
   baseline. Target: p95 <= 100 ms. Every coding posted is then counted in the database (exactly
   once, each with its audit record).

The server is ``peerimpact serve --demo`` (waitress, ``--threads``) on 127.0.0.1 with a free port;
PostgreSQL runs use a fresh database beside ``PEERIMPACT_BENCH_PG`` that is dropped afterwards.
Bounded: a fixed number of requests, a per-request timeout and an overall deadline. Figures are
printed; nothing is asserted about timings. Synthetic data only.

Usage::

    python bench/coding_load.py                   # both databases
    python bench/coding_load.py --db sqlite --per-coder 30
    python bench/coding_load.py --train-in process,thread --train-runs 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchutil import HOST, LAUNCH, REQUEST_TIMEOUT, call, free_port, token_for, wait_for_server

PG_ADMIN_URL = os.environ.get("PEERIMPACT_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-1234"
CODERS = [f"bench_coder{i:02d}" for i in range(1, 11)]
INTERVIEW = "BENCH-LONG-T1"

# Runs in the server's environment: a long transcript and 1,000 codings by 10 coders (synthetic words).
PREPARE = r'''
import random, sys
from pathlib import Path
from peerimpact.web import server
server.prepare(Path(sys.argv[1]), demo=True)
from peerimpact.study.text import text_sha256
from peerimpact.web.coding.codebook import active_code_ids, current_codebook
from peerimpact.web.records.models import Coding, Participant, Role, Transcript
from peerimpact.web.services.accounts import make_user
coders, interview, password = sys.argv[2].split(","), sys.argv[3], sys.argv[4]
for name in coders:
    make_user(name, password, Role.CODER, validate_password=False)
rng = random.Random(15)
words = "peer support team hope trust story worker ward shift listen time service week people manager".split()
turns, n = [], 0
while n < 20000:
    k = rng.randint(40, 160)
    turns.append(("Interviewer: " if len(turns) % 2 == 0 else "PW: ") + " ".join(rng.choice(words) for _ in range(k)) + ".")
    n += k
text = "\n".join(turns) + "\n"
p = Participant.objects.order_by("participant_id").first()
t = Transcript.objects.create(interview_id=interview, participant=p, site=p.site.site_id, timepoint="T1", text=text,
                              sha256=text_sha256(text), file=f"transcripts/{interview}.txt")
codes = sorted(active_code_ids(current_codebook()))
rows = []
for i in range(1000):
    s = rng.randrange(0, len(text) - 400)
    e = s + rng.randint(20, 300)
    rows.append(Coding(segment_id=f"bench{i:05d}", transcript=t, start=s, end=e, code=rng.choice(codes), coder=coders[i % len(coders)],
                       extra={"version": current_codebook().version, "quote": text[s:e], "origin": "human"}))
Coding.objects.bulk_create(rows)
print(len(text), len(text.split()), len(codes))
'''

COUNT = r'''
import sys
from pathlib import Path
from peerimpact.web import server
server.configure(Path(sys.argv[1]))
from peerimpact.web.records.models import Coding
# codings posted during the run: the prepared ones have segment ids bench00000..., new spans get w<hash>
rows = Coding.objects.filter(transcript__interview_id=sys.argv[2], coder__in=sys.argv[3].split(","), segment_id__startswith="w")
ids = list(rows.values_list("id", flat=True))
audited = Coding.history.filter(id__in=ids, history_type="+").count()
print(len(ids), len(set(rows.values_list("segment_id", "code", "coder"))), audited)
'''


# --train-in thread: the server trains on a background thread of its own process at nice 10 (how retrains ran before
# the training process, commit 8d82e59), for comparison with the training process of web/coding/trainer.py.
TRAIN_IN_THREAD = r'''
import os, threading, time
from peerimpact.web.coding import trainer

def _fit(study, held_out):
    from peerimpact.qual.suggest import train
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except OSError:
        pass
    wall, cpu = time.perf_counter(), time.thread_time()
    model = train(study, exclude=[held_out] if held_out else None)
    return trainer.Fitted(model, os.getpid(), time.thread_time() - cpu, time.perf_counter() - wall)

trainer.TRAINER.fit = _fit
'''


def start_server(data_dir: Path, env: dict, threads: int, train_in: str = "process") -> tuple[subprocess.Popen, int]:
    port = free_port()
    log_path = data_dir.parent / f"server-{train_in}.log"
    launch = (TRAIN_IN_THREAD + "\n" + LAUNCH) if train_in == "thread" else LAUNCH
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-c", launch, "serve", "--host", HOST, "--port", str(port),
                                 "--data-dir", str(data_dir), "--threads", str(threads)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for_server(proc, port, log_path)
    return proc, port


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by process ``pid`` and, separately, by its live child processes (the
    suggestion trainer), read from /proc (Linux); ``(nan, nan)`` elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    def children(p: int) -> list[int]:
        out = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return out

    if not Path(f"/proc/{pid}/stat").exists():
        return float("nan"), float("nan")
    kids, todo = 0.0, children(pid)
    while todo:
        c = todo.pop()
        kids += own(c)
        todo += children(c)
    return own(pid), kids


def signed_in(pw, port: int, chromium: str):
    """A headless Chromium signed in as the first coder, and the workbench URL of the long transcript."""
    browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"http://{HOST}:{port}/accounts/login/")
    page.fill("#id_username", CODERS[0])
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"http://{HOST}:{port}/")
    page.goto(f"http://{HOST}:{port}/transcripts/")
    return browser, page, page.locator(f"a:text-is('{INTERVIEW}')").get_attribute("href")


def suggestions_state(port: int, token: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        return json.loads(call(conn, "GET", f"/api/suggestions?interview_id={INTERVIEW}", None, token)[1])["model_state"] or "none"
    finally:
        conn.close()


def loads_while_training(port: int, chromium: str, runs: int, server_pid: int, token: str, length: int,
                         codes: list[str]) -> tuple[list[float], int]:
    """Milliseconds to workbench-ready for pages opened just after a training started: each run adds a human coding
    (a new state), asks for suggestions (which starts the retrain, answered from the previous model) and opens the
    page at once; then waits until the model is fresh again (bounded) before the next run."""
    from playwright.sync_api import sync_playwright

    out = []
    rng = random.Random(12)
    with sync_playwright() as pw:
        browser, page, href = signed_in(pw, port, chromium)
        for n in range(1, runs + 1):
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            s = rng.randrange(0, length - 400)
            status, _ = call(conn, "POST", "/api/codings", {"interview_id": INTERVIEW, "start": s, "end": s + 200,
                                                             "code": rng.choice(codes)}, token)
            conn.close()
            assert status == 201, status
            started = suggestions_state(port, token)
            cpu0, kids0 = cpu_seconds(server_pid)
            page.goto(f"http://{HOST}:{port}{href}")
            page.wait_for_selector("#workbench[data-ready='1']")
            cpu1, kids1 = cpu_seconds(server_pid)
            out.append(page.evaluate("() => performance.getEntriesByName('workbench-ready')[0].startTime"))
            during = suggestions_state(port, token)
            print(f"  while training {n}: ready {out[-1]:.0f} ms; server CPU meanwhile {cpu1 - cpu0:.2f} s (trainer process "
                  f"{kids1 - kids0:.2f} s); suggestions before the load: {started}, after it: {during}")
            deadline = time.monotonic() + 120
            while suggestions_state(port, token) != "fresh" and time.monotonic() < deadline:
                time.sleep(0.5)
        browser.close()
    return out, runs


def interactive_ms(port: int, chromium: str, runs: int, server_pid: int) -> list[float]:
    """Milliseconds from navigation start to the workbench-ready mark, one fresh page per run.

    Each load is printed with the server's CPU (its own process, and its child processes: the suggestion trainer)
    used between navigation and workbench-ready, and what the page's ``GET /api/suggestions`` answered (its
    ``model_state``: ``training`` means a model was being trained at that moment), or that it was still
    running when the next load started (the server was then training on that request's thread).
    """
    from playwright.sync_api import sync_playwright

    out = []
    marks: list[list[float]] = []
    with sync_playwright() as pw:
        browser, page, href = signed_in(pw, port, chromium)
        # /api/suggestions requests: [load number, request, sent (monotonic s), answered (s) or None, model_state]
        suggestions: list[list] = []
        current = {"load": 0}

        def sent(request) -> None:
            if "/api/suggestions" in request.url:
                suggestions.append([current["load"], request, time.monotonic(), None, None])

        def answered(response) -> None:
            for v in suggestions:
                if v[1] == response.request and v[3] is None:
                    v[3] = time.monotonic()
                    try:
                        v[4] = response.json().get("model_state") or "none"
                    except Exception:  # noqa: BLE001 - the page navigated away before the body arrived
                        v[4] = "unread"

        def failed(request) -> None:  # cancelled by the next navigation: the server may still be working on it
            for v in suggestions:
                if v[1] == request and v[3] is None:
                    v[3], v[4] = time.monotonic(), "cancelled"

        page.on("request", sent)
        page.on("response", answered)
        page.on("requestfailed", failed)
        rows = []
        for n in range(1, runs + 1):
            pending = [(v[0], v[2]) for v in suggestions if v[3] is None]
            current["load"] = n
            cpu0, kids0 = cpu_seconds(server_pid)
            t0 = time.monotonic()
            page.goto(f"http://{HOST}:{port}{href}")
            page.wait_for_selector("#workbench[data-ready='1']")
            cpu1, kids1 = cpu_seconds(server_pid)
            out.append(page.evaluate("() => performance.getEntriesByName('workbench-ready')[0].startTime"))
            marks.append(page.evaluate("() => [performance.getEntriesByType('navigation')[0].responseEnd, "
                                       "...['workbench-data', 'workbench-rendered'].map((n) => performance.getEntriesByName(n)[0].startTime)]"))
            busy = ", ".join(f"load {k}'s, sent {t0 - when:.1f} s before" for k, when in pending)
            rows.append((n, out[-1], cpu1 - cpu0, kids1 - kids0, busy))
        page.wait_for_selector("#suggest-box[data-ready='1']")
        for n, ready, cpu, kids, busy in rows:
            v = next((v for v in suggestions if v[0] == n), None)
            answer = ("not sent" if v is None else "unanswered" if v[3] is None
                      else f"{v[4]} after {1000 * (v[3] - v[2]):.0f} ms")
            print(f"  load {n}: ready {ready:.0f} ms; server CPU meanwhile {cpu:.2f} s (trainer process {kids:.2f} s); "
                  f"/api/suggestions open at navigation: {busy or 'none'}; this load's: {answer}")
        nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseEnd")
        slow = page.evaluate("() => performance.getEntriesByType('resource').map(r => [r.name.split('/').slice(3).join('/'), "
                             "r.startTime, r.responseEnd]).sort((a, b) => (b[2] - b[1]) - (a[2] - a[1])).slice(0, 4)")
        print(f"  last load: page HTML {nav:.0f} ms; slowest requests: "
              + ", ".join(f"{name[:40]} {end - start:.0f} ms" for name, start, end in slow))
        html, data, rendered = (statistics.median(m[k] for m in marks) for k in range(3))
        print(f"  medians: page HTML {html:.0f} ms, transcript and codebook in {data:.0f} ms, text and highlights built "
              f"{rendered - data:.0f} ms later")
        n_hl = page.evaluate("() => document.querySelectorAll('#text .seg.hl').length")
        print(f"  page: {n_hl} highlighted spans rendered")
        browser.close()
    return out


def apply_codes(port: int, tokens: list[str], per_coder: int, text_length: int, codes: list[str], deadline: float) -> tuple[list[float], dict[int, int], float]:
    """Each coder posts ``per_coder`` new codings at once with the others; latencies (s), statuses, seconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def coder(k: int, token: str) -> None:
        rng = random.Random(k)
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        for _ in range(per_coder):
            if time.monotonic() > deadline:
                break
            s = rng.randrange(0, text_length - 200)
            body = {"interview_id": INTERVIEW, "start": s, "end": s + rng.randint(5, 150), "code": rng.choice(codes)}
            t0 = time.perf_counter()
            status, _ = call(conn, "POST", "/api/codings", body, token)
            dt_ = time.perf_counter() - t0
            with lock:
                latencies.append(dt_)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=coder, args=(k, t)) for k, t in enumerate(tokens)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT)
    return latencies, statuses, time.perf_counter() - start


def me_baseline(port: int, tokens: list[str], per_coder: int, deadline: float) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        for _ in range(per_coder):
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            call(conn, "GET", "/api/me", None, token)
            with lock:
                latencies.append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def run(kind: str, args, train_in: str = "process") -> bool:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    pg_name = None
    ok = True
    with tempfile.TemporaryDirectory(prefix=f"peerimpact-coding-{kind}-") as tmp:
        data_dir = Path(tmp) / "data"
        if kind == "postgres":
            import psycopg

            pg_name = f"peerimpact_coding_{uuid.uuid4().hex[:8]}"
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                con.execute(f'CREATE DATABASE "{pg_name}"')
            env["DATABASE_URL"] = f"{base}/{pg_name}"
        try:
            out = subprocess.run([sys.executable, "-c", PREPARE, str(data_dir), ",".join(CODERS), INTERVIEW, PASSWORD], env=env,
                                 check=True, capture_output=True, text=True)
            length, words, _ = map(int, out.stdout.split()[-3:])
            print(f"{kind}: load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min) on {os.cpu_count()} cores")
            print(f"{kind}: transcript {INTERVIEW}: {words} words, {length} characters, 1,000 codings by {len(CODERS)} coders")
            print(f"{kind}: models trained in {'a process of their own' if train_in == 'process' else 'a thread of the server'}")
            proc, port = start_server(data_dir, env, args.threads, train_in)
            try:
                ms = interactive_ms(port, args.chromium, args.page_runs, proc.pid)
                print(f"  interactive after navigation: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms "
                      f"over {len(ms)} loads (target <= 500 ms)")
                tokens = [token_for(port, c, PASSWORD) for c in CODERS]
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                codes = [c["id"] for c in json.loads(call(conn, "GET", "/api/codebook", None, tokens[0])[1])["codes"] if c["active"]]
                conn.close()
                added = 0
                if args.train_runs:
                    busy, added = loads_while_training(port, args.chromium, args.train_runs, proc.pid, tokens[1], length, codes)
                    print(f"  interactive while a model trains: median {statistics.median(busy):.0f} ms, max {max(busy):.0f} ms "
                          f"over {len(busy)} loads")
                deadline = time.monotonic() + args.deadline
                base = me_baseline(port, tokens, args.per_coder, deadline)
                cpu0, _ = cpu_seconds(proc.pid)
                lat, statuses, seconds = apply_codes(port, tokens, args.per_coder, length, codes, deadline)
                cpu1, _ = cpu_seconds(proc.pid)
                print(f"  GET /api/me (baseline): p50 {1000 * pct(base, .5):.1f} ms, p95 {1000 * pct(base, .95):.1f} ms")
                print(f"  POST /api/codings, {len(CODERS)} coders at once: {len(lat)} requests in {seconds:.1f} s "
                      f"({len(lat) / seconds:.0f}/s); p50 {1000 * pct(lat, .5):.1f} ms, p95 {1000 * pct(lat, .95):.1f} ms "
                      f"(target p95 <= 100 ms); ratio p95 to GET /api/me {pct(lat, .95) / pct(base, .95):.1f}x; statuses {statuses}")
                print(f"  server CPU in the apply phase: {cpu1 - cpu0:.2f} s, {1000 * (cpu1 - cpu0) / max(1, len(lat)):.1f} ms per POST; "
                      f"load average now {os.getloadavg()[0]:.1f}")
                if set(statuses) - {200, 201}:
                    ok = False
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            check = subprocess.run([sys.executable, "-c", COUNT, str(data_dir), INTERVIEW, ",".join(CODERS)],
                                   env=env, check=True, capture_output=True, text=True)
            stored, distinct, audited = map(int, check.stdout.split())
            created = statuses.get(201, 0) + added
            print(f"  stored: {stored} new codings ({created} answered 201), {distinct} distinct, {audited} with their audit record")
            ok = ok and stored == created == distinct == audited
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
                    con.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--per-coder", type=int, default=50, help="codings each of the 10 coders applies")
    parser.add_argument("--threads", type=int, default=2, help="waitress threads (serve's own default for one process per core)")
    parser.add_argument("--page-runs", type=int, default=5)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds for the apply phase, at most")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--train-runs", type=int, default=5, help="page loads each just after a retrain starts (0: none)")
    parser.add_argument("--train-in", default="process", help="comma-separated: process (the server's), thread (as before)")
    args = parser.parse_args(argv)
    ok = True
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        for train_in in [t.strip() for t in args.train_in.split(",") if t.strip()]:
            ok = run(kind, args, train_in) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

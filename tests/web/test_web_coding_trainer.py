"""Suggestion models are trained off the request thread, in a process of their own (issue 15 item 12).

In-process (Django test client): the first request is answered at once with ``"model_state": "training"`` and no
suggestions, one training runs however many requests ask, and the model comes from another process. The training
process itself: a model equal to the library's, too little to learn from, shutdown, and the end of its parent.
Against real servers (``peerimpact serve`` with waitress or gunicorn, and Django's ``runserver``), on SQLite or PostgreSQL
(``PEERIMPACT_TEST_DB``): the first answer is "training", a later one has suggestions, and stopping the server
(SIGINT or SIGTERM) ends its training process too.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

import liveserver
from liveserver import SERVE_CLI, free_port, throwaway_postgres
from suggest_wait import UNCODED, hold_training, imported_suggest_study, suggest_study, trained

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def study(db, demo_study):  # overrides conftest's: a study with enough codings to learn from
    yield from imported_suggest_study(demo_study)


def get(client, auth):
    return client.get(f"/api/suggestions?interview_id={UNCODED}", HTTP_AUTHORIZATION=auth).json()


@pytest.mark.django_db
def test_first_request_answers_training_at_once_and_the_model_comes_from_another_process(client, token, demo_study, caplog):
    from peerimpact.qual.suggest import train
    from peerimpact.web.coding import suggestions
    from peerimpact.web.coding.trainer import TRAINER

    caplog.set_level(logging.INFO, logger="peerimpact.web.coding.suggestions")
    auth = token("coder")
    first = get(client, auth)
    assert first == {"interview_id": UNCODED, "model_version": None, "threshold": 0.5, "codes": [], "skipped_codes": {}, "count": 0,
                     "items": [], "note": suggestions.TRAINING_NOTE, "model_state": "training"}
    # the first request started the training (running, or over with its model installed before the slot is freed)
    assert suggestions.training() is not None or suggestions._MODELS
    after = trained(client, f"/suggestions?interview_id={UNCODED}", auth).json()
    assert after["model_state"] == "fresh" and after["count"] > 0
    assert after["model_version"] == train(suggest_study(demo_study)).version
    assert TRAINER.pid is not None and TRAINER.pid != os.getpid()
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"suggestion model {after['model_version']} trained in process {TRAINER.pid}"]


@pytest.mark.django_db
def test_one_training_however_many_requests_ask_while_it_runs(client, token, monkeypatch):
    from peerimpact.web.coding import suggestions

    release, started, calls = hold_training(monkeypatch)
    auth = token("coder")
    try:
        answers = [get(client, auth) for _ in range(3)]
        assert started.wait(60)
        assert [(a["model_state"], a["count"]) for a in answers] == [("training", 0)] * 3
        assert calls == [("suggest-retrain", None)]  # one training, on the background thread, not the request's
    finally:
        release.set()
        suggestions.wait_for_training(120)
    assert suggestions.training() is None
    body = get(client, auth)
    assert body["model_state"] == "fresh" and body["count"] > 0
    assert len(calls) == 1


def test_the_training_process_fits_the_librarys_model_then_reports_too_little_text_then_stops(demo_study):
    from peerimpact.errors import UserInputError
    from peerimpact.qual.suggest import train
    from peerimpact.web.coding.trainer import Trainer

    study = suggest_study(demo_study)
    trainer = Trainer()
    try:
        fitted = trainer.fit(study, None)
        assert fitted.model.version == train(study).version
        held = trainer.fit(study, "S1-PW01-T1")
        assert held.model.version == train(study, exclude=["S1-PW01-T1"]).version != fitted.model.version
        assert fitted.pid == held.pid == trainer.pid != os.getpid()  # one process, kept between jobs
        assert fitted.cpu_seconds > 0 and fitted.wall_seconds > 0
        none_coded = dataclasses.replace(study, codings=study.codings.iloc[:0])
        with pytest.raises(UserInputError, match="no human codings to learn from"):
            trainer.fit(none_coded, None)
        assert trainer.pid == fitted.pid  # a domain error does not end the process
    finally:
        trainer.shutdown()
    assert trainer.pid is None
    assert not _alive(fitted.pid)


ORPHAN = textwrap.dedent("""
    import os, signal
    from peerimpact.web.coding.trainer import Trainer
    t = Trainer()
    t._start()
    print(t.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_the_training_process_ends_when_its_server_is_killed():
    out = subprocess.run([sys.executable, "-c", ORPHAN], capture_output=True, text=True, timeout=120)
    assert out.returncode == -signal.SIGKILL, out.stderr
    pid = int(out.stdout.split()[0])
    assert _gone_within(pid, 30)


UNGUARDED = textwrap.dedent("""
    # A launcher without `if __name__ == "__main__"`: the training process must not run it again.
    import sys
    from pathlib import Path
    import peerimpact
    from peerimpact.errors import UserInputError
    from peerimpact.web.coding.trainer import Trainer
    with open(sys.argv[2], "a") as marks:
        marks.write("ran\\n")
    study = peerimpact.load_study(sys.argv[1])
    t = Trainer()
    print(t.fit(study, None).model.version)
    t.shutdown()
""")


def test_the_training_process_does_not_run_the_servers_main_script_again(demo_study_dir, tmp_path):
    script, marks = tmp_path / "launcher.py", tmp_path / "marks.txt"
    script.write_text(UNGUARDED)
    out = subprocess.run([sys.executable, str(script), str(demo_study_dir), str(marks)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("tfidf-logreg-")
    assert marks.read_text() == "ran\n"  # once: multiprocessing's spawn would have run this file again in the helper


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie left to a parent that does not reap it counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (gunicorn's workers start their own training processes)."""
    out, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                found = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            out += found
            todo += found
    return out


# ------------------------------------------------------------------------------------------------ real servers
SETUP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from peerimpact.web import server
    server.configure(Path(sys.argv[1]))
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user
    make_user("coder", sys.argv[2], Role.CODER, validate_password=False)
""")


@pytest.fixture(scope="module")
def imported(tmp_path_factory, demo_study) -> Iterator[dict]:
    """The study imported into a database of its own (SQLite, or a throwaway PostgreSQL), with a coder."""
    from peerimpact.study.write import write_study

    base = tmp_path_factory.mktemp("trainer-e2e")
    study = write_study(suggest_study(demo_study), base / "study")
    with throwaway_postgres() if liveserver.test_db_kind() == "postgres" else _nothing() as pg:
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
        if pg:
            env["DATABASE_URL"] = pg
        data = base / "data"
        subprocess.run([sys.executable, str(SERVE_CLI), "db", "import-study", str(study), "--data-dir", str(data)], env=env,
                       check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", SETUP, str(data), PASSWORD], env=env, check=True, capture_output=True)
        yield {"data": data, "env": env}


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


@contextmanager
def started(kind: str, imported: dict, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    if kind in ("waitress", "gunicorn"):  # peerimpact serve: one waitress process, or gunicorn with two workers
        args = [sys.executable, str(SERVE_CLI), "serve", "--port", str(port), "--data-dir", str(imported["data"]), "--threads", "4",
                "--workers", "2" if kind == "gunicorn" else "1"]
        env = imported["env"]
    else:  # Django's development server, with or without its autoreloader (which serves from a child process)
        args = [sys.executable, "-m", "peerimpact.web", "runserver", *(["--noreload"] if kind == "runserver" else []),
                f"127.0.0.1:{port}"]
        env = {**imported["env"], "PEERIMPACT_DATA_DIR": str(imported["data"])}
    log = open(tmp_path / f"{kind}.log", "w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / f"{kind}.log").read_text()[-2000:]
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                probe.request("GET", "/accounts/login/")
                probe.getresponse().read()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start in time"
                time.sleep(0.3)
            finally:
                probe.close()
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    out = (r.status, json.loads(r.read() or b"{}"))
    conn.close()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind, stop", [("waitress", signal.SIGINT), ("waitress", signal.SIGTERM), ("gunicorn", signal.SIGTERM),
                                        ("runserver", signal.SIGINT), ("runserver-autoreload", signal.SIGINT)],
                         ids=["serve-sigint", "serve-sigterm", "serve-gunicorn-sigterm", "runserver-sigint", "runserver-autoreload-sigint"])
def test_a_real_server_answers_training_then_suggestions_and_its_trainer_ends_with_it(kind, stop, imported, tmp_path):
    with started(kind, imported, tmp_path) as (proc, port):
        status, body = call(port, "POST", "/api/token", {"username": "coder", "password": PASSWORD})
        assert status == 200, body
        token = body["token"]
        status, first = call(port, "GET", f"/api/suggestions?interview_id={UNCODED}", token=token)
        assert (status, first["model_state"], first["count"]) == (200, "training", 0)
        deadline = time.monotonic() + 120  # a server in another process: no future to wait on, so ask again, bounded
        while (body := call(port, "GET", f"/api/suggestions?interview_id={UNCODED}", token=token)[1])["model_state"] == "training":
            assert time.monotonic() < deadline, "no model after 120 s"
            time.sleep(0.5)
        assert body["model_state"] == "fresh" and body["count"] > 0
        helpers = _children(proc.pid)  # the training process, kept for the next training (gunicorn: its workers too)
        assert [p for p in helpers if "peerimpact.web.coding.trainer import main" in _cmdline(p)], [_cmdline(p) for p in helpers]
        proc.send_signal(stop)
        proc.wait(timeout=30)  # ends within 30 s (TimeoutExpired otherwise)
        assert [p for p in helpers if not _gone_within(p, 30)] == []


def test_a_job_running_too_long_ends_the_training_process_and_the_next_starts_a_new_one(demo_study, monkeypatch):
    from peerimpact.web.coding import trainer as trainer_module
    from peerimpact.web.coding.trainer import Trainer, TrainerError

    study = suggest_study(demo_study)
    trainer = Trainer()
    try:
        trainer._start()
        first = trainer.pid
        monkeypatch.setattr(trainer_module, "JOB_SECONDS", 0.0)  # no reply can come in no time
        with pytest.raises(TrainerError, match="not trained within 0 s"):
            trainer.fit(study, None)
        assert trainer.pid is None and not _alive(first)
        monkeypatch.setattr(trainer_module, "JOB_SECONDS", 600.0)
        assert trainer.fit(study, None).pid not in (None, first)
    finally:
        trainer.shutdown()

"""Starting the app: loopback rules, the SQLite backup before migrating, and the db commands."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from peerimpact.errors import UserInputError
from peerimpact.web.server import backup_sqlite, is_loopback, prepare

HERE = Path(__file__).parent


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
                                           ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)],
                         ids=lambda v: str(v))
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_demo_refuses_a_public_address():
    with pytest.raises(UserInputError) as err:
        prepare(None, demo=True, host="0.0.0.0")
    assert str(err.value) == "demo mode serves only on loopback (127.0.0.1, ::1 or localhost), not '0.0.0.0'"


def test_serve_refuses_a_port_that_is_already_listened_on():
    """With SO_REUSEPORT (serve --workers), a second server could otherwise silently share the port."""
    import socket

    from peerimpact.web.server import _check_port_free

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserInputError) as err:
            _check_port_free("127.0.0.1", port)
    assert str(err.value) == f"cannot listen on 127.0.0.1:{port}: Address already in use"
    _check_port_free("127.0.0.1", port)  # free again


def test_backup_copies_the_database(tmp_path):
    db = tmp_path / "peerimpact.sqlite3"
    with sqlite3.connect(db) as con:
        con.execute("create table t (x)")
        con.execute("insert into t values (42)")
    copy = backup_sqlite(db, tmp_path / "backups")
    with sqlite3.connect(copy) as con:
        assert con.execute("select x from t").fetchall() == [(42,)]
    assert backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "backups") is None


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return subprocess.run([sys.executable, str(HERE / "serve_cli.py"), *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.slow
def test_db_commands_back_up_before_migrating(tiny_study_dir, tmp_path):
    """import-study into a new SQLite database; a pending migration later triggers a backup first."""
    data = tmp_path / "data"
    first = _cli("db", "import-study", str(tiny_study_dir), data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "imported 'Tiny web study': 3 participants" in first.stderr
    assert not (data / "backups").exists()
    with sqlite3.connect(data / "peerimpact.sqlite3") as con:  # make the sessions migration pending again
        con.execute("drop table django_session")
        con.execute("delete from django_migrations where app = 'sessions'")
    out = tmp_path / "exported"
    second = _cli("db", "export-study", "--out", str(out), data_dir=data)
    assert second.returncode == 0, second.stderr
    backups = list((data / "backups").iterdir())
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as con:
        assert con.execute("select count(*) from records_contact").fetchone() == (4,)
    assert second.stdout.strip() == str(out) and (out / "contacts.csv").is_file()
    again = _cli("db", "import-study", str(tiny_study_dir), data_dir=data)
    assert again.returncode == 2
    assert "the database already holds a study" in again.stderr


@pytest.mark.slow
def test_serve_with_two_workers_stores_every_contact_once(tmp_path):
    """``serve --demo --workers 2`` (gunicorn): concurrent posts from both demo workers are all stored, once."""
    import datetime as dt
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from liveserver import server_for_tests

    def call(url, method, body=None, token=None):
        headers = {"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})}
        req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), headers=headers, method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null"), r.headers.get("Server")

    with server_for_tests(tmp_path / "data", workers=2, threads=2) as base:
        tokens = {w: call(base + "/api/token", "POST", {"username": w, "password": "demo-password"})[1]["token"]
                  for w in ("worker-s1-01", "worker-s1-02")}
        people = {w: call(base + "/api/contacts?limit=1000", "GET", token=t)[1]["items"][0]["person_id"] for w, t in tokens.items()}
        jobs = [(w, f"W2TEST{i:03d}") for i in range(40) for w in [("worker-s1-01", "worker-s1-02")[i % 2]]]
        body = {"date": dt.date.today().isoformat(), "mode": "telephone", "duration_minutes": 20, "status": "completed",
                "phase": "post_discharge"}
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda job: call(base + "/api/contacts", "POST", {**body, "contact_id": job[1], "person_id": people[job[0]]},
                                                     tokens[job[0]]), jobs))
        assert {(status, server) for status, _, server in results} == {(201, "gunicorn")}
        seen = [c["contact_id"] for t in tokens.values() for c in call(base + "/api/contacts?limit=1000", "GET", token=t)[1]["items"]
                if c["contact_id"].startswith("W2TEST")]
        assert sorted(seen) == sorted(cid for _, cid in jobs)

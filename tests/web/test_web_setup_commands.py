"""Setting up the web app from the command line (issue 18 item 5): ``db create-admin``, the
clear error on a database that was never set up, and a quiet ``shell``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "a-long-synthetic-passphrase-42"


def _env(data_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PEERIMPACT_DATA_DIR")}
    if data_dir is not None:
        env["PEERIMPACT_DATA_DIR"] = str(data_dir)
    return env


def peerimpact(*args: str, stdin: str = "", data_dir: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "peerimpact"), *args], input=stdin, capture_output=True, text=True,
                          timeout=180, env=_env(data_dir))


def manage(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peerimpact.web", *args], capture_output=True, text=True, timeout=180, env=_env(data_dir))


def test_create_admin_then_shell(tmp_path: Path):
    data = tmp_path / "data"
    made = peerimpact("db", "create-admin", "alice", "--password-stdin", "--data-dir", str(data), stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert f"created research admin 'alice' in data folder {data}" in made.stderr
    with sqlite3.connect(data / "peerimpact.sqlite3") as con:
        rows = con.execute("select u.username, m.role from auth_user u join records_membership m on m.user_id = u.id").fetchall()
    assert rows == [("alice", "admin")]
    # the password works, and the shell starts without "could not be automatically imported"
    shell = manage("shell", "-c", f"print(User.objects.get(username='alice').check_password({PASSWORD!r}), Membership.history.model.__name__)",
                   data_dir=data)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-1] == "True HistoricalMembership"
    assert "could not be automatically imported" not in shell.stdout + shell.stderr
    again = peerimpact("db", "create-admin", "Alice", "--password-stdin", "--data-dir", str(data), stdin=PASSWORD + "\n")
    assert again.returncode == 2
    assert f"an account named 'Alice' already exists (data folder {data})" in again.stderr


@pytest.mark.parametrize(
    "password, message",
    [
        ("Zq8#wvt", "error: password not accepted: This password is too short. It must contain at least 12 characters."),
        ("password123", "error: password not accepted: This password is too short. It must contain at least 12 characters. "
                        "This password is too common."),
        ("", "error: --password-stdin: no password on stdin"),
    ],
    ids=["too-short", "too-common", "empty"],
)
def test_create_admin_refuses_a_bad_password(tmp_path: Path, password, message):
    data = tmp_path / "data"
    result = peerimpact("db", "create-admin", "alice", "--password-stdin", "--data-dir", str(data), stdin=password + "\n")
    assert result.returncode == 2
    assert " ".join(result.stderr.split()) == message
    assert not (data / "peerimpact.sqlite3").exists()  # nothing set up


def test_shell_on_a_database_never_set_up(tmp_path: Path):
    data = tmp_path / "elsewhere"
    result = manage("shell", "-c", "print(User.objects.count())", data_dir=data)
    assert result.returncode == 2
    assert "no such table" not in result.stderr
    assert result.stderr.startswith("error: the database is not set up (")
    assert f"SQLite file {data / 'peerimpact.sqlite3'}, data folder {data}." in result.stderr
    assert "peerimpact db create-admin USERNAME" in result.stderr


def test_data_dir_is_named_in_help():
    for args in (["db", "create-admin", "--help"], ["db", "import-study", "--help"], ["serve", "--help"]):
        result = peerimpact(*args)
        assert result.returncode == 0, result.stderr
        assert "PEERIMPACT_DATA_DIR" in result.stdout, args

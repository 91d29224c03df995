"""PeerImpact's SQLite backend: write transactions queue on a file lock; nothing is lost or doubled."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("sqlite_writers.py")


def _run(data: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return subprocess.Popen([sys.executable, str(HELPER), str(data), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _out(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def test_settings_use_the_backend_with_persistent_connections(tmp_path):
    from peerimpact.web.settings.database import sqlite_database

    db = sqlite_database(tmp_path / "x.sqlite3")
    assert (db["ENGINE"], db["CONN_MAX_AGE"], db["OPTIONS"]["transaction_mode"]) == ("peerimpact.web.sqlite", None, "IMMEDIATE")


def test_the_lock_is_held_from_the_first_statement_to_the_end_of_the_transaction(tmp_path):
    assert _out(_run(tmp_path, "setup")) == "ok"
    # in the block before its first statement; after it; after the commit; after a rollback
    assert _out(_run(tmp_path, "lockcheck")) == "False True False False"
    with sqlite3.connect(tmp_path / "peerimpact.sqlite3") as con:
        assert con.execute("SELECT n FROM t WHERE tag = 'check'").fetchall() == [(1,)]  # the rolled-back row is gone


def test_an_atomic_block_is_one_transaction(db):
    """A failure undoes every statement of the block (the tests' in-memory SQLite uses the same backend)."""
    from django.db import transaction

    from peerimpact.web.records.models import Site

    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            Site.objects.create(site_id="T1", name="one")
            Site.objects.create(site_id="T2", name="two")
            raise ZeroDivisionError("abandon the transaction")
    assert not Site.objects.filter(site_id__in=["T1", "T2"]).exists()


@pytest.mark.slow
def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path):
    """3 processes x 4 threads x 60 transactions, a fifth of them rolled back and retried: every row once."""
    assert _out(_run(tmp_path, "setup")) == "ok"
    procs = [_run(tmp_path, "write", "4", "60", f"p{k}") for k in range(3)]
    assert [_out(p) for p in procs] == ["ok"] * 3
    with sqlite3.connect(tmp_path / "peerimpact.sqlite3") as con:
        rows = con.execute("SELECT tag, COUNT(*), COUNT(DISTINCT n) FROM t GROUP BY tag ORDER BY tag").fetchall()
    assert rows == [("p0", 240, 240), ("p1", 240, 240), ("p2", 240, 240)]

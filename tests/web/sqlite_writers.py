"""Helper for test_web_sqlite_lock.py: concurrent writers on one SQLite file through PeerImpact's backend.

``python sqlite_writers.py DATA_DIR setup`` creates the table; ``... DATA_DIR write THREADS ROWS TAG`` runs
THREADS threads that each insert ROWS rows in ``atomic`` blocks (every fifth block rolls back on purpose
after its insert), and prints ``ok`` or the first error; ``... DATA_DIR lockcheck`` prints whether the file
lock is held in a transaction before and after its first statement, after a commit and after a rollback.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading

os.environ["PEERIMPACT_DATA_DIR"] = sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "peerimpact.web.settings.local"
os.environ.pop("DATABASE_URL", None)
import django  # noqa: E402

django.setup()
from django.db import connection, connections, transaction  # noqa: E402


class Rollback(Exception):
    pass


def held(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def main() -> None:
    what = sys.argv[2]
    if what == "setup":
        with connection.cursor() as cur:
            cur.execute("CREATE TABLE t (tag TEXT, n INTEGER, UNIQUE (tag, n))")
        print("ok")
    elif what == "lockcheck":
        lock = connection.settings_dict["NAME"] + ".writelock"
        with transaction.atomic():
            before = held(lock)
            with connection.cursor() as cur:
                cur.execute("INSERT INTO t VALUES ('check', 1)")
            inside = held(lock)
        after_commit = held(lock)
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("INSERT INTO t VALUES ('check', 2)")
                raise Rollback
        except Rollback:
            pass
        print(before, inside, after_commit, held(lock))
    else:
        threads, rows, tag = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        errors: list[BaseException] = []

        def writer(k: int) -> None:
            try:
                for i in range(rows):
                    try:
                        with transaction.atomic():
                            with connection.cursor() as cur:
                                cur.execute("INSERT INTO t VALUES (%s, %s)", [tag, k * rows + i])
                                if i % 5 == 4:
                                    cur.execute("INSERT INTO t VALUES (%s, %s)", [tag + "-rolled-back", k * rows + i])
                                    raise Rollback
                    except Rollback:
                        with transaction.atomic(), connection.cursor() as cur:
                            cur.execute("INSERT INTO t VALUES (%s, %s)", [tag, k * rows + i])
            except BaseException as exc:  # reported to the test
                errors.append(exc)
            finally:
                connections.close_all()

        pool = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        print("ok" if not errors else f"error: {errors[0]!r}")


if __name__ == "__main__":
    main()

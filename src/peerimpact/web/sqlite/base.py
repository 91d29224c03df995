"""Django's SQLite backend, with write transactions queued on a file lock instead of SQLite's busy loop.

SQLite allows one writer at a time. A connection that finds the write lock
taken (``BEGIN IMMEDIATE``) waits in SQLite's busy handler, which *sleeps*:
1, 2, 5, 10, 15, 20, 25 ... 100 ms between retries, however soon the lock is
released. Under concurrent writes (several waitress threads, several gunicorn
processes) most of a request's latency was this sleeping, while the lock
itself is held for well under a millisecond.

Here every transaction that Django opens (``atomic``: ``BEGIN IMMEDIATE``)
first takes an exclusive ``flock`` on ``<database>.writelock`` beside the
database file, and releases it when the transaction commits or rolls back (or
the connection closes). The lock is taken, and ``BEGIN IMMEDIATE`` sent, only
when the block runs its first statement: Django's Python work before it (about
a quarter of the time a contact's transaction held the lock) runs unlocked. An
``atomic`` block that runs no statement takes no lock and sends nothing. ``flock`` blocks in the kernel and wakes the next
waiter as soon as the lock is released, in every thread and process that uses
this backend on the same file. SQLite's own locking is unchanged and still
guarantees correctness: the file lock only puts writers in a queue, so that
``BEGIN IMMEDIATE`` nearly always finds SQLite's lock free. Statements run
outside a transaction (autocommit) do not take the file lock; they rely on
SQLite's busy timeout as before. In-memory databases (the tests) take no lock.

The kernel releases the lock if a process dies. A transaction that runs for a
long time (``db import-study``) makes other writers wait for it to end rather
than fail after the busy timeout.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base as sqlite3_base

LOCK_SUFFIX = ".writelock"


class Cursor(sqlite3_base.SQLiteCursorWrapper):
    """Django's SQLite cursor; the first statement of an ``atomic`` block begins its transaction."""

    db = None  # the DatabaseWrapper, set by create_cursor

    def execute(self, query, params=None):
        if self.db is not None and self.db._begin_pending:
            self.db._begin()
        return super().execute(query, params)

    def executemany(self, query, param_list):
        if self.db is not None and self.db._begin_pending:
            self.db._begin()
        return super().executemany(query, param_list)

    def executescript(self, script):
        if self.db is not None and self.db._begin_pending:
            self.db._begin()
        return super().executescript(script)


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._lock_held = False
        self._begin_pending = False

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=Cursor)
        cursor.db = self
        return cursor

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if self._lock_fd is None and not self.is_in_memory_db():
            self._lock_fd = os.open(str(self.settings_dict["NAME"]) + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return conn

    def _acquire(self) -> None:
        if self._lock_fd is not None and not self._lock_held:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # blocks without holding the GIL
            self._lock_held = True

    def _release(self) -> None:
        if self._lock_held:
            self._lock_held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._begin_pending = True  # see _begin

    def _begin(self) -> None:
        """Take the file lock and begin the transaction Django asked for (before its first statement)."""
        self._begin_pending = False
        self._acquire()
        try:
            with self.wrap_database_errors:
                self.connection.execute(f"BEGIN {self.transaction_mode}" if self.transaction_mode else "BEGIN")
        except BaseException:
            self._release()
            raise

    def _commit(self):
        self._begin_pending = False
        try:
            return super()._commit()
        finally:
            if self.connection is None or self.connection.in_transaction is False:
                self._release()

    def _rollback(self):
        self._begin_pending = False
        try:
            return super()._rollback()
        finally:
            self._release()

    def _close(self):
        self._begin_pending = False
        try:
            return super()._close()
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

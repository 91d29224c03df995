"""Suggestion models trained in a process of their own, so that training never holds the web server's GIL (issue 15).

Training a model (:func:`peerimpact.qual.suggest.train`) is seconds of pure
Python and scikit-learn work. In a thread of the server it holds the
interpreter lock for most of that time, and every other request of the
process (the workbench page's own API calls included) waits. Here it runs in
one helper process per server process, started on first use as a fresh
interpreter (``python -c``, talking over a socket pair with
:mod:`multiprocessing.connection`: no database connection, lock or thread of
the server crosses into it, and unlike multiprocessing's ``spawn`` it does not
re-run the server's main script, which need not be import-safe) at a lower
CPU priority (nice 10). It receives
a snapshot of the study (a pickled :class:`~peerimpact.study.model.Study`,
read from the database by the caller) and sends back the fitted model; it
never touches the database.

One job at a time (:meth:`Trainer.fit` holds a lock; the caller in
:mod:`peerimpact.web.coding.suggestions` runs at most one training anyway).
The helper stays up between jobs (its imports cost about a second of CPU). It
ends with the server: at interpreter exit :func:`shutdown` terminates it; if
the server is killed, the helper notices its parent is gone within
:data:`WATCH_SECONDS` and exits (a job in progress is dropped).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Optional

from ...errors import UserInputError

WATCH_SECONDS = 2.0
NICENESS = 10
#: A job still running after this many seconds is given up: the process is ended (the next training starts a new one).
JOB_SECONDS = 1800.0


class TrainerError(RuntimeError):
    """The training process failed (ended, or raised something other than a :class:`UserInputError`)."""


@dataclass(frozen=True)
class Fitted:
    """A model fitted in the training process, with where and how long (CPU and wall seconds of the fit)."""

    model: Any
    pid: int
    cpu_seconds: float
    wall_seconds: float


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the training process
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


#: What the training process runs: the server's import path, then :func:`main` on the inherited socket.
LAUNCH = ("import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
          "from peerimpact.web.coding.trainer import main; main(int(sys.argv[2]), int(sys.argv[3]))")


def main(fd: int, parent: int) -> None:  # pragma: no cover - runs in the training process (tested through Trainer)
    """The training process's entry point: serve jobs on the socket ``fd`` for the server process ``parent``."""
    _serve(Connection(fd), parent)


def _serve(conn: Connection, parent: int) -> None:  # pragma: no cover - runs in the training process (tested through Trainer)
    """The training process: ``(study, held_out)`` in, ``("ok", Fitted)`` / ``("input", message, cause)`` /
    ``("error", text)`` out, until ``None`` or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal: the server shuts this process down
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    from ...qual.suggest import train

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        study, held_out = job
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            model = train(study, exclude=[held_out] if held_out else None)
        except UserInputError as exc:
            reply: tuple = ("input", str(exc), None if exc.__cause__ is None else str(exc.__cause__))
        except Exception as exc:  # noqa: BLE001 - sent to the server, which logs it
            reply = ("error", f"{type(exc).__name__}: {exc}")
        else:
            reply = ("ok", Fitted(model, os.getpid(), time.process_time() - cpu, time.perf_counter() - wall))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class Trainer:
    """A handle on the training process of this server process (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Optional[subprocess.Popen] = None
        self._conn: Optional[Connection] = None

    @property
    def pid(self) -> Optional[int]:
        """The training process's id while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _start(self) -> Connection:
        mine, theirs = socket.socketpair()
        with theirs:  # only the helper keeps its end open: its death is an EOF here
            proc = subprocess.Popen([sys.executable, "-c", LAUNCH, json.dumps(sys.path), str(theirs.fileno()), str(os.getpid())],
                                    pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        self._proc, self._conn = proc, Connection(mine.detach())
        return self._conn

    def fit(self, study, held_out: Optional[str]) -> Fitted:
        """Train on ``study`` (without the transcript ``held_out``) in the training process, started if need be.

        Raises
        ------
        UserInputError
            Too little to learn from (as :func:`~peerimpact.qual.suggest.train`; scikit-learn's words, if any, are its
            ``__cause__``).
        TrainerError
            The process ended during the job, the job ran longer than :data:`JOB_SECONDS`, or the training failed
            otherwise.
        """
        with self._lock:
            conn = self._conn if self._conn is not None and self.pid is not None else self._start()
            try:
                conn.send((study, held_out))
                if not conn.poll(JOB_SECONDS):
                    self._stop()
                    raise TrainerError(f"the suggestion model was not trained within {JOB_SECONDS:.0f} s: training process ended")
                reply = conn.recv()
            except (EOFError, OSError) as exc:
                proc = self._proc
                self._stop()
                code = proc.returncode if proc is not None else None
                raise TrainerError(
                    f"the suggestion training process ended during a job (exit code {code}; {exc or type(exc).__name__}); "
                    "its traceback, if any, is in the server's error output") from None
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "input":  # scikit-learn's words, if any, as the cause (the caller logs them)
            raise UserInputError(reply[1]) from (ValueError(reply[2]) if reply[2] else None)
        raise TrainerError(f"training the suggestion model failed: {reply[1]}")

    def _stop(self) -> None:
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def shutdown(self) -> None:
        """End the training process now (a job in progress is dropped; its caller gets a :class:`TrainerError`)."""
        self._stop()


TRAINER = Trainer()


@atexit.register
def shutdown() -> None:
    """End this server process's training process (registered to run at interpreter exit)."""
    TRAINER.shutdown()

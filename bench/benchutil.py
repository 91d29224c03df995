"""What the benchmarks share: memory and CPU readings, and an in-memory Study.

Scripts import it as ``from benchutil import ...`` (their own folder is on
``sys.path`` when run as ``python bench/<name>.py``).
"""

from __future__ import annotations

import ctypes
import gc
import http.client
import json
import resource
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Mapping

import pandas as pd

from peerimpact.instruments import InstrumentDefinition
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.model import Study


def status_kib(field: str) -> int | None:
    """A field of /proc/self/status in KiB (Linux), e.g. ``VmRSS`` or ``VmHWM``."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter (Linux >= 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    hwm = status_kib("VmHWM")
    if hwm is not None:
        return hwm / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    return (status_kib("VmRSS") or 0) / 1024


def trim_heap() -> None:
    """Give freed heap memory back to the OS (glibc), so RSS baselines are honest."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_memory_study(
    definition: StudyDefinition,
    participant_ids,
    responses: pd.DataFrame,
    instruments: Mapping[str, InstrumentDefinition],
) -> Study:
    """A Study of one site holding only questionnaire responses, built without files."""
    empty = pd.DataFrame()
    return Study(
        definition=definition,
        participants=pd.DataFrame({"participant_id": participant_ids, "site": definition.sites[0].id}),
        responses=responses,
        service_use=empty,
        employment=empty,
        allocations=empty,
        contacts=empty,
        instruments={i: instruments[i] for i in definition.instruments},
        transcripts={},
        codings=empty,
    )


# The web benchmarks (web_load.py, coding_load.py): a local server and its JSON API.
HOST = "127.0.0.1"
# ``peerimpact serve`` without the stage packages ``import peerimpact`` would otherwise load.
LAUNCH = "import typer; from peerimpact.cli.web import register; app = typer.Typer(); register(app); app()"
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_server(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 180) -> None:
    """Return once the login page answers; raise with the log's tail if the server exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + log_path.read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not start within {timeout:.0f} s")


def call(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None,
         token: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def token_for(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    status, body = call(conn, "POST", "/api/token", {"username": username, "password": password})
    conn.close()
    if status != 200:
        raise RuntimeError(f"token for {username}: HTTP {status} {body[:200]!r}")
    return json.loads(body)["token"]

"""A real server for the browser tests and the load test: ``peerimpact serve`` in a subprocess on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SERVE_CLI = Path(__file__).with_name("serve_cli.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, *, demo: bool = True, threads: int = 8, env: dict | None = None,
                   timeout: float = 120.0) -> Iterator[str]:
    """Start the server, wait until it answers, yield its base URL, and stop it."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    full_env.update(env or {})
    args = [sys.executable, str(SERVE_CLI), "serve", "--port", str(port), "--data-dir", str(data_dir), "--threads", str(threads)]
    log = open(data_dir.parent / f"server-{port}.log", "w")
    proc = subprocess.Popen(args + (["--demo"] if demo else []), stdout=log, stderr=subprocess.STDOUT, env=full_env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {Path(log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

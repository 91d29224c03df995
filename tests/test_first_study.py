"""docs/first-study.md is executed: its commands, in order, on the synthetic team export it writes.

This is also the acceptance test of issue 18: from raw files (Excel surveys, a CSV contact log,
``.docx`` interviews with the team's names, a coding spreadsheet), ``init`` drafts the study, the
guide's confirmations are applied (its ``<!-- edit: FILE -->`` blocks, nothing else), then import,
validate, coding import, report, the web database, ``db create-admin`` and ``serve``, where the
admin signs in. Shell state (``export``) carries from one block to the next.
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "first-study.md"
PASSWORD = "a-long-synthetic-passphrase-42"
BLOCK = re.compile(r"(?:<!-- (?P<tag>[a-z]+)(?::\s*(?P<arg>\S+))? -->\n)?```(?P<lang>sh|yaml)\n(?P<body>.*?)```", re.S)


def guide_blocks() -> list[tuple[str, str | None, str]]:
    """``(kind, argument, body)`` in order: kind is ``sh``, ``edit`` (argument: the file) or ``serve``."""
    out = []
    for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8")):
        if m.group("lang") == "yaml":
            assert m.group("tag") == "edit", "every yaml block of the guide is an edit the reader makes"
            out.append(("edit", m.group("arg"), m.group("body")))
        else:
            out.append((m.group("tag") or "sh", m.group("arg"), m.group("body")))
    return out


def apply_edit(path: Path, body: str) -> None:
    """Set each top-level key of ``body`` in the YAML file ``path``, replacing the drafted line."""
    text = path.read_text(encoding="utf-8")
    for key, value in yaml.safe_load(body).items():
        line = next(ln for ln in body.splitlines() if ln.startswith(f"{key}:"))
        text, n = re.subn(rf"(?m)^{re.escape(key)}:.*$", lambda _, line=line: line, text)
        assert n == 1, f"{path.name} has no single '{key}:' line to confirm"
        assert yaml.safe_load(text)[key] == value
    path.write_text(text, encoding="utf-8")


def run_block(body: str, cwd: Path, env: dict[str, str], stdin: str = "") -> dict[str, str]:
    """Run a block in bash (set -e); returns the environment it leaves (for ``export``)."""
    env_file = cwd / ".guide-env"
    script = "set -euo pipefail\n" + body + f'\nenv -0 > "{env_file}"\n'
    result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                            timeout=600, start_new_session=True)
    assert result.returncode == 0, f"block failed:\n{body}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return dict(item.split("=", 1) for item in env_file.read_text().split("\0") if "=" in item)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_in(base: str, username: str, password: str) -> tuple[str, str]:
    """Sign in through the login form; returns the URL and HTML of the page it lands on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"}).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"})
    with opener.open(request, timeout=30) as response:
        return response.geturl(), response.read().decode()


def test_guide_has_the_whole_path():
    kinds = [(k, a) for k, a, _ in guide_blocks()]
    assert ("edit", "draft/study.yaml") in kinds and kinds[-1] == ("serve", None)
    commands = " ".join(b for _, _, b in guide_blocks())
    for step in ("peerimpact init", "peerimpact import", "peerimpact validate", "peerimpact qual import-codings",
                 "peerimpact report", "peerimpact db import-study", "peerimpact db create-admin", "peerimpact serve"):
        assert step in commands


@pytest.mark.slow
def test_first_study_guide_runs(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PEERIMPACT_DATA_DIR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    server = None
    try:
        for kind, arg, body in guide_blocks():
            if kind == "edit":
                apply_edit(work / arg, body)
            elif kind == "sh":
                needs_password = "db create-admin" in body
                env = run_block(body, work, env, stdin=f"{PASSWORD}\n{PASSWORD}\n" if needs_password else "")
            else:  # serve: the documented command, on a free port, in the background
                port = free_port()
                command = body.strip() + f" --port {port}"
                server = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=work, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True, start_new_session=True)
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 120
                while True:
                    try:
                        with urllib.request.urlopen(base + "/accounts/login/", timeout=5):
                            break
                    except OSError:
                        assert server.poll() is None, server.stdout.read()
                        assert time.monotonic() < deadline, "the server did not answer in 120 s"
                        time.sleep(0.5)
                url, home = sign_in(base, "alice", PASSWORD)
                assert url == base + "/", url  # a failed sign-in stays on /accounts/login/
                assert "alice" in html.unescape(home)
        # what the steps produced
        study = work / "study"
        assert sorted(p.name for p in (study / "transcripts").iterdir())[:1] == ["Site A - PW01 - 12m.docx"]
        codings = (study / "qual" / "codings.csv").read_text(encoding="utf-8").splitlines()
        assert len(codings) == 1 + 4
        assert (work / "report" / "report.html").is_file() and (work / "report" / "report.docx").is_file()
        banner = (work / "report" / "report.html").read_text(encoding="utf-8")
        assert "Peer workers in two services (SYNTHETIC)" in banner
    finally:
        if server is not None:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            server.stdout.close()

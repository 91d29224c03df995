"""docs/first-study.md is executed: its commands, in order, on the synthetic team export it writes.

This is also the acceptance test of issue 18: from raw files (Excel surveys, a CSV contact log,
``.docx`` interviews with the team's names, a coding spreadsheet), ``init`` drafts the study, the
guide's confirmations are applied (its ``<!-- edit: FILE -->`` blocks, nothing else), then import
(Excel and CSV in one ``import mixed``), validate, coding import, report, the web database,
``db create-admin`` and ``serve``, where the admin signs in. Shell state (``export``) carries from
one block to the next. The report's contact counts are checked against the raw log, counted here
with the csv module and the staff sheet (not through PeerImpact).
"""

from __future__ import annotations

import html
import http.cookiejar
import json
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


def values_of(data, key: str) -> list:
    """Every value of ``key`` at any depth of loaded YAML."""
    if isinstance(data, dict):
        return [v for k, x in data.items() for v in ([x] if k == key else []) + values_of(x, key)]
    if isinstance(data, list):
        return [v for x in data for v in values_of(x, key)]
    return []


def apply_edit(path: Path, body: str) -> None:
    """Set each key of ``body`` in the YAML file ``path``: the one drafted line of that key (commented out or not) becomes the guide's line, at its indentation."""
    text = path.read_text(encoding="utf-8")
    for key, value in yaml.safe_load(body).items():
        line = next(ln for ln in body.splitlines() if ln.startswith(f"{key}:"))
        text, n = re.subn(rf"(?m)^(?P<indent>[ ]*)(?:#[ ]*)?{re.escape(key)}:.*$", lambda m, line=line: m.group("indent") + line, text)
        assert n == 1, f"{path.name} has no single '{key}:' line to confirm"
        assert value in values_of(yaml.safe_load(text), key)
    path.write_text(text, encoding="utf-8")


def expected_contacts(raw: Path) -> dict[str, dict[str, float]]:
    """The report's contact figures, by site and overall, counted from the raw contact log and staff sheet.

    Every row of the log is a completed contact after discharge (the guide's confirmations); ``Type``
    is ``Face to face`` or ``Phone``.
    """
    import csv

    import openpyxl

    sheet = openpyxl.load_workbook(raw / "staff.xlsx", read_only=True)["Staff"]
    header, *staff = [list(r) for r in sheet.iter_rows(values_only=True)]
    site_of = {r[header.index("PW ID")]: r[header.index("Site")] for r in staff}
    with (raw / "contact log.csv").open(encoding="utf-8", newline="") as fh:
        log = list(csv.DictReader(fh))
    out = {}
    for site in ("all", *sorted(set(site_of.values()))):
        rows = [r for r in log if site == "all" or site_of[r["Worker"]] == site]
        people = {r["Client"] for r in rows}
        out[site] = {
            "face_to_face_per_worker_total": float(sum(r["Type"] == "Face to face" for r in rows)),
            "telephone_per_worker_total": float(sum(r["Type"] == "Phone" for r in rows)),
            "workers_with_contacts_n": len({r["Worker"] for r in rows}),
            "workers_without_contacts_n": sum(s == site or site == "all" for s in site_of.values()) - len({r["Worker"] for r in rows}),
            "persons_n": len(people),
            "contacts_per_person_post_discharge_mean": len(rows) / len(people),
            "contacts_per_person_pre_discharge_max": 0.0,
        }
    assert sum(f["face_to_face_per_worker_total"] + f["telephone_per_worker_total"] for s, f in out.items() if s != "all") == len(log)
    return out


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
    assert ("edit", "draft/mapping.yaml") in kinds
    for step in ("peerimpact init", "peerimpact import mixed", "contact log.csv", "peerimpact validate", "peerimpact qual import-codings",
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
        # the team's contact log came in whole: the report counts every row of it
        with (work / "team-export" / "contact log.csv").open(encoding="utf-8") as fh:
            assert len((study / "contacts.csv").read_text(encoding="utf-8").splitlines()) == len(fh.read().splitlines()) > 1
        results = json.loads((work / "report" / "results.json").read_text(encoding="utf-8"))
        got = {row["site"]: row for row in results["workforce"]}
        for site, figures in expected_contacts(work / "team-export").items():
            assert {k: got[site][k] for k in figures} == figures, site
    finally:
        if server is not None:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            server.stdout.close()

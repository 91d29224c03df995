"""Corrupting the demo study: `peerimpact validate` exits 2 and names each problem's file, row and column."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from peerimpact.cli.main import app

runner = CliRunner()


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_demo_is_valid(demo_study_dir):
    result = runner.invoke(app, ["validate", str(demo_study_dir)])
    assert result.exit_code == 0, result.stderr
    assert "(synthetic data)" in result.stderr


def test_corrupted_demo_lists_every_problem(demo_study_dir, tmp_path):
    study = shutil.copytree(demo_study_dir, tmp_path / "study")
    responses = study / "responses.csv"
    lines = responses.read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",")
    # a bad value: the first WEMWBS item of row 2 becomes 9 (range 1-5)
    lines[1] = ",".join(first[:2] + ["9"] + first[3:])
    # an unknown participant on row 3
    lines[2] = "77" + lines[2][lines[2].index(","):]
    # a duplicate (participant, timepoint) row appended
    lines.append(lines[3])
    responses.write_text("".join(lines), encoding="utf-8")
    # a bad date in the contact log, row 2
    _edit(study / "contacts.csv", "C00001,29,P001,2016-08-05", "C00001,29,P001,2016-13-05")
    # a dangling reference in the synthesis file, line 7
    _edit(study / "synthesis.yaml", "outcome: wemwbs.total", "outcome: wemwbs.totl")

    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 2
    err = result.stderr.splitlines()
    duplicate_row = len(lines)
    expected = [
        "responses.csv:2:wemwbs_1: value 9 is outside the range 1–5 of wemwbs",
        "responses.csv:3:participant_id: unknown participant '77'",
        f"responses.csv:{duplicate_row}:timepoint: duplicate row for participant_id={first_id(lines[3])}, "
        f"timepoint={lines[3].split(',')[1]} (first at row 4)",
        "contacts.csv:2:date: '2016-13-05' is not a valid date (expected YYYY-MM-DD)",
    ]
    for line in expected:
        assert line in err, f"missing: {line}\n" + "\n".join(err)
    assert any(e.startswith("synthesis.yaml:7:") and "wemwbs.totl" in e for e in err), err


def first_id(line: str) -> str:
    return line.split(",")[0]

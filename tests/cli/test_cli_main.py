"""The CLI is a thin adapter: exit codes, stdout/stderr split, help a newcomer understands."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from peerimpact.cli.main import app

runner = CliRunner()


def test_help_lists_the_pipeline_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "validate", "score", "analyse", "report", "qual", "import", "export"):
        assert command in result.output


def test_validate_ok(tiny_study):
    result = runner.invoke(app, ["validate", str(tiny_study)])
    assert result.exit_code == 0, result.output
    assert "valid: Tiny synthetic study (synthetic data)" in result.stderr


def test_validate_bad_exits_2_and_lists_every_problem(tiny_study):
    p = tiny_study / "participants.csv"
    p.write_text(p.read_text().replace("03,2,", "03,9,").replace("2020-01-10", "2020-13-10"))
    result = runner.invoke(app, ["validate", str(tiny_study)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "participants.csv:2:consent_date: '2020-13-10' is not a valid date (expected YYYY-MM-DD)" in lines
    assert "participants.csv:4:site: unknown site '9'" in lines
    assert "2 problems found; nothing was written." in lines


@pytest.mark.parametrize("command", [["validate"], ["score"], ["analyse"], ["report", "--out", "{out}"], ["export", "csv", "--out", "{out}"]],
                         ids=["validate", "score", "analyse", "report", "export"])
@pytest.mark.parametrize("all_errors", [False, True], ids=["grouped", "every-error"])
def test_a_rule_broken_on_many_rows_is_one_line(demo_study_dir, tmp_path, all_errors, command):
    """A 0-4 coded item (the instrument is 1-5): one line with the count, the first rows and the hint; --all-errors each.

    Every command that reads a study folder says it the same way, and writes nothing.
    """
    import shutil

    study = tmp_path / "study"
    shutil.copytree(demo_study_dir, study)
    responses = pd.read_csv(study / "responses.csv", dtype=str, keep_default_na=False)
    answered = responses["wemwbs_1"] != ""
    responses.loc[answered, "wemwbs_1"] = [str(i % 5) for i in range(int(answered.sum()))]  # 0-4
    responses.to_csv(study / "responses.csv", index=False)
    zero_rows = [i + 2 for i in responses.index[responses["wemwbs_1"] == "0"]]
    assert len(zero_rows) > 5
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in command]
    args = args[:1] + (["csv", str(study)] + args[2:] if args[0] == "export" else [str(study)] + args[1:])
    result = runner.invoke(app, args + (["--all-errors"] if all_errors else []))
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = [line for line in result.stderr.splitlines() if line.startswith("responses.csv:")]
    first = f"responses.csv:{zero_rows[0]}:wemwbs_1: value 0 is outside the range 1–5 of wemwbs"
    if all_errors:
        assert lines == [f"responses.csv:{r}:wemwbs_1: value 0 is outside the range 1–5 of wemwbs" for r in zero_rows]
        return
    shown = ", ".join(str(r) for r in zero_rows[:5])
    assert lines == [f"{first} [{len(zero_rows)} rows break this rule: {shown}, ...; --all-errors lists each]; "
                     "all values lie in 0–4 but the instrument expects 1–5: is it coded from 0? see `recode` in docs/mapping.md"]


def test_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "no such study folder" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_score_formats(tiny_study, fmt):
    result = runner.invoke(app, ["score", str(tiny_study), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        frame = pd.read_csv(io.StringIO(result.stdout), dtype={"participant_id": str})
    else:
        frame = pd.DataFrame(json.loads(result.stdout))
    assert set(frame["outcome"]) == {"wemwbs.total"}
    assert frame["score"].tolist() == [42.0] * 4  # 14 items answered 3


def test_score_out_file(tiny_study, tmp_path):
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["score", str(tiny_study), "--out", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text().startswith("participant_id,timepoint,outcome,score")


def test_bad_format_is_a_usage_error(tiny_study):
    result = runner.invoke(app, ["score", str(tiny_study), "--format", "xml"])
    assert result.exit_code == 2

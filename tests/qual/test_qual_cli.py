"""``peerimpact qual …``: thin commands on the mini and demo studies; data on stdout, exit 2 on bad input."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from lxml import etree
from typer.testing import CliRunner

from peerimpact.cli.qual import app
from qual_helpers import MINI, REFI

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_quotes_by_theme_and_timepoint_text():
    result = run("quotes", MINI, "--theme", "feeling_valued", "--timepoint", "T1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "S1-PW01-T1 [seg01] being_valued (coder_a;coder_b)\n  I felt valued by the team from day one 😊.\n\n"
        "S1-PW01-T1 [seg05] tokenism (coder_a;coder_b)\n  Sometimes I felt like a token, wheeled out for meetings.\n"
    )
    assert result.stderr == "2 quote(s)\n"


def test_matrix_csv():
    result = run("matrix", MINI, "--by", "timepoint", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns) == ["code", "name", "T1", "T2", "T3", "total"]
    assert frame.set_index("code").loc["team_belonging", ["T1", "T2", "T3", "total"]].tolist() == [2, 2, 0, 3]


@pytest.mark.parametrize(
    "args, first_line",
    [
        (["cooccurrence", MINI, "--coder", "coder_a"], "code,lived_experience,sharing_story,being_valued,tokenism,supervision,role_clarity,role_boundaries,emotional_load,team_belonging"),
        (["framework", MINI], "participant_id,site,feeling_valued,feeling_empowered,feeling_connected"),
        (["agreement", MINI, "--format", "csv", "--table", "alpha"], "level,scope,code,coders,n_coders,n_units,n_pairable,alpha,warning"),
        (["versions", MINI], "version,date,reason,action,code,codes,into,from,to"),
        (["migrate", MINI], "segment_id,interview_id,code,coder,version,split_in,candidates"),
        (["turns", MINI, "S1-PW02-T1"], "turn,speaker,start,end,text_start,text"),
    ],
    ids=["cooccurrence", "framework", "agreement-alpha", "versions", "migrate", "turns"],
)
def test_table_commands(args, first_line):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == first_line


def test_migrate_reports_moves_on_stderr():
    result = run("migrate", MINI)
    assert result.stderr.splitlines() == [
        "1 coding(s) merged burden -> emotional_load in version 2",
        "1 coding(s) merged triggers -> emotional_load in version 2",
        "1 coding(s) use retired codes: paperwork",
        "1 coding(s) need recoding",
    ]
    assert result.stdout.splitlines()[1] == "seg11,S1-PW02-T1,role,coder_a,1,2,role_clarity;role_boundaries"


@pytest.mark.parametrize(
    "args, message",
    [
        (["quotes", MINI, "--theme", "nope"], "error: unknown theme 'nope'; themes: feeling_valued, feeling_empowered, feeling_connected"),
        (["quotes", MINI, "--timepoint", "T7"], "error: unknown timepoint 'T7'; timepoints: T1, T2, T3"),
        (["agreement", MINI, "--coder", "zed"], "error: unknown coder 'zed'; coders: coder_a, coder_b"),
        (["search", MINI, "S6-PW01", "--cache-dir", "{tmp}"], "error: search query 'S6-PW01' is not valid: no such column: PW01 (put phrases and words with hyphens in double quotes)"),
        (["matrix", "no/such/folder"], "error: no/such/folder: no such study folder"),
        (["import-qdpx", "missing.qdpx", "--into", MINI], "error: missing.qdpx: no such file"),
        (["turns", MINI, "S9-PW01-T1"], "error: unknown interview 'S9-PW01-T1'"),
        (["turns", MINI, "S1-PW01-T1", "--pattern", "(x"], "error: speaker pattern '(x' is not a valid regular expression: missing ), unterminated subpattern at position 0"),
    ],
    ids=["theme", "timepoint", "coder", "search", "study", "project", "interview", "pattern"],
)
def test_user_errors_exit_2(args, message, tmp_path):
    result = run(*[str(tmp_path) if a == "{tmp}" else a for a in args])  # caches go to tmp, never into tests/fixtures
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == message


@pytest.mark.parametrize(
    "args",
    [["matrix", MINI, "--by", "month"], ["agreement", MINI, "--format", "xml"], ["cooccurrence", MINI, "--unit", "word"]],
    ids=["by", "format", "unit"],
)
def test_bad_choices_exit_2(args):
    assert run(*args).exit_code == 2


def test_search_cli(tmp_path):
    result = run("search", MINI, "badge", "--cache-dir", tmp_path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [h["interview_id"] for h in hits] == ["S1-PW02-T1"]
    assert "[badge]" in hits[0]["snippet"]


def test_export_and_import_cli(tmp_path, mini_study_dir):
    out = tmp_path / "p.qdpx"
    result = run("export-qdpx", mini_study_dir, "--out", out)
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        schema = etree.XMLSchema(etree.parse(str(REFI / "xsd" / "Project.xsd")))
        assert schema.validate(etree.fromstring(zf.read("project.qde")))
    qdc = tmp_path / "c.qdc"
    assert run("export-qdc", mini_study_dir, "--out", qdc).exit_code == 0 and qdc.is_file()
    result = run("import-qdpx", out, "--into", mini_study_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # nothing lost
    assert "data-loss report: 0 item(s) not imported, 0 note(s) in all" in result.stderr


def _hashes(root):
    import hashlib

    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_cli_refuses_loss_then_keeps_the_report(refi_dir, mini_study_dir):
    (mini_study_dir / "transcripts/S1-PW02-T1.txt").unlink()
    before = _hashes(mini_study_dir)
    refused = run("import-qdpx", refi_dir / "Trial.qdpx", "--into", mini_study_dir)
    assert refused.exit_code == 2
    assert "4 item(s) would be lost; nothing written" in refused.stderr
    assert "would lose media: PictureSource" in refused.stderr
    assert _hashes(mini_study_dir) == before
    result = run("import-qdpx", refi_dir / "Trial.qdpx", "--into", mini_study_dir, "--accept-loss")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["unanchored", "placed", "media", "unsupported", "unsupported"]
    assert "S1-PW02-T1: positions counted as code points, line ends counted as 1, BOM counted (" in result.stderr
    kept = list((mini_study_dir / "qual" / "imports").glob("*.txt"))
    assert len(kept) == 1
    assert kept[0].read_text(encoding="utf-8").splitlines()[-5:] == lines


# ----------------------------------------------------------------- acceptance on the demo study
def test_demo_quotes_by_theme_and_timepoint(demo_study_dir, demo_study):
    result = run("quotes", demo_study_dir, "--theme", "feeling_valued", "--timepoint", "T2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and {r["timepoint"] for r in rows} == {"T2"}
    from peerimpact.qual import qual_data

    book = qual_data(demo_study).codebook
    assert {r["code"] for r in rows} <= set(book.theme_codes("feeling_valued"))
    for r in rows:
        assert r["quote"] == demo_study.transcripts[r["interview_id"]].text[r["start"]:r["end"]]


def test_demo_code_by_timepoint_matrix(demo_study_dir, demo_study):
    result = run("matrix", demo_study_dir, "--by", "timepoint", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert len(frame) == 18 and list(frame.columns)[2:] == [*demo_study.timepoint_ids, "total"]
    # independent count from the codings table for one cell
    codings = demo_study.codings
    tp = codings["interview_id"].map(lambda i: demo_study.transcripts[i].timepoint)
    pid = codings["interview_id"].map(lambda i: demo_study.transcripts[i].participant_id)
    expected = pid[(codings["code"] == "job_security") & (tp == "T1")].nunique()
    assert frame.set_index("code").loc["job_security", "T1"] == expected


def test_demo_agreement_matches_the_r_golden(demo_study_dir):
    from test_qual_agreement_oracle import golden, same

    result = run("agreement", demo_study_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    ours = json.loads(result.stdout)
    gold = golden("demo")
    keys = ("coder_a", "coder_b", "level", "scope", "code", "interview_id")
    theirs = {tuple(r.get(k) for k in keys): r for r in gold["pairs"]}
    mine = {tuple(r[k] for k in keys): {k: r[k] for k in gold["pairs"][0]} for r in ours["pairs"]}
    assert same(mine, theirs) == []
    alpha = {(r["level"], r["scope"], r["code"]): {"level": r["level"], "scope": r["scope"], "code": r["code"], "n_units": r["n_units"], "alpha": r["alpha"]} for r in ours["alpha"]}
    assert same(alpha, {(r["level"], r["scope"], r.get("code")): r for r in gold["alpha"]}) == []

"""``peerimpact qual suggest`` and ``qual suggest-eval``: data on stdout, messages on stderr, exit 2 on bad input."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from peerimpact.cli.qual import app
from peerimpact.demo import write_study
from peerimpact.qual.suggest import suggest, suggest_eval
from peerimpact.study import load_study
from suggest_helpers import write_demo_slice

runner = CliRunner()


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory):
    """A demo study folder cut to its first 10 transcripts, one of them (S1-PW01-T2) left uncoded; no memos."""
    return write_demo_slice(tmp_path_factory.mktemp("suggest") / "study", 10, uncoded=("S1-PW01-T2",))



def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_suggest_json(small_dir):
    iid = "S1-PW01-T2"
    result = run("suggest", small_dir, "--interview", iid, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    expected = suggest(load_study(small_dir), interviews=[iid])
    assert doc["model_version"] == expected.model.version
    assert [(s["code"], s["start"], s["end"]) for s in doc["suggestions"]] == list(
        zip(expected.suggestions["code"], expected.suggestions["start"], expected.suggestions["end"])
    )
    assert all(s["interview_id"] == iid and s["examples"] for s in doc["suggestions"])
    assert result.stderr.startswith(f"model {expected.model.version}: ")


def test_suggest_table(small_dir):
    expected = suggest(load_study(small_dir), interviews=["S1-PW01-T2"]).suggestions
    code = expected["code"].iloc[0]
    result = run("suggest", small_dir, "--interview", "S1-PW01-T2", "--code", code)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["interview_id", "rank", "code", "score", "span"]
    assert len(lines) - 1 == (expected["code"] == code).sum()
    assert all(line.split()[2] == code for line in lines[1:])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--interview", "S9-PW99-T1"], "unknown interview 'S9-PW99-T1'"),
        (["--code", "nope"], "unknown code 'nope'"),
        (["--threshold", "1.5"], "threshold 1.5 must lie strictly between 0 and 1"),
    ],
    ids=["interview", "code", "threshold"],
)
def test_suggest_bad_input_exits_2(small_dir, args, message):
    result = run("suggest", small_dir, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_suggest_eval_csv_and_table(small_dir):
    result = run("suggest-eval", small_dir, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    expected = suggest_eval(load_study(small_dir)).table
    assert frame["kappa"].tolist() == pytest.approx(expected["kappa"].tolist(), rel=1e-12, nan_ok=True)
    assert "reference coder coder_a; ceiling: coder_b; threshold 0.5" in result.stderr
    table = run("suggest-eval", small_dir)
    assert table.exit_code == 0
    head = table.stdout.splitlines()[0].split()
    assert head == ["code", "n_training_segments", "precision", "recall", "kappa", "human_kappa", "note"]
    assert table.stdout.splitlines()[-1].split()[0] == "(pooled)"


TINY = "Interviewer: Why?\nPW: Apples grow.\nInterviewer: And then?\nPW: Pears ripen.\n"
TOO_LITTLE = "too little coded text to learn from yet: code more passages first"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """The demo study cut to one short synthetic transcript with two codings that share no word."""
    out = tmp_path_factory.mktemp("suggest-tiny") / "study"
    write_study(out)
    keep = "S1-PW01-T1"
    for p in (out / "transcripts").glob("*.txt"):
        if p.stem != keep:
            p.unlink()
    (out / "transcripts" / f"{keep}.txt").write_text(TINY, encoding="utf-8")
    codings = pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)
    rows = codings[codings["interview_id"] == keep].head(2).copy()
    spans = [(TINY.index(t), TINY.index(t) + len(t)) for t in ("Apples grow.", "Pears ripen.")]
    rows["start"], rows["end"] = [str(s) for s, _ in spans], [str(e) for _, e in spans]
    rows.to_csv(out / "qual" / "codings.csv", index=False)
    (out / "qual" / "memos.yaml").unlink()
    (out / "synthesis.yaml").unlink(missing_ok=True)
    return out


@pytest.mark.parametrize("command", ["suggest", "suggest-eval"])
def test_too_little_coded_text_exits_2_with_the_reason(tiny_dir, command):
    result = run(command, tiny_dir)
    assert result.exit_code == 2, (result.exit_code, result.stderr, repr(result.exception))
    assert TOO_LITTLE in result.stderr
    assert "Traceback" not in result.stderr and "min_df" not in result.stderr


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.6665, "0.667"), (0.0625, "0.063"), (-0.0625, "-0.063"), (0.5, "0.500"), (float("nan"), "")],
    ids=["half-up", "half-up-small", "negative", "plain", "missing"],
)
def test_eval_table_rounds_as_the_report(value, shown):
    from peerimpact.cli.qual_suggest import eval_table

    frame = pd.DataFrame({"scope": ["code"], "code": ["c"], "n_training_segments": [5], "precision": [value],
                          "recall": [value], "kappa": [value], "human_kappa": [value], "note": [None]})
    line = eval_table(frame).splitlines()[1].split()
    # a missing value prints as blank cells: only the code and the count remain (no "nan")
    assert line == ["c", "5", *([shown] * 4 if shown else [])]

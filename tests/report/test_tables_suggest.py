"""``peerimpact report --suggest-eval``: the suggestions' agreement table shows what ``qual suggest-eval`` prints.

The small study is the synthetic demo study cut to its first 10 transcripts (as
in tests/qual/test_qual_suggest_cli.py), so the leave-one-interview-out runs
stay short.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from peerimpact.cli.main import app
from peerimpact.qual.suggest import EvalResult
from peerimpact.qual.suggest.evaluate import EVAL_COLUMNS
from peerimpact.report.fmt import num
from peerimpact.report.tables_suggest import KEY, TITLE, evaluate_suggestions, suggest_eval_block, suggest_eval_sentence, suggest_eval_table
from peerimpact.study import load_study
from suggest_helpers import write_demo_slice

runner = CliRunner()


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory):
    """The demo study folder cut to its first 10 transcripts and their codings; no memos, no synthesis (synthetic)."""
    return write_demo_slice(tmp_path_factory.mktemp("suggest-report") / "study", 10)



@pytest.fixture(scope="module")
def reports(small_dir, tmp_path_factory):
    """The report built by the command line with and without ``--suggest-eval``."""
    root = tmp_path_factory.mktemp("suggest-report-out")
    for name, extra in (("with", ["--suggest-eval"]), ("without", [])):
        result = runner.invoke(app, ["report", str(small_dir), "--out", str(root / name), *extra])
        assert result.exit_code == 0, result.output
    return root / "with", root / "without"


@pytest.fixture(scope="module")
def cli_csv(small_dir):
    result = runner.invoke(app, ["qual", "suggest-eval", str(small_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), keep_default_na=False, na_values=[""])


def _printed(v) -> str:
    """What ``qual suggest-eval`` prints for a number in its table (``fmt.num`` at three decimals, half away from zero), with the report's minus sign."""
    return num(v, 3)


def test_report_table_equals_the_cli(reports, cli_csv):
    with_dir, _ = reports
    rows = list(csv.DictReader(io.StringIO((with_dir / "tables" / f"{KEY}.csv").read_text(encoding="utf-8"))))
    assert [r["code"] for r in rows] == ["all" if s == "all" else c for s, c in zip(cli_csv["scope"], cli_csv["code"])]
    assert len(rows) >= 3
    for row, cli in zip(rows, cli_csv.to_dict("records")):
        assert row["Training segments"] == str(int(cli["n_training_segments"])), row["code"]
        for column, field in (("Precision", "precision"), ("Recall", "recall"), ("Cohen's kappa", "kappa"), ("Human-vs-human kappa", "human_kappa")):
            assert row[column] == _printed(cli[field]), (row["code"], column)
    pooled = rows[-1]
    assert pooled["Code"] == "All modelled codes"
    # Not a table of dashes: the pooled row has numbers.
    assert all(pooled[c] not in ("", "\u2014") for c in ("Precision", "Recall", "Cohen's kappa", "Human-vs-human kappa"))


def test_report_shows_the_table_and_the_methods_sentence(reports):
    with_dir, without_dir = reports
    html = (with_dir / "report.html").read_text(encoding="utf-8")
    assert TITLE in html
    assert "evaluated leave-one-interview-out" in html
    plain = (without_dir / "report.html").read_text(encoding="utf-8")
    assert TITLE not in plain and "leave-one-interview-out" not in plain
    assert not (without_dir / "tables" / f"{KEY}.csv").exists()
    # Everything else is the same report: the same tables, the same CSVs.
    others = sorted(p.name for p in (with_dir / "tables").glob("*.csv") if p.stem != KEY)
    assert others == sorted(p.name for p in (without_dir / "tables").glob("*.csv"))
    for name in others:
        assert (with_dir / "tables" / name).read_bytes() == (without_dir / "tables" / name).read_bytes(), name


def _result(second: str | None, rows: list[dict]) -> EvalResult:
    table = pd.DataFrame([{c: r.get(c, 0) for c in EVAL_COLUMNS} for r in rows], columns=EVAL_COLUMNS)
    return EvalResult(table=table, suggestions=pd.DataFrame(), reference_coder="coder_a", second_coder=second, threshold=0.5)


class _Study:
    codebook = {"codes": [{"id": "c1", "name": "Lived experience"}, {"id": "c2"}]}


@pytest.mark.parametrize(
    "second, rows, cells, ceiling_note",
    [
        (
            "coder_b",
            [
                {"scope": "code", "code": "c1", "n_training_segments": 12, "precision": 0.12345, "recall": 2 / 3, "kappa": -0.0004,
                 "human_kappa": 0.5, "note": None, "n_interviews": 4},
                {"scope": "code", "code": "c9", "n_training_segments": 1, "precision": math.nan, "recall": 0.0, "kappa": -0.25,
                 "human_kappa": math.nan, "note": "fewer than 5 segments", "n_interviews": 4},
                {"scope": "all", "code": None, "n_training_segments": 12, "precision": 0.1, "recall": 0.6665, "kappa": 0.2,
                 "human_kappa": 0.7, "note": "modelled codes", "n_interviews": 4},
            ],
            [
                ("c1", "Lived experience", "12", "0.123", "0.667", "0.000", "0.500", ""),
                ("c9", "c9", "1", "\u2014", "0.000", "\u22120.250", "\u2014", "fewer than 5 segments"),
                ("all", "All modelled codes", "12", "0.100", "0.667", "0.200", "0.700", ""),
            ],
            "coders coder_a and coder_b",
        ),
        (
            None,
            [{"scope": "all", "code": None, "n_training_segments": 0, "precision": math.nan, "recall": math.nan, "kappa": math.nan,
              "human_kappa": math.nan, "note": "modelled codes", "n_interviews": 1}],
            [("all", "All modelled codes", "0", "\u2014", "\u2014", "\u2014", "\u2014", "")],
            "only one coder coded",
        ),
    ],
)
def test_table_cells(second, rows, cells, ceiling_note):
    result = _result(second, rows)
    table = suggest_eval_table(_Study(), result)
    assert [(i, *r) for i, r in zip(table.row_ids, table.rows)] == cells
    assert ceiling_note in table.notes[0]
    sentence = suggest_eval_sentence(result)
    assert f"(n = {rows[-1]['n_interviews']})" in sentence
    assert ("ceiling" in sentence) == (second is not None)


def test_no_human_codings_gives_a_sentence(small_dir):
    study = load_study(small_dir)
    bare = dataclasses.replace(study, codings=study.codings.iloc[0:0])
    result, reason = evaluate_suggestions(bare)
    assert result is None and "no human codings" in reason
    block = suggest_eval_block(bare, result, reason)
    assert block.text.startswith(f"{TITLE}: no human codings")
    assert suggest_eval_sentence(None) == ""

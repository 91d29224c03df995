"""`peerimpact import` and `peerimpact export`, registered on a Typer app of the test's own."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from formats_helpers import write_files
from formats_mutations import CSV_MAPPING, PEOPLE, STUDY_YAML, csv_text, survey_rows
from peerimpact.cli import formats


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    formats.register(app)
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def inputs(tmp_path):
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING,
                           "people.csv": csv_text(PEOPLE), "survey.csv": csv_text(survey_rows())})
    return tmp_path


def test_import_writes_a_study_and_a_report(app, runner, inputs):
    out = inputs / "study"
    result = runner.invoke(app, ["import", "csv", str(inputs / "people.csv"), str(inputs / "survey.csv"),
                                 "--mapping", str(inputs / "mapping.yaml"), "--out", str(out), "--report", str(inputs / "report.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert f"imported into {out}: 3 participants rows, 6 responses rows" in result.stderr
    assert json.loads((inputs / "report.json").read_text())["rows"] == {"participants": 3, "responses": 6}


def test_import_fixes_the_mmap_threshold_before_any_work(app, runner, inputs, monkeypatch):
    """The process-wide malloc setting is the command's, not the library's: made before the import starts."""
    import peerimpact.formats
    from peerimpact.formats import heap

    events: list[str] = []
    real = peerimpact.formats.import_study
    monkeypatch.setattr(heap, "fix_mmap_threshold", lambda *a: events.append(f"fix {a}") or True)
    monkeypatch.setattr(peerimpact.formats, "import_study", lambda *a, **kw: events.append("import") or real(*a, **kw))
    result = runner.invoke(app, ["import", "csv", str(inputs / "people.csv"), str(inputs / "survey.csv"),
                                 "--mapping", str(inputs / "mapping.yaml"), "--out", str(inputs / "study")])
    assert result.exit_code == 0, result.output
    assert events == ["fix ()", "import"]  # the default threshold (IMPORT_MMAP_THRESHOLD), before the import


def test_import_problems_go_to_stderr_with_exit_2(app, runner, inputs):
    (inputs / "people.csv").write_text(csv_text(PEOPLE).replace("North,2020-01-15", "Nowhere,2020-01-15"))
    result = runner.invoke(app, ["import", "csv", str(inputs / "people.csv"), str(inputs / "survey.csv"),
                                 "--mapping", str(inputs / "mapping.yaml"), "--out", str(inputs / "study")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "people.csv:2:Site: 'Nowhere' is not in the recode (it knows 'North', 'South')",
        "1 problem found; nothing was written.",
    ]
    assert not (inputs / "study").exists()


def test_export_then_import_through_the_cli(app, runner, small_study_dir, tmp_path):
    out = tmp_path / "export" / "study.sav"
    result = runner.invoke(app, ["export", "spss", str(small_study_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out.with_name('study.mapping.yaml')}" in result.stderr
    sources = [str(p) for p in sorted(out.parent.glob("*.sav"))]
    result = runner.invoke(app, ["import", "spss", *sources, "--mapping", str(out.with_name("study.mapping.yaml")), "--out", str(tmp_path / "back")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "ods", "x.ods", "--mapping", "m.yaml", "--out", "o"], "Invalid value for 'FORMAT': Value error, 'ods' is not one of 'csv', 'xlsx', 'spss', 'redcap', 'mixed'."),
        (["export", "stata", "study", "--out", "x.dta"], "Invalid value for 'FORMAT': Value error, 'stata' is not one of 'spss', 'xlsx', 'csv', 'redcap'."),
        (["import", "csv", "x.csv", "--out", "o"], "Missing option '--mapping'"),
        (["export", "spss", "no-such-study", "--out", "x.sav"], "error: no-such-study: no such study folder"),
        (["import", "csv", "x.csv", "--mapping", "no.yaml", "--out", "o"], "error: no.yaml: no such mapping file"),
    ],
    ids=["import-format", "export-format", "no-mapping", "no-study", "no-mapping-file"],
)
def test_bad_arguments_exit_2(app, runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.replace("│", " ").split())


def test_import_reports_the_encoding_it_detected(app, runner, inputs):
    # a Windows-1252 file with accented text in a column the mapping does not read
    people = [row + [note] for row, note in zip(PEOPLE, ["Remarque", "Trait\u00e9e \u00e0 domicile", "caf\u00e9 cr\u00e8me", "\u201cbien\u201d \u2013 oui"])]
    (inputs / "people.csv").write_bytes(csv_text(people).encode("cp1252"))
    (inputs / "mapping.yaml").write_text(CSV_MAPPING + "sources:\n  people: {encoding: auto}\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "csv", str(inputs / "people.csv"), str(inputs / "survey.csv"),
                                 "--mapping", str(inputs / "mapping.yaml"), "--out", str(inputs / "study")])
    assert result.exit_code == 0, result.output
    assert "people.csv: read as cp1252 (detected; `encoding: auto`)" in result.stderr.splitlines()

"""docs/mapping.md is executed: its worked example, its messages, its REDCap mapping and its key reference."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from formats_helpers import write_files
from formats_mutations import REDCAP_DICTIONARY, REDCAP_EVENTS, REDCAP_STUDY, csv_text, redcap_records
from peerimpact.cli import formats
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study
from peerimpact.formats.mapping_docs import reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"
BLOCK = re.compile(r"<!-- (file|expect|command|mapping):? ?([^ ]*) ?-->\n```[a-z]*\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def blocks() -> dict[tuple[str, str], str]:
    return {(kind, name): body for kind, name, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


@pytest.fixture
def example(tmp_path, blocks, monkeypatch):
    for (kind, name), body in blocks.items():
        if kind == "file":
            # The example's staff list is a Windows export: write it as such.
            (tmp_path / name).write_bytes(body.encode("cp1252" if name == "staff.csv" else "utf-8"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_command(command: str):
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Docs app."""

    formats.register(app)
    args = shlex.split(command.strip())
    assert args[0] == "peerimpact"
    return CliRunner().invoke(app, args[1:])


def test_the_worked_example_runs_and_gives_the_documented_tables(example, blocks):
    result = run_command(blocks[("command", "")])
    assert result.exit_code == 0, result.output
    expected = {name: body for (kind, name), body in blocks.items() if kind == "expect"}
    assert sorted(expected) == ["participants.csv", "responses.csv"]
    for name, body in expected.items():
        assert (example / "study" / name).read_text(encoding="utf-8") == body


def test_the_documented_messages_are_the_real_ones(example, blocks):
    doc = DOC.read_text(encoding="utf-8")
    rows = (example / "wellbeing.csv").read_text().splitlines()
    rows[2] = rows[2].replace("12,Baseline,Rarely", "12,Baseline,Sometimes")
    (example / "wellbeing.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", ["staff.csv", "wellbeing.csv"], "mapping.yaml", "study")
    (message,) = [str(p) for p in err.value.problems]
    assert message in doc
    (example / "mapping.yaml").write_text(blocks[("file", "mapping.yaml")].replace("Often: 4", "Often: 6"))
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", ["staff.csv", "wellbeing.csv"], "mapping.yaml", "study")
    (message,) = [str(p) for p in err.value.problems]
    assert f"`{message}`" in doc


def test_the_redcap_mapping_imports_a_redcap_export(tmp_path, blocks):
    write_files(tmp_path, {"study.yaml": REDCAP_STUDY, "mapping.yaml": blocks[("mapping", "redcap")]})
    for name, rows in (("dictionary", REDCAP_DICTIONARY), ("records", redcap_records()), ("events", REDCAP_EVENTS)):
        (tmp_path / f"{name}.csv").write_text(csv_text(rows), encoding="utf-8", newline="")
    report = import_study("redcap", [tmp_path / f"{n}.csv" for n in ("dictionary", "records", "events")], tmp_path / "mapping.yaml", tmp_path / "out")
    assert report.rows == {"participants": 3, "responses": 6, "allocations": 3, "contacts": 6}


def test_the_key_reference_is_generated_from_the_models():
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- reference:start -->\n", "<!-- reference:end -->"
    assert doc[doc.index(start) + len(start): doc.index(end)] == reference_markdown(), (
        "docs/mapping.md's reference is stale: paste peerimpact.formats.mapping_docs.reference_markdown() between the markers"
    )


def test_the_redcap_dag_example_imports_the_dag_project(tmp_path, blocks):
    import peerimpact
    from redcap_builders import DAG_DICTIONARY, DAG_EVENTS, dag_records, write_redcap

    sources, mapping = write_redcap(tmp_path, DAG_DICTIONARY, dag_records(), DAG_EVENTS,
                                    study=blocks[("file", "dag-study.yaml")], mapping=blocks[("mapping", "redcap-dag")])
    report = import_study("redcap", sources, mapping, tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.participants["participant_id"]) == ["331-1", "331-2", "332-1"]
    assert list(study.participants["site"]) == ["331", "331", "332"]
    assert list(study.participants["age"]) == [34.5, 41.0, 29.0]
    assert "employed" in report.ignored_columns["records.csv"]
    (tmp_path / "study" / "transcripts").mkdir()
    (tmp_path / "study" / "transcripts" / "S331-PW331-1-m6.txt").write_text("Synthetic.\n", encoding="utf-8")
    (t,) = peerimpact.load_study(tmp_path / "study").transcripts.values()
    assert (t.participant_id, t.timepoint) == ("331-1", "m6")


def test_the_encoding_message_in_the_docs_is_the_real_one(tmp_path):
    from peerimpact.formats.csv_source import read_csv_source

    doc = DOC.read_text(encoding="utf-8")
    path = tmp_path / "staff.csv"
    path.write_bytes(b"StaffID,Name\n07,Ann\n12,Ren\xe9e\n")
    with pytest.raises(StudyValidationError) as err:
        read_csv_source(path)
    (message,) = [str(p) for p in err.value.problems]
    assert message.startswith("staff.csv:3:Name: byte 0xe9")
    assert f"\n{message}\n" in doc

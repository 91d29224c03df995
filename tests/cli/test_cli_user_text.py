"""User and file text is never Rich markup: every CLI error path shows it literally, exit 2.

Brackets (``[/x]`` once crashed Rich with a MarkupError, ``a[bold]b`` showed as ``ab``),
backslashes (Rich's markup escape), emoji codes and control characters (an ESC could restyle
the terminal) go through each command's error path in a file name, a query or a cell.
The expected text is computed here independently of ``peerimpact.cli.common.shown``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from peerimpact.cli.main import app

runner = CliRunner()

NASTY = {
    "closing-tag": "[/x]",
    "markup-tag": "a[bold]b",
    "backslashes": "back\\slash\\[red]",
    "control-chars": "ctl\x1b[31mred\x07bell\rcr",
    "emoji-code": ":smile: [link=http://x]y[/link]",
}


def literal(text: str) -> str:
    """What the terminal must show: control characters (not tab or newline) as \\xNN."""
    out = []
    for ch in text:
        code = ord(ch)
        out.append(f"\\x{code:02x}" if (code < 0x20 and ch not in "\t\n") or 0x7F <= code <= 0x9F else ch)
    return "".join(out)


def missing(tmp_path: Path, text: str) -> str:
    return str(tmp_path / f"study {text}")


# (id, argv builder, expected stderr line builder); {p} is a missing path holding the text.
PATH_CASES = [
    ("validate", lambda p, s, t: ["validate", p], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("score", lambda p, s, t: ["score", p], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("analyse", lambda p, s, t: ["analyse", p], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("report", lambda p, s, t: ["report", p, "--out", str(s.parent / "out")], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("export", lambda p, s, t: ["export", "csv", p, "--out", str(s.parent / "out")], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("import", lambda p, s, t: ["import", "csv", p, "--mapping", p, "--out", str(s.parent / "out")], lambda p, t: f"error: {literal(p)}: no such mapping file"),
    ("qual-quotes", lambda p, s, t: ["qual", "quotes", p], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("qual-agreement", lambda p, s, t: ["qual", "agreement", p], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("qual-export-qdpx", lambda p, s, t: ["qual", "export-qdpx", p, "--out", str(s.parent / "x.qdpx")], lambda p, t: f"error: {literal(p)}: no such study folder"),
    ("qual-import-qdpx", lambda p, s, t: ["qual", "import-qdpx", p, "--into", str(s)], lambda p, t: f"error: {literal(p)}: no such file"),
    # the query itself, shown with Python's repr (quotes, doubled backslashes, \x escapes)
    ("qual-search-query", lambda p, s, t: ["qual", "search", str(s), t + " ["], lambda p, t: f"error: search query {literal(repr(t + ' ['))} is not valid"),
]


@pytest.mark.parametrize("text", list(NASTY.values()), ids=list(NASTY))
@pytest.mark.parametrize("argv, expected", [c[1:] for c in PATH_CASES], ids=[c[0] for c in PATH_CASES])
def test_error_paths_show_user_text_literally(tiny_study, tmp_path, text, argv, expected):
    path = missing(tmp_path, text)
    result = runner.invoke(app, argv(path, tiny_study, text))
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith(expected(path, text)), lines
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


@pytest.mark.parametrize("text", list(NASTY.values()), ids=list(NASTY))
def test_validation_problems_show_cell_text_literally(tiny_study, text):
    text = text.replace("\r", "")  # a carriage return inside a CSV cell is a line end
    participants = tiny_study / "participants.csv"
    participants.write_text(participants.read_text(encoding="utf-8").replace("03,2,", f"03,{text},"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tiny_study)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"participants.csv:4:site: unknown site {literal(repr(text))}" in lines
    assert lines[-1].endswith("problems found; nothing was written.")


@pytest.mark.parametrize("text", list(NASTY.values()), ids=list(NASTY))
def test_success_messages_show_file_names_literally(tiny_study, tmp_path, text):
    out = tmp_path / f"scores {text}.csv"
    result = runner.invoke(app, ["score", str(tiny_study), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"wrote {literal(str(out))}"]
    assert out.read_text(encoding="utf-8").startswith("participant_id,")


def test_a_usage_error_shows_the_bad_value_literally(tiny_study):
    result = runner.invoke(app, ["score", str(tiny_study), "--format", "a[bold]b[/x]"])
    assert result.exit_code == 2
    assert "a[bold]b[/x]" in result.stderr

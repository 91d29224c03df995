"""Codings from a spreadsheet (``qual/spreadsheet.py``, ``peerimpact qual import-codings``).

Expected spans are found with ``str.index`` on the transcript's own characters
(curly quotes, dashes, line breaks as they are in the file), an independent
route from the folding the importer uses.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import peerimpact
from peerimpact.errors import StudyValidationError
from peerimpact.qual.spreadsheet import find_quote, find_span, fold, import_coding_sheet_into

EXTRA = "PW: My manager said \u201cyou\u2019re doing fine\u201d \u2013 and\n  I believed her.\nPW: The team asked me again. The team asked me again.\n"
HEADER = ["Interview", "Quote", "Start words", "End words", "Code", "Coder", "Memo"]


@pytest.fixture
def study_dir(mini_study_dir: Path) -> Path:
    """The mini study with a passage using curly quotes, a dash, a line break and a repeated sentence."""
    path = mini_study_dir / "transcripts" / "S1-PW02-T1.txt"
    path.write_text(path.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    return mini_study_dir


def write_sheet(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def text_of(study_dir: Path, iid: str) -> str:
    return (study_dir / "transcripts" / f"{iid}.txt").read_text(encoding="utf-8").lstrip("\ufeff")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "text, quote, spans, how",
    [
        ("a b c b", "b", [(2, 3), (6, 7)], "exact"),
        ("say \u201cyes\u201d now", 'say "yes"', [(0, 9)], "folded"),
        ("one\n  two\tthree", "one two three", [(0, 15)], "folded"),
        ("wait \u2014 no", "wait - no", [(0, 9)], "folded"),
        ("and so\u2026 on", "so... on", [(4, 10)], "folded"),
        ("nothing here", "absent", [], "folded"),
        ("  padded quote ", " padded quote  ", [(2, 14)], "exact"),
    ],
    ids=["ambiguous-exact", "curly-quotes", "whitespace", "em-dash", "ellipsis", "absent", "stripped"],
)
def test_find_quote(text, quote, spans, how):
    assert find_quote(text, quote) == (spans, how)


@pytest.mark.parametrize(
    "text, first, last, spans",
    [
        ("x start middle end y", "start", "end", [(2, 18)]),
        ("start a end start b end", "start", "end", [(0, 11), (12, 23)]),
        ("start a start b end", "start", "end", [(0, 19), (8, 19)]),
        ("end start only", "start", "end", []),
        ("it\u2019s  fine, isn\u2019t it", "it's fine", "isn't it", [(0, 20)]),
        ("one word", "one word", "word", [(0, 8)]),
    ],
    ids=["simple", "two-passages", "nested-starts", "end-before-start", "folded", "overlapping-words"],
)
def test_find_span(text, first, last, spans):
    assert find_span(text, first, last)[0] == spans


def test_fold_maps_back_to_source_positions():
    text = "a\u201cb\u201d  \u2026c"
    folded = fold(text)
    assert folded.text == 'a"b" ...c'
    assert folded.source == (0, 1, 2, 3, 4, 6, 6, 6, 7)


def test_import_places_every_row_and_merges(study_dir: Path, tmp_path: Path):
    sheet = write_sheet(tmp_path / "codes.csv", [
        ["S1-PW01-T2", "Supervision is patchy.", "", "", "supervision", "coder_c", "Patchy supervision recurs."],
        ["S1-PW02-T1", 'My manager said "you\'re doing fine" - and I believed her.', "", "", "being_valued", "coder_c", ""],
        ["s1-pw01-t2", "", "I use my lived", "for clinicians.", "lived_experience", "coder_c", ""],
        ["S1-PW01-T1", "I felt valued by the team from day one \U0001F60A.", "", "", "being_valued", "coder_c", ""],
        ["s1-pw01-t2.TXT", "it gets cancelled", "", "", "supervision", "coder_c", ""],  # a file name, any case
    ])
    before = (study_dir / "qual" / "codings.csv").read_text(encoding="utf-8")
    result = import_coding_sheet_into(sheet, study_dir)
    t2, t1b = text_of(study_dir, "S1-PW01-T2"), text_of(study_dir, "S1-PW02-T1")
    manager = t1b.index("My manager")
    expected = [
        (2, "S1-PW01-T2", t2.index("Supervision"), t2.index("Supervision") + len("Supervision is patchy."), "exact", "sheet0001"),
        (3, "S1-PW02-T1", manager, t1b.index("I believed her.") + len("I believed her."), "folded", "sheet0002"),
        (4, "S1-PW01-T2", t2.index("I use my"), t2.index("for clinicians.") + len("for clinicians."), "exact", "seg08"),  # seg08 in the fixture
        (5, "S1-PW01-T1", 58, 99, "exact", "seg01"),  # the span of seg01 in the fixture: its id is reused
        (6, "S1-PW01-T2", t2.index("it gets"), t2.index("it gets") + len("it gets cancelled"), "exact", "sheet0003"),
    ]
    got = [tuple(r) for r in result.placed[["row", "interview_id", "start", "end", "how", "segment_id"]].itertuples(index=False)]
    assert got == expected
    assert result.written == ["qual/codings.csv", "qual/memos.yaml"]
    assert result.backup is not None and (result.backup / "qual" / "codings.csv").read_text(encoding="utf-8") == before
    after = (study_dir / "qual" / "codings.csv").read_text(encoding="utf-8")
    assert after.startswith(before.splitlines()[0] + ",quote\n")  # the old header, plus a quote column
    study = peerimpact.load_study(study_dir)
    new = study.codings[study.codings["coder"] == "coder_c"]
    assert len(new) == 5 and set(new["version"].astype(int)) == {2}
    memo = yaml.safe_load((study_dir / "qual" / "memos.yaml").read_text(encoding="utf-8"))["memos"][-1]
    assert memo == {"id": "memo_sheet0001", "target": {"type": "segment", "id": "sheet0001"}, "kind": "interpretive",
                    "author": "coder_c", "text": "Patchy supervision recurs."}
    # importing the same sheet again adds nothing
    again = import_coding_sheet_into(sheet, study_dir)
    assert again.written == [] and not again.placed["new"].any()
    assert (study_dir / "qual" / "codings.csv").read_text(encoding="utf-8") == after


def test_unplaced_rows_are_all_reported_and_nothing_is_written(study_dir: Path, tmp_path: Path):
    sheet = write_sheet(tmp_path / "codes.csv", [
        ["S1-PW01-T2", "Supervision is patchy.", "", "", "supervision", "coder_c", ""],
        ["S1-PW02-T1", "The team asked me again.", "", "", "team_belonging", "coder_c", ""],
        ["S1-PW01-T2", "Words nobody said.", "", "", "supervision", "coder_c", ""],
    ])
    before = snapshot(study_dir)
    with pytest.raises(StudyValidationError) as info:
        import_coding_sheet_into(sheet, study_dir)
    t1b = text_of(study_dir, "S1-PW02-T1")
    first = t1b.index("The team asked")
    second = t1b.index("The team asked", first + 1)
    n = len("The team asked me again.")
    assert [str(p) for p in info.value.problems] == [
        f"codes.csv:3:quote: the quote is ambiguous: found 2 times in transcript 'S1-PW02-T1' at [{first}, {first + n}), [{second}, {second + n}); give more words",
        "codes.csv:4:quote: the quote is not in transcript 'S1-PW01-T2' (even ignoring whitespace, quote marks and dashes)",
    ]
    assert snapshot(study_dir) == before


def test_accept_loss_writes_what_was_placed(study_dir: Path, tmp_path: Path):
    sheet = write_sheet(tmp_path / "codes.csv", [
        ["S1-PW01-T2", "Supervision is patchy.", "", "", "supervision", "coder_c", ""],
        ["S1-PW01-T2", "Words nobody said.", "", "", "supervision", "coder_c", ""],
    ])
    result = import_coding_sheet_into(sheet, study_dir, accept_loss=True)
    assert [p.row for p in result.not_placed] == [3]
    assert result.placed["row"].tolist() == [2]
    study = peerimpact.load_study(study_dir)
    assert study.codings[study.codings["coder"] == "coder_c"]["code"].tolist() == ["supervision"]


@pytest.mark.parametrize(
    "row, problem",
    [
        (["S9-PW01-T2", "Supervision", "", "", "supervision", "coder_c", ""],
         "codes.csv:2:interview_id: no transcript for interview 'S9-PW01-T2' in the study; did you mean 'S1-PW01-T2'?"),
        (["S1-PW01-T2", "Supervision", "", "", "supervisoin", "coder_c", ""],
         "codes.csv:2:code: code 'supervisoin' is not in the codebook (did you mean 'supervision'?)"),
        (["S1-PW01-T2", "Supervision", "", "", "supervision", "Jo Bloggs", ""],
         "codes.csv:2:coder: coder 'Jo Bloggs' must start with a letter or digit and contain only letters, digits, '_', '.' and '-'"),
        (["S1-PW01-T2", "Supervision", "", "", "supervision", "", ""], "codes.csv:2:coder: coder is empty"),
        (["S1-PW01-T2", "", "Supervision", "", "supervision", "coder_c", ""],
         "codes.csv:2:quote_end: no quote: give the whole quote, or its start and end words"),
        (["S1-PW01-T2", "Supervision", "Supervision", "patchy", "supervision", "coder_c", ""],
         "codes.csv:2:quote: give the whole quote or its start and end words, not both"),
    ],
    ids=["unknown-interview", "unknown-code", "coder-not-an-id", "empty-coder", "half-a-span", "quote-and-span"],
)
def test_bad_rows(study_dir: Path, tmp_path: Path, row, problem):
    sheet = write_sheet(tmp_path / "codes.csv", [row])
    with pytest.raises(StudyValidationError) as info:
        import_coding_sheet_into(sheet, study_dir, accept_loss=True)
    got = [str(p) for p in info.value.problems]
    assert got == [problem]


@pytest.mark.parametrize(
    "header, problem",
    [
        (["Interview", "Code", "Coder"], "codes.csv:1:quote: a 'quote' column (the whole quote) or 'quote_start' and 'quote_end' columns (its first and last words) is required"),
        (["Interview", "Quote", "Coder"], "codes.csv:1:code: required column 'code' is missing (columns: Interview, Quote, Coder)"),
        (["Interview", "Start words", "Code", "Coder"], "codes.csv:1:quote_start: 'quote_start' and 'quote_end' go together: add the other column"),
    ],
    ids=["no-quote", "no-code", "half-span-columns"],
)
def test_bad_headers(study_dir: Path, tmp_path: Path, header, problem):
    sheet = write_sheet(tmp_path / "codes.csv", [["x"] * len(header)], header)
    with pytest.raises(StudyValidationError) as info:
        import_coding_sheet_into(sheet, study_dir)
    assert [str(p) for p in info.value.problems] == [problem]


def test_excel_sheet(study_dir: Path, tmp_path: Path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Coding"
    ws.append(["interview_id", "quote", "code", "coder"])
    ws.append(["S1-PW01-T2", "it gets cancelled", "supervision", "coder_c"])
    wb.save(tmp_path / "codes.xlsx")
    result = import_coding_sheet_into(tmp_path / "codes.xlsx", study_dir)
    t2 = text_of(study_dir, "S1-PW01-T2")
    assert result.placed[["start", "end"]].values.tolist() == [[t2.index("it gets"), t2.index("it gets") + len("it gets cancelled")]]


def test_cli(study_dir: Path, tmp_path: Path):
    from peerimpact.cli.main import app

    runner = CliRunner()
    bad = write_sheet(tmp_path / "bad.csv", [["S1-PW01-T2", "Words nobody said.", "", "", "supervision", "coder_c", ""]])
    result = runner.invoke(app, ["qual", "import-codings", str(bad), "--into", str(study_dir)])
    assert result.exit_code == 2
    assert "bad.csv:2:quote: the quote is not in transcript 'S1-PW01-T2'" in result.stderr
    assert "nothing was written" in result.stderr
    result = runner.invoke(app, ["qual", "import-codings", str(bad), "--into", str(study_dir), "--accept-loss"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "bad.csv:2:quote: the quote is not in transcript 'S1-PW01-T2' (even ignoring whitespace, quote marks and dashes)\n"
    good = write_sheet(tmp_path / "good.csv", [["S1-PW01-T2", "Supervision is patchy.", "", "", "supervision", "coder_c", ""]])
    result = runner.invoke(app, ["qual", "import-codings", str(good), "--into", str(study_dir)])
    assert result.exit_code == 0, result.stderr
    assert "placed 1 row(s): 1 exact, 0 ignoring whitespace and quote marks; 1 new coding(s), 0 already in the study" in result.stderr
    assert "wrote qual/codings.csv" in result.stderr

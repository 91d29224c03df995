"""The qualitative file formats in docs/study-format.md: generated from the models, examples valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from peerimpact.qual.codebook import Change, Code, Codebook, Theme, Version, parse_codebook
from peerimpact.qual.memos import Memo, Memos, MemoTarget, parse_memos
from peerimpact.study import docs

DOC = Path(__file__).resolve().parents[2] / "docs" / "study-format.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("model", [Codebook, Code, Theme, Version, Change, Memos, Memo, MemoTarget], ids=lambda m: m.__name__)
def test_every_key_is_documented(model):
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []
    table = docs.model_table(model)
    assert [row.split("|")[1].strip(" `") for row in table[2:]] == [f.alias or n for n, f in model.model_fields.items()]


@pytest.mark.parametrize(
    "title, parse, expected",
    [
        ("qual/codebook.yaml (optional)", parse_codebook, lambda book: (book.version, book.code_ids, book.themes_of("tokenism"))),
        ("qual/memos.yaml (optional)", parse_memos, lambda memos: [(m.id, m.target.type, m.kind) for m in memos.memos]),
    ],
    ids=["codebook", "memos"],
)
def test_examples_are_valid(title, parse, expected):
    block = re.search(r"```yaml\n(.*?)```", section(title), flags=re.S).group(1)
    got = expected(parse(yaml.safe_load(block)))
    assert got == {"qual/codebook.yaml (optional)": (2, ["being_valued", "tokenism", "supervision"], ["feeling_valued"]),
                   "qual/memos.yaml (optional)": [("M01", "code", "interpretive")]}[title]


def test_coding_sheet_columns_are_documented():
    from peerimpact.qual.spreadsheet import SHEET_COLUMN_HELP, SHEET_COLUMNS

    assert tuple(SHEET_COLUMN_HELP) == SHEET_COLUMNS
    rows = re.findall(r"^\| `(\w+)` \|", section("Coding sheets (`peerimpact qual import-codings`)"), flags=re.M)
    assert rows == list(SHEET_COLUMNS)

"""docs/study-format.md is generated from the models; it must not drift."""

from __future__ import annotations

from pathlib import Path

from peerimpact.study import docs
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.tables import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "study-format.md"


def test_committed_docs_match_the_models():
    assert DOC.read_text(encoding="utf-8") == docs.render(), "run `make docs` and commit docs/study-format.md"


def test_every_key_and_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for key in StudyDefinition.model_fields:
        assert f"| `{key}` |" in text
    for table in TABLES:
        assert f"## {table.file}" in text
        for col in table.columns:
            assert f"| `{col.name}` |" in text

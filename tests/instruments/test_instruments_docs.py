"""docs/instruments.md is executed: its schema tables, examples and messages are checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.instruments import load_instruments
from peerimpact.instruments.docs import schema_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def yaml_block(doc: str, first_line: str) -> str:
    for block in re.findall(r"```yaml\n(.*?)```", doc, flags=re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no yaml block starting with {first_line!r}")


def test_schema_reference_matches_the_models(doc):
    section = doc.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert section.strip() == schema_markdown().strip(), "run: python -m peerimpact.instruments.docs"


def test_phq9_example_loads_and_has_kroenke_cutoffs(doc, tmp_path):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "phq9.yaml").write_text(yaml_block(doc, "# STUDY/instruments/phq9.yaml"), encoding="utf-8")
    phq9 = load_instruments(tmp_path)["phq9"]
    assert phq9.item_columns() == [f"phq9_{i}" for i in range(1, 10)]
    assert phq9.score_range("total") == (0.0, 27.0)
    assert [(c.label, c.min) for c in phq9.subscale("total").cutoffs] == [
        ("minimal", 0), ("mild", 5), ("moderate", 10), ("moderately severe", 15), ("severe", 20)
    ]


def test_documented_error_message_is_what_the_loader_says(doc, tmp_path):
    text = yaml_block(doc, "# STUDY/instruments/phq9.yaml").replace(
        "    items: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n", "    items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
    )
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "phq9.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StudyValidationError) as info:
        load_instruments(tmp_path)
    documented = re.search(r"```text\n(instruments/phq9\.yaml:.*?)\n```", doc).group(1)
    assert [str(p) for p in info.value.problems] == [documented]


def test_licensed_mjs_example_replaces_the_template(doc, tmp_path):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "mjs.yaml").write_text(yaml_block(doc, "# STUDY/instruments/mjs.yaml"), encoding="utf-8")
    mjs = load_instruments(tmp_path)["mjs"]
    assert mjs.has_item_key
    assert mjs.outcome_ids() == ["mjs.personal", "mjs.workload"]
    assert mjs.subscale("workload").reverse == ["6"]

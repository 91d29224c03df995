"""The attrition-characteristics and qualitative-matrix tables, and the fixed numbering of Tables 1-5, on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.qual.codebook import parse_codebook
from peerimpact.qual.memos import Memos
from peerimpact.report import fmt
from peerimpact.report.assemble import PAPER_TABLES, paper_table
from peerimpact.report.document import Figure, MissingTable, Section, number_blocks
from peerimpact.report.inputs import ResultsView
from peerimpact.report.table_model import ReportTable
from peerimpact.report.tables_attrition import table_attrition_characteristics
from peerimpact.report.tables_qual_matrices import memo_excerpts, table_cooccurrence, table_memo_digest

NAN = np.nan
BC_COLUMNS = ["follow_up", "group", "column", "label", "type", "category", "n", "denominator", "percent", "n_missing", "n_total",
              "mean", "sd", "min", "max"]


@pytest.fixture(scope="module")
def study():
    import tempfile
    from pathlib import Path

    import peerimpact
    from synthesis_helpers import write_small_study

    with tempfile.TemporaryDirectory() as d:
        return peerimpact.load_study(write_small_study(Path(d) / "study"))


def _view(bc: pd.DataFrame | None) -> ResultsView:
    empty = pd.DataFrame()
    return ResultsView(descriptives=empty, change=empty, attrition={} if bc is None else {"baseline_characteristics": bc})


BC = pd.DataFrame(
    [
        ["T2", "followed_up", "gender", "Gender", "categorical", "Woman", 2, 3, 200 / 3, 1, 4, NAN, NAN, NAN, NAN],
        ["T2", "followed_up", "gender", "Gender", "categorical", "Man", 1, 3, 100 / 3, 1, 4, NAN, NAN, NAN, NAN],
        ["T2", "followed_up", "age", "Age", "continuous", None, 4, 4, NAN, 0, 4, 41.25, 2.5, 38.0, 44.0],
        ["T2", "not_followed_up", "gender", "Gender", "categorical", "Woman", 0, 0, NAN, 1, 1, NAN, NAN, NAN, NAN],
        ["T2", "not_followed_up", "gender", "Gender", "categorical", "Man", 0, 0, NAN, 1, 1, NAN, NAN, NAN, NAN],
        ["T2", "not_followed_up", "age", "Age", "continuous", None, 1, 1, NAN, 0, 1, 30.0, NAN, 30.0, 30.0],
    ],
    columns=BC_COLUMNS,
)


def test_attrition_characteristics_cells(study):
    t = table_attrition_characteristics(_view(BC), study)
    assert t.flat_columns() == ["Characteristic", "Follow-up at T2 Followed up", "Follow-up at T2 Not followed up"]
    assert t.row_ids == ("n_total", "gender=Woman", "gender=Man", "age")
    assert t.groups == ("Sample", "Gender", "Gender", "Age")
    assert t.rows == (
        ("Participants (n)", "4", "1"),
        ("Woman", "2 (67%)", "0"),  # nobody in the group answered: no percentage, never 0%
        ("Man", "1 (33%)", "0"),
        ("Mean (SD)", "41.3 (2.5)", f"30.0 ({fmt.MISSING})"),
    )


@pytest.mark.parametrize("bc", [None, BC.iloc[0:0]], ids=["absent", "empty"])
def test_attrition_characteristics_absent_gives_no_table(study, bc):
    assert table_attrition_characteristics(_view(bc), study) is None


BOOK = parse_codebook({
    "version": 1,
    "codes": [{"id": "a", "name": "Alpha"}, {"id": "b", "name": "Beta"}, {"id": "c", "name": "Gamma"}],
    "themes": [],
})


@pytest.mark.parametrize(
    ("square", "rows"),
    [
        ([[5, 2, 0], [2, 4, 3], [0, 3, 6]], (("Beta", "Gamma", "3", "4", "6"), ("Alpha", "Beta", "2", "5", "4"))),
        ([[5, 1, 1], [1, 4, 0], [1, 0, 6]], (("Alpha", "Beta", "1", "5", "4"), ("Alpha", "Gamma", "1", "5", "6"))),
        ([[5, 0, 0], [0, 4, 0], [0, 0, 6]], ()),
    ],
    ids=["most-frequent-first", "ties-in-codebook-order", "none"],
)
def test_cooccurrence_lists_pairs_that_occur(square, rows):
    frame = pd.DataFrame([[c, *r] for c, r in zip("abc", square, strict=True)], columns=["code", "a", "b", "c"])
    t = table_cooccurrence(frame, BOOK)
    assert t.rows == rows
    assert len(t.row_ids) == len(rows)


def _memos(*specs) -> Memos:
    return Memos.model_validate({"memos": [
        {"id": i, "target": {"type": tt, "id": "x"}, "kind": k, "author": "a", "text": text} for i, k, tt, text in specs]})


MEMOS = _memos(
    ("M2", "analytic", "theme", "Short."),
    ("M1", "interpretive", "code", "word " * 40),
    ("M3", "interpretive", "segment", "Third."),
    ("M4", "reflexive", "code", "Fourth."),
)


def test_memo_digest_counts_kind_by_target():
    t = table_memo_digest(MEMOS)
    assert t.columns == ("Kind", "Code", "Theme", "Transcript", "Segment", "All targets")
    assert t.rows == (
        ("Interpretive", "1", "0", "0", "1", "2"),
        ("Analytic", "0", "1", "0", "0", "1"),
        ("Reflexive", "1", "0", "0", "0", "1"),
        ("All memos", "2", "1", "0", "1", "4"),
    )
    assert table_memo_digest(_memos()) is None


def test_memo_excerpts_are_short_labelled_and_only_for_synthetic_studies():
    items = memo_excerpts(MEMOS, synthetic=True).items
    assert [i.split(" (")[0] for i in items] == ["Synthetic memo M1", "Synthetic memo M2", "Synthetic memo M3"]
    assert items[0].endswith("\u2026\u201d") and len(items[0].split("\u201c")[1]) <= 121
    assert items[1] == "Synthetic memo M2 (analytic, on theme x): \u201cShort.\u201d"
    assert memo_excerpts(MEMOS, synthetic=False) is None


def _t(key: str, rows=(("x",),)) -> ReportTable:
    return ReportTable(key=key, title=key, columns=("c",), rows=rows)


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ((1, 2, 3, 4, 5), ["1", "2", "3", "4", "5", "6", "7"]),
        ((3, 4), ["1", "2", "3", "4", "5", "6", "7"]),
        ((), ["1", "2", "3", "4", "5", "6", "7"]),
    ],
    ids=["all-five", "no-demographics-service-use-synthesis", "none"],
)
def test_paper_tables_keep_their_numbers_and_extras_follow(present, expected):
    paper = [paper_table(n, _t(PAPER_TABLES[n][0]) if n in present else None) for n in range(1, 6)]
    fig = Figure("f", "cap", "alt", b"", b"", 1.0)
    sections = [Section("a", "A", (paper[0], _t("extra_early"), paper[1], fig)), Section("b", "B", (*paper[2:], _t("extra_late")))]
    blocks = [b for s in number_blocks(sections) for b in s.blocks]
    numbered = [b for b in blocks if isinstance(b, (ReportTable, MissingTable))]
    assert sorted((b.number for b in numbered), key=int) == expected
    assert [b.number for b in numbered if b.key.startswith("table")] == ["1", "2", "3", "4", "5"]
    assert [b.number for b in numbered if b.key.startswith("extra")] == ["6", "7"]
    assert [b.key for b in numbered if isinstance(b, MissingTable)] == [PAPER_TABLES[n][0] for n in range(1, 6) if n not in present]
    assert [b.number for b in blocks if isinstance(b, Figure)] == ["1"]


def test_an_empty_paper_table_is_shown_as_not_collected():
    b = paper_table(2, _t("table2_service_use", rows=()))
    assert isinstance(b, MissingTable)
    assert b.caption == "Table 2. Use of services in the recall period before each timepoint: not collected in this study."

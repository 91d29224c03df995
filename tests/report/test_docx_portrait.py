"""report.docx keeps every page A4 portrait (issue 18 item 7): wide tables in parts, widths within the text width.

Cases: the demo report, and a study with six timepoints whose Table 3 has 20
columns (shown in two parts, as on the web page). For each: every section is
A4 portrait, every table's grid and every row's cells fit the text width
(A4 210 mm minus the margins), and every CSV cell appears in the Word table
parts, so nothing is lost by splitting or narrowing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm

from report_helpers import ROW_ID_NAMES

EMU_PER_TWIP = 635


def _six_timepoint_case(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The docx and the CSV of Table 3 of a study with six timepoints (built as in test_browser's wide-table test)."""
    from types import SimpleNamespace

    import pandas as pd

    from peerimpact.report.document import ReportDocument, Section
    from peerimpact.report.docx_writer import write_docx
    from peerimpact.report.inputs import ResultsView
    from peerimpact.report.labels import Labels
    from peerimpact.report.provenance import Provenance
    from peerimpact.report.tables_outcomes import table_outcomes_vs_norms
    from peerimpact.study.definition import StudyDefinition

    tps = [(f"M{m}", f"Month {m} follow-up", m) for m in (0, 3, 6, 9, 12, 18)]
    d = StudyDefinition(
        title="Six timepoints (synthetic)",
        synthetic=True,
        sites=[{"id": "1", "name": "One"}],
        timepoints=[{"id": t, "label": label, "month": m} for t, label, m in tps],
    )
    study = SimpleNamespace(definition=d, instruments={})
    desc = pd.DataFrame(
        [
            (o, t, 120, 48.25 + k, 9.125, 14.0, 70.0, 51.6, 8.71, "synthetic norm")
            for o in ("wemwbs.total", "mbi_hss.emotional_exhaustion")
            for k, (t, _, _) in enumerate(tps)
        ],
        columns=["outcome", "timepoint", "n", "mean", "sd", "min", "max", "norm_mean", "norm_sd", "norm_source"],
    )
    table = table_outcomes_vs_norms(ResultsView(desc, pd.DataFrame()), study, Labels(study)).numbered("3")
    assert len(table.columns) == 20
    doc = ReportDocument(
        title=d.title,
        synthetic=True,
        sections=(Section("outcomes", "Outcomes", (table,)),),
        provenance=Provenance("2026-01-01T00:00:00Z", (("peerimpact", "test"),), ()),
    )
    return write_docx(doc, tmp_path / "wide.docx"), {table.key: table.to_csv()}


def _demo_case(request) -> tuple[Path, dict[str, str]]:
    paths = request.getfixturevalue("demo_report")
    return paths.docx, {k: p.read_text(encoding="utf-8") for k, p in paths.tables.items()}


CASES = {
    "demo": (_demo_case, 6),  # (builder, at least this many tables of 8 or more columns, once landscape)
    "six-timepoints": (lambda request: _six_timepoint_case(request.getfixturevalue("tmp_path")), 2),
}


@pytest.fixture(params=list(CASES), scope="function")
def case(request):
    build, min_wide = CASES[request.param]
    docx_path, csvs = build(request)
    return request.param, Document(str(docx_path)), csvs, min_wide


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def test_every_section_is_a4_portrait(case):
    _, doc, _, _ = case
    assert len(doc.sections) >= 1
    for s in doc.sections:
        assert s.orientation == WD_ORIENT.PORTRAIT
        # Word stores lengths in whole twips: A4 is 11906 x 16838
        assert (round(s.page_width / EMU_PER_TWIP), round(s.page_height / EMU_PER_TWIP)) == (11906, 16838)
        assert abs(_text_width(s) - Cm(21.0 - 2 * 2.2)) <= EMU_PER_TWIP


def test_every_table_fits_the_text_width_with_fixed_widths(case):
    name, doc, _, min_wide = case
    width = _text_width(doc.sections[0]) / EMU_PER_TWIP  # twips
    wide = 0
    for k, table in enumerate(doc.tables):
        grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert all(w > 0 for w in grid) and sum(grid) <= width, (name, k, grid)
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for tr in table._tbl.findall(qn("w:tr")):  # every row's cells (merged ones too) within the text width
            cells = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in tr.findall(qn("w:tc"))]
            assert sum(cells) <= width, (name, k, cells)
        assert not table._tbl.findall(".//" + qn("w:noWrap"))  # numbers may wrap
        wide += len(grid) >= 8
    assert wide >= min_wide  # the tables that used to be put on landscape pages are among those checked


def _csv_cells(text: str) -> Counter:
    """Every shown body cell of a CSV (not the machine row id; the section column is the group sub-heading row).

    The CSV header flattens spanning column groups (``M0 (...) n``), so headers
    are compared part by part in test_table_model instead.
    """
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    drop = {0} if head[0] in ROW_ID_NAMES else set()
    return Counter(v for r in rows[1:] for j, v in enumerate(r) if j not in drop and v != "")


def test_no_cell_is_lost_in_the_word_table_parts(case):
    name, doc, csvs, _ = case
    word: Counter = Counter()
    for table in doc.tables:
        for tr in table._tbl.findall(qn("w:tr")):  # each physical cell once (a merged cell is one w:tc)
            for tc in tr.findall(qn("w:tc")):
                word["\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p")))] += 1
    for key, text in csvs.items():
        missing = {v: n for v, n in _csv_cells(text).items() if v not in word}
        assert missing == {}, (name, key, missing)
    if name == "six-timepoints":  # split in two parts that repeat the row labels: each body cell shown, labels twice
        body = _csv_cells(csvs["table3_outcomes_vs_norms"])
        assert all(word[v] >= n for v, n in body.items()), name

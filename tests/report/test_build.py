"""build_report on the small study: every output written, the same tables in HTML, Word and CSV."""

from __future__ import annotations

import json

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import html as lhtml

from peerimpact.errors import Problem, StudyValidationError
from peerimpact.report import STAGES, build_report
from peerimpact.report.table_model import ReportTable
from report_helpers import FIXED_TIME, expected_word_body


@pytest.fixture(scope="module")
def built(small_report_dir):
    return small_report_dir


def test_progress_reports_every_stage_in_order_and_times_it(built):
    paths, stages = built
    assert stages == list(STAGES) == ["load", "score", "analyse", "qualitative", "figures", "render"]
    assert list(paths.timings) == list(STAGES) and all(v >= 0 for v in paths.timings.values())
    assert list(paths.cpu_timings) == list(STAGES)


def test_every_output_is_written(built):
    paths, _ = built
    out = paths.out_dir
    for p in (paths.html, paths.docx, paths.results_json, paths.synthesis_json):
        assert p.is_file() and p.parent == out
    assert sorted(p.name for p in (out / "tables").iterdir()) == sorted(f"{k}.csv" for k in paths.tables)
    assert {p.suffix for p in paths.figures} == {".svg", ".png"}
    assert sorted(p.stem for p in paths.figures if p.suffix == ".svg") == [
        "code_timepoint_heatmap", "completion", "forest_effect_sizes", "trajectories_wemwbs"]


def test_results_json_is_the_quant_document(built):
    paths, _ = built
    doc = json.loads(paths.results_json.read_text())
    assert doc["schema_version"] == 3 and doc["metadata"]["synthetic"] is True
    assert {"descriptives", "change", "models", "attrition", "reliability"} <= set(doc)


def test_synthesis_json_lists_every_cited_number(built):
    paths, _ = built
    doc = json.loads(paths.synthesis_json.read_text())
    assert [p["proposition_id"] for p in doc["propositions"]] == ["P1", "P2"]
    assert len(doc["evidence"]) == 13 and all(e["value"] is not None for e in doc["evidence"])
    assert set(doc["joint_display"]) == {"coverage", "outcomes", "quotes"}


def _html(paths):
    return lhtml.fromstring(paths.html.read_bytes())


def test_html_is_self_contained_and_accessible(built):
    paths, _ = built
    tree = _html(paths)
    for el in tree.iter("img", "script", "link", "iframe", "source"):
        src = el.get("src") or el.get("href") or ""
        assert el.tag == "img" and src.startswith("data:image/svg+xml;base64,"), (el.tag, src[:40])
        assert len(el.get("alt", "")) > 40
    assert not tree.xpath("//*[@href][not(starts-with(@href, '#'))]")
    tables = tree.xpath("//table")
    assert all(t.xpath("./caption") for t in tables)
    assert all(th.get("scope") in ("col", "colgroup", "row", "rowgroup") for th in tree.xpath("//th"))
    assert tree.xpath("//html/@lang") == ["en"]
    assert "@media print" in paths.html.read_text()


def test_html_carries_the_synthetic_banner_and_provenance(built):
    paths, _ = built
    tree = _html(paths)
    assert [b.text_content() for b in tree.xpath("//div[@class='synthetic-banner']")] == ["Synthetic data: not real participants"]
    sections = tree.xpath("//main/section")
    assert all(s.xpath(".//p[@class='section-flag']") for s in sections)
    assert tree.xpath("//section[@id='provenance']//time/@datetime") == ["2024-05-01T12:00:00Z"]
    hashes = tree.xpath("//div[@id='provenance_inputs']//tbody/tr")
    assert len(hashes) == 13  # study.yaml, 2 csv, 7 transcripts, codebook, codings, synthesis


def _report_tables(paths) -> list[ReportTable]:
    """Rebuild the ReportTables from the CSVs is not possible; read the captions and cells from the HTML."""
    tree = _html(paths)
    out = []
    for t in tree.xpath("//main//table"):
        caption = t.xpath("./caption")[0].text_content()
        out.append((caption, t))
    return out


def _numbered_html(paths) -> list[str]:
    """Table captions and "not collected" placeholders of the HTML, in document order."""
    tree = _html(paths)
    return [e.text_content() for e in tree.xpath("//main//table/caption | //main//p[@class='table-missing']")]


def _number(caption: str) -> int:
    return int(caption.split(".")[0].removeprefix("Table "))


def test_paper_tables_keep_numbers_1_to_5_when_the_study_lacks_some(built):
    """The small study declares no demographics and collects no service use: Tables 1 and 2 say so, Table 3 stays Table 3."""
    paths, _ = built
    shown = [c for c in _numbered_html(paths) if c.startswith("Table ")]
    assert shown[:5] == [
        "Table 1. Socio-demographic characteristics of the participants: study.yaml declares no demographic columns.",
        "Table 2. Use of services in the recall period before each timepoint: the study has no service-use records (service_use.csv is absent or empty).",
        "Table 3. Outcomes at each timepoint compared with published norms",
        "Table 4. Paired change in outcomes between timepoints",
        "Table 5. Synthesis grid: propositions with the quantitative and qualitative findings they rest on",
    ]
    assert [_number(c) for c in shown] == list(range(1, len(shown) + 1))  # the extra tables follow, from 6
    assert "table1_demographics" not in paths.tables and "table2_service_use" not in paths.tables
    assert list(paths.tables)[:3] == ["table3_outcomes_vs_norms", "table4_paired_change", "table5_synthesis_grid"]


def test_docx_has_the_same_tables_with_captions_and_a_banner(built):
    paths, _ = built
    doc = Document(str(paths.docx))
    html_tables = _report_tables(paths)
    # every report table plus the two provenance tables (settings, input hashes)
    assert len(doc.tables) == len(html_tables) + 1
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Table ")]
    numbered = [c for c in _numbered_html(paths) if c.startswith("Table ")]
    assert captions == numbered
    header = doc.sections[0].header.paragraphs[0].text
    assert header == "SYNTHETIC DATA: NOT REAL PARTICIPANTS"
    assert all(not s.header.is_linked_to_previous or s is doc.sections[0] for s in doc.sections[:1])


def test_docx_cells_equal_the_csv_cells(built):
    paths, _ = built
    doc = Document(str(paths.docx))
    for key, table in zip(paths.tables, doc.tables, strict=False):
        body = expected_word_body(paths.tables[key].read_text(encoding="utf-8"))
        word = [[c.text for c in row.cells] for row in table.rows]
        assert word[-len(body):] == body, key


def test_docx_tables_are_three_line(built):
    paths, _ = built
    doc = Document(str(paths.docx))
    for table in doc.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert all(el.get(qn("w:val")) == "nil" for el in borders)
        first, last = table.rows[0].cells[0]._tc, table.rows[-1].cells[0]._tc
        top = first.tcPr.find(qn("w:tcBorders")).find(qn("w:top"))
        bottom = last.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
        assert (top.get(qn("w:sz")), bottom.get(qn("w:sz"))) == ("12", "12")


def test_invalid_synthesis_stops_before_writing(tmp_path):
    from synthesis_helpers import SYNTHESIS_YAML, write_small_study

    root = write_small_study(tmp_path / "study", synthesis=SYNTHESIS_YAML.replace("seg005", "seg404"))
    out = tmp_path / "out"
    with pytest.raises(StudyValidationError) as exc:
        build_report(root, out, generated_at=FIXED_TIME)
    assert exc.value.problems == [
        Problem("synthesis.yaml", 23, "propositions.1.qualitative.exemplars.0", "unknown exemplar segment 'seg404': no such segment_id in qual/codings.csv")
    ]
    assert not out.exists()


def test_a_study_without_qualitative_data_still_reports(tmp_path):
    import shutil

    from synthesis_helpers import write_small_study

    root = write_small_study(tmp_path / "study", synthesis=None)
    shutil.rmtree(root / "qual")
    shutil.rmtree(root / "transcripts")
    paths = build_report(root, tmp_path / "out", generated_at=FIXED_TIME)
    assert "table5_synthesis_grid" not in paths.tables and "joint_display" not in paths.tables
    assert not any(k.startswith("qual_") for k in paths.tables)
    assert paths.synthesis_json is None
    assert {"table3_outcomes_vs_norms", "table4_paired_change"} <= set(paths.tables)
    shown = [c for c in _numbered_html(paths) if c.startswith("Table ")]
    assert shown[4] == "Table 5. Synthesis grid: propositions with the quantitative and qualitative findings they rest on: the study has no synthesis.yaml."
    assert [_number(c) for c in shown] == list(range(1, len(shown) + 1))
    word = [p.text for p in Document(str(paths.docx)).paragraphs if p.text.startswith("Table ")]
    assert word == shown


def test_same_inputs_and_time_give_identical_files(tmp_path, small_report_dir):
    """HTML, CSV, JSON and figures are byte-identical when rebuilt (the time stamp is injected)."""
    from synthesis_helpers import write_small_study

    first, _ = small_report_dir
    root = write_small_study(tmp_path / "study")
    again = build_report(root, tmp_path / "again", generated_at=FIXED_TIME)
    for a, b in [(first.html, again.html), (first.results_json, again.results_json), (first.synthesis_json, again.synthesis_json),
                 *zip(first.tables.values(), again.tables.values(), strict=True), *zip(first.figures, again.figures, strict=True)]:
        assert a.read_bytes() == b.read_bytes(), a.name


def test_real_data_carries_no_banner(tmp_path):
    from synthesis_helpers import write_small_study

    root = write_small_study(tmp_path / "study")
    text = (root / "study.yaml").read_text().replace("synthetic: true", "synthetic: false")
    (root / "study.yaml").write_text(text)
    paths = build_report(root, tmp_path / "out", generated_at=FIXED_TIME)
    tree = _html(paths)
    assert not tree.xpath("//*[contains(@class, 'synthetic-banner') or contains(@class, 'section-flag')]")
    assert "@top-center" not in paths.html.read_text()
    assert Document(str(paths.docx)).sections[0].header.paragraphs[0].text == ""

"""The demo study's report: table structure, numbers traced to results.json, synthesis resolved, golden CSVs.

Golden snapshots of ``tables/*.csv`` live in ``tests/golden/report/``. A
changed number is a changed research result, so they are regenerated only
deliberately::

    PEERIMPACT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report/test_demo_report.py

and the diff reviewed before committing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest
from peerimpact.report import fmt

from report_helpers import GOLDEN

pytestmark = pytest.mark.slow

UPDATE = os.environ.get("PEERIMPACT_UPDATE_GOLDEN") == "1"


def _csv(paths, key):
    rows = list(csv.reader(io.StringIO(paths.tables[key].read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def results(demo_report):
    return json.loads(demo_report.results_json.read_text(encoding="utf-8"))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def assert_shows(text: str, value, what: str) -> None:
    """``text`` is ``value`` as the report prints it: same digits as fmt.num at the printed precision."""
    if value is None:
        assert text == fmt.MISSING, what
        return
    if text.startswith("< "):
        assert value < fmt.parse_number(text[2:]), what
        return
    dp = _decimals(text)
    assert fmt.parse_number(text) == pytest.approx(value, abs=0.5 * 10**-dp + 1e-12), what
    assert fmt.num(value, dp) == text, what


# ----------------------------------------------------------------- structure
def test_report_has_tables_1_to_5_in_order(demo_report):
    assert list(demo_report.tables)[:5] == [
        "table1_demographics", "table2_service_use", "table3_outcomes_vs_norms", "table4_paired_change", "table5_synthesis_grid"]
    assert {"joint_display", "workforce_contacts", "models_mixed", "reliability", "reliable_change", "attrition_completion",
            "attrition_baseline_scores", "norm_difference", "qual_code_timepoint", "qual_agreement"} <= set(demo_report.tables)


def test_table1_rows_follow_the_declared_demographics(demo_report, demo_study, results):
    head, rows = _csv(demo_report, "table1_demographics")
    assert head == ["item", "section", "Characteristic", "n (%) or mean (SD)", "Range", "Answered"]
    expected = [f"{r['column']}={r['category']}" if r["type"] == "categorical" else r["column"] for r in results["demographics"]]
    assert [r[0] for r in rows] == expected
    assert [r[1] for r in rows] == [r["label"] for r in results["demographics"]]
    labels = {d.label for d in demo_study.definition.demographics}
    assert {r[1] for r in rows} == labels


def test_table2_has_a_column_per_timepoint_collected(demo_report, demo_study, results):
    head, rows = _csv(demo_report, "table2_service_use")
    tps = [t for t in demo_study.timepoint_ids if any(r["timepoint"] == t for r in results["service_use"])]
    assert len(head) == 2 + len(tps) + 1 and head[-1] == "Total"
    services = [s for s in dict.fromkeys(r["service"] for r in results["service_use"]) if s != "total"]
    assert [r[0] for r in rows] == ["n_responded", *services, "total"]


def test_table3_has_every_outcome_and_timepoint(demo_report, demo_study, results):
    head, rows = _csv(demo_report, "table3_outcomes_vs_norms")
    tps = demo_study.timepoint_ids
    assert len(head) == 3 + 3 * len(tps) + 1
    assert {r[0] for r in rows} == {d["outcome"] for d in results["descriptives"]}
    assert len(rows) == len({d["outcome"] for d in results["descriptives"]})


def test_table4_has_every_outcome_and_comparison(demo_report, demo_study, results):
    head, rows = _csv(demo_report, "table4_paired_change")
    assert head[2:] == ["Outcome", "Comparison", "n", "Mean before", "Mean after", "Mean change", "95% CI", "t (df)", "p",
                        "p (Holm)", "Wilcoxon p", "Effect size"]
    assert len(rows) == len(results["change"])
    assert {(r[0], r[3]) for r in rows} == {(c["outcome"], f"{c['from']} \u2192 {c['to']}") for c in results["change"]}


def test_table5_and_joint_display_shape(demo_report, demo_study):
    head, rows = _csv(demo_report, "table5_synthesis_grid")
    assert head == ["proposition_id", "Proposition", "Quantitative analysis", "Qualitative analysis", "Fit"]
    assert [r[0] for r in rows] == [p["id"] for p in demo_study.synthesis["propositions"]]
    head, rows = _csv(demo_report, "joint_display")
    assert len(head) == 2 + len(demo_study.timepoint_ids)
    assert [r[0] for r in rows] == [t["id"] for t in demo_study.codebook["themes"]]


# ----------------------------------------------------------------- numbers traced to results.json
def test_every_number_in_table3_is_in_results_json(demo_report, demo_study, results):
    _, rows = _csv(demo_report, "table3_outcomes_vs_norms")
    desc = {(d["outcome"], d["timepoint"]): d for d in results["descriptives"]}
    checked = 0
    for row in rows:
        outcome = row[0]
        for k, tp in enumerate(demo_study.timepoint_ids):
            n, mean_sd, rng = row[3 + 3 * k : 6 + 3 * k]
            d = desc[(outcome, tp)]
            assert int(n) == d["n"]
            mean, sd = mean_sd.rstrip(")").split(" (")
            lo, hi = rng.split(fmt.EN_DASH)
            for text, value, name in ((mean, d["mean"], "mean"), (sd, d["sd"], "sd"), (lo, d["min"], "min"), (hi, d["max"], "max")):
                assert_shows(text, value, f"{outcome} {tp} {name}")
                checked += 1
        norm = row[-1]
        first = desc[(outcome, demo_study.timepoint_ids[0])]
        if first["norm_mean"] is None:
            assert norm == fmt.MISSING
        else:
            m, s = norm.rstrip(")").split(" (")
            assert_shows(m, first["norm_mean"], f"{outcome} norm mean")
            assert_shows(s, first["norm_sd"], f"{outcome} norm sd")
    assert checked == 4 * len(rows) * len(demo_study.timepoint_ids)


def test_every_number_in_table4_is_in_results_json(demo_report, results):
    _, rows = _csv(demo_report, "table4_paired_change")
    change = {(c["outcome"], f"{c['from']} \u2192 {c['to']}"): c for c in results["change"]}
    for row in rows:
        c = change[(row[0], row[3])]
        n, before, after, delta, ci, t_df, p, p_holm, w_p, es = row[4:]
        what = f"{row[0]} {row[3]}"
        assert int(n) == c["n"]
        assert_shows(before, c["mean_from"], what)
        assert_shows(after, c["mean_to"], what)
        assert_shows(delta, c["mean_change"], what)
        lo, hi = ci.split(" to ")
        assert_shows(lo, c["ci_low"], what)
        assert_shows(hi, c["ci_high"], what)
        t, df = t_df.rstrip(")").split(" (")
        assert_shows(t, c["t"], what)
        assert int(df) == c["df"]
        for text, key in ((p, "p"), (p_holm, "p_holm"), (w_p, "wilcoxon_p")):
            assert_shows(text, c[key], f"{what} {key}")
        assert_shows(es, c["effect_size"], what)


# ----------------------------------------------------------------- synthesis resolved
def test_synthesis_grid_resolves_every_reference(demo_report, demo_study, results):
    doc = json.loads(demo_report.synthesis_json.read_text(encoding="utf-8"))
    raw = demo_study.synthesis["propositions"]
    assert [p["proposition_id"] for p in doc["propositions"]] == [p["id"] for p in raw]
    change = {(c["outcome"], c["from"], c["to"]): c for c in results["change"]}
    desc = {(d["outcome"], d["timepoint"]): d for d in results["descriptives"]}
    for e in doc["evidence"]:
        rec = desc[(e["outcome"], e["timepoint"])] if e["timepoint"] else change[(e["outcome"], e["from"], e["to"])]
        assert e["value"] == rec[e["field"]], e  # copied exactly from results.json
    _, rows = _csv(demo_report, "table5_synthesis_grid")
    segments = demo_study.codings.drop_duplicates("segment_id").set_index("segment_id")
    for p, row in zip(raw, rows):
        qual_cell = row[3]
        for seg in p["qualitative"].get("exemplars", []):
            iid = segments.at[seg, "interview_id"]
            assert f"({iid})" in qual_cell, (p["id"], seg)
        for theme in p["qualitative"].get("themes", []):
            name = next(t["name"] for t in demo_study.codebook["themes"] if t["id"] == theme)
            assert f"{name} (theme)" in qual_cell
        for code in p["qualitative"].get("codes", []):
            name = next(c["name"] for c in demo_study.codebook["codes"] if c["id"] == code)
            assert f"{name} (code)" in qual_cell
        assert row[4] == p["fit"].capitalize()
    assert doc["warnings"] == []


def test_joint_display_quotes_are_transcript_text(demo_report, demo_study):
    doc = json.loads(demo_report.synthesis_json.read_text(encoding="utf-8"))
    quotes = doc["joint_display"]["quotes"]
    assert quotes
    segments = demo_study.codings.drop_duplicates("segment_id").set_index("segment_id")
    for q in quotes:
        s = segments.loc[q["segment_id"]]
        text = demo_study.transcripts[q["interview_id"]].text[int(s["start"]) : int(s["end"])]
        assert q["text"] == text and q["interview_id"].endswith("-" + q["timepoint"])
    per_cell = {}
    for q in quotes:
        per_cell.setdefault((q["theme"], q["timepoint"]), []).append(q)
    assert max(len(v) for v in per_cell.values()) == 2


# ----------------------------------------------------------------- golden snapshot
def test_tables_match_the_golden_snapshot(demo_report):
    """tables/*.csv equal tests/golden/report/*.csv (PEERIMPACT_UPDATE_GOLDEN=1 regenerates)."""
    produced = {p.name: p for p in demo_report.tables.values()}
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for old in GOLDEN.glob("*.csv"):
            old.unlink()
        for name, p in produced.items():
            shutil.copyfile(p, GOLDEN / name)
    golden = {p.name: p for p in GOLDEN.glob("*.csv")}
    assert sorted(produced) == sorted(golden)
    for name in sorted(golden):
        assert produced[name].read_text(encoding="utf-8") == golden[name].read_text(encoding="utf-8"), (
            f"{name} differs from tests/golden/report/{name}; if the change is intended, regenerate with "
            "PEERIMPACT_UPDATE_GOLDEN=1 and review the diff"
        )


def test_docx_reopens_with_every_table(demo_report):
    from docx import Document
    from report_helpers import expected_word_body

    doc = Document(str(demo_report.docx))
    assert len(doc.tables) == len(demo_report.tables) + 2  # + provenance: settings, input hashes
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Table ")]
    assert [c.split(".")[0] for c in captions] == [f"Table {i}" for i in range(1, len(demo_report.tables) + 1)]
    for key, table in zip(demo_report.tables, doc.tables):
        body = expected_word_body(demo_report.tables[key].read_text(encoding="utf-8"))
        assert [[c.text for c in row.cells] for row in table.rows][-len(body):] == body, key

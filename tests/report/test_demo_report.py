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
            "attrition_baseline_scores", "norm_difference", "qual_code_timepoint", "qual_agreement", "attrition_baseline_characteristics",
            "qual_code_site", "qual_cooccurrence", "qual_framework", "qual_memos"} <= set(demo_report.tables)


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
                        "p (Holm)", "Wilcoxon p", "Effect size", "d_z", "\u03b7\u00b2p"]
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
        n, before, after, delta, ci, t_df, p, p_holm, w_p, es, d_z, eta2 = row[4:]
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
        assert_shows(d_z, c["d_z"], what)
        assert_shows(eta2, c["eta2_partial"], what)


def test_every_number_in_attrition_characteristics_is_in_results_json(demo_report, demo_study, results):
    head, rows = _csv(demo_report, "attrition_baseline_characteristics")
    records = results["attrition"]["baseline_characteristics"]
    follow = [t for t in demo_study.timepoint_ids if any(r["follow_up"] == t for r in records)]
    groups = [(tp, g) for tp in follow for g in ("followed_up", "not_followed_up")]
    assert head == ["item", "section", "Characteristic"] + [
        f"Follow-up at {tp} {'Followed up' if g == 'followed_up' else 'Not followed up'}" for tp, g in groups]
    assert rows[0][0] == "n_total"
    by = {}
    for r in records:
        by[(r["follow_up"], r["group"], r["column"] if r["type"] == "continuous" else f"{r['column']}={r['category']}")] = r
    for (tp, g), cell in zip(groups, rows[0][3:], strict=True):
        assert int(cell) == next(r["n_total"] for r in records if (r["follow_up"], r["group"]) == (tp, g))
    items = {k[2] for k in by}
    assert [r[0] for r in rows[1:]] == list(dict.fromkeys(k[2] for k in by)) and len(rows) - 1 == len(items)
    for row in rows[1:]:
        for (tp, g), cell in zip(groups, row[3:], strict=True):
            r = by[(tp, g, row[0])]
            what = f"{row[0]} {tp} {g}"
            if r["type"] == "continuous":
                mean, sd = cell.rstrip(")").split(" (")
                assert_shows(mean, r["mean"], what)
                assert_shows(sd, r["sd"], what)
            else:
                n, _, pct = cell.partition(" (")
                assert int(n) == r["n"], what
                if r["percent"] is None:
                    assert pct == "", what
                else:
                    assert_shows(pct.rstrip("%)"), r["percent"], what)


# ----------------------------------------------------------------- qualitative matrices, counted again from the codings
@pytest.fixture(scope="module")
def current(demo_study):
    """Codings under the current codebook (what every query counts), with each code's theme ids."""
    from peerimpact.qual.codings import qual_data

    data = qual_data(demo_study)
    return data.current, data.codebook


def test_code_by_site_counts_participants_and_segments(demo_report, demo_study, current):
    codings, book = current
    head, rows = _csv(demo_report, "qual_code_site")
    sites = demo_study.definition.site_ids
    assert head == ["code", "section", "Code", *[f"Site {s}" for s in sites], "All sites"]
    assert sorted(r[0] for r in rows) == sorted(book.code_ids)
    for row in rows:
        mine = codings[codings["code"] == row[0]]
        for site, cell in zip([*sites, None], row[3:], strict=True):
            sub = mine if site is None else mine[mine["site"] == site]
            assert cell == f"{sub['participant_id'].nunique()}; {sub['segment_id'].nunique()}", (row[0], site)


def test_cooccurrence_lists_every_pair_on_a_common_segment(demo_report, current):
    codings, book = current
    _, rows = _csv(demo_report, "qual_cooccurrence")
    pairs = {}
    for _, codes in codings.groupby("segment_id")["code"]:
        ids = sorted(set(codes), key=book.code_ids.index)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pairs[f"{a}+{b}"] = pairs.get(f"{a}+{b}", 0) + 1
    assert {r[0]: int(r[3]) for r in rows} == pairs
    assert [int(r[3]) for r in rows] == sorted((int(r[3]) for r in rows), reverse=True)
    for r in rows:
        a, b = r[0].split("+")
        assert (int(r[4]), int(r[5])) == tuple(codings.loc[codings["code"] == c, "segment_id"].nunique() for c in (a, b))


def test_framework_summary_counts_segments_and_interviews(demo_report, demo_study, current):
    codings, book = current
    head, rows = _csv(demo_report, "qual_framework")
    assert head == ["participant", "section", "Participant", *[t.name for t in book.themes]]
    assert [r[0] for r in rows] == sorted({t.participant_id for t in demo_study.transcripts.values()})
    for row in rows:
        for theme, cell in zip(book.themes, row[3:], strict=True):
            sub = codings[(codings["participant_id"] == row[0]) & codings["code"].isin(book.theme_codes(theme.id))]
            expected = f"{sub['segment_id'].nunique()} ({sub['interview_id'].nunique()})" if len(sub) else "0"
            assert cell == expected, (row[0], theme.id)


def test_memo_digest_counts_the_memos_file(demo_report, demo_study):
    from collections import Counter

    memos = demo_study.memos["memos"]
    _, rows = _csv(demo_report, "qual_memos")
    counts = Counter((m["kind"], m["target"]["type"]) for m in memos)
    targets = ["code", "theme", "transcript", "segment"]
    for row in rows[:-1]:
        assert [int(c) for c in row[2:-1]] == [counts[(row[0], t)] for t in targets]
        assert int(row[-1]) == sum(v for (k, _), v in counts.items() if k == row[0])
    assert rows[-1][0] == "all" and int(rows[-1][-1]) == len(memos)
    assert {r[0] for r in rows[:-1]} == {m["kind"] for m in memos}


def test_memo_excerpts_are_labelled_synthetic(demo_report, demo_study):
    from lxml import html as lhtml

    tree = lhtml.fromstring(demo_report.html.read_bytes())
    items = [li.text_content() for li in tree.xpath("//section[@id='qualitative']//ul/li")]
    assert len(items) == 3 and all(i.startswith("Synthetic memo M") for i in items)
    texts = {m["id"]: " ".join(m["text"].split()) for m in demo_study.memos["memos"]}
    for item in items:
        memo_id = item.split()[2]
        quoted = item.split("\u201c", 1)[1].rstrip("\u201d").rstrip("\u2026")
        assert texts[memo_id].startswith(quoted)


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
    for p, row in zip(raw, rows, strict=True):
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
    for key, table in zip(demo_report.tables, doc.tables, strict=False):
        body = expected_word_body(demo_report.tables[key].read_text(encoding="utf-8"))
        assert [[c.text for c in row.cells] for row in table.rows][-len(body):] == body, key

"""change_direction: earlier_minus_later reverses every change in the tables, the figure and results.json."""

from __future__ import annotations

import csv
import json

import pytest

from peerimpact.report import build_report
from peerimpact.report.fmt import MINUS, parse_number
from report_helpers import FIXED_TIME


def _build(root, out, direction: str | None):
    from synthesis_helpers import write_small_study

    study = write_small_study(root)
    if direction is not None:
        with (study / "study.yaml").open("a", encoding="utf-8") as f:
            f.write(f"change_direction: {direction}\n")
    return build_report(study, out, generated_at=FIXED_TIME)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("direction")
    return _build(base / "a", base / "ra", None), _build(base / "b", base / "rb", "earlier_minus_later")


def _rows(paths, key):
    return list(csv.DictReader(paths.tables[key].read_text(encoding="utf-8").splitlines()))


def _neg(text: str) -> str:
    return text[1:] if text.startswith(MINUS) else (text if parse_number(text) == 0 else MINUS + text)


def test_table4_signed_columns_are_reversed_and_the_rest_unchanged(both):
    default, flipped = (_rows(p, "table4_paired_change") for p in both)
    assert len(default) == len(flipped) >= 2
    for a, b in zip(default, flipped, strict=False):
        for col in ("Mean change", "Effect size", "d_z"):
            assert b[col] == _neg(a[col]), col
        lo, hi = a["95% CI"].split(" to ")
        assert b["95% CI"] == f"{_neg(hi)} to {_neg(lo)}"
        t, df = a["t (df)"].split(" (")
        assert b["t (df)"] == f"{_neg(t)} ({df}"
        for col in ("n", "Mean before", "Mean after", "p", "p (Holm)", "Wilcoxon p", "\u03b7\u00b2p"):
            assert b[col] == a[col], col


def test_model_estimates_are_reversed(both):
    default, flipped = (_rows(p, "models_mixed") for p in both)
    assert [_neg(r["Estimate"]) for r in default] == [r["Estimate"] for r in flipped]
    assert [r["p"] for r in default] == [r["p"] for r in flipped]


def test_results_json_and_notes_say_which_way(both):
    default, flipped = both
    doc = json.loads(flipped.results_json.read_text(encoding="utf-8"))
    assert doc["metadata"]["settings"]["change_direction"] == "earlier_minus_later"
    assert doc["metadata"]["conventions"]["mean_change"].startswith("from - to")
    assert {r["change_direction"] for r in doc["change"]} == {"earlier_minus_later"}
    html = flipped.html.read_text(encoding="utf-8")
    assert f"mean change = earlier {MINUS} later" in html and "(positive = the score fell)" in html
    assert "<dt>change_direction</dt><dd>earlier_minus_later</dd>" in html  # provenance settings
    assert f"mean change = later {MINUS} earlier" in default.html.read_text(encoding="utf-8")

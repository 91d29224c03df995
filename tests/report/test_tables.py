"""Table builders on small hand-made result frames: rows, columns and formatted cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.report import fmt
from peerimpact.report.inputs import ResultsView
from peerimpact.report.labels import Labels
from peerimpact.report.tables_change import table_paired_change
from peerimpact.report.tables_outcomes import table_outcomes_vs_norms
from peerimpact.report.tables_sample import table_demographics, table_service_use

M = fmt.MINUS
NAN = np.nan


@pytest.fixture(scope="module")
def study():
    import tempfile
    from pathlib import Path

    import peerimpact
    from synthesis_helpers import write_small_study

    with tempfile.TemporaryDirectory() as d:
        return peerimpact.load_study(write_small_study(Path(d) / "study"))


def _desc(rows):
    cols = ["outcome", "timepoint", "n", "mean", "sd", "min", "max", "norm_mean", "norm_sd", "norm_source"]
    return pd.DataFrame(rows, columns=cols)


def _change(rows):
    cols = ["outcome", "from", "to", "n", "mean_from", "mean_to", "mean_change", "ci_low", "ci_high", "t", "df", "p",
            "p_holm", "wilcoxon_p", "effect_size", "d_z", "eta2_partial", "effect_size_method"]
    return pd.DataFrame(rows, columns=cols)


DESC = _desc([
    ("wemwbs.total", "T1", 6, 40.25, 3.3466, 35, 44, 51.6, 8.71, "HSE 2011"),
    ("wemwbs.total", "T2", 5, 32.8, 0.4472, 32, 33, 51.6, 8.71, "HSE 2011"),
    ("other.scale", "T1", 6, 3.125, 0.5, 1.5, 4.75, NAN, NAN, None),
])
CHANGE = _change([
    ("wemwbs.total", "T1", "T3", 4, 40.75, 43.0, 2.25, -2.5015, 7.0015, 1.507, 3.0, 0.2289, 0.2289, 0.197, 0.5267, 0.7535, 0.4309, "paired_baseline"),
    ("wemwbs.total", "T1", "T2", 5, 40.2, 32.8, -7.4, -11.928, -2.872, -4.537, 4.0, 0.0004, 0.0004, 0.0579, -2.2112, -2.029, 0.8373, "paired_baseline"),
])


def test_table3_rows_columns_and_cells(study):
    t = table_outcomes_vs_norms(ResultsView(DESC, CHANGE), study, Labels(study))
    assert t.columns == ("Outcome", "n", "Mean (SD)", "Range", "n", "Mean (SD)", "Range", "Mean (SD)")
    assert t.column_groups == (("", 1), ("T1 (Start)", 3), ("T2 (Four months)", 3), ("Norm", 1))
    assert t.row_ids == ("wemwbs.total", "other.scale")  # study instruments first, then the rest
    assert t.rows[0] == ("Mental wellbeing (WEMWBS)", "6", "40.3 (3.3)", "35\u201344", "5", "32.8 (0.4)", "32\u201333", "51.6 (8.7)")
    # a scale within 0-10 shows two decimals; an outcome without T2 shows 0 and dashes; no norm -> dash
    assert t.rows[1] == ("Scale", "6", "3.13 (0.50)", "1.50\u20134.75", "0", fmt.MISSING, fmt.MISSING, fmt.MISSING)
    assert "Norm source for Mental wellbeing (WEMWBS): HSE 2011." in t.notes


def test_table4_orders_by_comparison_and_formats(study):
    t = table_paired_change(ResultsView(DESC, CHANGE), study, Labels(study))
    assert t.columns[:3] == ("Outcome", "Comparison", "n")
    assert [r[1] for r in t.rows] == ["T1 \u2192 T2", "T1 \u2192 T3"]
    assert t.rows[0][2:] == ("5", "40.2", "32.8", M + "7.4", f"{M}11.9 to {M}2.9", f"{M}4.54 (4)", "< 0.001", "< 0.001", "0.058", M + "2.21", M + "2.03", "0.84")
    assert t.rows[1][5] == "2.3"  # 2.25 rounds away from zero
    assert any("the SD of the earlier scores of the same pairs" in n for n in t.notes)


def test_table1_categorical_and_continuous(study):
    demo = pd.DataFrame(
        [
            ("gender", "Gender", "categorical", "Woman", 21, 32, 65.625, 0, 32, NAN, NAN, NAN, NAN),
            ("gender", "Gender", "categorical", "Man", 11, 32, 34.375, 0, 32, NAN, NAN, NAN, NAN),
            ("age", "Age (years)", "continuous", None, 30, 30, NAN, 2, 32, 42.9, 9.04, 26.0, 59.0),
        ],
        columns=["column", "label", "type", "category", "n", "denominator", "percent", "n_missing", "n_total", "mean", "sd", "min", "max"],
    )
    t = table_demographics(ResultsView(DESC, CHANGE, demographics=demo), study)
    assert t.rows == (
        ("Woman", "21 (66%)", fmt.MISSING, "32 of 32"),
        ("Man", "11 (34%)", fmt.MISSING, "32 of 32"),
        ("Mean (SD)", "42.9 (9.0)", "26\u201359", "30 of 32"),
    )
    assert t.groups == ("Gender", "Gender", "Age (years)")


def test_table2_shows_suppressed_cells_as_published(study):
    su = pd.DataFrame(
        [
            ("gp", "T1", 30, 12, 40.0, "", ""),
            ("gp", "T3", 20, None, None, "primary", "<5"),
            ("a_and_e", "T1", 30, None, None, "secondary", "*"),
            ("a_and_e", "T3", 20, 6, 30.0, "", ""),
        ],
        columns=["service", "timepoint", "n_responded", "n_used", "percent", "suppression", "display"],
    )
    su["display"] = su["display"].where(su["display"] != "", su["n_used"].map(lambda v: fmt.count(v)))
    su["suppression"] = su["suppression"].replace("", None)
    import dataclasses

    st = dataclasses.replace(study, definition=study.definition.model_copy(update={"suppress_below": 5}))
    t = table_service_use(ResultsView(DESC, CHANGE, service_use=su), st, Labels(st))
    assert t.columns == ("Service", "T1 (Start)", "T3 (Twelve months)")
    assert t.rows == (
        ("Participants responding", "30", "20"),
        ("Gp", "12 (40%)", "<5"),
        ("A and e", "*", "6 (30%)"),
    )
    assert t.notes[1] == "Counts from 1 to 4 are shown as <5; * marks cells suppressed so that those counts cannot be worked out from the totals."

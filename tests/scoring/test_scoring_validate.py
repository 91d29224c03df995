"""Validation of responses.csv and service_use.csv against the instruments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import Problem
from peerimpact.instruments import load_instruments
from peerimpact.scoring.validate import check_responses, check_service_use
from scoring_helpers import FIXTURES, definition

F = "responses.csv"


def raw(columns: dict[str, list[str]]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    data = {"participant_id": [f"{i + 1:02d}" for i in range(n)], "timepoint": ["T1"] * n}
    data.update(columns)
    return pd.DataFrame(data, dtype=object)


def check(columns: dict[str, list[str]], instruments=("wemwbs", "mbi_hss", "mjs"), study_dir=None) -> list[Problem]:
    defn = definition(instruments)
    available = load_instruments(study_dir)
    return check_responses(raw(columns), defn, {i: available[i] for i in instruments})


CELL_CASES = [
    pytest.param("wemwbs_3", ["3", "7"], [Problem(F, 3, "wemwbs_3", "value 7 is outside the range 1–5 of wemwbs")], id="item-above-range"),
    pytest.param("wemwbs_3", ["0", ""], [Problem(F, 2, "wemwbs_3", "value 0 is outside the range 1–5 of wemwbs")], id="item-below-range"),
    pytest.param("mbi_hss_22", ["-1"], [Problem(F, 2, "mbi_hss_22", "value -1 is outside the range 0–6 of mbi_hss")], id="mbi-negative"),
    pytest.param("mbi_hss_1", ["6", "0", "3"], [], id="mbi-ends-ok"),
    pytest.param("wemwbs_1", ["abc"], [Problem(F, 2, "wemwbs_1", "value 'abc' is not a number")], id="not-a-number"),
    pytest.param("wemwbs_1", ["nan"], [Problem(F, 2, "wemwbs_1", "value 'nan' is not a number")], id="nan-text"),
    pytest.param(
        "wemwbs_1", ["2.5"],
        [Problem(F, 2, "wemwbs_1", "value 2.5 is not a whole number (wemwbs responses are whole numbers 1–5)")],
        id="non-integer",
    ),
    pytest.param("wemwbs_1", ["3.0", "05", ""], [], id="integer-written-differently"),
    pytest.param("wemwbs_1", ["5.5"], [Problem(F, 2, "wemwbs_1", "value 5.5 is not a whole number (wemwbs responses are whole numbers 1–5)")], id="non-integer-out-of-range-reports-once"),
    pytest.param("mjs.personal", ["4.25", "1", "5", ""], [], id="prescored-ok"),
    pytest.param("mjs.personal", ["5.01"], [Problem(F, 2, "mjs.personal", "value 5.01 is outside the range 1–5 of mjs.personal")], id="prescored-above"),
    pytest.param("mjs.overall", ["0.5"], [Problem(F, 2, "mjs.overall", "value 0.5 is outside the range 1–5 of mjs.overall")], id="prescored-below"),
    pytest.param("mjs.pay", ["x"], [Problem(F, 2, "mjs.pay", "value 'x' is not a number")], id="prescored-not-number"),
]


@pytest.mark.parametrize("column, values, expected", CELL_CASES)
def test_cell_values(column, values, expected):
    assert check({column: values}) == expected


HEADER_CASES = [
    pytest.param("wemwbs_15", "unknown item column: wemwbs has no item '15' (its items are 1–14)", id="unknown-item"),
    pytest.param("mbi_hss_0", "unknown item column: mbi_hss has no item '0' (its items are 1–22)", id="unknown-mbi-item"),
    pytest.param(
        "itpps.leadership",
        "column of instrument 'itpps', which study.yaml does not declare (add it to `instruments` or remove the column)",
        id="undeclared-prescored",
    ),
    pytest.param(
        "mjs.happiness",
        "unknown pre-scored column: mjs has no subscale 'happiness' (its subscales are personal, workload, "
        "professional_support, training, pay, prospects, standards_of_care, overall)",
        id="unknown-subscale",
    ),
    pytest.param(
        "mbi_hss.depersonalisation",
        "pre-scored column not accepted: mbi_hss scores 'depersonalisation' from its items "
        "(mbi_hss_5, mbi_hss_10, mbi_hss_11, mbi_hss_15, mbi_hss_22)",
        id="prescored-of-item-scored",
    ),
    pytest.param("mjs_1", "unknown item column: mjs has no item key; give pre-scored columns (mjs.personal, mjs.workload, "
                 "mjs.professional_support, mjs.training, mjs.pay, mjs.prospects, mjs.standards_of_care, mjs.overall)", id="template-item"),
    pytest.param(
        "notes",
        "unknown column: not an item column (<instrument>_<item>) or a pre-scored column (<instrument>.<subscale>) of any instrument",
        id="unknown-column",
    ),
]


@pytest.mark.parametrize("column, message", HEADER_CASES)
def test_header_problems(column, message):
    assert check({column: ["1"]}) == [Problem(F, 1, column, message)]


def test_item_columns_of_an_undeclared_instrument():
    problems = check({"wemwbs_1": ["3"], "mbi_hss_4": ["9"]}, instruments=("wemwbs",))
    assert problems == [
        Problem(F, 1, "mbi_hss_4", "column of instrument 'mbi_hss', which study.yaml does not declare (add it to `instruments` or remove the column)")
    ]


def test_short_form_alone_accepts_its_parent_columns_only():
    problems = check({"wemwbs_1": ["3"], "wemwbs_4": ["3"]}, instruments=("swemwbs",))
    assert problems == [
        Problem(F, 1, "wemwbs_4", "column of instrument 'wemwbs', which study.yaml does not declare (add it to `instruments` or remove the column)")
    ]


def test_short_form_with_parent_names_the_parent():
    assert check({"wemwbs_1": ["9"]}, instruments=("wemwbs", "swemwbs")) == [
        Problem(F, 2, "wemwbs_1", "value 9 is outside the range 1–5 of wemwbs")
    ]


def test_study_defined_instrument_columns_are_checked():
    problems = check({"phq9_1": ["0", "3", "4"], "phq9_10": [""] * 3}, instruments=("phq9",), study_dir=FIXTURES / "phq9_study")
    assert sorted(problems) == [
        Problem(F, 1, "phq9_10", "unknown item column: phq9 has no item '10' (its items are 1–9)"),
        Problem(F, 4, "phq9_1", "value 4 is outside the range 0–3 of phq9"),
    ]


def test_every_problem_is_reported_with_its_row():
    values = ["3"] * 10
    values[2], values[5], values[9] = "6", "x", "1.5"
    problems = check({"wemwbs_2": values, "wemwbs_99": [""] * 10})
    assert sorted(problems) == [
        Problem(F, 1, "wemwbs_99", "unknown item column: wemwbs has no item '99' (its items are 1–14)"),
        Problem(F, 4, "wemwbs_2", "value 6 is outside the range 1–5 of wemwbs"),
        Problem(F, 7, "wemwbs_2", "value 'x' is not a number"),
        Problem(F, 11, "wemwbs_2", "value 1.5 is not a whole number (wemwbs responses are whole numbers 1–5)"),
    ]


def test_large_file_is_checked_column_by_column():
    """200,000 rows with three bad cells: every one is found, quickly."""
    rng = np.random.default_rng(1)
    n = 200_000
    values = rng.integers(1, 6, size=n).astype(str).astype(object)
    values[rng.random(n) < 0.02] = ""
    values[[17, 1234, 199_999]] = ["0", "six", "4.5"]
    problems = check({"wemwbs_5": list(values)})
    assert [(p.row, p.message) for p in problems] == [
        (19, "value 0 is outside the range 1–5 of wemwbs"),
        (1236, "value 'six' is not a number"),
        (200_001, "value 4.5 is not a whole number (wemwbs responses are whole numbers 1–5)"),
    ]


# ------------------------------------------------------------------ service use
def service_raw(services: list[str]) -> pd.DataFrame:
    n = len(services)
    return pd.DataFrame(
        {"participant_id": ["01"] * n, "timepoint": ["T1"] * n, "service": services, "used": ["1"] * n, "count": ["2"] * n},
        dtype=object,
    )


def test_known_services_pass():
    defn = definition(["csri"])
    assert check_service_use(service_raw(["gp", "a_and_e", "cmht"]), defn, {"csri": load_instruments()["csri"]}) == []


def test_unknown_service():
    defn = definition(["csri"])
    problems = check_service_use(service_raw(["gp", "dentist"]), defn, {"csri": load_instruments()["csri"]})
    assert problems == [
        Problem(
            "service_use.csv", 3, "service",
            "unknown service 'dentist'; csri services are: psychiatric_inpatient, crisis_team, a_and_e, gp, cmht, "
            "psychological_therapy, outpatient, other",
        )
    ]


def test_service_use_without_a_declared_schedule():
    problems = check_service_use(service_raw(["gp"]), definition(["wemwbs"]), {"wemwbs": load_instruments()["wemwbs"]})
    assert problems == [Problem("service_use.csv", None, None, "has rows but study.yaml declares no service-use instrument (e.g. csri)")]


def test_empty_service_use_without_a_schedule_is_fine():
    assert check_service_use(service_raw([]), definition(["wemwbs"]), {}) == []


def test_columns_of_a_declared_but_undefined_instrument_are_left_to_the_loader():
    """study.yaml declares 'phq9' but no definition was loaded: the loader reports that once."""
    problems = check_responses(raw({"phq9_1": ["1"], "wemwbs_1": ["9"]}), definition(["phq9", "wemwbs"]),
                               {"wemwbs": load_instruments()["wemwbs"]})
    assert problems == [Problem(F, 2, "wemwbs_1", "value 9 is outside the range 1–5 of wemwbs")]

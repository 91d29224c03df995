"""Cell conversion (numbers, dates, labels, recodes) and the export name rules."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from peerimpact.formats.export_common import redcap_clean, spss_clean, unique_names
from peerimpact.formats.plan import FieldPlan, Recode
from peerimpact.formats.source import SourceTable, canonical_text
from peerimpact.formats.targets import Target
from peerimpact.formats.values import convert, format_number, to_date, to_number


def source(kind="csv", decimal=".", epoch=None, labels=None) -> SourceTable:
    return SourceTable("s", "s.csv", ["x"], [], [], kind, value_labels=labels or {}, decimal=decimal, excel_epoch=epoch)


@pytest.mark.parametrize(
    ("value", "decimal", "expected"),
    [
        (3, ".", ("3", None)),
        (3.0, ".", ("3", None)),
        (0.1 + 0.2, ".", ("0.30000000000000004", None)),
        ("2.5", ".", ("2.5", None)),
        (" 7 ", ".", ("7", None)),
        ("2,5", ",", ("2.5", None)),
        ("-,5", ",", ("-0.5", None)),
        (True, ".", ("1", None)),
        ("2,5", ".", ("", "'2,5' is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)")),
        ("abc", ".", ("", "'abc' is not a number")),
        ("inf", ".", ("", "'inf' is not a finite number")),
        (float("nan"), ".", ("", "nan is not a finite number")),
        (dt.date(2020, 1, 1), ".", ("", "'2020-01-01' is a date, not a number")),
    ],
    ids=["int", "whole-float", "float-repr", "text", "spaces", "decimal-comma", "comma-no-int", "bool",
         "comma-in-comma-file", "text-word", "infinite", "nan", "date"],
)
def test_to_number(value, decimal, expected):
    assert to_number(value, source(decimal=decimal)) == expected


@pytest.mark.parametrize(
    ("value", "kind", "fmt", "epoch", "expected"),
    [
        (dt.datetime(2021, 3, 4, 15, 30), "xlsx", None, None, ("2021-03-04", None)),
        (dt.date(2021, 3, 4), "spss", None, None, ("2021-03-04", None)),
        (43850, "xlsx", None, None, ("2020-01-20", None)),
        (43850.75, "xlsx", None, None, ("2020-01-20", None)),
        (42388, "xlsx", None, CALENDAR_MAC_1904, ("2020-01-20", None)),
        (43850, "csv", None, None, ("", "'43850' is a number, not a date (expected YYYY-MM-DD)")),
        ("2020-01-20", "csv", None, None, ("2020-01-20", None)),
        ("2020-01-20 00:00:00", "csv", None, None, ("2020-01-20", None)),
        ("2020-02-30", "csv", None, None, ("", "'2020-02-30' is not a real date")),
        ("20/01/2020", "csv", "%d/%m/%Y", None, ("2020-01-20", None)),
        ("2020-01-20", "csv", "%d/%m/%Y", None, ("", "'2020-01-20' is not a date in the format '%d/%m/%Y'")),
        ("20/01/2020", "csv", None, None, ("", "'20/01/2020' is not a date in YYYY-MM-DD form (or set date_format, e.g. '%d/%m/%Y', in the mapping)")),
    ],
    ids=["xlsx-datetime", "spss-date", "excel-serial", "excel-serial-with-time", "excel-1904", "serial-in-csv", "iso",
         "iso-midnight", "impossible", "date-format", "wrong-format", "day-first-without-format"],
)
def test_to_date(value, kind, fmt, epoch, expected):
    assert to_date(value, source(kind=kind, epoch=epoch), fmt) == expected


@pytest.mark.parametrize(
    ("value", "target", "use", "recode", "expected"),
    [
        ("NA", Target("age", "number"), "code", None, ("", None)),
        (2.0, Target("gender", "category"), "label", None, ("man", None)),
        (2.0, Target("gender", "category"), "code", None, ("2", None)),
        (3.0, Target("gender", "category"), "label", None, ("3", None)),
        (2.0, Target("gender", "category"), "label", {"man": "male"}, ("male", None)),
        ("Often", Target("wemwbs_1", "number"), "code", {"Often": 4}, ("4", None)),
        ("Never", Target("wemwbs_1", "number"), "code", {"Often": 4}, ("", "'Never' is not in the recode (it knows 'Often')")),
        ("Refused", Target("wemwbs_1", "number"), "code", {"Refused": None}, ("", None)),
    ],
    ids=["missing-token", "label", "code", "unlabelled-code", "label-then-recode", "recode-to-number", "recode-miss", "recode-to-missing"],
)
def test_convert(value, target, use, recode, expected):
    plan = FieldPlan(target=target, path=(), column="x", recode=Recode(recode) if recode is not None else None, use=use)
    src = source(labels={"x": {"1": "woman", "2": "man"}})
    assert convert(value, plan, src, "x", {"", "NA"}) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (1.0, "1"), (1.5, "1.5"), (True, "1"), (dt.datetime(2020, 1, 2), "2020-01-02"), (dt.datetime(2020, 1, 2, 3, 4), "2020-01-02 03:04:00"), (" a ", "a")],
    ids=["none", "whole", "fraction", "bool", "midnight", "datetime", "strip"],
)
def test_canonical_text(value, text):
    assert canonical_text(value) == text


def test_format_number_round_trips():
    for x in (0.1, 1 / 3, 2.25, 1e-7, 123456789.125, -0.0):
        assert float(format_number(x)) == x


@pytest.mark.parametrize(
    ("name", "spss", "redcap"),
    [
        ("wemwbs_1_T1", "wemwbs_1_T1", "wemwbs_1_t1"),
        ("mjs.personal_T1", "mjs.personal_T1", "mjs_personal_t1"),
        ("1st_job", "v1st_job", "v_1st_job"),
        ("with space.", "with_space", "with_space"),
        ("AND", "v_AND", "and"),
    ],
    ids=["item", "dotted", "leading-digit", "space-and-dot", "reserved"],
)
def test_export_names(name, spss, redcap):
    assert spss_clean(name) == spss and redcap_clean(name) == redcap


def test_unique_names_ignore_case_for_spss_and_stay_short():
    names = unique_names(["Age", "age", "x" * 80], spss_clean, 64, fold_case=True)
    assert names["Age"] == "Age" and names["age"] == "age_2"
    assert len(names["x" * 80]) <= 64

"""SPSS .sav files: value labels, user-missing codes, variable labels, dates, and files that are not .sav."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pyreadstat
import pytest

from peerimpact.errors import UserInputError
from peerimpact.formats.spss_source import read_sav_source


@pytest.fixture
def sav(tmp_path):
    frame = pd.DataFrame({
        "id": ["01", "02", "03"],
        "sex": [1.0, 2.0, 9.0],
        "wem1": [5.0, -99.0, 3.0],
        "consent": [dt.date(2021, 1, 5), None, dt.date(2021, 2, 1)],
        "role": ["carer", "", "N/A"],
    })
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"id": "Participant", "sex": "Sex at interview", "wem1": "WEMWBS item 1"},
        variable_value_labels={"sex": {1.0: "Woman", 2.0: "Man", 9.0: "Refused"}, "wem1": {1.0: "None of the time", 5.0: "All of the time"}},
        missing_ranges={"sex": [9.0], "wem1": [{"lo": -99.0, "hi": -90.0}], "role": ["N/A"]},
    )
    return path


def test_values_labels_and_user_missing(sav):
    table = read_sav_source(sav)
    assert table.name == "survey" and table.label == "survey.sav" and table.kind == "spss"
    assert table.columns == ["id", "sex", "wem1", "consent", "role"]
    assert table.rows == [
        ("01", 1.0, 5.0, dt.date(2021, 1, 5), "carer"),
        ("02", 2.0, None, None, None),
        ("03", None, 3.0, dt.date(2021, 2, 1), None),
    ]
    assert table.row_numbers == [2, 3, 4]
    assert table.value_labels["sex"] == {"1": "Woman", "2": "Man", "9": "Refused"}
    assert table.value_labels["wem1"] == {"1": "None of the time", "5": "All of the time"}
    assert table.variable_labels == {"id": "Participant", "sex": "Sex at interview", "wem1": "WEMWBS item 1"}
    assert table.user_missing == {"sex": 1, "wem1": 1, "role": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,score\n1,2\n", "x.sav: is not an SPSS data file (.sav): it is text (it looks like CSV) (use `peerimpact import csv`)"),
        (b"PK\x03\x04zip", "x.sav: is not an SPSS data file (.sav): it is an Excel workbook or another zip file (use `peerimpact import xlsx`)"),
        (b"", "x.sav: is empty"),
    ],
    ids=["csv", "xlsx", "empty"],
)
def test_files_that_are_not_sav(tmp_path, data, message):
    path = tmp_path / "x.sav"
    path.write_bytes(data)
    with pytest.raises(UserInputError) as err:
        read_sav_source(path)
    assert str(err.value) == message


@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "most"])
def test_a_truncated_sav(tmp_path, sav, keep):
    data = sav.read_bytes()
    path = tmp_path / "cut.sav"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(UserInputError) as err:
        read_sav_source(path)
    assert str(err.value).startswith("cut.sav: cannot be read as an SPSS data file: it may be damaged or truncated (")


def test_system_missing_numbers_are_empty(tmp_path):
    path = tmp_path / "n.sav"
    pyreadstat.write_sav(pd.DataFrame({"x": [1.5, math.nan]}), str(path))
    assert read_sav_source(path).rows == [(1.5,), (None,)]

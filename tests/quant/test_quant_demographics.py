"""Table 1 on a hand-made participants table."""

from __future__ import annotations

import math

import pytest

from peerimpact.errors import UserInputError
from peerimpact.quant.demographics import demographics
from quant_builders import definition, make_study

PEOPLE = [
    {"participant_id": "01", "site": "1", "consent_date": "2020-01-01", "gender": "Woman", "age": 30, "degree": "yes"},
    {"participant_id": "02", "site": "1", "consent_date": "2020-01-01", "gender": "Man", "age": 40, "degree": None},
    {"participant_id": "03", "site": "2", "consent_date": "2020-01-01", "gender": "Woman", "age": None, "degree": "no"},
    {"participant_id": "04", "site": "2", "consent_date": "2020-01-01", "gender": None, "age": 56, "degree": " "},
    {"participant_id": "05", "site": "2", "consent_date": "2020-01-01", "gender": "Woman", "age": 41, "degree": "no"},
]
DEMOGRAPHICS = [
    {"column": "gender", "label": "Gender", "type": "categorical", "categories": ["Woman", "Man", "Non-binary"]},
    {"column": "age", "label": "Age", "type": "continuous"},
    {"column": "degree", "label": "Graduate", "type": "categorical"},
]


@pytest.fixture(scope="module")
def table():
    defn = definition(demographics=DEMOGRAPHICS)
    study = make_study(defn, participants=PEOPLE)
    return demographics(study.participants, defn)


EXPECTED = [
    # column, category, n, denominator, n_missing, percent
    ("gender", "Woman", 3, 4, 1, 75.0),
    ("gender", "Man", 1, 4, 1, 25.0),
    ("gender", "Non-binary", 0, 4, 1, 0.0),
    ("degree", "no", 2, 3, 2, 200 / 3),
    ("degree", "yes", 1, 3, 2, 100 / 3),
]


@pytest.mark.parametrize("column,category,n,denominator,n_missing,percent", EXPECTED, ids=[f"{e[0]}-{e[1]}" for e in EXPECTED])
def test_categorical_n_of_those_who_answered(table, column, category, n, denominator, n_missing, percent):
    row = table[(table["column"] == column) & (table["category"] == category)].iloc[0]
    assert (row["n"], row["denominator"], row["n_missing"], row["n_total"]) == (n, denominator, n_missing, 5)
    assert math.isclose(row["percent"], percent, rel_tol=1e-15)


def test_declared_category_order_then_others_sorted(table):
    assert list(table["category"].iloc[:3]) == ["Woman", "Man", "Non-binary"]
    assert list(table.loc[table["column"] == "degree", "category"]) == ["no", "yes"]


def test_continuous(table):
    row = table[table["column"] == "age"].iloc[0]
    assert row["category"] is None and math.isnan(row["percent"])
    assert (row["n"], row["n_missing"], row["mean"], row["min"], row["max"]) == (4, 1, 41.75, 30, 56)
    assert math.isclose(row["sd"], math.sqrt(((30 - 41.75) ** 2 + 1.75**2 + 14.25**2 + 0.75**2) / 3), rel_tol=1e-14)


@pytest.mark.parametrize(
    "spec,message",
    [
        ({"column": "height", "label": "Height", "type": "continuous"},
         "participants.csv lacks the demographic column 'height' declared in study.yaml"),
        ({"column": "gender", "label": "Gender", "type": "continuous"},
         "demographic column 'gender' is continuous but holds a value that is not a number"),
    ],
    ids=["absent-column", "text-in-continuous"],
)
def test_errors(spec, message):
    defn = definition(demographics=[spec])
    with pytest.raises(UserInputError) as err:
        demographics(make_study(defn, participants=PEOPLE).participants, defn)
    assert str(err.value) == message

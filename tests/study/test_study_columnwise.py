"""The column-wise loader (speed, issue 13 item 9) gives what a cell-by-cell check gives.

Columns read as categoricals must give the same problems and typed values as
plain string columns; the joined-ids shortcut must agree with ``re.match``;
``items_from_codes`` must build the array ``normalise_responses`` builds.
Expected values come from an independent route: the plain-string path, the
``re`` module, or the messages written out as literals.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerimpact.errors import Problem
from peerimpact.scoring.columns import ColumnRole
from peerimpact.scoring.validate import check_values
from peerimpact.study.checks import _valid_ids, check_typed_table
from peerimpact.study.definition import ID_PATTERN
from peerimpact.study.responses import _as_items, items_from_codes
from peerimpact.study.tables import CONTACTS

_CONTACT_ROWS = [
    # contact_id, worker_id, person_id, date, mode, duration_minutes, status, phase
    ["c1", "W1", "p1", "2021-03-01", "telephone", "10", "completed", "pre_discharge"],
    ["c2", "W1", "p1", "2021-02-30", "fax", "-5", "completed", "post_discharge"],
    ["c1", "W 2", "", "", "telephone", "abc", "done", "pre_discharge"],
    ["c4", "W1", "p2", "2999-01-01", "other", "2000", "attempted", "post_discharge"],
    ["c5", "W1", "p2", "2021-03-01", "telephone", "", "completed", "pre_discharge"],
]


def _contacts(categorical: bool) -> pd.DataFrame:
    frame = pd.DataFrame(_CONTACT_ROWS, columns=CONTACTS.column_names, dtype=object)
    if categorical:
        for col in ("date", "mode", "duration_minutes", "status", "phase"):
            frame[col] = frame[col].astype("category")
    return frame


def test_categorical_columns_give_the_plain_columns_problems_and_types():
    plain_problems, plain_typed = check_typed_table(_contacts(False), CONTACTS)
    cat_problems, cat_typed = check_typed_table(_contacts(True), CONTACTS)
    assert cat_problems == plain_problems
    pd.testing.assert_frame_equal(cat_typed, plain_typed)
    assert [str(p) for p in plain_problems if p.row == 3] == [
        "contacts.csv:3:date: '2021-02-30' is not a valid date (expected YYYY-MM-DD)",
        "contacts.csv:3:mode: 'fax' is not one of: face_to_face, telephone, other",
        "contacts.csv:3:duration_minutes: -5 is below the minimum 0",
    ]
    assert Problem("contacts.csv", 4, "contact_id", "duplicate row for contact_id=c1 (first at row 2)") in plain_problems
    assert Problem("contacts.csv", 4, "worker_id",
                   "'W 2' is not a valid id (letters, digits, '_', '.' and '-', starting with a letter or digit)") in plain_problems


@pytest.mark.parametrize("texts", [
    ["a", "B.1", "c_d-e"],
    ["a", "_b"],
    ["a", "b c"],
    ["a\n", "b"],  # re.match's $ accepts a final line feed
    ["a\nb", "c"],
    ["é1", "a"],
    ["1"],
    ["a", "b-"],
], ids=["valid", "leading-underscore", "space", "final-newline", "inner-newline", "non-ascii", "digit", "trailing-dash"])
def test_joined_id_check_agrees_with_re_match(texts):
    expected = [re.match(ID_PATTERN, t) is not None for t in texts]
    assert _valid_ids(pd.Series(texts, dtype=object)).tolist() == expected


@pytest.mark.parametrize("numbers, codes, fill", [
    ([1.0, 2.0, np.nan], [0, 1, 2, 0], 1),
    ([0.0, 4.0], [1, 1, 0], 0),
    ([1.0, 2.5], [0, 1], 1),  # a fraction stays float
    ([1.0, 99999.0], [0, 1], 1),  # beyond Int16's limits
    ([np.nan], [0, 0], 1),  # all missing
    ([], [], 1),
], ids=["items", "from-zero", "fraction", "too-large", "all-missing", "empty"])
def test_items_from_codes_builds_what_normalise_builds(numbers, codes, fill):
    numbers, codes = np.asarray(numbers, dtype=float), np.asarray(codes, dtype=np.intp)
    expected = _as_items(pd.Series(numbers[codes], dtype="float64"), fill)
    got = items_from_codes(codes, numbers, fill)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        pd.testing.assert_extension_array_equal(got, expected)
        assert got._data.tolist() == expected._data.tolist()  # the data under a missing value too


def test_unobserved_categories_do_not_change_the_items():
    # a category left by a dropped row (here 2.5) is not a value of the column
    assert items_from_codes(np.array([0, 0]), np.array([3.0, 2.5]), 1).tolist() == [3, 3]


_ROLE = ColumnRole("wemwbs_1", "item", "wemwbs", 1.0, 5.0, True)


@pytest.mark.parametrize("categorical", [False, True], ids=["plain", "categorical"])
def test_check_values_messages_per_row(categorical):
    values = pd.Series(["1", "0", "abc", "2.5", "0", "05", "", "6"], dtype=object)
    if categorical:
        values = values.astype("category")
    assert [str(p) for p in check_values(values, _ROLE, "responses.csv")] == [
        "responses.csv:3:wemwbs_1: value 0 is outside the range 1–5 of wemwbs",
        "responses.csv:4:wemwbs_1: value 'abc' is not a number",
        "responses.csv:5:wemwbs_1: value 2.5 is not a whole number (wemwbs responses are whole numbers 1–5)",
        "responses.csv:6:wemwbs_1: value 0 is outside the range 1–5 of wemwbs",
        "responses.csv:9:wemwbs_1: value 6 is outside the range 1–5 of wemwbs",
    ]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b", "c", ""]), st.sampled_from(["T1", "T2"]),
                               st.sampled_from(["x", "y"])), max_size=30),
       width=st.integers(1, 3))
def test_duplicate_keys_from_the_codes_are_those_pandas_finds(rows, width):
    """check_unique on the key columns' codes (one combined code a row, counted) gives what DataFrame.duplicated gives."""
    from peerimpact.study.checks import _distinct, check_unique

    key = ("k0", "k1", "k2")[:width]
    frame = pd.DataFrame([r[:width] for r in rows], columns=list(key), dtype=object)
    codes_of = {k: _distinct(frame[k])[0] for k in key}
    assert check_unique(frame, key, "t.csv", codes_of) == check_unique(frame, key, "t.csv")


def test_many_ids_are_checked_in_batches_with_the_same_answer():
    """More ids than one joined match takes (memory): all valid, or one bad among them, as re.match says."""
    from peerimpact.study import checks

    good = [f"P{i}" for i in range(3 * checks._IDS_AT_ONCE + 5)]
    assert _valid_ids(pd.Series(good, dtype=object)).all()
    bad = good[:-1] + ["P 9"]
    expected = np.array([re.match(ID_PATTERN, t) is not None for t in bad])
    assert (_valid_ids(pd.Series(bad, dtype=object)) == expected).all() and not expected[-1]

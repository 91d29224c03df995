"""Disclosure control: primary and secondary suppression, audited by brute force.

The audit here is independent of the module's linear programming: it
enumerates every whole-number table consistent with what is published (the
visible cells, the published totals, primary cells within 1..k-1 and other
cells >= 0) and checks that each hidden cell takes more than one value.
"""

from __future__ import annotations

import numpy as np
import pytest

from peerimpact.quant.disclosure import augment, cell_ranges, suppress


def full_status(sup) -> np.ndarray:
    """The suppression status of every count of the augmented table (cells, then margins)."""
    n_rows, n_cols = sup.cells.shape
    out = np.full((n_rows + sup.col_applies, n_cols + sup.row_applies), None, dtype=object)
    out[:n_rows, :n_cols] = sup.cells
    if sup.row_applies:
        out[:n_rows, n_cols] = sup.row_status
    if sup.col_applies:
        out[n_rows, :n_cols] = sup.col_status
    if sup.row_applies and sup.col_applies:
        out[n_rows, n_cols] = sup.grand_status
    return out


def consistent_values(table: np.ndarray, sup, k: int) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden count takes over all tables consistent with what is visible.

    Brute force (no linear programming): hidden primary counts range over 1..k-1, other
    hidden counts over 0..(sum of the table), and every line must add up.
    """
    aug = augment(table)
    status = full_status(sup)
    hidden = [tuple(int(x) for x in rc) for rc in np.argwhere(status != None)]  # noqa: E711
    cap = int(table.sum())
    value = {tuple(int(x) for x in rc): int(aug.values[tuple(rc)]) for rc in np.argwhere(status == None)}  # noqa: E711
    found: dict[tuple[int, int], set[int]] = {rc: set() for rc in hidden}

    def ok() -> bool:
        for members, total in aug.lines:
            known = [value[m] for m in members if m in value]
            if len(known) == len(members) and total in value and sum(known) != value[total]:
                return False
            if total in value and sum(known) > value[total]:
                return False
        return True

    def walk(i: int) -> None:
        if i == len(hidden):
            for rc in hidden:
                found[rc].add(value[rc])
            return
        rc = hidden[i]
        lo, hi = (1, k - 1) if status[rc] == "primary" else (0, cap)
        for v in range(lo, hi + 1):
            value[rc] = v
            if ok():
                walk(i + 1)
        del value[rc]

    walk(0)
    return found


CASES = [
    # id, table, k, expected hidden pattern (None = only check safety)
    ("no-small-counts", [[10, 12], [8, 9]], 5, [[0, 0], [0, 0]]),
    ("k-none", [[1, 2], [3, 4]], None, [[0, 0], [0, 0]]),
    ("one-small-2x2", [[2, 12], [8, 9]], 5, [[1, 1], [1, 1]]),
    ("zero-not-primary", [[0, 12], [8, 9]], 5, [[0, 0], [0, 0]]),
    ("single-column", [[3], [10], [0], [6]], 5, [[1], [0], [0], [1]]),
    ("single-row", [[3, 10, 7]], 5, [[1, 0, 1]]),
    ("one-by-one", [[3]], 5, [[1]]),
    ("two-small-in-row", [[2, 3, 9], [7, 8, 6]], 5, [[1, 1, 0], [1, 1, 0]]),
    ("prefers-nonzero", [[2, 0, 9], [0, 6, 7]], 5, None),
    ("services-like", [[0, 0], [1, 0], [3, 2], [12, 11], [5, 6], [2, 7]], 5, None),
    ("small-row-total", [[1, 0], [9, 8], [7, 6]], 5, None),
    ("all-small", [[1, 2], [2, 1]], 3, [[1, 1], [1, 1]]),
]


@pytest.mark.parametrize("name,table,k,expected", CASES, ids=[c[0] for c in CASES])
def test_suppression_is_safe(name, table, k, expected):
    table = np.array(table)
    sup = suppress(table, k)
    status = full_status(sup)
    counts = augment(table).values
    primary = (counts >= 1) & (counts <= k - 1) if k else np.zeros(counts.shape, bool)
    assert np.array_equal(status == "primary", primary)  # cells and totals alike
    if expected is not None:
        assert sup.hidden.astype(int).tolist() == expected
    if (status != None).any():  # noqa: E711
        values = consistent_values(table, sup, k)
        assert {rc: sorted(v) for rc, v in values.items() if len(v) < 2} == {}
        assert all(int(counts[rc]) in v for rc, v in values.items())


def test_small_total_recoverable_from_the_other_totals_is_protected():
    """Row 1's total (1) is primary, but grand total minus the other row totals gives it
    back: another total must be hidden too."""
    table = np.array([[0, 0], [1, 0], [3, 2], [12, 11], [5, 6], [2, 7]])
    sup = suppress(table, 5)
    assert sup.row_status[1] == "primary"
    assert sum(s is not None for s in sup.row_status) + (sup.grand_status is not None) >= 2


def test_bridge_between_two_blocks_is_caught():
    """Two blocks of hidden cells joined by one hidden cell: every line holds 0 or >= 2 hidden
    counts, yet the joining cell follows from the totals. The exact audit must add a count."""
    table = np.array([[1, 2, 5, 6], [2, 1, 1, 7], [6, 7, 2, 1], [5, 8, 1, 2]])
    aug = augment(table)
    hidden = np.zeros(aug.values.shape, bool)
    hidden[:4, :4] = (table >= 1) & (table <= 2)
    ranges = cell_ranges(aug, hidden, hidden, 3)
    assert ranges[(1, 2)] == (1.0, 1.0)  # the bridge is recoverable from the totals alone
    sup = suppress(table, 3)
    assert sup.hidden.sum() > hidden.sum()
    values = consistent_values(table, sup, 3)
    assert {rc: sorted(v) for rc, v in values.items() if len(v) < 2} == {}


def test_cell_ranges_of_a_row_with_its_total():
    aug = augment(np.array([[2, 10]]))  # one row: cells (0,0), (0,1) and row total (0,2) = 12
    hidden = np.array([[True, True, False]])
    primary = np.array([[True, False, False]])
    assert cell_ranges(aug, hidden, primary, 5) == {(0, 0): (1.0, 4.0), (0, 1): (8.0, 11.0)}

"""Disclosure control: primary and secondary suppression, audited by brute force.

The audit here is independent of the module's linear programming: it
enumerates every whole-number table consistent with what is published (the
visible cells, the published totals, primary cells within 1..k-1 and other
cells >= 0) and checks that each hidden cell takes more than one value.
"""

from __future__ import annotations

import numpy as np
import pytest

from peerimpact.quant.disclosure import cell_ranges, suppress


def consistent_values(table: np.ndarray, sup, k: int) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell takes over all tables consistent with the published figures."""
    hidden = sorted(tuple(int(x) for x in rc) for rc in np.argwhere(sup.hidden))
    primary = sup.cells == "primary"
    visible = np.where(sup.hidden, 0, table)
    n_rows, n_cols = table.shape
    row_need = [int(table[r].sum() - visible[r].sum()) if sup.row_totals[r] else None for r in range(n_rows)]
    col_need = [int(table[:, c].sum() - visible[:, c].sum()) if sup.col_totals[c] else None for c in range(n_cols)]
    grand_need = int(table.sum() - visible.sum()) if sup.grand_total else None
    cap = int(table.sum()) + k + 2  # above any value an unconstrained cell could need
    last_in_row = {r: i for i, (r, _) in enumerate(hidden)}
    found: dict[tuple[int, int], set[int]] = {rc: set() for rc in hidden}
    rsum, csum, values = [0] * n_rows, [0] * n_cols, []

    def walk(i: int) -> None:
        if i == len(hidden):
            if all(n is None or n == s for n, s in zip(col_need, csum)) and (
                grand_need is None or grand_need == sum(values)
            ):
                for rc, v in zip(hidden, values):
                    found[rc].add(v)
            return
        r, c = hidden[i]
        lo, hi = (1, k - 1) if primary[r, c] else (0, cap)
        if row_need[r] is not None:
            hi = min(hi, row_need[r] - rsum[r])
        if col_need[c] is not None:
            hi = min(hi, col_need[c] - csum[c])
        for v in range(lo, hi + 1):
            rsum[r] += v
            csum[c] += v
            values.append(v)
            if not (last_in_row[r] == i and row_need[r] is not None and rsum[r] != row_need[r]):
                walk(i + 1)
            values.pop()
            rsum[r] -= v
            csum[c] -= v

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
    ("all-small", [[1, 2], [2, 1]], 3, [[1, 1], [1, 1]]),
]


@pytest.mark.parametrize("name,table,k,expected", CASES, ids=[c[0] for c in CASES])
def test_suppression_is_safe(name, table, k, expected):
    table = np.array(table)
    sup = suppress(table, k)
    primary = (table >= 1) & (table <= k - 1) if k else np.zeros(table.shape, bool)
    assert np.array_equal(sup.cells == "primary", primary)
    if expected is not None:
        assert sup.hidden.astype(int).tolist() == expected
    if sup.hidden.any():
        values = consistent_values(table, sup, k)
        assert {rc: len(v) for rc, v in values.items() if len(v) < 2} == {}
        assert all(int(table[rc]) in v for rc, v in values.items())


def test_bridge_between_two_cycles_is_caught():
    """Two blocks of hidden cells joined by one hidden cell: every line holds 0 or >= 2 hidden
    cells, yet the joining cell follows from the totals. The exact audit must add a cell."""
    table = np.array([[1, 2, 5, 6], [2, 1, 1, 7], [6, 7, 2, 1], [5, 8, 1, 2]])
    k = 3
    hidden = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 1, 1]], dtype=bool)
    primary = (table >= 1) & (table <= k - 1)
    assert np.array_equal(hidden, primary)
    ranges = cell_ranges(table, hidden, primary, k, np.ones(4, bool), np.ones(4, bool), True)
    assert ranges[(1, 2)] == (1.0, 1.0)  # the bridge is recoverable from the totals alone
    sup = suppress(table, k)
    assert sup.hidden.sum() > hidden.sum()
    values = consistent_values(table, sup, k)
    assert {rc: len(v) for rc, v in values.items() if len(v) < 2} == {}


def test_cell_ranges_of_simple_pair():
    table = np.array([[2, 10]])
    hidden = np.array([[True, True]])
    primary = np.array([[True, False]])
    ranges = cell_ranges(table, hidden, primary, 5, np.array([True]), np.array([False, False]), False)
    assert ranges == {(0, 0): (1.0, 4.0), (0, 1): (8.0, 11.0)}

"""Small-count disclosure control for a two-way table of counts with totals.

Primary suppression hides counts from 1 to k-1 (shown ``<k``). Secondary
suppression then hides further cells until no suppressed count can be worked
out from what is published: the other cells, the row totals, the column totals
and the grand total, knowing that primary cells lie between 1 and k-1 and
other counts are at least 0.

Whether a cell can be worked out is decided exactly: its smallest and largest
values consistent with the published figures are found by linear
programming (the constraint matrix of a two-way table is totally unimodular,
so these bounds are whole numbers and a cell is safe exactly when they
differ). Totals of a line with a single cell equal that cell and are not
published. If even suppressing every cell cannot protect the table, the
totals of lines holding suppressed cells are suppressed too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True)
class Suppression:
    """Outcome of :func:`suppress`.

    Attributes
    ----------
    cells : numpy.ndarray
        Object array shaped like the table: None, ``"primary"`` or ``"secondary"``.
    row_totals : numpy.ndarray
        True where a row total is published.
    col_totals : numpy.ndarray
        True where a column total is published.
    grand_total : bool
        True when the grand total is published.
    """

    cells: np.ndarray
    row_totals: np.ndarray
    col_totals: np.ndarray
    grand_total: bool

    @property
    def hidden(self) -> np.ndarray:
        return self.cells != None  # noqa: E711 (elementwise on an object array)


def cell_ranges(
    table: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    k: int,
    row_totals: np.ndarray,
    col_totals: np.ndarray,
    grand_total: bool,
) -> dict[tuple[int, int], tuple[float, float]]:
    """Smallest and largest value of each hidden cell given what is published.

    Used by :func:`suppress` and by the tests that audit it.
    """
    cells = [tuple(map(int, rc)) for rc in np.argwhere(hidden)]
    if not cells:
        return {}
    index = {rc: i for i, rc in enumerate(cells)}
    a_eq, b_eq = [], []
    n_rows, n_cols = table.shape

    def line(members: list[tuple[int, int]], total: float) -> None:
        unknown = [index[rc] for rc in members if rc in index]
        if not unknown:
            return
        row = np.zeros(len(cells))
        row[unknown] = 1.0
        a_eq.append(row)
        b_eq.append(total - sum(float(table[rc]) for rc in members if rc not in index))

    for r in range(n_rows):
        if row_totals[r]:
            line([(r, c) for c in range(n_cols)], float(table[r].sum()))
    for c in range(n_cols):
        if col_totals[c]:
            line([(r, c) for r in range(n_rows)], float(table[:, c].sum()))
    if grand_total:
        line([(r, c) for r in range(n_rows) for c in range(n_cols)], float(table.sum()))
    bounds = [(1.0, k - 1.0) if primary[rc] else (0.0, None) for rc in cells]
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for i, rc in enumerate(cells):
        if not a_eq:
            out[rc] = (bounds[i][0], np.inf)
            continue
        objective = np.zeros(len(cells))
        objective[i] = 1.0
        lo = linprog(objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=bounds, method="highs")
        hi = linprog(-objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=bounds, method="highs")
        low = float(lo.fun) if lo.status == 0 else bounds[i][0]
        high = float(-hi.fun) if hi.status == 0 else np.inf  # status 3: unbounded
        out[rc] = (low, high)
    return out


def _recoverable(table, hidden, primary, k, rows, cols, grand) -> list[tuple[int, int]]:
    ranges = cell_ranges(table, hidden, primary, k, rows, cols, grand)
    return [rc for rc, (lo, hi) in ranges.items() if hi - lo < 0.5]


def _candidate(
    table: np.ndarray, hidden: np.ndarray, cells: list[tuple[int, int]], rows: np.ndarray, cols: np.ndarray
) -> tuple[int, int] | None:
    """The cell to hide next among ``cells``.

    Preference: a non-zero cell; then one that completes another published
    line holding a single hidden cell rather than starting a new one; then
    the smallest count; then the first by position (deterministic).
    """
    open_cells = [rc for rc in cells if not hidden[rc]]
    if not open_cells:
        return None

    def balance(rc: tuple[int, int]) -> int:
        r, c = rc
        score = 0
        for published, count in ((rows[r], hidden[r].sum()), (cols[c], hidden[:, c].sum())):
            if published:
                score += 1 if count == 0 else -1 if count == 1 else 0
        return score

    return min(open_cells, key=lambda rc: (table[rc] == 0, balance(rc), table[rc], rc))


def suppress(table: np.ndarray, k: int | None) -> Suppression:
    """Primary and secondary suppression of a table of counts.

    Parameters
    ----------
    table : numpy.ndarray
        2-D array of non-negative integer counts (rows x columns).
    k : int or None
        Counts from 1 to k-1 are suppressed; None or k < 2 suppresses nothing.

    Returns
    -------
    Suppression
        Which cells are hidden (and why) and which totals are published.
        Guaranteed: no hidden cell's value follows from the published cells
        and totals (checked by :func:`cell_ranges`).
    """
    table = np.asarray(table)
    n_rows, n_cols = table.shape
    rows = np.full(n_rows, n_cols > 1)
    cols = np.full(n_cols, n_rows > 1)
    grand = n_rows > 1 or n_cols > 1
    status = np.full(table.shape, None, dtype=object)
    if k is None or k < 2 or table.size == 0:
        return Suppression(status, rows, cols, grand)
    primary = (table >= 1) & (table <= k - 1)
    status[primary] = "primary"
    hidden = primary.copy()
    if not hidden.any():
        return Suppression(status, rows, cols, grand)
    all_cells = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    while True:
        # Cheap rule first: a published line must not hold exactly one hidden cell.
        lonely = None
        for r in range(n_rows):
            if rows[r] and hidden[r].sum() == 1:
                lonely = _candidate(table, hidden, [(r, c) for c in range(n_cols)], rows, cols)
                if lonely:
                    break
        if lonely is None:
            for c in range(n_cols):
                if cols[c] and hidden[:, c].sum() == 1:
                    lonely = _candidate(table, hidden, [(r, c) for r in range(n_rows)], rows, cols)
                    if lonely:
                        break
        if lonely is not None:
            hidden[lonely] = True
            status[lonely] = "secondary"
            continue
        exposed = _recoverable(table, hidden, primary, k, rows, cols, grand)
        if not exposed:
            return Suppression(status, rows, cols, grand)
        r, c = exposed[0]
        pick = (
            _candidate(table, hidden, [(r, j) for j in range(n_cols)], rows, cols)
            or _candidate(table, hidden, [(i, c) for i in range(n_rows)], rows, cols)
            or _candidate(table, hidden, all_cells, rows, cols)
        )
        if pick is not None:
            hidden[pick] = True
            status[pick] = "secondary"
            continue
        # Every cell hidden and still exposed: withhold the totals of lines with hidden cells.
        rows = rows & ~hidden.any(axis=1)
        cols = cols & ~hidden.any(axis=0)
        grand = False
        return Suppression(status, rows, cols, grand)

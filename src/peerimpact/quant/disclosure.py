"""Small-count disclosure control for a two-way table of counts with totals.

The table is published with its margins: a row total for each row (when
there is more than one column), a column total for each column (when there
is more than one row) and the grand total. Margins are counts too, so the
rules treat the *augmented* table (cells plus margins) alike:

* primary suppression hides every count from 1 to k-1 (shown ``<k``);
* secondary suppression hides further counts (shown ``*``) until no hidden
  count can be worked out from the visible ones, knowing that each row of the
  augmented table sums to its total, each column likewise, primary counts lie
  in 1..k-1 and other counts are at least 0.

Whether a hidden count can be worked out is decided exactly: its smallest and
largest values consistent with what is visible are found by linear
programming. The constraints of a two-way table with margins form a network
matrix, which is totally unimodular, so these bounds are whole numbers and a
count is safe exactly when they differ.

Candidates for secondary suppression are taken first from a line that holds
a single hidden count (such a count always follows from the others), then
from the line of a count the audit finds exposed: non-zero counts first (a
hidden zero can only move up, so it protects least), preferring one that
completes another line with a single hidden count, then the smallest count,
then the first by position, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Cell = tuple[int, int]


@dataclass(frozen=True)
class Suppression:
    """Outcome of :func:`suppress`.

    Attributes
    ----------
    cells : numpy.ndarray
        Object array shaped like the table: None, ``"primary"`` or ``"secondary"``.
    row_status : numpy.ndarray
        The same for each row total (all None when there are no row totals).
    col_status : numpy.ndarray
        The same for each column total.
    grand_status : str or None
        The same for the grand total.
    row_applies, col_applies : bool
        Whether row totals (more than one column) and column totals (more
        than one row) are published at all; the grand total is published
        when either is.
    """

    cells: np.ndarray
    row_status: np.ndarray
    col_status: np.ndarray
    grand_status: str | None
    row_applies: bool
    col_applies: bool

    @property
    def hidden(self) -> np.ndarray:
        return self.cells != None  # noqa: E711 (elementwise on an object array)


@dataclass(frozen=True)
class Augmented:
    """A table with its margins as one array, and the lines (constraints) linking them."""

    values: np.ndarray  # (R [+1]) x (C [+1])
    lines: list[tuple[list[Cell], Cell]]  # (members, total cell): sum(members) == total


def augment(table: np.ndarray) -> Augmented:
    """Add the published margins to ``table`` and list the constraints between counts."""
    table = np.asarray(table, dtype=np.int64)
    n_rows, n_cols = table.shape
    row_m, col_m = n_cols > 1, n_rows > 1
    values = np.zeros((n_rows + col_m, n_cols + row_m), dtype=np.int64)
    values[:n_rows, :n_cols] = table
    lines: list[tuple[list[Cell], Cell]] = []
    if row_m:
        values[:n_rows, n_cols] = table.sum(axis=1)
        lines += [([(r, c) for c in range(n_cols)], (r, n_cols)) for r in range(n_rows)]
    if col_m:
        values[n_rows, :n_cols] = table.sum(axis=0)
        lines += [([(r, c) for r in range(n_rows)], (n_rows, c)) for c in range(n_cols)]
    if row_m and col_m:
        values[n_rows, n_cols] = table.sum()
        lines.append(([(r, n_cols) for r in range(n_rows)], (n_rows, n_cols)))
        lines.append(([(n_rows, c) for c in range(n_cols)], (n_rows, n_cols)))
    return Augmented(values, lines)


def cell_ranges(aug: Augmented, hidden: np.ndarray, primary: np.ndarray, k: int) -> dict[Cell, tuple[float, float]]:
    """Smallest and largest value of each hidden count of an augmented table.

    ``hidden`` and ``primary`` are boolean arrays shaped like ``aug.values``.
    Used by :func:`suppress` and by the tests that audit it.
    """
    cells: list[Cell] = [(int(r), int(c)) for r, c in np.argwhere(hidden)]
    if not cells:
        return {}
    index = {rc: i for i, rc in enumerate(cells)}
    a_eq, b_eq = [], []
    for members, total in aug.lines:
        row = np.zeros(len(cells))
        rhs = 0.0
        for rc, sign in [(m, 1.0) for m in members] + [(total, -1.0)]:
            if rc in index:
                row[index[rc]] += sign
            else:
                rhs -= sign * float(aug.values[rc])
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    bounds: list[tuple[float, float | None]] = [(1.0, k - 1.0) if primary[rc] else (0.0, None) for rc in cells]
    out: dict[Cell, tuple[float, float]] = {}
    for i, rc in enumerate(cells):
        if not a_eq:
            low, high = bounds[i]
            out[rc] = (low, high if high is not None else np.inf)
            continue
        objective = np.zeros(len(cells))
        objective[i] = 1.0
        kw = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq), "bounds": bounds, "method": "highs"}
        lo = linprog(objective, **kw)
        hi = linprog(-objective, **kw)
        low = float(lo.fun) if lo.status == 0 else bounds[i][0]
        high = float(-hi.fun) if hi.status == 0 else np.inf  # status 3: unbounded
        out[rc] = (low, high)
    return out


def _line_cells(aug: Augmented) -> list[list[Cell]]:
    return [members + [total] for members, total in aug.lines]


def _candidate(aug: Augmented, hidden: np.ndarray, cells: list[Cell], lines: list[list[Cell]]) -> Cell | None:
    open_cells = [rc for rc in cells if not hidden[rc]]
    if not open_cells:
        return None

    def balance(rc: Cell) -> int:
        score = 0
        for line in lines:
            if rc in line:
                count = sum(bool(hidden[x]) for x in line)
                score += 1 if count == 0 else -1 if count == 1 else 0
        return score

    return min(open_cells, key=lambda rc: (aug.values[rc] == 0, balance(rc), aug.values[rc], rc))


def suppress(table: np.ndarray, k: int | None) -> Suppression:
    """Primary and secondary suppression of a table of counts and its totals.

    Parameters
    ----------
    table : numpy.ndarray
        2-D array of non-negative integer counts (rows x columns).
    k : int or None
        Counts (cells and totals) from 1 to k-1 are suppressed; None or
        k < 2 suppresses nothing.

    Returns
    -------
    Suppression
        Which cells and totals are hidden, and why. Guaranteed: no hidden
        count follows from the visible counts (checked by
        :func:`cell_ranges`, and by brute force in the tests).

    Examples
    --------
    A count of 2 with k = 5: its row and column partners are hidden too, so
    that neither the row total (14) nor the column total (10) gives it away.

    >>> s = suppress(np.array([[2, 12], [8, 9]]), 5)
    >>> s.cells.tolist()
    [['primary', 'secondary'], ['secondary', 'secondary']]
    >>> s.row_status.tolist(), s.col_status.tolist(), s.grand_status
    ([None, None], [None, None], None)
    """
    table = np.asarray(table, dtype=np.int64)
    n_rows, n_cols = table.shape
    aug = augment(table)
    status = np.full(aug.values.shape, None, dtype=object)
    if k is not None and k >= 2 and table.size:
        primary = (aug.values >= 1) & (aug.values <= k - 1)
        status[primary] = "primary"
        hidden = primary.copy()
        lines = _line_cells(aug)
        every: list[Cell] = [(int(r), int(c)) for r, c in np.argwhere(np.ones(aug.values.shape, bool))]
        while hidden.any():
            lonely = next((line for line in lines if sum(bool(hidden[x]) for x in line) == 1), None)
            pick = _candidate(aug, hidden, lonely, lines) if lonely is not None else None
            if pick is None:
                ranges = cell_ranges(aug, hidden, primary, k)
                exposed = [rc for rc, (lo, hi) in ranges.items() if hi - lo < 0.5]
                if not exposed:
                    break
                near = sorted({x for line in lines if exposed[0] in line for x in line})
                pick = (
                    _candidate(aug, hidden, [rc for rc in near if aug.values[rc] > 0], lines)
                    or _candidate(aug, hidden, [rc for rc in every if aug.values[rc] > 0], lines)
                    or _candidate(aug, hidden, every, lines)
                )
                if pick is None:  # pragma: no cover - everything hidden leaves nothing to solve
                    break
            hidden[pick] = True
            status[pick] = "secondary"
    row_applies, col_applies = n_cols > 1, n_rows > 1
    return Suppression(
        cells=status[:n_rows, :n_cols],
        row_status=status[:n_rows, n_cols] if row_applies else np.full(n_rows, None, dtype=object),
        col_status=status[n_rows, :n_cols] if col_applies else np.full(n_cols, None, dtype=object),
        grand_status=str(status[n_rows, n_cols]) if row_applies and col_applies and status[n_rows, n_cols] is not None else None,
        row_applies=row_applies,
        col_applies=col_applies,
    )

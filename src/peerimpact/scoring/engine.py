"""The scoring engine: item responses -> subscale scores under the missing-item rule.

Rule (``study.definition.missing_items_allowed`` = *m*, default 1):

* reverse-scored items are turned first: ``x -> min + max - x``;
* a subscale with more than *m* items missing is missing: score NaN, status
  ``too_many_missing`` (also when no item at all was answered);
* otherwise it is scored from the answered items, status ``complete`` when
  none is missing, else ``prorated``:

  - ``sum``: mean of the answered items x number of items;
  - ``mean``: mean of the answered items;
  - ``lookup``: no prorating: any missing item makes it ``too_many_missing``;
    the raw sum of a complete response is converted with the table;

* a subscale without an item key reads its pre-scored column: status
  ``prescored``, or ``missing`` for an empty cell; ``items_answered`` and
  ``items_missing`` are then <NA>.

Every step is a whole-column numpy operation (a Python loop runs over the
36-odd item columns, never over participants). The expected values in the
tests are worked by hand from the published keys (FACTS.md section 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem, StudyValidationError
from ..study.model import Study
from .columns import ColumnRole, fmt_number
from .plan import OutcomePlan, outcome_plans
from .validate import out_of_range_message

STATUSES = np.array(["complete", "prorated", "too_many_missing", "prescored", "missing"], dtype=object)
COMPLETE, PRORATED, TOO_MANY_MISSING, PRESCORED, MISSING = range(5)
SCORE_COLUMNS = ["participant_id", "timepoint", "outcome", "score", "items_answered", "items_missing", "status"]
RESPONSES_FILE = "responses.csv"


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores of every response row (rows) and outcome (columns).

    ``scores`` is float64 ``(n_rows, n_outcomes)``; ``answered`` and
    ``missing`` are int16 (meaningless for pre-scored outcomes, see
    ``prescored``); ``status`` holds codes into :data:`STATUSES`.
    """

    outcomes: list[str]
    prescored: np.ndarray  # bool per outcome
    scores: np.ndarray
    answered: np.ndarray
    missing: np.ndarray
    status: np.ndarray


def column_values(responses: pd.DataFrame, column: str) -> np.ndarray:
    """A response column as float64 without copying when it already is float64."""
    return np.asarray(responses[column].to_numpy(), dtype=np.float64)


def reverse_items(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Reverse-score responses on a ``low``–``high`` scale: ``low + high - x`` (NaN stays NaN).

    >>> reverse_items(np.array([1.0, 2.0, np.nan, 5.0]), 1, 5).tolist()
    [5.0, 4.0, nan, 1.0]
    """
    return (low + high) - np.asarray(values, dtype=np.float64)


def _range_problems(values: np.ndarray, role: ColumnRole) -> list[Problem]:
    bad = np.flatnonzero((values < role.low) | (values > role.high))
    return [Problem(RESPONSES_FILE, int(i) + 2, role.column, out_of_range_message(fmt_number(values[i]), role)) for i in bad]


def _guard_range(values: np.ndarray, role: ColumnRole) -> list[Problem]:
    """Cheap check (two reductions) that a column respects its range.

    ``load_study`` has already validated the file; this protects studies
    built in memory (importers, the web app, tests) from silent nonsense.
    """
    if values.size == 0:
        return []
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)
    if (np.isnan(low) or low >= role.low) and (np.isnan(high) or high <= role.high):
        return []
    return _range_problems(values, role)


def _item_role(plan: OutcomePlan, column: str) -> ColumnRole:
    defn = plan.instrument
    return ColumnRole(column, "item", defn.column_prefix, float(defn.response_min or 0), float(defn.response_max or 0), defn.integer_responses)


@dataclass
class _Workspace:
    """Per-row buffers reused by every outcome (fresh 24 MB arrays per outcome cost page faults)."""

    total: np.ndarray
    buffer: np.ndarray
    mask: np.ndarray

    @classmethod
    def allocate(cls, n: int) -> "_Workspace":
        return cls(np.empty(n, dtype=np.float64), np.empty(n, dtype=np.float64), np.empty(n, dtype=bool))


def _score_items(study: Study, plan: OutcomePlan, out: np.ndarray, answered: np.ndarray, missing: np.ndarray,
                 status: np.ndarray, problems: list[Problem], work: _Workspace) -> None:
    """Score one item-scored outcome into ``out``/``answered``/``missing``/``status`` (column views).

    Each item column streams through four whole-column numpy operations: a
    range guard, ``isnan`` (counted into a uint8 missing counter), and
    ``fmax(x, min)`` added to the running total, which turns a missing
    response into ``min`` without a masked add; ``min`` times the number of
    missing items is subtracted at the end (exact for whole-number responses).
    """
    responses = study.responses
    n = len(responses)
    defn = plan.instrument
    lo, hi = float(defn.response_min or 0), float(defn.response_max or 0)
    n_items = len(plan.columns)
    small = n_items <= 255  # uint8 counter: `n_missing += mask.view(uint8)` runs without casting
    n_missing = np.full(n, n_items - sum(plan.present), dtype=np.uint8 if small else np.int64)
    total, buffer, mask = work.total, work.buffer, work.mask
    total.fill(0.0)
    for column, present, reverse in zip(plan.columns, plan.present, plan.reverse):
        if not present:
            continue
        values = column_values(responses, column)
        problems.extend(_guard_range(values, _item_role(plan, column)))
        np.isnan(values, out=mask)
        if small:
            n_missing += mask.view(np.uint8)
        else:
            n_missing += mask
        if reverse:
            values = reverse_items(values, lo, hi)
        np.fmax(values, lo, out=buffer)  # NaN -> lo
        total += buffer
    if lo != 0.0:
        absent = n_items - sum(plan.present)
        np.subtract(n_missing, absent, out=buffer, casting="unsafe")
        buffer *= lo
        total -= buffer
    count = n_items - n_missing.astype(np.int16 if small else np.int64)
    _finish(study, plan, total, count, buffer, out, answered, missing, status, problems)


def _finish(study: Study, plan: OutcomePlan, total: np.ndarray, count: np.ndarray, buffer: np.ndarray, out: np.ndarray,
            answered: np.ndarray, missing: np.ndarray, status: np.ndarray, problems: list[Problem]) -> None:
    """Apply the missing-item rule and the scoring method to the sums and answered counts.

    ``total`` and ``buffer`` are overwritten. Written without masked
    assignments (slow in numpy) and with few temporaries: the prorating factor
    ``n_items / answered`` is exactly 1.0 for complete rows, so complete sums
    stay exact.
    """
    sub = plan.subscale
    n_items = len(plan.columns)
    n_missing = n_items - count
    allowed = 0 if sub.method == "lookup" else study.definition.missing_items_allowed
    scorable = (n_missing <= allowed) & (count > 0)
    complete = n_missing == 0
    if sub.method == "lookup":  # complete responses only
        score = _lookup(plan, total, complete, problems)
    else:
        np.maximum(count, 1, out=buffer, casting="unsafe")
        if sub.method == "sum":  # mean of the answered items x number of items
            np.divide(n_items, buffer, out=buffer)
            score = np.multiply(total, buffer, out=total)
        else:  # mean of the answered items
            score = np.divide(total, buffer, out=total)
    np.copyto(score, np.nan, where=~scorable)
    out[:] = score
    answered[:] = count
    missing[:] = n_missing
    # COMPLETE = 0, PRORATED = 1, TOO_MANY_MISSING = 2
    status[:] = (scorable & ~complete).view(np.int8) + 2 * (~scorable).view(np.int8)


def _lookup(plan: OutcomePlan, total: np.ndarray, complete: np.ndarray, problems: list[Problem]) -> np.ndarray:
    sub, defn = plan.subscale, plan.instrument
    lookup = sub.lookup or {}
    raw_min = len(plan.columns) * int(defn.response_min or 0)
    table = np.array([lookup[k] for k in range(raw_min, raw_min + len(lookup))], dtype=np.float64)
    offset = np.where(complete, total - raw_min, 0.0)
    index = offset.astype(np.int64)
    bad = complete & ((index != offset) | (index < 0) | (index >= len(table)))
    if bad.any():
        problems.extend(
            Problem(RESPONSES_FILE, int(r) + 2, plan.outcome,
                    f"the raw sum {fmt_number(total[r])} of the {plan.outcome} items is not in its lookup table "
                    f"(items must be whole numbers {defn.response_min}–{defn.response_max})")
            for r in np.flatnonzero(bad)
        )
        index[bad] = 0
    score = table[index]
    score[~complete | bad] = np.nan
    return score


def _score_prescored(study: Study, plan: OutcomePlan, out: np.ndarray, status: np.ndarray, problems: list[Problem]) -> None:
    column = plan.columns[0]
    values = column_values(study.responses, column)
    lo, hi = plan.instrument.score_range(plan.subscale.id)
    problems.extend(_guard_range(values, ColumnRole(column, "prescored", column, lo, hi, False)))
    out[:] = values
    status[:] = np.where(np.isnan(values), MISSING, PRESCORED).astype(np.int8)


def score_matrix(study: Study) -> ScoreMatrix:
    """Score every response row on every outcome present in ``study.responses``.

    Raises
    ------
    StudyValidationError
        When a value lies outside its response or score range (a study built
        in memory without validation), naming ``responses.csv`` rows.
    """
    plans = [p for p in outcome_plans(study) if p.any_present]
    n, k = len(study.responses), len(plans)
    scores = np.empty((n, k), dtype=np.float64)
    answered = np.zeros((n, k), dtype=np.int16)
    missing = np.zeros((n, k), dtype=np.int16)
    status = np.empty((n, k), dtype=np.int8)
    problems: list[Problem] = []
    work = _Workspace.allocate(n)
    for j, plan in enumerate(plans):
        if plan.prescored:
            _score_prescored(study, plan, scores[:, j], status[:, j], problems)
        else:
            _score_items(study, plan, scores[:, j], answered[:, j], missing[:, j], status[:, j], problems, work)
    if problems:
        raise StudyValidationError(problems)
    return ScoreMatrix(
        outcomes=[p.outcome for p in plans],
        prescored=np.array([p.prescored for p in plans], dtype=bool),
        scores=scores,
        answered=answered,
        missing=missing,
        status=status,
    )


def _nullable_counts(counts: np.ndarray, prescored: np.ndarray) -> pd.arrays.IntegerArray:
    mask = np.ascontiguousarray(np.broadcast_to(prescored, counts.shape)).reshape(-1)
    return pd.arrays.IntegerArray(counts.reshape(-1).astype(np.int64), mask)


def score(study: Study) -> pd.DataFrame:
    """Score a study: one row per response row and outcome.

    Parameters
    ----------
    study : Study
        Item columns of ``study.responses`` are float64 with NaN for missing.

    Returns
    -------
    pandas.DataFrame
        Columns ``participant_id``, ``timepoint``, ``outcome``, ``score``
        (float64, NaN when missing), ``items_answered``, ``items_missing``
        (nullable Int64, <NA> for pre-scored outcomes) and ``status``
        (``complete``, ``prorated``, ``too_many_missing``, ``prescored``,
        ``missing``). Rows follow ``study.responses``; within a row, outcomes
        follow the declared instruments and their subscales. Outcomes with no
        column at all in the responses are omitted; service use (CSRI) is not
        scored here.

    Raises
    ------
    StudyValidationError
        When a value of a study built in memory lies outside its range.

    Notes
    -----
    Checked by hand-worked tables (one and two missing items per method, the
    SWEMWBS conversion value by value, the MBI key item by item) and by
    Hypothesis properties (see ``tests/scoring``).

    Examples
    --------
    >>> import peerimpact  # doctest: +SKIP
    >>> peerimpact.score(peerimpact.load_study("demo-output/study")).columns.tolist()  # doctest: +SKIP
    ['participant_id', 'timepoint', 'outcome', 'score', 'items_answered', 'items_missing', 'status']
    """
    m = score_matrix(study)
    n, k = m.scores.shape
    responses = study.responses
    data = {
        # object arrays of references to the same str objects: no string is copied
        "participant_id": np.repeat(responses["participant_id"].to_numpy(dtype=object), k),
        "timepoint": np.repeat(responses["timepoint"].to_numpy(dtype=object), k),
        "outcome": np.tile(np.array(m.outcomes, dtype=object), n),
        "score": m.scores.reshape(-1),  # a view of the score matrix, rows x outcomes in C order
        "items_answered": _nullable_counts(m.answered, m.prescored),
        "items_missing": _nullable_counts(m.missing, m.prescored),
        "status": STATUSES.take(m.status.reshape(-1).astype(np.intp)),
    }
    return pd.DataFrame(data, columns=SCORE_COLUMNS, copy=False)


def score_wide(study: Study) -> pd.DataFrame:
    """Scores in wide form: ``participant_id``, ``timepoint`` and one column per outcome.

    Same numbers as :func:`score` (NaN where missing), one row per response row.
    """
    m = score_matrix(study)
    responses = study.responses
    data: dict[str, object] = {
        "participant_id": responses["participant_id"].to_numpy(dtype=object),
        "timepoint": responses["timepoint"].to_numpy(dtype=object),
    }
    for j, outcome in enumerate(m.outcomes):
        data[outcome] = np.ascontiguousarray(m.scores[:, j])
    return pd.DataFrame(data)

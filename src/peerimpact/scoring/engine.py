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
tests are worked by hand from the published keys (docs/facts.md section 2).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem, StudyValidationError
from ..study.model import Study
from ..study.responses import float_values, masked_int_parts
from .columns import ColumnRole, fmt_number
from .plan import OutcomePlan, outcome_plans
from .validate import out_of_range_message

STATUSES = np.array(["complete", "prorated", "too_many_missing", "prescored", "missing"], dtype=object)
COMPLETE, PRORATED, TOO_MANY_MISSING, PRESCORED, MISSING = range(5)
SCORE_COLUMNS = ["participant_id", "timepoint", "outcome", "score", "items_answered", "items_missing", "status"]
RESPONSES_FILE = "responses.csv"


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores of every outcome (rows) and response row (columns).

    Outcome-major, so that each outcome is one contiguous array:
    ``scores`` is float64 ``(n_outcomes, n_rows)``; ``answered`` and
    ``missing`` are int16 (meaningless for pre-scored outcomes, see
    ``prescored``); ``status`` holds int8 codes into :data:`STATUSES`.
    """

    outcomes: list[str]
    prescored: np.ndarray  # bool per outcome
    scores: np.ndarray
    answered: np.ndarray
    missing: np.ndarray
    status: np.ndarray


def column_values(responses: pd.DataFrame, column: str) -> np.ndarray:
    """A response column as float64 with NaN for missing (no copy when it already is float64)."""
    return float_values(responses[column])


def reverse_items(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Reverse-score responses on a ``low``–``high`` scale: ``low + high - x`` (NaN stays NaN).

    >>> reverse_items(np.array([1.0, 2.0, np.nan, 5.0]), 1, 5).tolist()
    [5.0, 4.0, nan, 1.0]
    """
    return (low + high) - np.asarray(values, dtype=np.float64)


def _range_problems(values: np.ndarray, role: ColumnRole, offset: int = 0) -> list[Problem]:
    """Problems for values outside the range; ``values[i]`` is response row ``offset + i`` (0-based)."""
    bad = np.flatnonzero((values < role.low) | (values > role.high))
    return [Problem(RESPONSES_FILE, offset + int(i) + 2, role.column, out_of_range_message(fmt_number(values[i]), role))
            for i in bad]


def _guard_range(values: np.ndarray, role: ColumnRole, offset: int = 0) -> list[Problem]:
    """Cheap check (two reductions) that a float64 column respects its range.

    ``load_study`` has already validated the file (including whole numbers
    on integer scales); this protects studies built in memory (importers, the
    web app, tests) from values outside the range. A fraction on a
    whole-number scale is scored as given: the property tests score an
    imputed item mean that way on purpose.
    """
    if values.size == 0:
        return []
    low, high = np.fmin.reduce(values), np.fmax.reduce(values)
    if (np.isnan(low) or low >= role.low) and (np.isnan(high) or high <= role.high):
        return []
    return _range_problems(values, role, offset)


def _guard_int_range(data: np.ndarray, missing: np.ndarray, role: ColumnRole, offset: int = 0) -> list[Problem]:
    """The same check on the data of a nullable integer column.

    The data under ``missing`` is arbitrary, so a reduction that lands
    outside the range is confirmed on the answered values only.
    """
    if data.size == 0 or (data.min() >= role.low and data.max() <= role.high):
        return []
    values = data.astype(np.float64)
    values[missing] = np.nan
    return _range_problems(values, role, offset)


def _item_role(plan: OutcomePlan, column: str) -> ColumnRole:
    defn = plan.instrument
    return ColumnRole(column, "item", defn.column_prefix, float(defn.response_min or 0), float(defn.response_max or 0), defn.integer_responses)


class _Workspace:
    """Per-row buffers reused by every outcome (fresh 24 MB arrays per outcome cost page faults)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._buffers: dict[tuple[str, str], np.ndarray] = {}

    def get(self, name: str, dtype) -> np.ndarray:
        key = (name, np.dtype(dtype).str)
        if key not in self._buffers:
            self._buffers[key] = np.empty(self.n, dtype=dtype)
        return self._buffers[key]


def _accumulator_dtype(plan: OutcomePlan, parts: list) -> np.dtype:
    """int16 or int32 when every item column is integer (the sum cannot overflow), else float64."""
    if any(p is None for p in parts):
        return np.dtype(np.float64)
    defn = plan.instrument
    bound = len(plan.columns) * max(abs(int(defn.response_min or 0)), abs(int(defn.response_max or 0)))
    return np.dtype(np.int16 if bound <= np.iinfo(np.int16).max else np.int32)


def _score_items(study: Study, plan: OutcomePlan, rows: slice, out: np.ndarray, answered: np.ndarray, missing: np.ndarray,
                 status: np.ndarray, problems: list[Problem], work: _Workspace) -> None:
    """Score one item-scored outcome on the response rows ``rows`` into ``out``, ``answered``, ... (views).

    Each answered item adds its (reverse-scored) value to a running total
    and each missing one adds 1 to a uint8 missing counter, in whole-column
    numpy operations. For nullable integer columns (what ``Study`` holds for
    whole-number scales) a missing response contributes ``data x 0``; the
    total is then an exact integer. For float64 columns, ``fmax(x, min)``
    turns a missing response into ``min``, and ``min`` times the number of
    missing items is subtracted at the end (exact for whole numbers).
    """
    responses = study.responses
    defn = plan.instrument
    lo, hi = float(defn.response_min or 0), float(defn.response_max or 0)
    n_items = len(plan.columns)
    absent = n_items - sum(plan.present)
    n_missing = work.get("n_missing", np.uint8 if n_items <= 255 else np.int64)
    n_missing.fill(absent)
    parts = [masked_int_parts(responses[c]) if present else None for c, present in zip(plan.columns, plan.present)]
    parts = [None if p is None else (p[0][rows], p[1][rows]) for p in parts]
    parts_present = [p for p, present in zip(parts, plan.present) if present]
    acc = _accumulator_dtype(plan, parts_present)
    total = work.get("total", acc)
    total.fill(0)
    buffer = work.get("buffer", acc)
    valid = work.get("valid", bool)
    floating = acc == np.float64
    for column, present, reverse, part in zip(plan.columns, plan.present, plan.reverse, parts):
        if not present:
            continue
        role = _item_role(plan, column)
        if part is not None and not floating:
            data, mask = part
            problems.extend(_guard_int_range(data, mask, role, rows.start))
            if reverse:
                np.subtract(int(lo + hi), data, out=buffer, casting="unsafe")
                source = buffer
            else:
                source = data
            np.logical_not(mask, out=valid)
            np.multiply(source, valid, out=buffer, casting="unsafe")
            total += buffer
        else:
            values = float_values(responses[column].iloc[rows])  # this block's rows only, then converted
            problems.extend(_guard_range(values, role, rows.start))
            mask = np.isnan(values, out=valid)
            if reverse:
                values = reverse_items(values, lo, hi)
            np.fmax(values, lo, out=buffer)  # NaN -> lo, taken off below
            total += buffer
        n_missing += mask.view(np.uint8) if n_missing.dtype == np.uint8 else mask
    if floating and lo != 0.0:
        counted = work.get("counted", np.float64)
        np.subtract(n_missing, absent, out=counted, casting="unsafe")
        counted *= lo
        total -= counted
    _finish(study, plan, rows.start, total, n_missing, out, answered, missing, status, problems, work)


def _finish(study: Study, plan: OutcomePlan, offset: int, total: np.ndarray, n_missing: np.ndarray, out: np.ndarray,
            answered: np.ndarray, missing: np.ndarray, status: np.ndarray, problems: list[Problem], work: _Workspace) -> None:
    """Apply the missing-item rule and the scoring method to the totals and missing counts.

    Written without masked assignments where it can be (slow in numpy) and
    with few temporaries. A sum is the total times ``n_items / answered``,
    a factor that is exactly 1.0 for complete rows, so complete sums stay
    exact; a mean is the total divided by the number answered.
    """
    sub = plan.subscale
    n_items = len(plan.columns)
    allowed = 0 if sub.method == "lookup" else study.definition.missing_items_allowed
    np.copyto(missing, n_missing, casting="unsafe")
    np.subtract(n_items, missing, out=answered)
    unscorable = work.get("unscorable", bool)
    if n_items <= allowed:  # every item may be missing: an empty response is still unscorable
        np.less_equal(answered, 0, out=unscorable)
    else:
        np.greater(missing, allowed, out=unscorable)
    with np.errstate(divide="ignore", invalid="ignore"):
        if sub.method == "lookup":  # complete responses only
            _lookup(plan, offset, total, missing, out, problems)
        elif sub.method == "sum":  # mean of the answered items x number of items
            np.divide(n_items, answered, out=out)
            np.multiply(out, total, out=out)
        else:  # mean of the answered items
            np.divide(total, answered, out=out)
    np.copyto(out, np.nan, where=unscorable)
    # COMPLETE = 0, PRORATED = 1, TOO_MANY_MISSING = 2
    prorated = work.get("prorated", bool)
    np.greater(missing, 0, out=prorated)
    np.logical_or(prorated, unscorable, out=prorated)
    np.add(prorated.view(np.int8), unscorable.view(np.int8), out=status)


def _lookup(plan: OutcomePlan, offset: int, total: np.ndarray, missing: np.ndarray, out: np.ndarray,
            problems: list[Problem]) -> None:
    sub, defn = plan.subscale, plan.instrument
    lookup = sub.lookup or {}
    raw_min = len(plan.columns) * int(defn.response_min or 0)
    table = np.array([lookup[k] for k in range(raw_min, raw_min + len(lookup))] + [np.nan], dtype=np.float64)
    complete = missing == 0
    position = np.where(complete, total.astype(np.int64 if total.dtype.kind == "i" else np.float64) - raw_min, 0)
    index = position.astype(np.int64)
    bad = complete & ((index != position) | (index < 0) | (index >= len(table) - 1))
    if bad.any():
        problems.extend(
            Problem(RESPONSES_FILE, offset + int(r) + 2, plan.outcome,
                    f"the raw sum {fmt_number(total[r])} of the {plan.outcome} items is not in its lookup table "
                    f"(items must be whole numbers {defn.response_min}–{defn.response_max})")
            for r in np.flatnonzero(bad)
        )
    index[~complete | bad] = len(table) - 1  # the NaN at the end
    np.take(table, index, out=out)


def _score_prescored(study: Study, plan: OutcomePlan, rows: slice, out: np.ndarray, status: np.ndarray,
                     problems: list[Problem]) -> None:
    column = plan.columns[0]
    values = float_values(study.responses[column].iloc[rows])
    lo, hi = plan.instrument.score_range(plan.subscale.id)
    problems.extend(_guard_range(values, ColumnRole(column, "prescored", column, lo, hi, False), rows.start))
    out[:] = values
    status[:] = np.where(np.isnan(values), MISSING, PRESCORED).astype(np.int8)


#: Studies with at least this many response rows are scored in row blocks on several threads
#: (numpy releases the GIL in its loops); smaller ones on the calling thread.
PARALLEL_MIN_ROWS = 200_000


def _threads(n: int, threads: int | None) -> int:
    if threads is None:
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        threads = min(available, 8) if n >= PARALLEL_MIN_ROWS else 1
    return max(1, min(threads, n))


def score_matrix(study: Study, threads: int | None = None) -> ScoreMatrix:
    """Score every response row on every outcome present in ``study.responses``.

    Parameters
    ----------
    study : Study
    threads : int, optional
        Row blocks scored at once. Every operation is elementwise per row,
        so the result does not depend on it (a test checks this); the
        default uses the available cores for large studies, one otherwise.

    Raises
    ------
    StudyValidationError
        When a value lies outside its response or score range (a study built
        in memory without validation), naming ``responses.csv`` rows.
    """
    plans = [p for p in outcome_plans(study) if p.any_present]
    n, k = len(study.responses), len(plans)
    scores = np.empty((k, n), dtype=np.float64)
    answered = np.empty((k, n), dtype=np.int16)
    missing = np.empty((k, n), dtype=np.int16)
    status = np.empty((k, n), dtype=np.int8)

    def run(rows: slice) -> list[Problem]:
        problems: list[Problem] = []
        work = _Workspace(rows.stop - rows.start)
        for j, plan in enumerate(plans):
            if plan.prescored:
                _score_prescored(study, plan, rows, scores[j, rows], status[j, rows], problems)
                answered[j, rows] = missing[j, rows] = 0  # masked as <NA> in the long table
            else:
                _score_items(study, plan, rows, scores[j, rows], answered[j, rows], missing[j, rows], status[j, rows],
                             problems, work)
        return problems

    blocks = _threads(n, threads)
    if blocks == 1:
        problems = run(slice(0, n))
    else:
        edges = np.linspace(0, n, blocks + 1).astype(int)
        with ThreadPoolExecutor(max_workers=blocks, thread_name_prefix="peerimpact-score") as pool:
            found = list(pool.map(run, [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]))
        # Problems in the single-threaded order (outcome, column, row), as a user reads them.
        problems = run(slice(0, n)) if any(found) else []
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
    """Outcome-major int16 counts as one nullable column, <NA> on the rows of pre-scored outcomes."""
    mask = np.zeros(counts.shape, dtype=bool)
    mask[prescored] = True
    return pd.arrays.IntegerArray(counts.reshape(-1), mask.reshape(-1))


def _code_dtype(n_categories: int) -> np.dtype:
    """The code dtype pandas uses for this many categories (so that ``from_codes`` does not cast)."""
    return pd.Categorical.from_codes([], categories=range(n_categories)).codes.dtype if n_categories else np.dtype(np.int8)


def _key_categorical(responses: pd.DataFrame, column: str) -> pd.Categorical:
    values = responses[column]
    if not isinstance(values.dtype, pd.CategoricalDtype):  # Study normalises responses; a bare frame may not be
        values = values.astype(object).astype("category")
    return values.array


def score(study: Study) -> pd.DataFrame:
    """Score a study: one row per response row and outcome.

    Parameters
    ----------
    study : Study
        Item columns of ``study.responses`` are nullable ``Int16`` for
        whole-number scales (see :mod:`peerimpact.study.responses`), else
        float64 with NaN for missing; both are scored alike.

    Returns
    -------
    pandas.DataFrame
        Columns ``participant_id``, ``timepoint`` and ``outcome``
        (categorical), ``score`` (float64, NaN when missing),
        ``items_answered``, ``items_missing`` (nullable Int16, <NA> for
        pre-scored outcomes) and ``status`` (categorical: ``complete``,
        ``prorated``, ``too_many_missing``, ``prescored``, ``missing``).
        Rows are grouped by outcome, in the order of the declared
        instruments and their subscales, and within an outcome follow
        ``study.responses`` (the order of ``pandas.melt``). Outcomes with no
        column at all in the responses are omitted; service use (CSRI) is
        not scored here. Categorical columns compare equal to their strings;
        group by them with ``observed=True``.

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
    k, n = m.scores.shape
    pid = _key_categorical(study.responses, "participant_id")
    tp = _key_categorical(study.responses, "timepoint")
    data = {
        "participant_id": pd.Categorical.from_codes(np.tile(pid.codes, k), dtype=pid.dtype, validate=False),
        "timepoint": pd.Categorical.from_codes(np.tile(tp.codes, k), dtype=tp.dtype, validate=False),
        "outcome": pd.Categorical.from_codes(np.repeat(np.arange(k, dtype=_code_dtype(k)), n), categories=m.outcomes,
                                             validate=False),
        "score": m.scores.reshape(-1),  # views of the outcome-major matrices: no copy
        "items_answered": _nullable_counts(m.answered, m.prescored),
        "items_missing": _nullable_counts(m.missing, m.prescored),
        "status": pd.Categorical.from_codes(m.status.reshape(-1), categories=STATUSES, validate=False),
    }
    return pd.DataFrame(data, columns=SCORE_COLUMNS, copy=False)


def score_wide(study: Study) -> pd.DataFrame:
    """Scores in wide form: ``participant_id``, ``timepoint`` and one column per outcome.

    Same numbers as :func:`score` (NaN where missing), one row per response
    row; ``participant_id`` and ``timepoint`` are categorical, as in
    ``study.responses``.
    """
    m = score_matrix(study)
    data: dict[str, object] = {
        "participant_id": _key_categorical(study.responses, "participant_id"),
        "timepoint": _key_categorical(study.responses, "timepoint"),
    }
    for j, outcome in enumerate(m.outcomes):
        data[outcome] = m.scores[j]
    return pd.DataFrame(data)

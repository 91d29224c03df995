"""Scores as a dense cube: outcome x timepoint x participant.

Every analysis of the long scores table (descriptives, paired change, mixed
models, reliable change, attrition) starts from the same array, built once
with integer codes instead of per-group pandas operations, so that a study
of 100,000 participants is analysed in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UserInputError
from ..study.definition import StudyDefinition

SCORE_COLUMNS = ("participant_id", "timepoint", "outcome", "score")


@dataclass(frozen=True)
class ScoreCube:
    """Scores indexed by outcome, timepoint and participant.

    Attributes
    ----------
    outcomes : list of str
        Outcome ids in their order of first appearance in the scores table.
    participant_ids : numpy.ndarray
        Participant ids (object array) in order of first appearance.
    timepoints : list of str
        The study's timepoint ids ordered by month.
    values : numpy.ndarray
        float64 array of shape ``(len(outcomes), len(timepoints),
        len(participant_ids))``; NaN where no score exists. Participants are
        the last (contiguous) axis, so per-timepoint vectors are contiguous.
    """

    outcomes: list[str]
    participant_ids: np.ndarray
    timepoints: list[str]
    values: np.ndarray

    def timepoint_index(self, timepoint: str) -> int:
        return self.timepoints.index(timepoint)


def instrument_of(outcome: str) -> str:
    """The instrument id of an outcome id (the part before the first ``.``)."""
    return outcome.split(".", 1)[0]


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and uniques (strings) in order of first appearance.

    The same result as ``pd.factorize``, faster on the layouts a scores
    table has. A categorical column is factorised on its integer codes
    (what :func:`peerimpact.scoring.score` returns); any column made of long
    runs (``outcome`` in the long table, ids in row order) is factorised on
    the first value of each run; a column repeating with a short period on
    its first period, after checking that the whole column repeats it
    exactly. Detecting either layout costs one elementwise comparison, cheap
    next to hashing millions of values.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if codes.size and codes.min() < 0:  # a missing id: the caller refuses the table
            return np.full(codes.size, -1, dtype=np.int64), np.array([], dtype=object)
        local, first = _factorize_layout(codes)
        categories = np.asarray(column.cat.categories.astype(str), dtype=object)
        return local, categories[first.astype(np.int64)]
    if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        column = column.astype(str)
    local, uniques = _factorize_layout(column.to_numpy(dtype=object))
    return local, np.asarray([str(u) for u in uniques], dtype=object)


def _factorize_layout(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of ``values``, using long runs or a short period when the column has one."""
    n = values.size
    if n < 4096:
        return _factorize(values)
    head = values[:4096]
    if np.count_nonzero(head[1:] != head[:-1]) < 512:  # the start looks like long runs: check all
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        if starts.size <= n // 8:
            codes, uniques = _factorize(values[starts])
            return np.repeat(codes, np.diff(np.r_[starts, n])), uniques
    hits = np.flatnonzero(head[1:1025] == head[0])
    if hits.size:  # the start looks periodic: check all
        period = int(hits[0]) + 1
        if n % period == 0 and bool(np.all(head[period:] == head[:-period])) and bool(
            np.all(values[period:] == values[:-period])
        ):
            codes, uniques = _factorize(values[:period])
            return np.tile(codes, n // period), uniques
    return _factorize(values)


def build_cube(scores: pd.DataFrame, definition: StudyDefinition) -> ScoreCube:
    """Turn a long scores table into a :class:`ScoreCube`.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long table with at least ``participant_id``, ``timepoint``,
        ``outcome`` and ``score`` (the output of
        :func:`peerimpact.scoring.score`), or the wide table of
        :func:`peerimpact.scoring.score_wide` (``participant_id``,
        ``timepoint`` and one numeric column per outcome), which is much
        cheaper to read: it has one row per response row, not per outcome.
    definition : StudyDefinition
        Gives the timepoints and their order.

    Raises
    ------
    UserInputError
        When a column is missing, a timepoint is not declared in
        ``study.yaml``, an id is empty, a participant has two scores for
        the same outcome and timepoint, or a wide outcome column is not
        numeric.
    """
    if "outcome" not in scores.columns and "score" not in scores.columns:
        return _build_from_wide(scores, definition)
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise UserInputError(f"scores table lacks column(s): {', '.join(missing)}")
    timepoints = definition.timepoint_ids
    o_codes, outcomes = _codes(scores["outcome"])
    p_codes, participants = _codes(scores["participant_id"])
    t_raw, t_uniques = _codes(scores["timepoint"])
    for col, codes in (("participant_id", p_codes), ("timepoint", t_raw), ("outcome", o_codes)):
        if len(codes) and codes.min() < 0:  # factorize codes missing values as -1
            raise UserInputError(f"scores table has an empty {col}")
    unknown = [t for t in t_uniques if t not in timepoints]
    if unknown:
        raise UserInputError(
            f"scores table has timepoint(s) not declared in study.yaml: {', '.join(sorted(map(str, unknown)))}"
        )
    t_map = np.array([timepoints.index(t) for t in t_uniques], dtype=np.int64)
    t_codes = t_map[t_raw] if len(t_raw) else t_raw
    n_o, n_p, n_t = len(outcomes), len(participants), len(timepoints)
    flat = (o_codes * n_t + t_codes) * n_p + p_codes
    seen = np.zeros(n_o * n_p * n_t, dtype=bool)
    seen[flat] = True
    if int(np.count_nonzero(seen)) < len(flat):  # some cell was written twice
        counts = np.bincount(flat, minlength=seen.size)
        dup = int(np.flatnonzero(counts > 1)[0])
        o, rest = divmod(dup, n_t * n_p)
        t, p = divmod(rest, n_p)
        raise UserInputError(
            f"scores table has more than one score for participant {participants[p]!r}, "
            f"timepoint {timepoints[t]!r}, outcome {outcomes[o]!r}"
        )
    values = np.full(n_o * n_p * n_t, np.nan)
    score = pd.to_numeric(scores["score"], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    values[flat] = score
    return ScoreCube(
        outcomes=[str(o) for o in outcomes],
        participant_ids=participants,
        timepoints=list(timepoints),
        values=values.reshape(n_o, n_t, n_p),
    )


def _build_from_wide(scores: pd.DataFrame, definition: StudyDefinition) -> ScoreCube:
    missing = [c for c in ("participant_id", "timepoint") if c not in scores.columns]
    if missing:
        raise UserInputError(f"scores table lacks column(s): {', '.join(missing)}")
    outcomes = [str(c) for c in scores.columns if c not in ("participant_id", "timepoint")]
    if not outcomes:
        raise UserInputError(
            "scores table has neither outcome and score columns (long form) nor one column per outcome (wide form)"
        )
    for c in outcomes:
        if not pd.api.types.is_numeric_dtype(scores[c].dtype):
            raise UserInputError(f"wide scores column {c!r} is not numeric")
    timepoints = definition.timepoint_ids
    p_codes, participants = _codes(scores["participant_id"])
    t_raw, t_uniques = _codes(scores["timepoint"])
    for col, codes in (("participant_id", p_codes), ("timepoint", t_raw)):
        if len(codes) and codes.min() < 0:
            raise UserInputError(f"scores table has an empty {col}")
    unknown = [t for t in t_uniques if t not in timepoints]
    if unknown:
        raise UserInputError(
            f"scores table has timepoint(s) not declared in study.yaml: {', '.join(sorted(map(str, unknown)))}"
        )
    t_codes = np.array([timepoints.index(t) for t in t_uniques], dtype=np.int64)[t_raw] if len(t_raw) else t_raw
    n_t, n_p = len(timepoints), len(participants)
    cell = t_codes * n_p + p_codes
    seen = np.zeros(n_t * n_p, dtype=bool)
    seen[cell] = True
    if int(np.count_nonzero(seen)) < len(cell):
        dup = int(np.flatnonzero(np.bincount(cell, minlength=seen.size) > 1)[0])
        t, p = divmod(dup, n_p)
        raise UserInputError(f"scores table has more than one row for participant {participants[p]!r}, "
                             f"timepoint {timepoints[t]!r}")
    values = np.full((len(outcomes), n_t * n_p), np.nan)
    for i, c in enumerate(outcomes):
        values[i, cell] = scores[c].to_numpy(dtype=float, na_value=np.nan)
    return ScoreCube(outcomes=outcomes, participant_ids=participants, timepoints=list(timepoints),
                     values=values.reshape(len(outcomes), n_t, n_p))


def summarise_cube(values: np.ndarray) -> dict[str, np.ndarray]:
    """n, mean, SD (n - 1), min and max along the last axis, ignoring NaN.

    Vectorised over the other axes, reusing one work buffer, without NumPy's
    all-NaN warnings; empty slices give NaN and SD is NaN when n < 2.
    Two-pass variance (mean first), as R's ``var``.
    """
    missing = np.isnan(values)
    n = values.shape[-1] - np.count_nonzero(missing, axis=-1)
    work = np.where(missing, 0.0, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, work.sum(axis=-1) / n, np.nan)
        np.subtract(values, mean[..., None], out=work)
        np.copyto(work, 0.0, where=missing)
        np.multiply(work, work, out=work)
        sd = np.where(n > 1, np.sqrt(work.sum(axis=-1) / (n - 1)), np.nan)
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "min": _reduce(np.fmin, values),
        "max": _reduce(np.fmax, values),
    }


def _reduce(ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
    """``ufunc.reduce`` along the last axis (fmin/fmax skip NaN; all-NaN gives NaN); NaN when that axis is empty."""
    if values.shape[-1] == 0:  # no participants: reduce has no identity to start from
        return np.full(values.shape[:-1], np.nan)
    return ufunc.reduce(values, axis=-1)

"""Reliable change (Jacobson & Truax 1991) and fixed meaningful-change criteria."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..study.definition import StudyDefinition
from .cube import ScoreCube, build_cube
from .direction import higher_is_better, meaningful_change
from .schema import RELIABLE_CHANGE

#: |RCI| above this is reliable (two-sided 5%, the conventional 1.96 of Jacobson & Truax).
RCI_CRITERION = 1.96

PARTICIPANT_COLUMNS = ["participant_id", "outcome", "from", "to", "criterion", "change", "rci", "category"]


def _alpha_lookup(reliability: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    if reliability is None or not len(reliability) or "alpha" not in reliability:
        return {}
    r = reliability.dropna(subset=["alpha"])
    return {(str(o), str(t)): float(a) for o, t, a in zip(r["outcome"], r["timepoint"], r["alpha"], strict=False)}


def _classify(change: np.ndarray, threshold: float, up_is_good: bool) -> np.ndarray:
    better = change > threshold if up_is_good else change < -threshold
    worse = change < -threshold if up_is_good else change > threshold
    return np.where(better, "improved", np.where(worse, "deteriorated", "no_change"))


def reliable_change(
    scores: pd.DataFrame,
    definition: StudyDefinition,
    reliability: pd.DataFrame | None = None,
    alphas: Mapping[str, float] | None = None,
    instruments: Mapping[str, Any] | None = None,
    comparisons: Iterable[tuple[str, str]] | None = None,
    cube: ScoreCube | None = None,
    warnings: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count reliable improvement and deterioration per outcome and comparison.

    For each comparison ``[from, to]`` and outcome, on complete pairs:
    ``RCI = (to - from) / S_diff`` with ``S_diff = sqrt(2) * SE`` and
    ``SE = SD_from * sqrt(1 - alpha)`` (Jacobson & Truax 1991), where
    ``SD_from`` is the SD (n - 1) of *every* respondent at ``from`` and
    ``alpha`` the outcome's Cronbach's alpha at ``from``. ``|RCI| > 1.96``
    is reliable change; it is an improvement or a deterioration according
    to the outcome's direction (for burnout exhaustion and
    depersonalisation, higher is worse). Beside it, for outcomes with a
    meaningful change (WEMWBS total: 3 points), criterion ``fixed_points``
    counts changes of at least that size.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long scores table.
    definition : StudyDefinition
        Timepoints and default comparisons.
    reliability : pandas.DataFrame, optional
        From :func:`peerimpact.scoring.reliability.reliability` (``outcome``,
        ``timepoint``, ``alpha``).
    alphas : mapping, optional
        Outcome -> alpha, overriding ``reliability`` (e.g. a published alpha
        for a pre-scored outcome).
    instruments : mapping, optional
        ``study.instruments``, for the direction and meaningful change.
    comparisons : iterable of (from, to), optional
        Overrides ``definition.comparison_pairs``.
    cube : ScoreCube, optional
    warnings : list of str, optional
        Receives a message when alpha is unavailable or a direction unknown.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The counts (fields of ``reliable_change`` in
        ``docs/results-schema.md``) and one row per participant, outcome,
        comparison and criterion (``participant_id, outcome, from, to,
        criterion, change, rci, category``); ``change`` and ``rci`` are
        ``to - from``, or ``from - to`` with ``change_direction:
        earlier_minus_later`` (the categories follow the scale either way).

    Notes
    -----
    Checked against the same formula evaluated in R on the oracle data
    (``tests/oracle/quant_change.R``).
    """
    cube = cube if cube is not None else build_cube(scores, definition)
    pairs = list(definition.comparison_pairs if comparisons is None else comparisons)
    alpha_of = _alpha_lookup(reliability)
    messages = warnings if warnings is not None else []
    rows, people = [], []
    warned: set[str] = set()
    no_alpha: dict[str, None] = {}
    for a, b in pairs:
        ia, ib = cube.timepoint_index(a), cube.timepoint_index(b)
        for io, outcome in enumerate(cube.outcomes):
            up, known = higher_is_better(outcome, instruments)
            if not known and outcome not in warned:
                warned.add(outcome)
                messages.append(f"reliable change {outcome}: direction unknown, higher assumed better")
            x_all, y_all = cube.values[io, ia], cube.values[io, ib]
            both = ~np.isnan(x_all) & ~np.isnan(y_all)
            change = y_all[both] - x_all[both]
            ids = cube.participant_ids[both]
            x_obs = x_all[~np.isnan(x_all)]
            sd_from = float(np.std(x_obs, ddof=1)) if x_obs.size > 1 else np.nan
            alpha = float(alphas[outcome]) if alphas and outcome in alphas else alpha_of.get((outcome, a), np.nan)
            s_diff = float(np.sqrt(2.0) * sd_from * np.sqrt(1.0 - alpha)) if np.isfinite(alpha) else np.nan
            record = {
                "outcome": outcome,
                "from": a,
                "to": b,
                "criterion": "jacobson_truax",
                "higher_is_better": up,
                "n": int(change.size),
                "sd_from": sd_from,
                "alpha": alpha,
                "s_diff": s_diff,
                "threshold": RCI_CRITERION * s_diff,
                "improved": None,
                "no_change": None,
                "deteriorated": None,
            }
            if np.isfinite(s_diff) and s_diff > 0:
                rci = change / s_diff
                cat = _classify(rci, RCI_CRITERION, up)
                record.update({k: int(np.sum(cat == k)) for k in ("improved", "no_change", "deteriorated")})
                people.append(pd.DataFrame({"participant_id": ids, "outcome": outcome, "from": a, "to": b,
                                            "criterion": "jacobson_truax", "change": change, "rci": rci, "category": cat}))
            elif change.size and not np.isfinite(alpha):
                no_alpha.setdefault(outcome, None)
            elif change.size:
                messages.append(f"reliable change {outcome} {a}->{b}: not computed, the SD of {a} or 1 - alpha is not positive")
            rows.append(record)
            points = meaningful_change(outcome, instruments)
            if points is not None:
                # "at least" the points: a strict test against a threshold a hair
                # below them, so that 53.2 - 50.2 (2.9999999999999964) counts.
                cat = _classify(change, points * (1 - 1e-9), up)
                rows.append({
                    "outcome": outcome, "from": a, "to": b, "criterion": "fixed_points", "higher_is_better": up,
                    "n": int(change.size), "sd_from": np.nan, "alpha": np.nan, "s_diff": np.nan, "threshold": points,
                    **{k: int(np.sum(cat == k)) for k in ("improved", "no_change", "deteriorated")},
                })
                people.append(pd.DataFrame({"participant_id": ids, "outcome": outcome, "from": a, "to": b,
                                            "criterion": "fixed_points", "change": change, "rci": np.nan, "category": cat}))
    if no_alpha:
        messages.append(f"reliable change not computed for {len(no_alpha)} outcome(s) without a reliability (alpha), "
                        f"e.g. pre-scored ones: {', '.join(no_alpha)}")
    counts = pd.DataFrame(rows, columns=RELIABLE_CHANGE.columns)
    for c in ("improved", "no_change", "deteriorated"):
        counts[c] = counts[c].astype("Int64")
    per_person = pd.concat(people, ignore_index=True) if people else pd.DataFrame(columns=PARTICIPANT_COLUMNS)
    if getattr(definition, "change_direction", "later_minus_earlier") == "earlier_minus_later" and len(per_person):
        # the categories follow the scale; only the printed sign of each change follows the study's setting
        per_person = per_person.assign(change=-per_person["change"], rci=-per_person["rci"])
    return counts, per_person[PARTICIPANT_COLUMNS]

"""Attrition: who completed each timepoint, and how those lost differed at baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..study.definition import StudyDefinition
from .cube import ScoreCube, build_cube
from .demographics import demographics
from .schema import ATTRITION_CHARACTERISTICS, ATTRITION_SCORES, COMPLETION

GROUPS = ("followed_up", "not_followed_up")


def completed_matrix(cube: ScoreCube, participant_ids: list[str]) -> np.ndarray:
    """Boolean (participants x timepoints): at least one non-missing score.

    Rows follow ``participant_ids``; participants without any score row are
    all False.
    """
    any_score = (~np.isnan(cube.values)).any(axis=0).T  # participants x timepoints
    pos = {p: i for i, p in enumerate(cube.participant_ids)}
    out = np.zeros((len(participant_ids), len(cube.timepoints)), dtype=bool)
    for r, p in enumerate(participant_ids):
        i = pos.get(p)
        if i is not None:
            out[r] = any_score[i]
    return out


def attrition(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    definition: StudyDefinition,
    cube: ScoreCube | None = None,
) -> dict[str, pd.DataFrame]:
    """Completion by timepoint and site; baseline profile of those followed up or not.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long scores table.
    participants : pandas.DataFrame
        ``study.participants`` (ids, site, demographic columns).
    definition : StudyDefinition
        Timepoints, baseline, sites and demographics.
    cube : ScoreCube, optional

    Returns
    -------
    dict of pandas.DataFrame
        ``completion``, ``baseline_scores`` and ``baseline_characteristics``
        (fields in ``docs/results-schema.md`` under ``attrition``). A
        participant completed a timepoint when they have at least one
        non-missing score there; for each timepoint after the baseline,
        ``followed_up`` are those who completed it.

    Notes
    -----
    Baseline means and SDs by group are checked against R's ``mean`` and
    ``sd`` in ``tests/oracle/quant_descriptives.R``; counts by hand-made
    tables in ``tests/quant/test_attrition.py``.
    """
    cube = cube if cube is not None else build_cube(scores, definition)
    ids = [str(p) for p in participants["participant_id"]]
    sites = participants["site"].astype(str).to_numpy()
    done = completed_matrix(cube, ids)
    rows = []
    for site in ["all", *definition.site_ids]:
        mask = np.ones(len(ids), bool) if site == "all" else sites == site
        n = int(mask.sum())
        for j, t in enumerate(cube.timepoints):
            k = int(done[mask, j].sum())
            rows.append({"site": site, "timepoint": t, "n_participants": n, "n_completed": k,
                         "percent": 100.0 * k / n if n else np.nan})
    completion = pd.DataFrame(rows, columns=COMPLETION.columns)

    base = cube.timepoint_index(definition.baseline_id)
    pos = {p: i for i, p in enumerate(cube.participant_ids)}
    rows_idx = np.array([pos.get(p, -1) for p in ids], dtype=np.int64)  # int even with no participants
    score_rows, char_frames = [], []
    for j, t in enumerate(cube.timepoints):
        if j <= base:  # only timepoints after the baseline
            continue
        followed = done[:, j]
        for group, member in zip(GROUPS, (followed, ~followed), strict=False):
            sel = rows_idx[member & (rows_idx >= 0)]
            for io, outcome in enumerate(cube.outcomes):
                x = cube.values[io, base, sel]
                x = x[~np.isnan(x)]
                score_rows.append({"follow_up": t, "group": group, "outcome": outcome, "n": int(x.size),
                                   "mean": float(x.mean()) if x.size else np.nan,
                                   "sd": float(np.std(x, ddof=1)) if x.size > 1 else np.nan})
            table = demographics(participants[member], definition)
            char_frames.append(table.assign(follow_up=t, group=group))
    baseline_scores = pd.DataFrame(score_rows, columns=ATTRITION_SCORES.columns).astype({"n": np.int64})
    # rows, not pd.concat: a group with no members gives all-NA columns, whose dtype concat is deprecating
    records = [r for frame in char_frames for r in frame.to_dict("records")]
    chars = pd.DataFrame(records, columns=list(char_frames[0].columns) if char_frames else ATTRITION_CHARACTERISTICS.columns)
    return {
        "completion": completion.astype({"n_participants": np.int64, "n_completed": np.int64}),
        "baseline_scores": baseline_scores,
        "baseline_characteristics": chars[ATTRITION_CHARACTERISTICS.columns],
    }

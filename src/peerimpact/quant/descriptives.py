"""Table 3: outcome summaries per timepoint, against norms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..study.definition import StudyDefinition
from .cube import ScoreCube, build_cube, instrument_of, summarise_cube
from .rstats import difference_from_norm
from .schema import DESCRIPTIVES


def descriptives(
    scores: pd.DataFrame,
    definition: StudyDefinition,
    norms: pd.DataFrame | None = None,
    cube: ScoreCube | None = None,
) -> pd.DataFrame:
    """Table 3: n, mean, SD, min, max per outcome and timepoint, with norms.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long scores table (``participant_id, timepoint, outcome, score``).
    definition : StudyDefinition
        The study definition (timepoint order).
    norms : pandas.DataFrame, optional
        From :func:`peerimpact.quant.norms.norms_for`; outcomes without a
        norm get NaN norm fields and NaN standardised differences.
    cube : ScoreCube, optional
        A cube already built from ``scores`` (saves time).

    Returns
    -------
    pandas.DataFrame
        Fields of ``descriptives`` in ``docs/results-schema.md``: one row per
        outcome (in order of appearance) and timepoint (by month), including
        timepoints with no scores (n = 0).

    Notes
    -----
    Means, SDs, minima and maxima are checked against R's ``mean``, ``sd``,
    ``min`` and ``max``; the standardised difference and its CI against
    ``t.test(x, mu = norm_mean)`` (one-sample) and the Welch formula
    evaluated in R, in ``tests/oracle/quant_descriptives.R``.
    """
    cube = cube if cube is not None else build_cube(scores, definition)
    s = summarise_cube(cube.values)  # each (n_outcomes, n_timepoints)
    n_o, n_t = len(cube.outcomes), len(cube.timepoints)
    out = pd.DataFrame(
        {
            "outcome": np.repeat(cube.outcomes, n_t),
            "instrument": np.repeat([instrument_of(o) for o in cube.outcomes], n_t),
            "timepoint": np.tile(cube.timepoints, n_o),
            "n": s["n"].ravel().astype(np.int64),
            "mean": s["mean"].ravel(),
            "sd": s["sd"].ravel(),
            "min": s["min"].ravel(),
            "max": s["max"].ravel(),
        }
    )
    if norms is None:
        norms = pd.DataFrame(columns=["outcome", "norm_mean", "norm_sd", "norm_n", "norm_source"])
    norm_cols = ["norm_mean", "norm_sd", "norm_n", "norm_source"]
    lookup = norms.set_index("outcome")[norm_cols]
    joined = lookup.reindex(out["outcome"])
    for c in ("norm_mean", "norm_sd", "norm_n"):
        out[c] = pd.to_numeric(joined[c], errors="coerce").to_numpy(dtype=float)
    out["norm_source"] = joined["norm_source"].to_numpy(dtype=object)
    out["norm_source"] = out["norm_source"].where(out["norm_source"].notna(), None)
    diffs = [
        difference_from_norm(int(r.n), r.mean, r.sd, r.norm_mean, r.norm_sd, None if np.isnan(r.norm_n) else r.norm_n)
        for r in out[["n", "mean", "sd", "norm_mean", "norm_sd", "norm_n"]].itertuples(index=False)
    ]
    out["norm_diff"] = out["mean"] - out["norm_mean"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["std_diff"] = out["norm_diff"] / out["norm_sd"]
        out["std_diff_ci_low"] = np.array([d.ci_low for d in diffs], dtype=float) / out["norm_sd"]
        out["std_diff_ci_high"] = np.array([d.ci_high for d in diffs], dtype=float) / out["norm_sd"]
    out["std_diff_df"] = np.array([d.df for d in diffs], dtype=float)
    out["std_diff_method"] = pd.Series([d.method for d in diffs], dtype=object)
    return out[DESCRIPTIVES.columns]

"""Mixed models: change over every timepoint on every available score."""

from __future__ import annotations

import warnings as pywarnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import UserInputError
from ..study.definition import StudyDefinition
from .cube import ScoreCube, build_cube
from .reml import SINGULAR_TOL, fit_random_intercept, gls_information_inverse, satterthwaite_df
from .schema import MODELS

Engine = Literal["profiled_reml", "statsmodels"]


def _fit_statsmodels(y: np.ndarray, observed: np.ndarray, messages: list[str]) -> dict:
    """Fit with statsmodels MixedLM (``missing="drop"``), capturing its warnings."""
    import statsmodels.api as sm

    rows, levels = np.nonzero(observed)
    n_levels = observed.shape[1]
    exog = np.zeros((rows.size, n_levels))
    exog[:, 0] = 1.0
    for k in range(1, n_levels):
        exog[levels == k, k] = 1.0
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        model = sm.MixedLM(y[rows, levels], exog, groups=rows, missing="drop")
        fit = model.fit(reml=True)
    messages.extend(str(w.message).strip() for w in caught)
    if not fit.converged:
        messages.append("statsmodels MixedLM did not converge")
    fe = np.asarray(fit.fe_params)
    sigma = float(np.sqrt(fit.scale))
    sd_group = float(np.sqrt(max(float(np.asarray(fit.cov_re)[0, 0]), 0.0)))
    # statsmodels' cov_params() inverts the observed information of all
    # parameters, which differs from lme4's vcov (~1e-3 relative); use lme4's
    # sigma^2 (X'V^-1 X)^-1 at statsmodels' variance estimates instead.
    cov = fit.scale * gls_information_inverse(y, observed, sd_group / sigma if sigma > 0 else 0.0)
    return {
        "beta": fe,
        "cov": cov,
        "sigma": sigma,
        "sd_group": sd_group,
        "singular": sd_group / sigma < SINGULAR_TOL if sigma > 0 else True,
    }


def mixed_models(
    scores: pd.DataFrame,
    definition: StudyDefinition,
    engine: Engine = "profiled_reml",
    cube: ScoreCube | None = None,
    warnings: list[str] | None = None,
) -> pd.DataFrame:
    """Random-intercept model per outcome: ``score ~ timepoint + (1 | participant)``, REML.

    Every available score is used (participants need not have complete
    pairs). Timepoint is a fixed factor with the study's baseline as
    reference; timepoints without any score for an outcome are left out of
    that outcome's model (with a warning).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long scores table.
    definition : StudyDefinition
        Gives the timepoints and the baseline.
    engine : {"profiled_reml", "statsmodels"}
        ``profiled_reml`` (default): the exact closed-form profiled REML of
        :mod:`peerimpact.quant.reml`, fast for any number of participants.
        ``statsmodels``: ``statsmodels.MixedLM`` with ``missing="drop"``;
        its warnings are kept, and standard errors are lme4's
        ``sigma^2 (X'V^-1 X)^-1`` at its variance estimates (statsmodels'
        own ``cov_params()`` inverts the full observed information and
        differs from lme4 by about 1e-3 relative). Its optimiser stops
        short of the boundary in singular and near-singular fits (participant
        SD under a tenth of the residual SD), where its estimates may differ
        from lme4's by more than 1e-4 and its df by more than 10%; use it as
        a cross-check only.
    cube : ScoreCube, optional
        A cube already built from ``scores``.
    warnings : list of str, optional
        Receives convergence problems, singular fits (participant variance
        estimated at zero, lme4's ``isSingular``) and skipped models.

    Returns
    -------
    pandas.DataFrame
        Fields of ``models`` in ``docs/results-schema.md``; with
        ``change_direction: earlier_minus_later`` the estimate and its CI are
        ``reference - term`` (negated and swapped). ``df`` is
        Satterthwaite's denominator degrees of freedom (as lmerTest), ``p``
        the two-sided t test on ``df`` and ``ci_low``/``ci_high`` the interval
        ``estimate -/+ qt(0.975, df) * se``; a singular fit uses the ordinary
        least squares df, ``n_obs - n_levels``, and a fit whose participant
        variance is at the search's upper bound (residual variance near 0,
        warned) has no df, p or CI.

    Notes
    -----
    Estimates, standard errors and variance components are checked against
    ``lme4::lmer(score ~ timepoint + (1 | participant), REML = TRUE)`` to
    1e-4 in ``tests/oracle/quant_lmer.R``, for both engines, and ``df`` and
    ``p`` against ``lmerTest``'s Satterthwaite method for the default engine.
    """
    if engine not in ("profiled_reml", "statsmodels"):
        raise UserInputError(f"engine must be profiled_reml or statsmodels, not {engine!r}")
    cube = cube if cube is not None else build_cube(scores, definition)
    messages = warnings if warnings is not None else []
    base = definition.baseline_id
    order = [base] + [t for t in cube.timepoints if t != base]
    cols = [cube.timepoint_index(t) for t in order]
    rows = []
    for io, outcome in enumerate(cube.outcomes):
        values = cube.values[io][cols].T  # participants x levels
        observed = ~np.isnan(values)
        keep_levels = observed.any(axis=0)
        if not keep_levels[0]:
            messages.append(f"model {outcome}: no scores at the baseline {base!r}; no model")
            continue
        for dropped in np.flatnonzero(~keep_levels):
            messages.append(f"model {outcome}: no scores at {order[dropped]!r}; that timepoint is left out")
        levels = [order[kept] for kept in np.flatnonzero(keep_levels)]
        values, observed = values[:, keep_levels], observed[:, keep_levels]
        keep_rows = observed.any(axis=1)
        values, observed = values[keep_rows], observed[keep_rows]
        n_obs, n_groups, p = int(observed.sum()), int(observed.shape[0]), len(levels)
        if len(levels) < 2:
            messages.append(f"model {outcome}: scores at one timepoint only; no model")
            continue
        if n_groups >= n_obs:
            messages.append(
                f"model {outcome}: every participant has a single score, so participant and residual "
                "variance cannot be separated; no model"
            )
            continue
        if n_obs - p < 1:
            messages.append(f"model {outcome}: too few scores ({n_obs}) for {p} fixed effects; no model")
            continue
        local: list[str] = []
        if engine == "profiled_reml":
            fit = fit_random_intercept(values, observed)
            beta, cov, sigma, sd_group, singular = fit.beta, fit.cov_beta, fit.sigma, fit.sd_group, fit.singular
            if not fit.converged:
                local.append("the REML optimiser (Brent) did not converge")
            if fit.at_upper_bound:
                local.append("the participant variance is at the search's upper bound (residual variance near 0)")
        else:
            res = _fit_statsmodels(values, observed, local)
            beta, cov, sigma, sd_group, singular = res["beta"], res["cov"], res["sigma"], res["sd_group"], res["singular"]
        theta = 0.0 if singular else (sd_group / sigma if sigma > 0 else float("nan"))
        dfs = satterthwaite_df(values, observed, theta, sigma, at_bound=engine == "profiled_reml" and fit.at_upper_bound)
        if singular:
            local.append("boundary (singular) fit: participant SD estimated at 0; the model equals ordinary least squares")
        for msg in dict.fromkeys(local):
            messages.append(f"model {outcome}: {msg}")
        se = np.sqrt(np.diag(cov))
        for k in range(1, p):
            df = float(dfs[k])
            t = beta[k] / se[k] if se[k] > 0 else np.nan
            crit = float(stats.t.ppf(0.975, df)) if np.isfinite(df) else np.nan
            rows.append(
                {
                    "outcome": outcome,
                    "term": levels[k],
                    "reference": base,
                    "estimate": float(beta[k]),
                    "se": float(se[k]),
                    "ci_low": float(beta[k] - crit * se[k]),
                    "ci_high": float(beta[k] + crit * se[k]),
                    "df": df,
                    "p": float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) and np.isfinite(df) else np.nan,
                    "n_obs": n_obs,
                    "n_participants": n_groups,
                    "sd_participant": float(sd_group),
                    "sd_residual": float(sigma),
                    "singular": bool(singular),
                    "engine": engine,
                }
            )
    out = pd.DataFrame(rows, columns=MODELS.columns)
    if getattr(definition, "change_direction", "later_minus_earlier") == "earlier_minus_later":
        # reference minus term: the same change, in the study's chosen direction
        out["estimate"], out["ci_low"], out["ci_high"] = -out["estimate"], -out["ci_high"], -out["ci_low"]
    return out.astype({"n_obs": np.int64, "n_participants": np.int64, "singular": bool})

"""Internal consistency: Cronbach's alpha with a Feldt CI, and McDonald's omega total.

For each item-scored outcome and timepoint, the statistics use the
participants who answered every item of the outcome (complete cases), after
reverse-scoring. All three statistics are checked against R's psych package
by ``tests/oracle/alpha.R`` (golden file ``tests/oracle/golden/alpha.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..study.model import Study
from .engine import column_values, reverse_items
from .plan import OutcomePlan, outcome_plans

RELIABILITY_COLUMNS = ["outcome", "timepoint", "n", "n_items", "alpha", "alpha_ci_low", "alpha_ci_high", "omega", "warning"]
HEYWOOD_BOUND = 0.995  # psych::fa bounds uniquenesses below at 0.005


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of complete cases.

    ``alpha = k / (k - 1) * (1 - sum of item variances / variance of the total)``,
    which is psych's ``raw_alpha`` (``(1 - tr(C) / sum(C)) * k / (k - 1)``
    with ``C`` the item covariance matrix).

    Parameters
    ----------
    items : numpy.ndarray
        ``(n, k)`` responses without missing values.

    Returns
    -------
    float
        NaN when undefined (fewer than 2 rows or items, or a total score
        that does not vary).

    Notes
    -----
    Matches ``psych::alpha(x)$total$raw_alpha`` to 1e-12 on the oracle
    datasets (R: ``psych::alpha(x)$total$raw_alpha``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]])
    >>> round(cronbach_alpha(x), 12)  # R: psych::alpha(x)$total$raw_alpha
    0.948529411765
    """
    x = np.asarray(items, dtype=np.float64)
    n, k = x.shape
    if n < 2 or k < 2:
        return float("nan")
    cov = np.cov(x, rowvar=False, ddof=1)
    total = cov.sum()
    if not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval of Cronbach's alpha.

    ``1 - (1 - alpha) * F(q; n - 1, (n - 1)(k - 1))`` at ``q = 1 - p/2``
    (lower) and ``q = p/2`` (upper), as ``psych::alpha.ci``.

    Returns ``(nan, nan)`` when alpha is NaN or ``n < 2`` or ``k < 2``.

    Examples
    --------
    >>> [round(v, 12) for v in feldt_ci(0.8, 30, 10)]  # R: psych::alpha.ci(0.8, 30, 10)
    [0.673359441711, 0.891558269257]
    """
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return float("nan"), float("nan")
    p = 1.0 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - p / 2.0, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.ppf(p / 2.0, df1, df2)
    return float(low), float(high)


@dataclass(frozen=True)
class OneFactor:
    """A one-factor minres solution: loadings, and whether it hit psych's bound."""

    loadings: np.ndarray
    heywood: bool
    converged: bool


def one_factor_minres(corr: np.ndarray, tol: float = 1e-13, max_iter: int = 20_000) -> OneFactor:
    """One-factor minimum-residual (ULS) loadings by iterated principal axes.

    The minres solution minimises ``sum_{i<j} (r_ij - l_i l_j)^2``; at its
    optimum the loadings are the first principal axis of ``R`` with the
    communalities ``l_i^2`` on the diagonal, so iterating that step from the
    squared multiple correlations converges to it. As in ``psych::fa`` (which
    bounds uniquenesses below at 0.005), a communality is capped at 0.995; a
    capped item is a Heywood case and is flagged. The loadings are signed to
    sum to a positive number.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # start values only: singular R is allowed
        smc = 1.0 - 1.0 / np.diag(np.linalg.pinv(corr))
    communality = np.clip(np.nan_to_num(smc, nan=0.0), 0.0, 1.0)
    reduced = corr.copy()
    converged = False
    loadings = np.zeros(corr.shape[0])
    for _ in range(max_iter):
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
        updated = np.minimum(loadings**2, HEYWOOD_BOUND)
        if np.max(np.abs(updated - communality)) < tol:
            converged = True
            communality = updated
            break
        communality = updated
    if loadings.sum() < 0:
        loadings = -loadings
    return OneFactor(loadings, bool(np.any(communality >= HEYWOOD_BOUND)), converged)


def omega_total(items: np.ndarray) -> float:
    """McDonald's omega total from a one-factor minres solution.

    As ``psych::omega(x, nfactors = 1)$omega.tot``: with ``R`` the item
    correlation matrix (items whose loading is negative are flipped) and
    ``l`` the loadings of :func:`one_factor_minres`,
    ``omega = (sum(R) - sum(1 - l^2)) / sum(R)``.

    Returns NaN with fewer than 3 items or rows, or when an item does not vary.

    Notes
    -----
    Checked against ``psych::omega(x, nfactors = 1)$omega.tot`` (psych
    2.2.9) on the oracle datasets to 1e-6. In Heywood cases psych's
    optimiser stops at slightly different points on the boundary; there the
    two agree to about 1e-3 and the result carries a warning.
    """
    return _omega(np.asarray(items, dtype=np.float64))[0]


def _omega(x: np.ndarray) -> tuple[float, OneFactor | None]:
    n, k = x.shape
    if n < 3 or k < 3 or np.any(x.std(axis=0) == 0):
        return float("nan"), None
    corr = np.corrcoef(x, rowvar=False)
    fit = one_factor_minres(corr)
    sign = np.where(fit.loadings < 0, -1.0, 1.0)
    vt = float(sign @ corr @ sign)
    return float((vt - np.sum(1.0 - fit.loadings**2)) / vt), fit


def _item_matrix(study: Study, plan: OutcomePlan) -> np.ndarray:
    n = len(study.responses)
    lo = float(plan.instrument.response_min or 0)
    hi = float(plan.instrument.response_max or 0)
    out = np.full((n, len(plan.columns)), np.nan)
    for j, (column, present, reverse) in enumerate(zip(plan.columns, plan.present, plan.reverse)):
        if present:
            values = column_values(study.responses, column)
            out[:, j] = reverse_items(values, lo, hi) if reverse else values
    return out


def _row(plan: OutcomePlan, timepoint: str, complete: np.ndarray) -> dict[str, object]:
    n, k = complete.shape
    warnings: list[str] = []
    if n < k:
        warnings.append(f"only {n} complete responses for {k} items: alpha and omega are unreliable")
    alpha = cronbach_alpha(complete)
    if np.isnan(alpha):
        if k < 2:
            warnings.append("alpha is undefined for a single item")
        elif n < 2:
            warnings.append(f"alpha is undefined with {n} complete response{'s' if n != 1 else ''}")
        else:
            warnings.append("alpha is undefined: the total score does not vary")
    low, high = feldt_ci(alpha, n, k)
    omega, fit = _omega(complete)
    if np.isnan(omega) and k >= 3 and n >= 3:
        warnings.append("omega is undefined: an item does not vary among complete responses")
    if fit is not None and fit.heywood:
        warnings.append("omega: Heywood case (an item's communality reached the bound of 0.995), so omega is unreliable")
    if fit is not None and not fit.converged:
        warnings.append("omega: the one-factor solution did not converge")
    return {
        "outcome": plan.outcome,
        "timepoint": timepoint,
        "n": n,
        "n_items": k,
        "alpha": alpha,
        "alpha_ci_low": low,
        "alpha_ci_high": high,
        "omega": omega,
        "warning": "; ".join(warnings) if warnings else None,
    }


def reliability(study: Study, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cronbach's alpha (95% Feldt CI) and McDonald's omega total per outcome and timepoint.

    Parameters
    ----------
    study : Study
        The study; every item-scored outcome with item columns in
        ``study.responses`` is assessed (pre-scored outcomes have no items).
    scores : pandas.DataFrame, optional
        The output of :func:`peerimpact.scoring.score`; when given, only its
        outcomes are assessed.

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome``, ``timepoint``, ``n`` (complete cases used),
        ``n_items``, ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``, ``omega``
        and ``warning`` (None, or text when n is below the number of items or
        a statistic is undefined). Timepoints follow the study's order;
        timepoints without any response row are left out.

    Notes
    -----
    alpha and the Feldt CI match ``psych::alpha`` / ``psych::alpha.ci`` to
    1e-12; omega matches ``psych::omega(x, nfactors = 1)$omega.tot`` to 1e-6
    (see ``tests/scoring/test_scoring_alpha_oracle.py``).
    """
    plans = [p for p in outcome_plans(study) if not p.prescored and p.any_present]
    if scores is not None:
        wanted = set(scores["outcome"].unique())
        plans = [p for p in plans if p.outcome in wanted]
    timepoints = study.responses["timepoint"].to_numpy(dtype=object)
    rows: list[dict[str, object]] = []
    for plan in plans:
        matrix = _item_matrix(study, plan)
        for timepoint in study.definition.timepoint_ids:
            selected = timepoints == timepoint
            if not selected.any():
                continue
            block = matrix[selected]
            complete = block[~np.isnan(block).any(axis=1)]
            rows.append(_row(plan, timepoint, complete))
    frame = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    return frame.astype({"n": "int64", "n_items": "int64", "alpha": "float64", "alpha_ci_low": "float64",
                         "alpha_ci_high": "float64", "omega": "float64"})

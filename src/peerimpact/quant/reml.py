"""Exact profiled REML for the random-intercept model with a factor of timepoints.

Model: ``y_ij = x_ij' beta + b_i + e_ij`` with ``b_i ~ N(0, tau^2)``,
``e_ij ~ N(0, sigma^2)``; ``x_ij`` is treatment coding of the timepoint
(intercept = reference level). With ``gamma = tau^2 / sigma^2`` the marginal
covariance of participant i is ``sigma^2 (I + gamma J)``, whose inverse is
``(I - w_i J) / sigma^2`` with ``w_i = gamma / (1 + n_i gamma)``. Therefore

* ``X'H^-1 X = X'X - sum_i w_i c_i c_i'``, with ``c_i = X_i' 1``;
* ``X'H^-1 y = X'y - sum_i w_i s_i c_i``, with ``s_i = sum_j y_ij``;
* ``y'H^-1 y = y'y - sum_i w_i s_i^2``; ``log|H| = sum_i log(1 + n_i gamma)``.

``c_i`` and ``n_i`` depend only on which timepoints participant i answered,
so all sums collapse to one term per *pattern* of answered timepoints (at most
``2^T``), whatever the number of participants. After profiling out ``beta``
and ``sigma^2`` the REML deviance (as lme4 defines it) is

    (N - p) * (1 + log(2 pi r'H^-1 r / (N - p))) + log|H| + log|X'H^-1 X|

a function of ``theta = sqrt(gamma)`` alone (lme4's relative covariance
factor), minimised here by a grid over ``log(theta)`` then Brent's method,
and compared with the boundary ``theta = 0``. Estimates equal
``lme4::lmer(score ~ timepoint + (1 | participant), REML = TRUE)`` within
1e-7 relative on the oracle datasets (the tests require 1e-4;
``tests/oracle/quant_lmer.R``); the small remainder is lme4's optimiser
tolerance.

Cost: building the pattern statistics is one pass over the scores; each
deviance evaluation then costs O(patterns), so 20 outcomes of 100,000
participants take about a second (``bench/analyse_scale.py``), where
statsmodels' MixedLM, which loops over participants, would take hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

#: lme4's tolerance for declaring a fit singular (``isSingular(tol = 1e-4)``).
SINGULAR_TOL = 1e-4
_LOG_THETA_GRID = np.linspace(np.log(1e-4), np.log(1e4), 81)


@dataclass(frozen=True)
class RemlFit:
    beta: np.ndarray  # p fixed effects, beta[0] = reference level mean
    cov_beta: np.ndarray  # p x p
    theta: float  # tau / sigma
    sigma: float  # residual SD
    deviance: float  # REML criterion at the optimum
    n_obs: int
    n_groups: int
    at_upper_bound: bool
    converged: bool = True

    @property
    def sd_group(self) -> float:
        return self.theta * self.sigma

    @property
    def singular(self) -> bool:
        return self.theta < SINGULAR_TOL


@dataclass(frozen=True)
class _Patterns:
    count: np.ndarray  # groups with the pattern
    n: np.ndarray  # observations per group of the pattern
    c: np.ndarray  # X_i' 1 per pattern (k x p)
    s_sum: np.ndarray  # sum over groups of s_i, per pattern
    s2_sum: np.ndarray  # sum over groups of s_i^2, per pattern
    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    n_obs: int
    p: int


def _patterns(y: np.ndarray, observed: np.ndarray) -> _Patterns:
    """Sufficient statistics from a (groups x levels) array of centred scores."""
    obs = observed.astype(np.int64)
    n_levels = obs.shape[1]
    key = obs @ (1 << np.arange(n_levels, dtype=np.int64))
    uniq, inv = np.unique(key, return_inverse=True)
    yz = np.where(observed, y, 0.0)
    s = yz.sum(axis=1)
    pattern_obs = ((uniq[:, None] >> np.arange(n_levels)) & 1).astype(float)  # k x L
    n = pattern_obs.sum(axis=1)
    c = np.column_stack([n, pattern_obs[:, 1:]])  # intercept, then levels 1..L-1
    count = np.bincount(inv, minlength=uniq.size).astype(float)
    s_sum = np.bincount(inv, weights=s, minlength=uniq.size)
    s2_sum = np.bincount(inv, weights=s * s, minlength=uniq.size)
    level_n = obs.sum(axis=0).astype(float)
    level_sum = yz.sum(axis=0)
    p = n_levels
    xtx = np.zeros((p, p))
    xtx[0, 0] = level_n.sum()
    xtx[0, 1:] = xtx[1:, 0] = level_n[1:]
    xtx[np.arange(1, p), np.arange(1, p)] = level_n[1:]
    xty = np.r_[level_sum.sum(), level_sum[1:]]
    return _Patterns(count, n, c, s_sum, s2_sum, xtx, xty, float((yz * yz).sum()), int(level_n.sum()), p)


def _parts(pt: _Patterns, gamma: float) -> tuple[float, float, np.ndarray, np.ndarray]:
    """``log|H| + log|X'H^-1 X|``, ``r'H^-1 r``, ``(X'H^-1 X)^-1`` and beta at ``gamma = tau^2 / sigma^2``."""
    w = gamma / (1.0 + pt.n * gamma)
    a = pt.xtx - (pt.c * (pt.count * w)[:, None]).T @ pt.c
    b = pt.xty - pt.c.T @ (w * pt.s_sum)
    q = pt.yty - float(np.dot(w, pt.s2_sum))
    chol = np.linalg.cholesky(a)
    beta = np.linalg.solve(a, b)
    logdet = float(np.dot(pt.count, np.log1p(pt.n * gamma))) + 2.0 * float(np.log(np.diag(chol)).sum())
    return logdet, q - float(b @ beta), np.linalg.inv(a), beta


def _solve(pt: _Patterns, theta: float) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Profiled deviance, beta, (X'H^-1X)^-1 and r'H^-1r at theta."""
    logdet, rss, a_inv, beta = _parts(pt, theta * theta)
    nu = pt.n_obs - pt.p
    dev = nu * (1.0 + np.log(2.0 * np.pi * rss / nu)) + logdet
    return float(dev), beta, a_inv, rss


def gls_information_inverse(y: np.ndarray, observed: np.ndarray, theta: float) -> np.ndarray:
    """``(X'H^-1 X)^-1`` at a given ``theta``; times sigma^2 it is lme4's ``vcov``."""
    pt = _patterns(np.where(observed, y, 0.0), observed)
    return _solve(pt, theta)[2]


def fit_random_intercept(y: np.ndarray, observed: np.ndarray) -> RemlFit:
    """Fit the model by exact profiled REML.

    Parameters
    ----------
    y : numpy.ndarray
        (participants x levels) scores; level 0 is the reference. Entries
        where ``observed`` is False are ignored.
    observed : numpy.ndarray
        Boolean mask of the same shape. Every row must have at least one
        observation and every level at least one.

    Returns
    -------
    RemlFit
        ``beta[0]`` is the reference mean, ``beta[k]`` the difference of
        level k from it; ``cov_beta = sigma^2 (X'H^-1 X)^-1`` as lme4's
        ``vcov``.
    """
    shift = float(y[observed].mean())
    pt = _patterns(np.where(observed, y - shift, 0.0), observed)

    def dev_log(lt: float) -> float:
        return _solve(pt, float(np.exp(lt)))[0]

    grid = np.array([dev_log(lt) for lt in _LOG_THETA_GRID])
    k = int(np.argmin(grid))
    lo = _LOG_THETA_GRID[max(k - 1, 0)]
    hi = _LOG_THETA_GRID[min(k + 1, _LOG_THETA_GRID.size - 1)]
    res = optimize.minimize_scalar(dev_log, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    theta = float(np.exp(res.x))
    dev = float(res.fun)
    dev0 = _solve(pt, 0.0)[0]
    if dev0 <= dev:
        theta, dev = 0.0, dev0
    _, beta, a_inv, rss = _solve(pt, theta)
    nu = pt.n_obs - pt.p
    sigma2 = rss / nu
    beta = beta.copy()
    beta[0] += shift
    return RemlFit(
        beta=beta,
        cov_beta=sigma2 * a_inv,
        theta=theta,
        sigma=float(np.sqrt(sigma2)),
        deviance=dev,
        n_obs=pt.n_obs,
        n_groups=int(pt.count.sum()),
        at_upper_bound=k == _LOG_THETA_GRID.size - 1,
        converged=bool(res.success),
    )


def satterthwaite_df(y: np.ndarray, observed: np.ndarray, theta: float, sigma: float, at_bound: bool = False) -> np.ndarray:
    """Satterthwaite's denominator degrees of freedom for each fixed effect, as lmerTest computes them.

    For a coefficient with variance ``v = [sigma^2 (X'H^-1 X)^-1]_kk``, a
    function of the variance parameters, ``df = 2 v^2 / (g' Cov g)`` with
    ``g`` the gradient of ``v`` and ``Cov = 2 H^-1``, ``H`` the Hessian of
    the (unprofiled) REML deviance at the estimates. As in lmerTest the
    parameters are lme4's ``(theta, sigma)``, in which the deviance stays
    smooth as ``theta`` goes to 0 (it depends on ``theta^2``); derivatives
    are central differences with Richardson extrapolation (steps ``h`` and
    ``h/2``, ``h = 3e-3 max(theta, 1)`` and ``1e-3 sigma``). Checked against
    ``lmerTest::lmer`` in ``tests/oracle/quant_lmer.R`` (datasets with
    ``theta`` from about 0.01 to above 1) and against the same formula in
    50-digit arithmetic (mpmath) in ``tests/quant/test_quant_models.py``.

    Returns NaN where the formula does not apply: a fit at the search's
    upper bound (``at_bound``, :attr:`RemlFit.at_upper_bound`: residual
    variance near 0), which is not an optimum. A singular fit (``theta`` below lme4's
    tolerance) is ordinary least squares, whose t tests have ``N - p``
    degrees of freedom; those are returned there, as lmerTest gives too.

    Parameters
    ----------
    y, observed : numpy.ndarray
        As for :func:`fit_random_intercept`.
    theta, sigma : float
        The fit's ``tau / sigma`` and residual SD.
    at_bound : bool
        Whether the fit stopped at the search's upper bound.

    Returns
    -------
    numpy.ndarray
        One df per fixed effect (``beta[0]`` first).
    """
    pt = _patterns(np.where(observed, y - float(y[observed].mean()), 0.0), observed)
    nu = pt.n_obs - pt.p
    if at_bound or not np.isfinite(theta) or not sigma > 0:
        return np.full(pt.p, np.nan)
    if theta < SINGULAR_TOL:
        return np.full(pt.p, float(nu))
    centre = np.array([theta, sigma])

    def deviance(x: np.ndarray) -> float:
        th, sg = x
        logdet, rss, _, _ = _parts(pt, th * th)
        return nu * float(np.log(sg * sg)) + logdet + rss / (sg * sg)

    def variances(x: np.ndarray) -> np.ndarray:
        th, sg = x
        return sg * sg * np.diag(_parts(pt, th * th)[2])

    def derivatives(step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = np.diag(step)
        hess = np.empty((2, 2))
        f0 = deviance(centre)
        for i in range(2):
            hess[i, i] = (deviance(centre + e[i]) - 2.0 * f0 + deviance(centre - e[i])) / step[i] ** 2
        hess[0, 1] = hess[1, 0] = (
            deviance(centre + e[0] + e[1]) - deviance(centre + e[0] - e[1])
            - deviance(centre - e[0] + e[1]) + deviance(centre - e[0] - e[1])
        ) / (4.0 * step[0] * step[1])
        grad = np.column_stack([(variances(centre + e[i]) - variances(centre - e[i])) / (2.0 * step[i]) for i in range(2)])
        return hess, grad

    step = np.array([3e-3 * max(theta, 1.0), 1e-3 * sigma])
    (h1, g1), (h2, g2) = derivatives(step), derivatives(step / 2)
    hess, grad = (4.0 * h2 - h1) / 3.0, (4.0 * g2 - g1) / 3.0  # Richardson: O(h^4)
    v = variances(centre)
    spread = np.einsum("ki,ij,kj->k", grad, np.linalg.inv(hess), grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, v**2 / spread, np.nan)

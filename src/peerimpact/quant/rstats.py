"""Test statistics computed exactly as R computes them.

Each function reproduces one R function's arithmetic, including its edge
cases, so that results can be compared with R to 1e-9 (see
``tests/oracle/quant_change.R`` and ``tests/oracle/quant_descriptives.R``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

#: Two-sided 95% intervals throughout.
CONF_LEVEL = 0.95


def mean_sd(x: np.ndarray) -> tuple[float, float]:
    """Mean and SD (n - 1 denominator, two-pass as R's ``var``) of a vector without NaN.

    NaN for an empty vector (mean) or fewer than two values (SD).
    """
    n = x.size
    if n == 0:
        return np.nan, np.nan
    mean = float(x.sum() / n)
    if n < 2:
        return mean, np.nan
    dev = x - mean
    # einsum, not np.dot: BLAS would start threads for one vector product
    return mean, float(np.sqrt(np.einsum("i,i->", dev, dev) / (n - 1)))


@dataclass(frozen=True)
class PairedT:
    """Result of :func:`paired_t` (fields NaN when R would stop with an error)."""

    n: int
    mean: float
    sd: float
    t: float
    df: float
    p: float
    ci_low: float
    ci_high: float


def paired_t(differences: np.ndarray) -> PairedT:
    """Paired t-test on differences, as R's ``t.test(to, from, paired = TRUE)``.

    Parameters
    ----------
    differences : numpy.ndarray
        ``to - from`` for each complete pair (no NaN).

    Returns
    -------
    PairedT
        ``t = mean / (sd / sqrt(n))`` with ``df = n - 1``; two-sided
        ``p = 2 * pt(-|t|, df)``; CI ``(t -/+ qt(0.975, df)) * se`` as R
        writes it. Where R stops ("not enough 'x' observations" for n < 2,
        "data are essentially constant" when ``se < 10 * eps * |mean|``)
        the statistics are NaN; when every difference is 0, R does not stop
        but returns t, p and CI NaN with ``df = n - 1``, and so does this.

    Notes
    -----
    Checked against R 4.2 ``t.test`` in ``tests/oracle/quant_change.R`` and
    against R's ``sleep`` example (``tests/quant/test_quant_rstats.py``).

    Examples
    --------
    R's ``t.test(extra ~ group, data = sleep, paired = TRUE)`` (group 1 - group 2)
    prints t = -4.0621, df = 9, p-value = 0.002833, CI -2.4598858 -0.7001142:

    >>> import numpy as np
    >>> g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    >>> g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    >>> r = paired_t(g1 - g2)
    >>> round(r.t, 4), r.df, round(r.p, 6), round(r.ci_low, 7), round(r.ci_high, 7)
    (-4.0621, 9.0, 0.002833, -2.4598858, -0.7001142)
    """
    d = np.asarray(differences, dtype=float)
    n = int(d.size)
    if n == 0:
        return PairedT(0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    mean, sd = mean_sd(d)
    if n < 2:
        return PairedT(n, mean, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    se = sd / np.sqrt(n)
    df = n - 1.0
    if se < 10 * np.finfo(float).eps * abs(mean):  # R stops: "data are essentially constant"
        return PairedT(n, mean, sd, np.nan, np.nan, np.nan, np.nan, np.nan)
    if se == 0:  # every difference 0: R returns t = 0/0 = NaN with df = n - 1
        return PairedT(n, mean, sd, np.nan, df, np.nan, np.nan, np.nan)
    t = mean / se
    q = float(special.stdtrit(df, 1 - (1 - CONF_LEVEL) / 2))  # qt(0.975, df)
    p = float(2 * special.stdtr(df, -abs(t)))  # 2 * pt(-|t|, df)
    return PairedT(n, mean, sd, float(t), df, p, float((t - q) * se), float((t + q) * se))


def partial_eta_squared(t: float, df: float) -> float:
    """Partial eta squared of the timepoint effect in a paired (two-level repeated-measures) design.

    With two timepoints the repeated-measures ANOVA's F equals the paired
    t squared, so ``eta2_partial = SS_effect / (SS_effect + SS_error) =
    t^2 / (t^2 + df)``. NaN when t is (n < 2 or constant changes). Checked
    against R's ``aov(score ~ timepoint + Error(participant / timepoint))``
    sums of squares in ``tests/oracle/quant_change.R``.

    Examples
    --------
    R's ``sleep`` data (paired t = -4.0621, df = 9); ``aov`` gives
    12.482 / (12.482 + 6.808) = 0.6470710213:

    >>> round(partial_eta_squared(-4.062127683382037, 9.0), 10)
    0.6470710213
    """
    if not np.isfinite(t) or not np.isfinite(df) or df <= 0:
        return np.nan
    return float(t * t / (t * t + df))


@lru_cache(maxsize=64)
def _signrank_cdf(n: int) -> np.ndarray:
    """``P(V <= v)`` for v = 0..n(n+1)/2 under H0 (R's ``psignrank``)."""
    top = n * (n + 1) // 2
    counts = np.zeros(top + 1, dtype=np.float64)  # exact: totals < 2**53 for n < 50
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[: top + 1 - k].copy()
    return np.cumsum(counts) / 2.0**n


@dataclass(frozen=True)
class SignedRank:
    """Result of :func:`wilcoxon_signed_rank`."""

    n: int  # pairs with a non-zero difference
    v: float  # sum of the ranks of positive differences
    p: float
    method: str | None  # "exact" | "normal_cc" | None when undefined


def _rank_sum_of_positives(d: np.ndarray) -> tuple[float, np.ndarray]:
    """V (sum of the average ranks of |d| over positive d, as R's ``rank``) and the tie-group sizes.

    One sort gives the tie groups of |d| and their average ranks; each
    group's rank is then weighted by how many positive values it holds,
    counted by binary search in the sorted positive values.
    """
    s = np.sort(np.abs(d))
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    sizes = np.diff(np.r_[starts, s.size])
    values, ranks = s[starts], starts + (sizes + 1) / 2.0
    positive = np.sort(d[d > 0])
    members = np.searchsorted(positive, values, "right") - np.searchsorted(positive, values, "left")
    return float((ranks * members).sum()), sizes


def wilcoxon_signed_rank(differences: np.ndarray, exact: bool | None = None) -> SignedRank:
    """Two-sided Wilcoxon signed-rank test, as R's ``wilcox.test(to, from, paired = TRUE)``.

    R's default behaviour, replicated step by step: zero differences are
    dropped (and their presence forbids the exact test); with ``exact=None``
    the exact distribution is used when fewer than 50 non-zero differences
    remain *and* there are no ties among their absolute values and no zeros;
    otherwise the normal approximation with tie-corrected variance and a
    continuity correction of 0.5 towards zero::

        z = (V - n(n+1)/4 - sign(V - n(n+1)/4) * 0.5) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48)
        p = 2 * min(pnorm(z), 1 - pnorm(z))

    Exact: ``p = min(1, 2 * P(V' >= V))`` if ``V > n(n+1)/4`` else
    ``min(1, 2 * P(V' <= V))``.

    Parameters
    ----------
    differences : numpy.ndarray
        ``to - from`` for each complete pair.
    exact : bool or None
        As R's ``exact`` argument.

    Returns
    -------
    SignedRank
        ``method`` is ``"exact"`` or ``"normal_cc"`` (None when there are no
        pairs, where R stops); ``p`` is NaN when every difference is zero
        (R's normal branch then divides 0 by 0).

    Notes
    -----
    Checked against R 4.2 ``wilcox.test`` in ``tests/oracle/quant_change.R``
    (exact, ties, zeros and n >= 50 cases).

    Examples
    --------
    >>> import numpy as np
    >>> wilcoxon_signed_rank(np.array([0.95, -0.4, 1.4, -0.2, 3.4, 0.05]))  # R: V = 16, p-value = 0.3125
    SignedRank(n=6, v=16.0, p=0.3125, method='exact')
    """
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        return SignedRank(0, np.nan, np.nan, None)
    zeros = bool(np.any(d == 0))
    d = d[d != 0]
    n = int(d.size)
    use_exact = (n < 50) if exact is None else exact
    if n == 0:  # every difference zero: R gives V = 0 and p = NaN from its normal branch
        return SignedRank(0, 0.0, np.nan, "normal_cc")
    v, sizes = _rank_sum_of_positives(d)
    ties = bool(np.any(sizes > 1))
    if use_exact and not ties and not zeros:
        cdf = _signrank_cdf(n)
        if v > n * (n + 1) / 4:
            p = cdf[n * (n + 1) // 2 - int(v)]  # P(V' >= v), by symmetry (as R's psignrank)
        else:
            p = cdf[int(v)]
        return SignedRank(n, v, float(min(2 * p, 1.0)), "exact")
    z = v - n * (n + 1) / 4
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(sizes.astype(float) ** 3 - sizes) / 48)
    z = (z - np.sign(z) * 0.5) / sigma
    p = 2 * min(special.ndtr(z), special.ndtr(-z))
    return SignedRank(n, v, float(p), "normal_cc")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values, as R's ``p.adjust(p, "holm")``.

    NaN entries are left NaN and do not count towards the number of tests
    (R's default ``n = length(p[!is.na(p)])``). Checked against R in
    ``tests/oracle/quant_change.R``.

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(12).tolist()  # R: p.adjust(c(.01, .04, .03), "holm")
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="mergesort")]
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out


@dataclass(frozen=True)
class MeanDifference:
    """A difference of means with its 95% CI (see :func:`difference_from_norm`)."""

    diff: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    method: str | None


def difference_from_norm(
    n: int, mean: float, sd: float, norm_mean: float, norm_sd: float, norm_n: float | None
) -> MeanDifference:
    """Difference between a sample mean and a norm, with a 95% CI.

    * ``method = "welch"`` when the norm's n is known (> 1): the Welch
      two-sample interval from summary statistics,
      ``se = sqrt(sd^2/n + norm_sd^2/norm_n)``,
      ``df = se^4 / ((sd^2/n)^2/(n-1) + (norm_sd^2/norm_n)^2/(norm_n-1))``.
    * ``method = "one_sample"`` otherwise: the norm mean is treated as a
      fixed value, ``se = sd/sqrt(n)``, ``df = n - 1`` (R's
      ``t.test(x, mu = norm_mean)``).

    The CI is ``diff -/+ qt(0.975, df) * se``. NaN (method None) when
    ``n < 2``, ``sd`` is NaN or the norm is missing.

    Checked against R in ``tests/oracle/quant_descriptives.R`` (one-sample:
    ``t.test``; Welch: the same formula evaluated by R, since R's
    ``t.test`` needs raw data for both groups).
    """
    nan = MeanDifference(np.nan, np.nan, np.nan, np.nan, np.nan, None)
    if n < 2 or not np.isfinite(sd) or not np.isfinite(norm_mean):
        return nan
    diff = mean - norm_mean
    vx = sd * sd / n
    if norm_n is not None and np.isfinite(norm_n) and norm_n > 1 and np.isfinite(norm_sd):
        vy = norm_sd * norm_sd / norm_n
        se = float(np.sqrt(vx + vy))
        df = float(se**4 / (vx * vx / (n - 1) + vy * vy / (norm_n - 1)))
        method = "welch"
    else:
        se = float(np.sqrt(vx))
        df = float(n - 1)
        method = "one_sample"
    if se == 0:
        return MeanDifference(float(diff), 0.0, df, np.nan, np.nan, method)
    q = float(special.stdtrit(df, 1 - (1 - CONF_LEVEL) / 2))
    return MeanDifference(float(diff), se, df, float(diff - q * se), float(diff + q * se), method)

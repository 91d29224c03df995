"""Constructive calibration: random shapes with exactly the published summaries.

The demo study must reproduce published figures (a mean, an SD, a total, a
minimum and a maximum) for *any* seed. Rather than searching over seeds, each
vector is drawn at random and then moved, deterministically, onto the target:
a least-norm correction satisfies the linear constraints exactly (the mean, the
mean of a subset, a covariance with an earlier wave), the random part is kept
orthogonal to them and rescaled to give the target SD, and values that leave
their bounds are pinned at the bound before solving again.

Checked by ``tests/demo/test_calibrate.py`` against numpy summaries.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

Constraint = tuple[np.ndarray, float]  # (vector v, target b) meaning v @ y == b


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator for one part of the demo (``name``), from ``seed`` only.

    Separate streams mean that changing how, say, transcripts are drawn does
    not change the questionnaire data drawn from the same seed.
    """
    key = sum((i + 1) * ord(ch) for i, ch in enumerate(name))  # stable: no hash()
    return np.random.default_rng(np.random.SeedSequence([int(seed), key]))


def calibrate(
    raw: ArrayLike,
    *,
    mean: float,
    sd: float,
    lower: ArrayLike = -np.inf,
    upper: ArrayLike = np.inf,
    constraints: Sequence[Constraint] = (),
    fixed: Mapping[int, float] | None = None,
    max_rounds: int = 100,
) -> np.ndarray:
    """Move ``raw`` onto an exact mean, SD (n - 1 denominator) and linear constraints.

    Parameters
    ----------
    raw : sequence of float
        The random shape to keep (its component orthogonal to the constraints).
    mean, sd : float
        Target mean and sample SD of the result.
    lower, upper : float or sequence
        Bounds per element; violators are pinned at the bound and the rest re-solved.
    constraints : sequence of (vector, target)
        Extra linear equalities ``vector @ y == target`` (a subset mean is
        ``(indicator, n_subset * mean)``; a covariance with ``x`` over a subset
        is ``(x - mean(x) on the subset, 0 elsewhere; (n_subset - 1) * cov)``).
    fixed : mapping of index to value, optional
        Elements held at given values (e.g. the published minimum and maximum).

    Returns
    -------
    numpy.ndarray
        Floats meeting every constraint exactly (to rounding error) and within
        bounds; if bounds make the SD unreachable, the SD is as close as the
        bounds allow.
    """
    y0 = np.asarray(raw, dtype=float)
    n = y0.size
    lo = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
    hi = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
    vectors = [np.ones(n)] + [np.asarray(v, dtype=float) for v, _ in constraints]
    targets = np.array([n * mean] + [float(b) for _, b in constraints])
    pinned = np.zeros(n, dtype=bool)
    values = np.zeros(n)
    for i, v in (fixed or {}).items():
        pinned[i] = True
        values[i] = v
    ss_target = (n - 1) * sd**2
    for _ in range(max_rounds):
        free = ~pinned
        V = np.array([v[free] for v in vectors])
        b = targets - np.array([v[pinned] @ values[pinned] for v in vectors])
        pinv = np.linalg.pinv(V)
        c = pinv @ b
        w = y0[free] - pinv @ (V @ y0[free])
        centred = c - mean  # lies in the row space, because ones(n) is a constraint
        need = ss_target - ((values[pinned] - mean) ** 2).sum() - centred @ centred
        ww = w @ w
        scale = np.sqrt(max(need, 0.0) / ww) if ww > 0 else 0.0
        y_free = c + scale * w
        low, high = y_free < lo[free] - 1e-9, y_free > hi[free] + 1e-9
        idx = np.flatnonzero(free)
        values[idx] = y_free
        if not (low.any() or high.any()):
            return values
        values[idx[low]] = lo[free][low]
        values[idx[high]] = hi[free][high]
        pinned[idx[low | high]] = True
    return np.clip(values, lo, hi)


def subset_mean(mask: np.ndarray, target: float) -> Constraint:
    """Constraint: the mean over ``mask`` equals ``target``."""
    ind = np.asarray(mask, dtype=float)
    return ind, float(ind.sum() * target)


def covariance_with(x: np.ndarray, mask: np.ndarray, cov: float) -> Constraint:
    """Constraint: the sample covariance of ``y`` with ``x`` over ``mask`` equals ``cov``."""
    mask = np.asarray(mask, dtype=bool)
    v = np.zeros(x.size)
    v[mask] = x[mask] - x[mask].mean()
    return v, float((mask.sum() - 1) * cov)


def round_to_total(values: ArrayLike, total: int, lower: int, upper: int) -> np.ndarray:
    """Round to integers within ``[lower, upper]`` whose sum is exactly ``total``.

    Largest-remainder rounding; then single steps on the elements furthest
    from their target until the total is met.
    """
    x = np.clip(np.asarray(values, dtype=float), lower, upper)
    out = np.floor(x).astype(int)
    rest = x - out
    short = total - int(out.sum())
    order = np.argsort(-rest, kind="stable")
    for i in order[: max(short, 0)]:
        if out[i] < upper:
            out[i] += 1
    diff = total - int(out.sum())
    while diff != 0:
        gap = x - out
        if diff > 0:
            cand = np.where(out < upper, gap, -np.inf)
            out[int(np.argmax(cand))] += 1
        else:
            cand = np.where(out > lower, gap, np.inf)
            out[int(np.argmin(cand))] -= 1
        diff = total - int(out.sum())
    return out


def integers_with(
    rng: np.random.Generator, n: int, minimum: int, maximum: int, total: int, sigma: float = 0.8
) -> np.ndarray:
    """``n`` skewed integers with exactly this minimum, maximum and total (random order).

    One element is the minimum, one the maximum; the others are lognormal
    shapes scaled to the remaining total and kept strictly inside the range.
    """
    rest_total = total - minimum - maximum
    shape = rng.lognormal(0.0, sigma, n - 2)
    inner_lo, inner_hi = minimum, maximum
    scaled = shape / shape.sum() * rest_total
    for _ in range(50):  # rescale the unclipped part after clipping
        clipped = np.clip(scaled, inner_lo, inner_hi)
        free = (clipped > inner_lo) & (clipped < inner_hi)
        gap = rest_total - clipped.sum()
        if abs(gap) < 1e-9 or not free.any():
            break
        clipped[free] *= 1 + gap / clipped[free].sum()
        scaled = clipped
    inner = round_to_total(scaled, rest_total, inner_lo, inner_hi)
    out = np.concatenate([[minimum, maximum], inner])
    return out[rng.permutation(n)]

"""Krippendorff's alpha (nominal) and Cohen's kappa from counts, computed exactly.

Both are computed with integer or rational arithmetic and converted to float
once, at the end; nothing is rounded.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Iterable, Sequence


def kappa_2x2(n11: int, n10: int, n01: int, n00: int) -> float:
    """Cohen's kappa of a 2×2 table (``n10``: first rater yes, second no).

    Uses the closed form ``2(ad - bc) / ((a+b)(b+d) + (a+c)(c+d))``, which
    equals ``(p_o - p_e) / (1 - p_e)``. Returns NaN when chance agreement is 1
    (both raters gave one and the same category to every unit), where kappa
    is undefined. Checked against R (``psych::cohen.kappa`` and a base-R
    function in ``tests/oracle/qual_agreement.R``) and against hand-worked
    tables in ``tests/qual/test_alpha.py``.

    >>> kappa_2x2(5, 5, 5, 5)
    0.0
    >>> kappa_2x2(10, 0, 0, 90)
    1.0
    """
    a, b, c, d = (int(x) for x in (n11, n10, n01, n00))
    den = (a + b) * (b + d) + (a + c) * (c + d)
    if den == 0:
        return math.nan
    return float(Fraction(2 * (a * d - b * c), den))


def percent_agreement(n11: int, n10: int, n01: int, n00: int) -> float:
    """Percentage of units on which both raters agree (``100 (a + d) / n``); NaN without units."""
    n = n11 + n10 + n01 + n00
    return math.nan if n == 0 else float(Fraction(100 * (n11 + n00), n))


def alpha_nominal(patterns: Iterable[tuple[int, Sequence[int]]]) -> tuple[float, int]:
    """Krippendorff's alpha for nominal data from unit value patterns.

    Parameters
    ----------
    patterns : iterable of (weight, counts)
        ``counts[v]`` is how many coders gave value ``v`` to a unit; ``weight``
        is how many units share that pattern. Units with fewer than two values
        are not pairable and are ignored.

    Returns
    -------
    (alpha, n_pairable_values)
        ``alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``
        from the coincidence matrix ``o`` (Krippendorff 2011, "Computing
        Krippendorff's alpha-reliability"). NaN when fewer than two values are
        pairable or when only one value occurs (no variation). Checked against
        the PyPI ``krippendorff`` package and a base-R implementation.
    """
    grouped: dict[tuple[int, ...], int] = {}
    for weight, counts in patterns:
        key = tuple(int(x) for x in counts)
        grouped[key] = grouped.get(key, 0) + int(weight)
    coincidence: dict[tuple[int, int], Fraction] = {}
    k = 0
    for counts, weight in grouped.items():
        m = sum(counts)
        k = max(k, len(counts))
        if m < 2 or weight == 0:
            continue
        for c, nc in enumerate(counts):
            if nc == 0:
                continue
            for d, nd in enumerate(counts):
                pairs = nc * (nd - (1 if c == d else 0))
                if pairs:
                    coincidence[(c, d)] = coincidence.get((c, d), Fraction(0)) + Fraction(weight * pairs, m - 1)
    marg = [sum((v for (c, _), v in coincidence.items() if c == i), Fraction(0)) for i in range(k)]
    n = sum(marg, Fraction(0))
    if n < 2:
        return math.nan, int(n)
    disagree = sum((v for (c, d), v in coincidence.items() if c != d), Fraction(0))
    expected = sum((marg[c] * marg[d] for c in range(k) for d in range(k) if c != d), Fraction(0))
    if expected == 0:
        return math.nan, int(n)
    return float(1 - (n - 1) * disagree / expected), int(n)

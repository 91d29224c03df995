"""Number formatting for reports: the only place numbers are rounded.

Conventions (stated in the report's notes): a true minus sign (U+2212) for
negative values, an em dash for a value that is not available, p values to
three decimals with ``< 0.001`` below that, 95% CIs as ``low to high``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

MINUS = "\u2212"
MISSING = "\u2014"  # em dash
EN_DASH = "\u2013"


def is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def num(x: Any, dp: int = 2) -> str:
    """``x`` rounded to ``dp`` decimals, half away from zero on its shortest decimal form.

    ``2.25`` prints as ``2.3`` (as a reader rounding the digits would), not
    ``2.2`` as binary round-half-even gives.

    >>> num(-0.5, 2), num(float("nan")), num(3, 0), num(2.25, 1), num(-2.25, 1), num(-3.2e30, 1)
    ('\u22120.50', '\u2014', '3', '2.3', '\u22122.3', '\u22123.2e+30')
    """
    if is_missing(x):
        return MISSING
    value = float(x)
    if math.isinf(value):
        return ("" if value > 0 else MINUS) + "\u221e"
    if abs(value) >= 1e12:  # a degenerate estimate (e.g. a CI on ~0 df): scientific, not hundreds of digits
        text = f"{value:.{max(dp, 1)}e}"
        return MINUS + text[1:] if text.startswith("-") else text
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    text = f"{exact:.{dp}f}"
    if text.startswith("-"):
        # "-0.00" is zero: drop the sign
        body = text[1:]
        return body if float(body) == 0 else MINUS + body
    return text


def count(x: Any) -> str:
    """An integer count; em dash when missing.

    >>> count(20.0), count(None)
    ('20', '\u2014')
    """
    if is_missing(x):
        return MISSING
    return str(int(round(float(x))))


def plural(n: Any, word: str, plural_form: str | None = None) -> str:
    """A count with its noun, zero in words: ``no participants``, ``1 site``, ``3 sites``.

    >>> plural(0, "worker"), plural(1, "site"), plural(3, "entry", "entries")
    ('no workers', '1 site', '3 entries')
    """
    k = int(round(float(n)))
    noun = word if k == 1 else (plural_form or word + "s")
    return f"{'no' if k == 0 else k} {noun}"


def count_or_none(x: Any) -> str:
    """A count for running text: ``none`` for zero, otherwise :func:`count`.

    >>> count_or_none(0), count_or_none(4.0)
    ('none', '4')
    """
    return "none" if not is_missing(x) and int(round(float(x))) == 0 else count(x)


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (for a sentence starting with a word such as ``no``).

    >>> sentence("no workers recorded contacts.")
    'No workers recorded contacts.'
    """
    return text[:1].upper() + text[1:]


def pct(x: Any, dp: int = 0) -> str:
    """A percentage without the sign, e.g. ``66``.

    >>> pct(65.625)
    '66'
    """
    return num(x, dp)


def p_value(p: Any) -> str:
    """Two-sided p to three decimals; ``< 0.001`` below 0.001.

    >>> p_value(0.0004), p_value(0.01234), p_value(float("nan"))
    ('< 0.001', '0.012', '\u2014')
    """
    if is_missing(p):
        return MISSING
    value = float(p)
    if value < 0.001:
        return "< 0.001"
    return f"{value:.3f}"


def ci(low: Any, high: Any, dp: int = 2) -> str:
    """``low to high``; em dash when either end is missing.

    >>> ci(-1.234, 0.5, 2)
    '\u22121.23 to 0.50'
    """
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{num(low, dp)} to {num(high, dp)}"


def mean_sd(mean: Any, sd: Any, dp: int = 2) -> str:
    """``mean (SD)``.

    >>> mean_sd(49.8125, 9.0712, 1)
    '49.8 (9.1)'
    """
    if is_missing(mean):
        return MISSING
    return f"{num(mean, dp)} ({num(sd, dp)})"


def value_range(lo: Any, hi: Any, dp: int = 2) -> str:
    """``min–max`` with an en dash.

    >>> value_range(28, 70, 0)
    '28\u201370'
    """
    if is_missing(lo) or is_missing(hi):
        return MISSING
    return f"{num(lo, dp)}{EN_DASH}{num(hi, dp)}"


def decimals_for(values: Iterable[Any]) -> int:
    """Display decimals for a scale: 2 when every finite |value| is at most 10, else 1.

    Item-mean scales (1–5) show two decimals, sum scores (e.g. 14–70) one.

    >>> decimals_for([1.5, 4.9]), decimals_for([28, 70]), decimals_for([])
    (2, 1, 2)
    """
    finite = [abs(float(v)) for v in values if not is_missing(v)]
    return 2 if not finite or max(finite) <= 10 else 1


def range_decimals(values: Iterable[Any], dp: int) -> int:
    """0 when every finite value is a whole number (sum scores: ``28–70``), else ``dp``.

    >>> range_decimals([28.0, 70.0], 1), range_decimals([1.5, 5.0], 2)
    (0, 2)
    """
    finite = [float(v) for v in values if not is_missing(v)]
    return 0 if finite and all(v.is_integer() for v in finite) else dp


def parse_number(text: str) -> float:
    """Inverse of :func:`num` for tests and readers: accepts the true minus sign.

    >>> parse_number("\u22121.50")
    -1.5
    """
    return float(text.replace(MINUS, "-"))

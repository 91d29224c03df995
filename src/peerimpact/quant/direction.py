"""Which way is better for an outcome, and what change is meaningful.

Taken from the instrument definition (``higher_is_better`` and
``meaningful_change`` of the subscale) when the study has it, otherwise from
the small table below (the shipped instruments' values).
"""

from __future__ import annotations

from typing import Any, Mapping

#: Outcomes for which a higher score is worse (burnout exhaustion and depersonalisation).
LOWER_IS_BETTER = frozenset({"mbi_hss.emotional_exhaustion", "mbi_hss.depersonalisation"})

#: Meaningful change in points, with its source, when no instrument definition says otherwise.
MEANINGFUL_CHANGE = {
    "wemwbs.total": (3.0, "Warwick Medical School, WEMWBS frequently asked questions (about 3 points or more)"),
}


def _subscale(instruments: Mapping[str, Any] | None, outcome: str) -> Any:
    if not instruments or "." not in outcome:
        return None
    inst_id, sub_id = outcome.split(".", 1)
    inst = instruments.get(inst_id)
    for sub in getattr(inst, "subscales", None) or []:
        if getattr(sub, "id", None) == sub_id:
            return sub
    return None


def higher_is_better(outcome: str, instruments: Mapping[str, Any] | None = None) -> tuple[bool, bool]:
    """Direction of improvement for ``outcome``.

    Returns
    -------
    (bool, bool)
        ``(higher_is_better, known)``; ``known`` is False when neither the
        instrument definition nor :data:`LOWER_IS_BETTER` settles it and
        "higher is better" was assumed.
    """
    sub = _subscale(instruments, outcome)
    value = getattr(sub, "higher_is_better", None)
    if value is not None:
        return bool(value), True
    if outcome in LOWER_IS_BETTER:
        return False, True
    known = outcome.split(".", 1)[0] in {"wemwbs", "swemwbs", "mjs", "itpps", "mbi_hss"}
    return True, known


def meaningful_change(outcome: str, instruments: Mapping[str, Any] | None = None) -> float | None:
    """Size of a meaningful change for ``outcome`` in points, or None."""
    sub = _subscale(instruments, outcome)
    mc = getattr(sub, "meaningful_change", None)
    if mc is not None:
        return float(mc.value)
    if sub is None and outcome in MEANINGFUL_CHANGE:
        return MEANINGFUL_CHANGE[outcome][0]
    return None

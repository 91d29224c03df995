"""Human-readable labels for outcome, instrument, timepoint and service ids."""

from __future__ import annotations

from typing import Any

import pandas as pd


def instrument_id(outcome: str) -> str:
    """``mbi_hss.depersonalisation`` -> ``mbi_hss``."""
    return outcome.split(".", 1)[0]


def _humanise(text: str) -> str:
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class Labels:
    """Label lookups for one study (falls back to humanised ids)."""

    def __init__(self, study: Any):
        self.study = study
        self.instruments = dict(study.instruments or {})
        self.timepoints = {t.id: t for t in study.definition.timepoints}

    def instrument(self, inst: str) -> str:
        d = self.instruments.get(inst)
        return getattr(d, "name", None) or inst.upper().replace("_", "-")

    def instrument_short(self, inst: str) -> str:
        return inst.upper().replace("_", "-")

    def outcome(self, outcome: str) -> str:
        """Subscale label, e.g. ``Depersonalisation``."""
        inst, _, sub = outcome.partition(".")
        d = self.instruments.get(inst)
        if d is not None:
            try:
                return d.subscale(sub).label
            except (KeyError, AttributeError):
                pass
        return _humanise(sub or outcome)

    def outcome_long(self, outcome: str) -> str:
        """``MBI-HSS: Depersonalisation`` (just the label when it already names the instrument)."""
        short = self.instrument_short(instrument_id(outcome))
        label = self.outcome(outcome)
        return label if short in label else f"{short}: {label}"

    def timepoint(self, tp: str) -> str:
        """``T1 (Start)``; just the label when it repeats the id (``baseline`` / ``Baseline``: ``Baseline``)."""
        t = self.timepoints.get(tp)
        if t is None or not t.label:
            return tp
        if t.label.casefold() == tp.casefold() or tp.casefold() in t.label.casefold().split():
            return t.label
        return f"{tp} ({t.label})"

    def month(self, tp: str) -> float:
        return float(self.timepoints[tp].month)

    def service(self, service: str) -> str:
        for d in self.instruments.values():
            for s in getattr(d, "services", None) or []:
                if s.id == service:
                    return s.label
        return _humanise(service)

    def higher_is_better(self, outcome: str) -> bool | None:
        inst, _, sub = outcome.partition(".")
        d = self.instruments.get(inst)
        try:
            return d.subscale(sub).higher_is_better if d is not None else None
        except (KeyError, AttributeError):
            return None

    def outcome_order(self, outcomes: list[str]) -> list[str]:
        """Outcomes in the study's instrument order, then subscale order."""
        order: dict[str, int] = {}
        for d in self.instruments.values():
            for oid in getattr(d, "outcome_ids", lambda: [])():
                order.setdefault(oid, len(order))
        return sorted(dict.fromkeys(outcomes), key=lambda o: (order.get(o, len(order)), o))


def sorted_records(frame: pd.DataFrame, labels: Labels, then: str, then_order: list[str]) -> list[dict]:
    """Records of ``frame`` in outcome order, then in ``then_order`` of column ``then``."""
    order = {o: i for i, o in enumerate(labels.outcome_order([str(o) for o in frame["outcome"].unique()]))}
    rank = {t: i for i, t in enumerate(then_order)}
    return sorted(frame.to_dict("records"), key=lambda r: (order.get(r["outcome"], len(order)), rank.get(str(r[then]), len(rank)), str(r[then])))

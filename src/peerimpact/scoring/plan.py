"""What to score: one plan per outcome of every declared questionnaire.

Shared by the scoring engine and reliability, so both read exactly the same
columns with the same reverse-scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..instruments import InstrumentDefinition, Subscale
from ..study.model import Study


@dataclass(frozen=True)
class OutcomePlan:
    """How one outcome is computed from ``study.responses``.

    Attributes
    ----------
    outcome : str
        Outcome id, e.g. ``mbi_hss.depersonalisation``.
    instrument, subscale
        Its definitions.
    columns : tuple of str
        Item columns (item-scored) or the one pre-scored column.
    present : tuple of bool
        Whether each column exists in ``study.responses``.
    reverse : tuple of bool
        Whether each item is reverse-scored (``min + max - x``).
    """

    outcome: str
    instrument: InstrumentDefinition
    subscale: Subscale
    columns: tuple[str, ...]
    present: tuple[bool, ...]
    reverse: tuple[bool, ...]

    @property
    def prescored(self) -> bool:
        return self.subscale.prescored

    @property
    def n_items(self) -> int:
        return len(self.columns) if not self.prescored else 0

    @property
    def any_present(self) -> bool:
        return any(self.present)


def outcome_plans(study: Study) -> list[OutcomePlan]:
    """Plans for every outcome of every declared questionnaire, in declaration order.

    Outcomes whose columns are all absent from ``study.responses`` are
    included with ``any_present`` False; callers omit them.
    """
    columns = set(study.responses.columns)
    plans: list[OutcomePlan] = []
    for inst_id in study.definition.instruments:
        defn = study.instruments.get(inst_id)
        if defn is None or defn.kind != "questionnaire":
            continue
        for sub in defn.subscales:
            if sub.prescored:
                cols: tuple[str, ...] = (f"{defn.id}.{sub.id}",)
                rev: tuple[bool, ...] = (False,)
            else:
                cols = tuple(defn.item_column(i) for i in sub.items)
                rev = tuple(i in sub.reverse for i in sub.items)
            plans.append(
                OutcomePlan(
                    outcome=f"{defn.id}.{sub.id}",
                    instrument=defn,
                    subscale=sub,
                    columns=cols,
                    present=tuple(c in columns for c in cols),
                    reverse=rev,
                )
            )
    return plans

"""What a mapping may write to: the study columns, items and pre-scored outcomes.

Derived from the declared tables (:mod:`peerimpact.study.tables`), the study
definition and its instruments, so that a mapping is checked against the
same rules the study loader applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from ..study.definition import StudyDefinition
from ..study.tables import ABSENCE, ALLOCATIONS, CONTACTS, EMPLOYMENT, PARTICIPANTS, RESPONSES, SERVICE_USE, Table

TargetKind = Literal["id", "text", "date", "number", "enum", "flag", "category"]

TABLES: dict[str, Table] = {
    "participants": PARTICIPANTS,
    "responses": RESPONSES,
    "service_use": SERVICE_USE,
    "employment": EMPLOYMENT,
    "allocations": ALLOCATIONS,
    "contacts": CONTACTS,
    "absence": ABSENCE,
}
#: Tables whose rows belong to a timepoint.
TIMED = ("responses", "service_use")


@dataclass(frozen=True)
class Target:
    """One column a mapping can fill, with the values it accepts."""

    name: str
    kind: TargetKind
    choices: tuple[str, ...] = ()  # enum / site / category values, when restricted
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    what: str = ""  # e.g. "item 3 of wemwbs", for messages

    def check(self, value: object) -> str | None:
        """Why ``value`` (a recode's result) is not acceptable here, or None."""
        if value is None:
            return None
        if self.kind in ("number", "flag"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                try:
                    number = float(str(value))
                except ValueError:
                    return f"{value!r} is not a number"
            else:
                number = float(value)
            if (self.integer or self.kind == "flag") and not number.is_integer():
                return f"{value!r} is not a whole number"
            if self.kind == "flag" and number not in (0.0, 1.0):
                return f"{value!r} must be 0 or 1"
            if self.minimum is not None and number < self.minimum:
                return f"{value!r} is below the minimum {self.minimum:g} of {self.what or self.name}"
            if self.maximum is not None and number > self.maximum:
                return f"{value!r} is above the maximum {self.maximum:g} of {self.what or self.name}"
            return None
        if self.choices and str(value) not in self.choices:
            return f"{value!r} is not one of: {', '.join(self.choices)}"
        return None


def _column_target(col, definition: StudyDefinition) -> Target:
    if col.name == "site":
        return Target("site", "id", tuple(definition.site_ids), what="site")
    kinds: dict[str, TargetKind] = {
        "id": "id", "str": "text", "date": "date", "int": "number", "float": "number", "enum": "enum", "flag": "flag",
    }
    kind = kinds[col.kind]
    return Target(col.name, kind, tuple(col.choices), col.minimum, col.maximum, col.kind in ("int", "flag"))


def table_targets(table: str, definition: StudyDefinition, instruments: Mapping[str, Any]) -> dict[str, Target]:
    """Targets of one study table, by column name."""
    spec = TABLES[table]
    out = {c.name: _column_target(c, definition) for c in spec.columns}
    if table == "participants":
        for d in definition.demographics:
            if d.type == "continuous":
                out[d.column] = Target(d.column, "number", what=d.label)
            else:
                out[d.column] = Target(d.column, "category", tuple(d.categories or ()), what=d.label)
    elif table in TIMED:
        out["timepoint"] = Target("timepoint", "id", tuple(definition.timepoint_ids), what="timepoint")
        if table == "responses":
            out.update(response_targets(definition, instruments))
        else:
            services = service_ids(definition, instruments)
            if services:
                out["service"] = Target("service", "id", tuple(services), what="service")
    return out


def response_targets(definition: StudyDefinition, instruments: Mapping[str, Any]) -> dict[str, Target]:
    """Item columns and pre-scored outcome columns of the declared questionnaires."""
    out: dict[str, Target] = {}
    for inst_id in definition.instruments:
        inst = instruments.get(inst_id)
        if inst is None or getattr(inst, "kind", "") != "questionnaire":
            continue
        for item in inst.item_ids():
            col = inst.item_column(item)
            out.setdefault(
                col,
                Target(col, "number", minimum=inst.response_min, maximum=inst.response_max,
                       integer=bool(inst.integer_responses), what=f"{inst.column_prefix} item {item}"),
            )
        for col in inst.prescored_columns():
            lo, hi = inst.score_range(col.split(".", 1)[1])
            out.setdefault(col, Target(col, "number", minimum=lo, maximum=hi, what=col))
    return out


def service_ids(definition: StudyDefinition, instruments: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for inst_id in definition.instruments:
        inst = instruments.get(inst_id)
        if inst is not None and getattr(inst, "kind", "") == "service_use":
            out += [s for s in inst.service_ids() if s not in out]
    return out


def instrument_columns(inst, key: str) -> list[tuple[str, str]]:
    """``(id, study column)`` pairs an InstrumentSpec pattern expands to.

    ``key`` is ``item`` (item columns) or ``subscale`` (pre-scored columns).
    """
    if key == "item":
        return [(i, inst.item_column(i)) for i in inst.item_ids()]
    return [(c.split(".", 1)[1], c) for c in inst.prescored_columns()]

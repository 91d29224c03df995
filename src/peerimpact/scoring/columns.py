"""Which instrument a response column belongs to, and what values it accepts.

Both validation (raw strings) and the scoring engine (floats) read the same
column roles, so that a value the validator accepts is one the engine can
score. Column names follow two conventions:

* item columns ``<instrument>_<item>`` (``wemwbs_3``; a short form such as
  ``swemwbs`` reads its parent's columns), and
* pre-scored outcome columns ``<instrument>.<subscale>`` (``mjs.personal``),
  accepted only for subscales without an item key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

from ..instruments import InstrumentDefinition
from ..instruments.load import shipped_instruments

KEY_COLUMNS = ("participant_id", "timepoint")


@dataclass(frozen=True)
class ColumnRole:
    """What a declared response column holds.

    Attributes
    ----------
    column : str
        The column name.
    kind : {"item", "prescored"}
        An item response or a pre-scored subscale score.
    owner : str
        Name used in messages: the instrument id for an item column
        (``wemwbs``), the outcome id for a pre-scored one (``mjs.personal``).
    low, high : float
        Inclusive range of accepted values.
    integer : bool
        Whether values must be whole numbers.
    """

    column: str
    kind: Literal["item", "prescored"]
    owner: str
    low: float
    high: float
    integer: bool


def describe_ids(ids: Iterable[str]) -> str:
    """``["1", ..., "14"]`` -> ``1–14``; other lists are comma-separated."""
    ids = list(ids)
    if ids and all(i.isdigit() for i in ids):
        nums = [int(i) for i in ids]
        if nums == list(range(nums[0], nums[0] + len(nums))) and len(nums) > 2:
            return f"{nums[0]}–{nums[-1]}"
    return ", ".join(ids)


def fmt_number(value: float) -> str:
    """Format a range bound without a spurious ``.0`` (``5``, ``2.5``)."""
    return f"{value:g}"


def declared_roles(declared: Iterable[str], instruments: Mapping[str, InstrumentDefinition]) -> dict[str, ColumnRole]:
    """The response columns the declared instruments read, with their rules.

    Full forms claim their item columns before short forms, so messages name
    ``wemwbs`` rather than ``swemwbs`` when both are declared.
    """
    defs = [instruments[i] for i in declared if i in instruments and instruments[i].kind == "questionnaire"]
    defs.sort(key=lambda d: d.parent is not None)
    roles: dict[str, ColumnRole] = {}
    for defn in defs:
        lo, hi = float(defn.response_min or 0), float(defn.response_max or 0)
        owner = defn.column_prefix
        for col in defn.item_columns():
            roles.setdefault(col, ColumnRole(col, "item", owner, lo, hi, defn.integer_responses))
        for sub in defn.subscales:
            if sub.prescored:
                col = f"{defn.id}.{sub.id}"
                s_lo, s_hi = defn.score_range(sub.id)
                roles.setdefault(col, ColumnRole(col, "prescored", col, s_lo, s_hi, False))
    return roles


def known_instruments(instruments: Mapping[str, InstrumentDefinition]) -> dict[str, InstrumentDefinition]:
    """Shipped instruments overlaid with the given ones (the study's)."""
    known = dict(shipped_instruments())
    known.update(instruments)
    return known


def undeclared_column_message(column: str, declared: Iterable[str], instruments: Mapping[str, InstrumentDefinition]) -> str | None:
    """Why a column that no declared instrument reads is not accepted.

    ``None`` when the column belongs to a declared instrument that is not in
    ``instruments`` (an unknown or broken definition, reported elsewhere).
    """
    declared = set(declared)
    known = known_instruments(instruments)
    prefix = column.split(".", 1)[0] if "." in column else None
    if prefix is None:
        prefixes = [i for i in declared if column.startswith(i + "_")]
        prefix = max(prefixes, key=len) if prefixes else None
    if prefix in declared and prefix not in instruments:
        return None
    if "." in column:
        inst_id, sub_id = column.split(".", 1)
        defn = known.get(inst_id)
        if defn is None or defn.kind != "questionnaire":
            return _unknown_message()
        if inst_id not in declared:
            return f"column of instrument {inst_id!r}, which study.yaml does not declare (add it to `instruments` or remove the column)"
        try:
            sub = defn.subscale(sub_id)
        except KeyError:
            return (
                f"unknown pre-scored column: {inst_id} has no subscale {sub_id!r} "
                f"(its subscales are {', '.join(s.id for s in defn.subscales)})"
            )
        cols = ", ".join(defn.item_column(i) for i in sub.items)
        return f"pre-scored column not accepted: {inst_id} scores {sub_id!r} from its items ({cols})"
    owners = [d for d in known.values() if d.parent is None and d.kind == "questionnaire" and column.startswith(d.id + "_")]
    if not owners:
        return _unknown_message()
    defn = max(owners, key=lambda d: len(d.id))
    item = column[len(defn.id) + 1 :]
    if item in defn.item_ids():
        return f"column of instrument {defn.id!r}, which study.yaml does not declare (add it to `instruments` or remove the column)"
    if not defn.items:
        return f"unknown item column: {defn.id} has no item key; give pre-scored columns ({', '.join(defn.prescored_columns())})"
    if defn.id not in declared:
        return f"unknown item column: {defn.id} has no item {item!r}, and study.yaml does not declare {defn.id!r}"
    return f"unknown item column: {defn.id} has no item {item!r} (its items are {describe_ids(defn.item_ids())})"


def _unknown_message() -> str:
    return "unknown column: not an item column (<instrument>_<item>) or a pre-scored column (<instrument>.<subscale>) of any instrument"

"""The instrument schema: one pydantic model per YAML instrument file.

An instrument is data, not code. Each file under
``peerimpact/instruments/definitions/`` (shipped) or ``STUDY/instruments/``
(user-defined, e.g. PHQ-9, or a licensed MJS item key) is validated against
:class:`InstrumentDefinition`. The schema is documented, with a worked
example, in ``docs/instruments.md``.

Structural rules (types, required keys, unknown keys) are checked by
pydantic; rules that relate several keys (a subscale naming an item that does
not exist, a lookup table with a gap, a cut-off outside the score range) are
checked by :func:`rule_violations`, which reports *every* violation with the
key path it concerns, so that the loader can give each one its YAML line.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

INSTRUMENT_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SUBSCALE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
ITEM_ID_PATTERN = r"^[A-Za-z0-9]+$"
SERVICE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

ScoringMethod = Literal["sum", "mean", "lookup"]
KeyPath = tuple[Any, ...]


class InstrumentRuleError(ValueError):
    """Cross-key rules broken by an instrument definition.

    Carries every violation as ``(key path, message)`` so that the loader can
    report each at its own YAML line. Raised from the model validator, so
    pydantic wraps it in a ``ValidationError`` whose ``ctx["error"]`` is this
    exception.
    """

    def __init__(self, violations: list[tuple[KeyPath, str]]):
        self.violations = violations
        super().__init__("; ".join(_path_text(p) + ": " + m if p else m for p, m in violations))


def _path_text(path: KeyPath) -> str:
    """``("subscales", 0, "items")`` -> ``subscales.0.items`` (as for study.yaml)."""
    return ".".join(str(p) for p in path)


def key_path_text(path: KeyPath) -> str:
    """Public form of a key path, as shown in the ``column`` of a problem."""
    return _path_text(path)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _as_id(value: Any) -> Any:
    # YAML reads `id: 1` as an int; ids are strings everywhere else.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


class Item(_Strict):
    """One questionnaire item."""

    id: str = Field(pattern=ITEM_ID_PATTERN, description="Item id (letters and digits), e.g. `1` or `3a`; the response column is `<instrument>_<id>`.")
    text: str | None = Field(default=None, description="Item wording, only where the licence allows it to be published.")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        return _as_id(v)


class Cutoff(_Strict):
    """A threshold: scores from ``min`` up to the next cut-off's ``min`` carry ``label``.

    Cut-offs are thresholds rather than closed ranges so that prorated,
    non-integer scores always fall in exactly one band (or below the first).
    """

    label: str = Field(min_length=1, description="Band label, e.g. `high`.")
    min: float = Field(description="Lowest score of the band (inclusive); the band ends where the next cut-off starts.")
    source: str = Field(min_length=1, description="Where the threshold comes from (citation).")


class MeaningfulChange(_Strict):
    """A change in score that is considered meaningful, with its source."""

    value: float = Field(gt=0, description="Size of a meaningful change in score points.")
    source: str = Field(min_length=1, description="Citation.")


class Subscale(_Strict):
    """A scored outcome of an instrument (outcome id `<instrument>.<subscale>`)."""

    id: str = Field(pattern=SUBSCALE_ID_PATTERN, description="Subscale id (lower case, digits, `_`), e.g. `total`.")
    label: str = Field(min_length=1, description="Label shown in tables.")
    items: list[str] = Field(
        default_factory=list,
        description="Item ids scored in this subscale; empty when the item key is not available, in which case a pre-scored column `<instrument>.<subscale>` is accepted instead.",
    )
    reverse: list[str] = Field(default_factory=list, description="Item ids (of this subscale) scored in reverse: `min + max - response`.")
    method: ScoringMethod = Field(description="`sum`, `mean` or `lookup` (sum of items converted with `lookup`).")
    lookup: dict[int, float] | None = Field(
        default=None, description="For `method: lookup`: raw item sum -> score, one entry for every possible raw sum."
    )
    score_min: float | None = Field(default=None, description="Lowest possible score; derived from the items for `sum`/`mean`/`lookup` when omitted.")
    score_max: float | None = Field(default=None, description="Highest possible score; derived like `score_min`.")
    higher_is_better: bool | None = Field(default=None, description="Direction of the scale, for reports (e.g. false for burnout).")
    cutoffs: list[Cutoff] = Field(default_factory=list, description="Optional thresholds in increasing order, each with its source.")
    meaningful_change: MeaningfulChange | None = Field(default=None, description="Optional size of a meaningful change, with its source.")

    @field_validator("items", "reverse", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        return [_as_id(x) for x in v] if isinstance(v, list) else v

    @property
    def prescored(self) -> bool:
        """True when no item key is given: the score is read from a pre-scored column."""
        return not self.items

    def band(self, scores: np.ndarray) -> np.ndarray:
        """The cut-off label of each score: object array, ``None`` below the first cut-off or for NaN."""
        scores = np.asarray(scores, dtype=np.float64)
        out = np.full(scores.shape, None, dtype=object)
        for cut in self.cutoffs:  # ascending, so later (higher) bands overwrite
            out[scores >= cut.min] = cut.label
        return out


class Service(_Strict):
    """One row of a service-use schedule."""

    id: str = Field(pattern=SERVICE_ID_PATTERN, description="Service id used in `service_use.csv`.")
    label: str = Field(min_length=1, description="Label shown in tables.")
    unit: str | None = Field(default=None, description="What `count` counts, e.g. `nights` or `contacts`.")


class InstrumentDefinition(_Strict):
    """One instrument: a questionnaire (items -> subscale scores) or a service-use schedule.

    Methods give the response-column and outcome-id conventions so that no
    other module builds these names by hand.
    """

    id: str = Field(pattern=INSTRUMENT_ID_PATTERN, description="Instrument id (lower case, digits, `_`); must equal the file name without `.yaml`.")
    name: str = Field(min_length=1, description="Full name.")
    citation: str = Field(min_length=1, description="Reference for the instrument.")
    licence: str = Field(min_length=1, description="Licence note: who may use it, and whether item wording may be shared.")
    kind: Literal["questionnaire", "service_use"] = Field(default="questionnaire", description="`questionnaire` or `service_use`.")
    parent: str | None = Field(
        default=None,
        description="For a short form: the id of the full instrument whose response columns it reads (e.g. `swemwbs` reads `wemwbs_*`).",
    )
    response_min: int | None = Field(default=None, description="Lowest response value of an item.")
    response_max: int | None = Field(default=None, description="Highest response value of an item.")
    integer_responses: bool = Field(default=True, description="Whether item responses must be whole numbers.")
    anchors: dict[int, str] = Field(default_factory=dict, description="Labels of response values, e.g. `1: None of the time`.")
    recall: str | None = Field(default=None, description="Recall period as worded, e.g. `last two weeks`.")
    recall_months: float | None = Field(default=None, gt=0, description="Recall period in months (service-use schedules).")
    items: list[Item] = Field(default_factory=list, description="The items; entries may be bare ids (`[1, 2, 3]`) or `{id, text}`.")
    subscales: list[Subscale] = Field(default_factory=list, description="The scored outcomes.")
    services: list[Service] = Field(default_factory=list, description="Service-use schedule rows (kind `service_use`).")

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"id": x} if isinstance(x, (int, str)) and not isinstance(x, bool) else x for x in v]
        return v

    @model_validator(mode="after")
    def _rules(self) -> "InstrumentDefinition":
        violations = rule_violations(self)
        if violations:
            raise InstrumentRuleError(violations)
        return self

    # ------------------------------------------------------------ naming
    @property
    def column_prefix(self) -> str:
        """Prefix of response columns: the parent's id for a short form."""
        return self.parent or self.id

    @property
    def has_item_key(self) -> bool:
        """True when every subscale is scored from items (False for unlicensed templates)."""
        return bool(self.subscales) and all(not s.prescored for s in self.subscales)

    def item_column(self, item_id: str) -> str:
        """Response column of an item, e.g. ``wemwbs_3`` (``swemwbs`` item 3 -> ``wemwbs_3``)."""
        item_id = str(item_id)
        if item_id not in self.item_ids():
            raise KeyError(f"{self.id} has no item {item_id!r}")
        return f"{self.column_prefix}_{item_id}"

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item_columns(self) -> list[str]:
        """Response columns of every item, in item order."""
        return [f"{self.column_prefix}_{i.id}" for i in self.items]

    def subscale(self, subscale_id: str) -> Subscale:
        for s in self.subscales:
            if s.id == subscale_id:
                return s
        raise KeyError(f"{self.id} has no subscale {subscale_id!r}")

    def outcome_id(self, subscale_id: str) -> str:
        """Outcome id of a subscale, e.g. ``mbi_hss.depersonalisation``."""
        return f"{self.id}.{self.subscale(subscale_id).id}"

    def outcome_ids(self) -> list[str]:
        return [f"{self.id}.{s.id}" for s in self.subscales]

    def prescored_columns(self) -> list[str]:
        """Columns accepted as pre-scored outcomes: subscales without an item key."""
        return [f"{self.id}.{s.id}" for s in self.subscales if s.prescored]

    def service_ids(self) -> list[str]:
        return [s.id for s in self.services]

    def score_range(self, subscale_id: str) -> tuple[float, float]:
        """``(score_min, score_max)`` of a subscale, derived when not given."""
        sub = self.subscale(subscale_id)
        derived = _derived_range(self, sub)
        lo = sub.score_min if sub.score_min is not None else derived[0]
        hi = sub.score_max if sub.score_max is not None else derived[1]
        if lo is None or hi is None:  # pragma: no cover - excluded by rule_violations
            raise ValueError(f"{self.id}.{sub.id} has no score range")
        return float(lo), float(hi)


def _derived_range(defn: InstrumentDefinition, sub: Subscale) -> tuple[float | None, float | None]:
    lo, hi = defn.response_min, defn.response_max
    if sub.method == "lookup":
        if sub.lookup:
            return float(min(sub.lookup.values())), float(max(sub.lookup.values()))
        return None, None
    if lo is None or hi is None:
        return None, None
    if sub.method == "mean":
        return float(lo), float(hi)
    if sub.items:  # sum
        return float(lo * len(sub.items)), float(hi * len(sub.items))
    return None, None


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for v in values:
        if v in seen and v not in dupes:
            dupes.append(v)
        seen.add(v)
    return dupes


Violations = list[tuple[KeyPath, str]]


def rule_violations(defn: InstrumentDefinition) -> Violations:
    """Every cross-key rule the definition breaks, as ``(key path, message)``.

    Rules that need other instruments (the parent exists, column names do not
    collide) are checked by :func:`peerimpact.instruments.load_instruments`.
    """
    if defn.kind == "service_use":
        return _service_use_violations(defn)
    out = _questionnaire_violations(defn)
    item_ids = defn.item_ids()
    out += [(("items",), f"item {dup!r} is listed twice") for dup in _duplicates(item_ids)]
    out += [(("subscales",), f"subscale {dup!r} is listed twice") for dup in _duplicates([s.id for s in defn.subscales])]
    known = set(item_ids)
    for si, sub in enumerate(defn.subscales):
        base: KeyPath = ("subscales", si)
        out += _subscale_item_violations(sub, base, known)
        if all(item in known for item in sub.items):  # else the score range would mislead
            out += _method_violations(defn, sub, base)
    return out


def _service_use_violations(defn: InstrumentDefinition) -> Violations:
    out: Violations = []
    if not defn.services:
        out.append((("services",), "a service_use instrument needs at least one service"))
    for key in ("items", "subscales"):
        if getattr(defn, key):
            out.append(((key,), f"a service_use instrument has no {key} (it lists services)"))
    out += [(("services",), f"service {dup!r} is listed twice") for dup in _duplicates(defn.service_ids())]
    return out


def _response_range(defn: InstrumentDefinition) -> tuple[int, int] | None:
    """``(response_min, response_max)`` when both are given."""
    if defn.response_min is None or defn.response_max is None:
        return None
    return defn.response_min, defn.response_max


def _bad_range(defn: InstrumentDefinition) -> bool:
    rng = _response_range(defn)
    return rng is not None and rng[0] >= rng[1]


def _questionnaire_violations(defn: InstrumentDefinition) -> Violations:
    """The questionnaire's own keys: no services, a response range, subscales, parent, anchors."""
    out: Violations = []
    if defn.services:
        out.append((("services",), "only a service_use instrument lists services"))
    for key in ("response_min", "response_max"):
        if getattr(defn, key) is None:
            out.append(((key,), "is required for a questionnaire"))
    if _bad_range(defn):
        out.append((("response_max",), f"must be greater than response_min ({defn.response_min})"))
    if not defn.subscales:
        out.append((("subscales",), "a questionnaire needs at least one subscale"))
    if defn.parent is not None and defn.parent == defn.id:
        out.append((("parent",), "an instrument cannot be its own parent"))
    rng = _response_range(defn)
    if rng is not None:
        out += [
            (("anchors", value), f"anchor {value} is outside the response range {rng[0]}–{rng[1]}")
            for value in defn.anchors
            if not rng[0] <= value <= rng[1]
        ]
    return out


def _subscale_item_violations(sub: Subscale, base: KeyPath, known: set[str]) -> Violations:
    out: Violations = [
        (base + ("items", ii), f"subscale {sub.id!r} uses item {item!r}, which is not in the instrument's items")
        for ii, item in enumerate(sub.items)
        if item not in known
    ]
    out += [(base + ("items",), f"subscale {sub.id!r} lists item {dup!r} twice") for dup in _duplicates(sub.items)]
    out += [
        (base + ("reverse", ri), f"reverse-scored item {item!r} is not one of subscale {sub.id!r}'s items")
        for ri, item in enumerate(sub.reverse)
        if item not in sub.items
    ]
    return out


def _method_violations(defn: InstrumentDefinition, sub: Subscale, base: KeyPath) -> Violations:
    out = _lookup_violations(defn, sub, base)
    if sub.prescored and sub.reverse:
        out.append((base + ("reverse",), "reverse-scored items need the subscale's items"))
    if (sub.method == "lookup" and not sub.lookup) or _bad_range(defn):
        return out  # the score range cannot be derived; the cause is reported already
    out += _score_range_violations(defn, sub, base)
    out += _cutoff_order_violations(sub, base)
    return out


def _lookup_violations(defn: InstrumentDefinition, sub: Subscale, base: KeyPath) -> Violations:
    if sub.method != "lookup":
        if sub.lookup is not None:
            return [(base + ("lookup",), f"only method lookup takes a lookup table (this subscale uses {sub.method})")]
        return []
    out: Violations = []
    if not sub.items:
        out.append((base + ("items",), "a lookup subscale needs its items (the table converts their raw sum)"))
    if not sub.lookup:
        out.append((base + ("lookup",), "method lookup needs a lookup table (raw sum -> score)"))
        return out
    rng = _response_range(defn)
    if not sub.items or rng is None:
        return out
    n = len(sub.items)
    expected = set(range(n * rng[0], n * rng[1] + 1))
    missing = sorted(expected - set(sub.lookup))
    extra = sorted(set(sub.lookup) - expected)
    if missing:
        out.append((base + ("lookup",), "lookup table has no entry for raw sum(s) " + ", ".join(map(str, missing))))
    if extra:
        out.append((base + ("lookup",), f"lookup table has raw sum(s) outside {min(expected)}–{max(expected)}: " + ", ".join(map(str, extra))))
    if any(not math.isfinite(v) for v in sub.lookup.values()):
        out.append((base + ("lookup",), "lookup table values must be finite numbers"))
    return out


def _score_range_violations(defn: InstrumentDefinition, sub: Subscale, base: KeyPath) -> Violations:
    """The score range: given or derived, consistent with the items, holding the cut-offs."""
    out: Violations = []
    derived = _derived_range(defn, sub)
    lo = sub.score_min if sub.score_min is not None else derived[0]
    hi = sub.score_max if sub.score_max is not None else derived[1]
    for key, value in (("score_min", lo), ("score_max", hi)):
        if value is None:
            out.append((base + (key,), "is required when it cannot be derived from the items"))
    if not sub.prescored:
        what = "the lookup table" if sub.method == "lookup" else f"the {sub.method} of the items"
        for key, given, want in (("score_min", sub.score_min, derived[0]), ("score_max", sub.score_max, derived[1])):
            if given is not None and want is not None and given != want:
                out.append((base + (key,), f"{key} {given:g} does not match {what} ({want:g})"))
    if lo is None or hi is None:
        return out
    if lo >= hi:
        out.append((base + ("score_max",), f"score_max must be greater than score_min ({lo:g})"))
    out += [
        (base + ("cutoffs", ci, "min"), f"cut-off {cut.label!r} min {cut.min:g} is outside the score range {lo:g}–{hi:g}")
        for ci, cut in enumerate(sub.cutoffs)
        if not lo <= cut.min <= hi
    ]
    return out


def _cutoff_order_violations(sub: Subscale, base: KeyPath) -> Violations:
    return [
        (base + ("cutoffs", ci, "min"),
         f"cut-offs must be listed in increasing order of min: {cut.label!r} ({cut.min:g}) follows {prev.label!r} ({prev.min:g})")
        for ci, (prev, cut) in enumerate(zip(sub.cutoffs, sub.cutoffs[1:]), start=1)
        if cut.min <= prev.min
    ]

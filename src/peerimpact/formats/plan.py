"""Check a mapping against the study and expand it into per-column plans.

Static rules (no data needed): every target exists, required columns are
mapped, recodes and constants only produce values the target accepts (items
within their instrument's range, sites and timepoints declared, enum values
allowed), and wide-layout ``{timepoint}`` placeholders are used consistently.
Source rules (columns exist in the source tables) are checked by
:func:`check_sources` once the files are read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any
from typing import Mapping as TMapping

from ..errors import Problem
from ..study.yamlio import KeyPath
from .mapping import Block, ColumnSpec, InstrumentSpec, Scalar
from .mapping_load import LoadedMapping
from .source import SourceTable, canonical_text
from .targets import TABLES, TIMED, Target, instrument_columns, service_ids, table_targets

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: ``{item}`` or ``{item:02d}`` (a format spec pads item numbers) in an instrument pattern.
_ITEM = re.compile(r"\{item(?::([^{}]*))?\}")
#: The placeholder a template may use for the row's 1-based position in its source.
ROW = "row"
#: Columns that must be mapped (not nullable) per table, beyond the timepoint.
_OPTIONAL_TARGETS = {"timepoint"}


class Recode:
    """A value recode with forgiving key matching.

    Keys match a cell's canonical text exactly, then ignoring case and
    repeated spaces, then as numbers (``1`` matches ``1.0`` and ``"01"``).
    YAML reads unquoted ``Yes``/``No`` keys as booleans; those match
    ``yes``/``no``/``true``/``false``/``1``/``0``.
    """

    _TRUE = {"1", "true", "yes", "y", "on"}
    _FALSE = {"0", "false", "no", "n", "off"}

    def __init__(self, raw: dict[Any, Any], name: str | None = None):
        self.name = name
        self.values = list(raw.values())
        self.exact: dict[str, Any] = {}
        self.folded: dict[str, Any] = {}
        self.numeric: dict[float, Any] = {}
        self.bools: dict[bool, Any] = {}
        for key, value in raw.items():
            if isinstance(key, bool):
                self.bools[key] = value
                continue
            text = canonical_text(key)
            self.exact[text] = value
            self.folded.setdefault(_fold(text), value)
            number = _number(text)
            if number is not None:
                self.numeric.setdefault(number, value)

    def lookup(self, text: str) -> tuple[bool, Any]:
        if text in self.exact:
            return True, self.exact[text]
        folded = _fold(text)
        if folded in self.folded:
            return True, self.folded[folded]
        number = _number(text)
        if number is not None and number in self.numeric:
            return True, self.numeric[number]
        if self.bools:
            if folded in self._TRUE and True in self.bools:
                return True, self.bools[True]
            if folded in self._FALSE and False in self.bools:
                return True, self.bools[False]
        return False, None

    def describe(self) -> str:
        keys = list(self.exact) + [str(k).lower() for k in self.bools]
        shown = ", ".join(repr(k) for k in keys[:8]) + (", ..." if len(keys) > 8 else "")
        return (f"recode {self.name!r}" if self.name else "the recode") + f" (it knows {shown})"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None


@dataclass(frozen=True)
class FieldPlan:
    """How one study column of one block is filled."""

    target: Target
    path: KeyPath
    column: str | None = None
    value: Scalar = None
    template: str | None = None
    recode: Recode | None = None
    use: str = "code"
    date_format: str | None = None
    replace: tuple[tuple[re.Pattern[str], str], ...] = ()
    missing: frozenset[str] | None = None  # this column's own missing values (canonical text), when given
    discharge: str | None = None  # contacts.phase derived from this discharge-date column and the contact date

    def source_columns(self) -> list[str]:
        if self.column is not None:
            return [self.column]
        if self.discharge is not None:
            return [self.discharge]
        if self.template is not None:
            return [c for c in _PLACEHOLDER.findall(self.template.replace("{{", "").replace("}}", "")) if c != ROW]
        return []


@dataclass(frozen=True)
class ServicePlan:
    service: str
    used: FieldPlan
    count: FieldPlan | None


@dataclass
class BlockPlan:
    """One block, for one timepoint of a wide layout."""

    table: str
    source: str
    path: KeyPath
    fields: list[FieldPlan] = field(default_factory=list)
    services: list[ServicePlan] = field(default_factory=list)
    timepoint: str | None = None
    timepoint_column: str | None = None
    timepoint_values: dict[str, str] | None = None
    unmapped: str = "error"
    where: list[tuple[str, set[str], KeyPath]] = field(default_factory=list)
    require: list[tuple[str, KeyPath]] = field(default_factory=list)
    skip_empty: bool = True

    def referenced(self) -> list[tuple[str, KeyPath]]:
        """Every source column this plan reads, with the mapping location naming it."""
        out: list[tuple[str, KeyPath]] = []
        for f in self.fields:
            out += [(c, f.path) for c in f.source_columns()]
        for s in self.services:
            for service_field in (s.used, s.count):
                if service_field is not None:
                    out += [(c, service_field.path) for c in service_field.source_columns()]
        if self.timepoint_column:
            out.append((self.timepoint_column, self.path + ("timepoint", "column")))
        out += [(c, p) for c, _, p in self.where]
        out += list(self.require)
        return out


def _missing(values: list | None) -> frozenset[str] | None:
    return None if values is None else frozenset(canonical_text(v) for v in values) | {""}


def fill_item(pattern: str, key: str, ident: str) -> str:
    """The source column of one item: ``{item}`` -> ``3``, ``{item:02d}`` -> ``03``."""
    if key != "item":
        return pattern.replace("{" + key + "}", ident)
    return _ITEM.sub(lambda m: format(int(ident), m.group(1)) if m.group(1) else ident, pattern)


def _subst(text: str, token: str | None) -> str:
    return text if token is None else text.replace("{timepoint}", token)


def _has_tp(text: str | None) -> bool:
    return text is not None and "{timepoint}" in text


@dataclass
class Planner:
    lm: LoadedMapping
    instruments: TMapping[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.lm.problem(path, message))

    # ---------------------------------------------------------------- recodes
    def recode(self, raw: str | dict | None, path: KeyPath) -> Recode | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            named = self.lm.mapping.recodes.get(raw)
            if named is None:
                known = ", ".join(self.lm.mapping.recodes) or "none"
                self.add(path + ("recode",), f"unknown recode {raw!r} (recodes: {known})")
                return None
            return Recode(named, raw)
        return Recode(raw)

    def check_recode(self, recode: Recode | None, target: Target, path: KeyPath) -> None:
        if recode is None:
            return
        where = ("recodes", recode.name) if recode.name else path + ("recode",)
        for value in recode.values:
            why = target.check(value)
            if why:
                self.add(where, f"recode value {why} (used for {target.name})")

    # ---------------------------------------------------------------- fields
    def field_plan(self, target: Target, spec: ColumnSpec, path: KeyPath, token: str | None, default_use: str) -> FieldPlan:
        recode = self.recode(spec.recode, path)
        self.check_recode(recode, target, path)
        if spec.value is not None and recode is None:
            why = target.check(spec.value)
            if why:
                self.add(path + ("value",), why)
        return FieldPlan(
            target=target,
            path=path,
            column=_subst(spec.column, token) if spec.column is not None else None,
            value=spec.value,
            template=_subst(spec.template, token) if spec.template is not None else None,
            recode=recode,
            use=spec.use or default_use,
            date_format=spec.date_format,
            replace=tuple((re.compile(k), v) for k, v in (spec.replace or {}).items()),
            missing=_missing(spec.missing_values),
            discharge=_subst(spec.discharge_date, token) if spec.discharge_date is not None else None,
        )

    def block(self, table: str, block: Block, path: KeyPath) -> list[BlockPlan]:
        """Check one block and expand it into one plan per timepoint of a wide layout."""
        self._check_layout(table, block, path)
        self._check_timepoint_ids(block, path)
        wide = block.timepoints is not None
        if not wide:
            self._no_placeholder(block, path)
        tokens: list[tuple[str | None, str | None]] = (
            list((block.timepoints or {}).items()) if wide else [(block.timepoint.value if block.timepoint else None, None)]
        )
        plans: list[BlockPlan] = []
        for tp_id, token in tokens:
            plan = self._plan_for(table, block, path, tp_id)
            seen = self._plan_columns(table, block, path, token, plan)
            for inst_id, ispec in block.instruments.items():
                self._plan_instrument(table, inst_id, ispec, path + ("instruments", inst_id), token, plan, seen)
            self._plan_services(table, block, path, token, plan)
            for col, wanted in block.where.items():
                values = wanted if isinstance(wanted, list) else [wanted]
                plan.where.append((_subst(col, token), {canonical_text(v) for v in values}, path + ("where", col)))
            for i, col in enumerate(block.require):
                plan.require.append((_subst(col, token), path + ("require", i)))
            if tp_id is tokens[0][0]:
                self._required(table, plan, block, path)
            plans.append(plan)
        return plans

    def _check_layout(self, table: str, block: Block, path: KeyPath) -> None:
        timed = table in TIMED
        if not timed and (block.timepoint is not None or block.timepoints is not None):
            self.add(path + ("timepoint" if block.timepoint is not None else "timepoints",), f"{table} rows have no timepoint")
        if timed and block.timepoint is None and block.timepoints is None:
            self.add(path, f"{table} needs `timepoint` (long layout) or `timepoints` (wide layout)")
        if block.instruments and table != "responses":
            self.add(path + ("instruments",), "instruments can only be mapped in responses")
        if block.services and table != "service_use":
            self.add(path + ("services",), "services can only be mapped in service_use")

    def _check_timepoint_ids(self, block: Block, path: KeyPath) -> None:
        tp_ids = self.lm.definition.timepoint_ids
        known = ", ".join(tp_ids)
        if block.timepoint is not None:
            tp = block.timepoint
            if tp.value is not None and tp.value not in tp_ids:
                self.add(path + ("timepoint", "value"), f"unknown timepoint {tp.value!r} (study timepoints: {known})")
            for key, value in (tp.values or {}).items():
                if value not in tp_ids:
                    self.add(path + ("timepoint", "values", key), f"unknown timepoint {value!r} (study timepoints: {known})")
        for key in block.timepoints or {}:
            if key not in tp_ids:
                self.add(path + ("timepoints", key), f"unknown timepoint {key!r} (study timepoints: {known})")

    @staticmethod
    def _plan_for(table: str, block: Block, path: KeyPath, tp_id: str | None) -> BlockPlan:
        plan = BlockPlan(table=table, source=block.from_, path=path, skip_empty=block.skip_empty)
        if block.timepoint is not None:
            plan.timepoint = block.timepoint.value
            plan.timepoint_column = block.timepoint.column
            plan.timepoint_values = block.timepoint.values
            plan.unmapped = block.timepoint.unmapped
        elif block.timepoints is not None:
            plan.timepoint = tp_id
        return plan

    def _plan_columns(self, table: str, block: Block, path: KeyPath, token: str | None, plan: BlockPlan) -> dict[str, KeyPath]:
        targets = table_targets(table, self.lm.definition, self.instruments)
        demographics = {dm.column: dm for dm in self.lm.definition.demographics}
        seen: dict[str, KeyPath] = {}
        for name, spec in block.columns.items():
            fpath = path + ("columns", name)
            target = targets.get(name)
            if target is None or name == "timepoint" and table in TIMED:
                self._unknown_target(table, name, targets, fpath)
                continue
            seen[name] = fpath
            if spec.discharge_date is not None and (table, name) != ("contacts", "phase"):
                self.add(fpath + ("discharge_date",), "discharge_date derives contacts.phase only")
                continue
            if spec.discharge_date is not None and "date" not in block.columns:
                self.add(fpath + ("discharge_date",), "phase from a discharge date needs the contact's date mapped")
            categorical = table == "participants" and name in demographics and demographics[name].type == "categorical"
            plan.fields.append(self.field_plan(target, spec, fpath, token, "label" if categorical else "code"))
        return seen

    def _plan_instrument(self, table: str, inst_id: str, ispec: InstrumentSpec, ipath: KeyPath, token: str | None, plan: BlockPlan, seen: dict[str, KeyPath]) -> None:
        d = self.lm.definition
        inst = self.instruments.get(inst_id)
        if inst_id not in d.instruments:
            self.add(ipath, f"instrument {inst_id!r} is not declared in the study (instruments: {', '.join(d.instruments) or 'none'})")
            return
        if inst is None or inst.kind != "questionnaire":
            self.add(ipath, f"{inst_id!r} is not a questionnaire")
            return
        key = "item" if _ITEM.search(ispec.pattern) else "subscale"
        pairs = self._instrument_pairs(inst_id, inst, ispec, ipath, key)
        if not pairs:
            return
        targets = table_targets(table, d, self.instruments)
        recode = self.recode(ispec.recode, ipath)
        for ident, col in pairs:
            if col in seen:
                self.add(ipath, f"{col} is mapped twice in this block")
                continue
            seen[col] = ipath
            source_col = _subst(fill_item(ispec.pattern, key, ident), token)
            plan.fields.append(FieldPlan(target=targets[col], path=ipath + ("pattern",), column=source_col, recode=recode,
                                         use=ispec.use or "code", missing=_missing(ispec.missing_values)))
        if recode is not None:
            self.check_recode(recode, targets[pairs[0][1]], ipath)

    def _instrument_pairs(self, inst_id: str, inst: Any, ispec: InstrumentSpec, ipath: KeyPath, key: str) -> list[tuple[str, str]]:
        pairs = instrument_columns(inst, key)
        if not pairs:
            what = "items (its subscales are pre-scored: use {subscale})" if key == "item" else "pre-scored subscales (use {item})"
            self.add(ipath + ("pattern",), f"{inst_id} has no {what}")
            return []
        if ispec.items is not None:
            known = {i for i, _ in pairs}
            for bad in [i for i in ispec.items if i not in known]:
                self.add(ipath + ("items",), f"{inst_id} has no {key} {bad!r} ({', '.join(sorted(known))})")
            pairs = [(i, c) for i, c in pairs if i in ispec.items]
        m = _ITEM.search(ispec.pattern)
        if key == "item" and m and m.group(1):
            not_numbers = [i for i, _ in pairs if not i.isdigit()]
            if not_numbers:
                self.add(ipath + ("pattern",), f"{m.group(0)} pads item numbers, but {inst_id} has items that are not numbers: {', '.join(not_numbers)}")
                return []
        return pairs

    def _plan_services(self, table: str, block: Block, path: KeyPath, token: str | None, plan: BlockPlan) -> None:
        if not block.services:
            return
        targets = table_targets(table, self.lm.definition, self.instruments)
        known = service_ids(self.lm.definition, self.instruments)
        for service, sspec in block.services.items():
            spath = path + ("services", service)
            if service not in known:
                self.add(spath, f"unknown service {service!r} (services of the study's schedule: {', '.join(known) or 'none'})")
                continue
            used = self.field_plan(targets["used"], sspec.used, spath + ("used",), token, "code")
            count = self.field_plan(targets["count"], sspec.count, spath + ("count",), token, "code") if sspec.count else None
            plan.services.append(ServicePlan(service, used, count))

    def _no_placeholder(self, block: Block, path: KeyPath) -> None:
        texts: list[tuple[str | None, KeyPath]] = []
        for name, spec in block.columns.items():
            texts += [(spec.column, path + ("columns", name)), (spec.template, path + ("columns", name))]
        texts += [(s.pattern, path + ("instruments", k)) for k, s in block.instruments.items()]
        texts += [(c, path + ("where", c)) for c in block.where]
        texts += [(c, path + ("require", i)) for i, c in enumerate(block.require)]
        for k, s in block.services.items():
            for part in (s.used, s.count):
                if part is not None:
                    texts += [(part.column, path + ("services", k)), (part.template, path + ("services", k))]
        for text, p in texts:
            if _has_tp(text):
                self.add(p, "{timepoint} is only meaningful in a wide layout (give `timepoints:`)")

    def _unknown_target(self, table: str, name: str, targets: dict[str, Target], path: KeyPath) -> None:
        if name == "timepoint" and table in TIMED:
            self.add(path, "map the timepoint with the block's `timepoint:` or `timepoints:` key, not under columns")
            return
        close = difflib.get_close_matches(name, list(targets), n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if table == "responses" and not close:
            hint = "; responses take participant_id and the item and pre-scored columns of the study's instruments"
        elif table == "participants" and not close:
            hint = "; add it to the study's demographics to import it"
        elif not close:
            hint = f"; {table} has: {', '.join(targets)}"
        self.add(path, f"unknown {table} column {name!r}{hint}")

    def _required(self, table: str, plan: BlockPlan, block: Block, path: KeyPath) -> None:
        mapped = {f.target.name for f in plan.fields}
        if plan.services:
            mapped |= {"service", "used", "count"}
        for col in TABLES[table].columns:
            if col.nullable or col.name in mapped or col.name in _OPTIONAL_TARGETS:
                continue
            hint = {
                "status": "; a log without one must say what its rows are, e.g. `status: {value: completed}`",
                "phase": "; derive it with `phase: {discharge_date: <column>}` or declare it, e.g. `phase: {value: post_discharge}`",
            }.get(col.name, "") if table == "contacts" else ""
            self.add(path + ("columns",), f"{table} needs {col.name!r}: map it to a source column or a value{hint}")


def plan_mapping(lm: LoadedMapping, instruments: TMapping[str, Any]) -> tuple[list[BlockPlan], list[Problem]]:
    """Expand every block of the mapping; return the plans and every static problem."""
    planner = Planner(lm, instruments)
    plans: list[BlockPlan] = []
    tables = lm.mapping.tables
    for table in TABLES:
        blocks = getattr(tables, table)
        if table in ("participants", "responses") and not blocks:
            planner.add(("tables",), f"tables.{table} is required: every study has {table}.csv")
        for i, block in enumerate(blocks):
            plans += planner.block(table, block, ("tables", table, i))
    d = lm.definition
    mapped_demo = {f.target.name for p in plans if p.table == "participants" for f in p.fields}
    for dm in d.demographics:
        if dm.column not in mapped_demo and tables.participants:
            planner.add(("tables", "participants", 0, "columns"), f"the study's demographic column {dm.column!r} ({dm.label}) is not mapped")
    # A wide block is planned once per timepoint; report each static problem once.
    return plans, list(dict.fromkeys(planner.problems))


def check_sources(lm: LoadedMapping, plans: list[BlockPlan], sources: dict[str, SourceTable]) -> list[Problem]:
    """Every ``from`` names a source table and every referenced column exists in it."""
    problems: list[Problem] = []
    reported: set[tuple[Any, ...]] = set()
    for plan in plans:
        src = sources.get(plan.source)
        if src is None:
            if ("from", plan.path) not in reported:
                reported.add(("from", plan.path))
                names = ", ".join(sorted(sources)) or "none"
                problems.append(lm.problem(plan.path + ("from",), f"no source named {plan.source!r} (sources read: {names})"))
            continue
        cols = set(src.columns)
        for col, path in plan.referenced():
            if col in cols:
                continue
            key = (col, path, src.label)
            if key in reported:
                continue
            reported.add(key)
            problems.append(lm.problem(path, f"column {col!r} is not in {src.label}{column_hint(col, src.columns)}"))
    return problems


def column_hint(col: str, columns: list[str]) -> str:
    """"did you mean ...?" for a missing column; names that differ only in spaces or case are told apart with repr."""
    folded = " ".join(col.split()).casefold()
    same = [c for c in columns if " ".join(c.split()).casefold() == folded]
    if same:
        other = same[0]
        if other.casefold() == col.casefold():
            what = "case"
        elif " ".join(other.split()) == " ".join(col.split()):
            what = "spaces or line breaks"
        else:
            what = "spaces or line breaks and case"
        return f"; the file has {other!r}, which differs only in {what}: write the name exactly as in the file"
    close = difflib.get_close_matches(col, columns, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""

"""Source tables + mapping plans -> the text tables of a study folder.

Each output row remembers where it came from (:class:`Origin`), so that a
problem the study validator finds in ``responses.csv`` row 7 column
``wemwbs_3`` is reported as, say, ``survey.xlsx[Wave 2]`` row 12 column
``WEM3``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Problem
from .plan import _PLACEHOLDER, BlockPlan, FieldPlan
from .source import SourceTable, canonical_text
from .targets import TABLES
from .values import convert


@dataclass(frozen=True)
class Origin:
    """Where an output row came from: the source label, row, and target -> source column."""

    label: str
    row: int
    columns: dict[str, str]
    failed: tuple[str, ...] = ()  # study columns whose source value was rejected


@dataclass
class BuiltTable:
    name: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    def matrix(self) -> list[list[str]]:
        return [[r.get(c, "") for c in self.columns] for r in self.rows]


@dataclass
class BuildResult:
    tables: dict[str, BuiltTable]
    problems: list[Problem]
    skipped: dict[str, int]  # reason -> rows skipped
    failed: set[tuple[str, int, str]] = field(default_factory=set)  # (table, output row index, column) left empty by a problem


def _template(text: str, row: tuple, index: dict[str, int]) -> str:
    def sub(m: re.Match) -> str:
        return canonical_text(row[index[m.group(1)]])

    return _PLACEHOLDER.sub(sub, text.replace("{{", "\x00").replace("}}", "\x01")).replace("\x00", "{").replace("\x01", "}")


def _value(plan: FieldPlan, row: tuple, index: dict[str, int], source: SourceTable, missing: set[str]) -> tuple[str, str | None, str]:
    """(text, problem, source column label) of one field on one row."""
    if plan.column is not None:
        return (*convert(row[index[plan.column]], plan, source, plan.column, missing), plan.column)
    if plan.template is not None:
        return (*convert(_template(plan.template, row, index), plan, source, None, missing), f"template {plan.template!r}")
    return (*convert(plan.value, plan, source, None, set()), "a constant of the mapping")


def _raw_text(plan: FieldPlan, row: tuple, index: dict[str, int]) -> str:
    """What to write in a rejected cell: the source text, so the study checks see a value.

    The study validator's own complaint about that cell is dropped as already
    reported; keeping the text avoids knock-on problems (e.g. "no consent
    date" for a date that is present but unreadable).
    """
    if plan.column is None:
        return "?"
    return canonical_text(row[index[plan.column]]).replace("\x00", "") or "?"


def _columns_for(table: str, plans: list[BlockPlan]) -> list[str]:
    declared = TABLES[table].column_names
    extra: list[str] = []
    for p in plans:
        for f in p.fields:
            if f.target.name not in declared and f.target.name not in extra:
                extra.append(f.target.name)
    return declared + extra


def build_tables(plans: list[BlockPlan], sources: dict[str, SourceTable], missing_values: list) -> BuildResult:
    """Run every plan over its source; collect rows, origins and cell problems."""
    missing = {canonical_text(v) for v in missing_values} | {""}
    by_table: dict[str, list[BlockPlan]] = {}
    for p in plans:
        by_table.setdefault(p.table, []).append(p)
    tables = {t: BuiltTable(t, _columns_for(t, ps)) for t, ps in by_table.items()}
    problems: list[Problem] = []
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    # Group the timepoint expansions of one wide block so rows come out participant by participant.
    groups: list[list[BlockPlan]] = []
    for p in plans:
        if groups and groups[-1][0].path == p.path:
            groups[-1].append(p)
        else:
            groups.append([p])
    for group in groups:
        first = group[0]
        source = sources[first.source]
        index = source.index()
        out = tables[first.table]
        for row, number in zip(source.rows, source.row_numbers):
            for plan in group:
                _run_row(plan, row, number, index, source, missing, out, problems, skip)
    failed: set[tuple[str, int, str]] = set()
    for t in tables.values():
        for i, origin in enumerate(t.origins):
            for col in origin.failed:
                failed.add((t.name, i, col))
    return BuildResult(tables, problems, skipped, failed)


def _run_row(plan: BlockPlan, row, number, index, source, missing, out: BuiltTable, problems, skip) -> None:
    for col, wanted, _ in plan.where:
        if canonical_text(row[index[col]]) not in wanted:
            skip(f"{source.label}: rows not matching `where` of tables.{plan.table}")
            return
    if plan.require and all(canonical_text(row[index[c]]) in missing for c, _ in plan.require):
        skip(f"{source.label}: rows without any `require` column of tables.{plan.table}")
        return
    record: dict[str, str] = {}
    origin_cols: dict[str, str] = {}
    cell_problems: list[Problem] = []
    if plan.timepoint_column is not None:
        raw = canonical_text(row[index[plan.timepoint_column]])
        if plan.timepoint_values is not None:
            tp = plan.timepoint_values.get(raw)
            if tp is None:
                if plan.unmapped == "skip":
                    skip(f"{source.label}: rows whose {plan.timepoint_column} is not mapped to a timepoint")
                    return
                known = ", ".join(plan.timepoint_values)
                problems.append(Problem(source.label, number, plan.timepoint_column, f"{raw!r} is not mapped to a timepoint (mapped: {known}); add it to timepoint.values or set unmapped: skip"))
                return
        else:
            tp = raw
        record["timepoint"] = tp
        origin_cols["timepoint"] = plan.timepoint_column
    elif plan.timepoint is not None:
        record["timepoint"] = plan.timepoint
        origin_cols["timepoint"] = "a timepoint of the mapping"
    values_present = False
    failed: list[str] = []
    for f in plan.fields:
        text, why, label = _value(f, row, index, source, missing)
        origin_cols[f.target.name] = label
        if why:
            cell_problems.append(Problem(source.label, number, f.column or label, why))
            failed.append(f.target.name)
            text = _raw_text(f, row, index)
        record[f.target.name] = text
        if text and f.target.name not in ("participant_id", "timepoint"):
            values_present = True
    if plan.services:
        base = dict(record)
        for s in plan.services:
            sfailed = list(failed)
            used, why, ulabel = _value(s.used, row, index, source, missing)
            if why:
                cell_problems.append(Problem(source.label, number, s.used.column or ulabel, why))
                sfailed.append("used")
            count, clabel = "", ""
            if s.count is not None:
                count, why, clabel = _value(s.count, row, index, source, missing)
                if why:
                    cell_problems.append(Problem(source.label, number, s.count.column or clabel, why))
                    sfailed.append("count")
            if used == "" and count == "" and len(sfailed) == len(failed):
                continue
            rec = dict(base, service=s.service, used=used, count=count)
            cols = dict(origin_cols, service="a service of the mapping", used=ulabel, count=clabel or "count")
            out.rows.append(rec)
            out.origins.append(Origin(source.label, number, cols, tuple(sfailed)))
        problems.extend(cell_problems)
        return
    if plan.table in ("responses", "service_use") and plan.skip_empty and not values_present and not cell_problems:
        skip(f"{source.label}: empty {plan.table} rows (every mapped value empty)")
        return
    problems.extend(cell_problems)
    out.rows.append(record)
    out.origins.append(Origin(source.label, number, origin_cols, tuple(failed)))

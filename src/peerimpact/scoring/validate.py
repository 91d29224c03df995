"""Validate raw ``responses.csv`` and ``service_use.csv`` against the instruments.

Both functions take the file as read by the study loader (every cell a
string, empty cells ``""``, default index so that spreadsheet row = index + 2)
and return every problem at once; they never raise for bad input.

Checks are vectorised per column: a fast ``isin`` against the valid strings
clears the common case (``"1"`` to ``"5"`` and empty), and only the remaining
cells are parsed, so a million rows are checked in seconds.
"""

from __future__ import annotations

from typing import Iterator, Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..instruments import InstrumentDefinition
from ..study.checks import distinct_values
from ..study.csvio import spreadsheet_row
from ..study.definition import StudyDefinition
from ..study.stages import TableContext, register_table_check
from .columns import KEY_COLUMNS, ColumnRole, declared_roles, fmt_number, undeclared_column_message


def not_number_message(value: str) -> str:
    return f"value {value!r} is not a number"


def not_whole_message(value: str, role: ColumnRole) -> str:
    return f"value {value} is not a whole number ({role.owner} responses are whole numbers {fmt_number(role.low)}–{fmt_number(role.high)})"


def out_of_range_message(value: str, role: ColumnRole) -> str:
    return f"value {value} is outside the range {fmt_number(role.low)}–{fmt_number(role.high)} of {role.owner}"


def _valid_strings(role: ColumnRole) -> list[str]:
    """Strings accepted without parsing: empty, and the whole numbers in range."""
    out = [""]
    if role.integer or role.kind == "item":
        lo, hi = int(np.ceil(role.low)), int(np.floor(role.high))
        if hi - lo <= 1000:
            out += [str(v) for v in range(lo, hi + 1)]
    return out


def iter_values(values: pd.Series, role: ColumnRole, file: str) -> Iterator[Problem]:
    """Problems with the cells of one declared column (strings, ``""`` = missing).

    Rows are spreadsheet rows (index + 2). Each bad cell yields exactly one
    problem: not a number, else not a whole number (integer scales), else out
    of range. The rules are applied once per distinct text and the messages
    mapped back to the rows, in row order, each made as the caller takes it
    (a column failing on every row streams to a collector that keeps a
    summary: ``check_study_folder(sink=...)``).
    """
    codes, texts = distinct_values(values)
    fast_ok = texts.isin(_valid_strings(role)).to_numpy()
    if fast_ok.all():
        return
    messages = np.full(len(texts), None, dtype=object)
    rest = texts[~fast_ok].astype(str)
    nums = pd.to_numeric(rest, errors="coerce").to_numpy(dtype=np.float64)
    finite = np.isfinite(nums)
    whole = np.zeros_like(finite)
    whole[finite] = nums[finite] == np.floor(nums[finite])
    in_range = np.zeros_like(finite)
    in_range[finite] = (nums[finite] >= role.low) & (nums[finite] <= role.high)
    for pos, raw, ok_num, ok_whole, ok_range in zip(rest.index, rest.to_numpy(), finite, whole, in_range):
        if not ok_num:
            messages[pos] = not_number_message(raw)
        elif role.integer and not ok_whole:
            messages[pos] = not_whole_message(raw, role)
        elif not ok_range:
            messages[pos] = out_of_range_message(raw, role)
        # else e.g. "05" or "3.0": a valid number written differently
    bad = np.array([m is not None for m in messages], dtype=bool)
    for i in np.flatnonzero(bad[codes]):
        yield Problem(file, spreadsheet_row(values.index[i]), role.column, messages[codes[i]])


def check_values(values: pd.Series, role: ColumnRole, file: str) -> list[Problem]:
    """:func:`iter_values` as a list."""
    return list(iter_values(values, role, file))


def iter_responses(
    raw: pd.DataFrame,
    definition: StudyDefinition,
    instruments: Mapping[str, InstrumentDefinition],
    file: str = "responses.csv",
) -> Iterator[Problem]:
    """Every problem with the item and pre-scored columns of ``responses.csv``.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file as strings (empty cells ``""``), default index.
    definition : StudyDefinition
        Its ``instruments`` are the declared ones.
    instruments : mapping of str to InstrumentDefinition
        The study's instruments (at least the declared ones; shipped
        definitions are consulted to name undeclared instruments).
    file : str
        File name used in problems.

    Yields
    ------
    Problem
        Header problems at row 1 (unknown item columns such as ``wemwbs_15``,
        columns of instruments the study does not declare, pre-scored columns
        of subscales that have an item key, anything else) and cell problems
        at their spreadsheet row (not a number, not a whole number on an
        integer scale, outside the response or score range).
    """
    roles = declared_roles(definition.instruments, instruments)
    for col in raw.columns:
        if col in KEY_COLUMNS:
            continue
        role = roles.get(col)
        if role is None:
            message = undeclared_column_message(col, definition.instruments, instruments)
            if message is not None:
                yield Problem(file, 1, col, message)
            continue
        yield from iter_values(raw[col], role, file)


def check_responses(
    raw: pd.DataFrame,
    definition: StudyDefinition,
    instruments: Mapping[str, InstrumentDefinition],
    file: str = "responses.csv",
) -> list[Problem]:
    """:func:`iter_responses` as a list."""
    return list(iter_responses(raw, definition, instruments, file))


def missing_item_columns(
    columns, definition: StudyDefinition, instruments: Mapping[str, InstrumentDefinition], file: str
) -> list[Problem]:
    """Item columns absent from a file that has other items of the same instrument.

    Without this rule an absent column would count as one missing item in
    every row, and every score would be silently prorated. Unanswered items
    are recorded as empty cells in a column that exists.
    """
    present = set(columns)
    problems = []
    for inst_id in definition.instruments:
        inst = instruments.get(inst_id)
        if inst is None or inst.kind != "questionnaire" or not inst.has_item_key:
            continue
        item_cols = inst.item_columns()
        found = [c for c in item_cols if c in present]
        if found and len(found) < len(item_cols):
            for col in item_cols:
                if col not in present:
                    problems.append(
                        Problem(file, 1, col,
                                f"column is missing: {inst_id} has other item columns but not this one "
                                "(record unanswered items as empty cells)")
                    )
    return problems


def check_service_use(
    raw: pd.DataFrame,
    definition: StudyDefinition,
    instruments: Mapping[str, InstrumentDefinition],
    file: str = "service_use.csv",
) -> list[Problem]:
    """Problems with the ``service`` column of ``service_use.csv``.

    Services must be ids of a declared ``service_use`` instrument (``csri``
    ships with PeerImpact). Rows without any declared service-use instrument
    are one whole-file problem.
    """
    if "service" not in raw.columns:
        return []
    schedules = [
        instruments[i] for i in definition.instruments if i in instruments and instruments[i].kind == "service_use"
    ]
    if not schedules:
        if len(raw):
            return [Problem(file, None, None, "has rows but study.yaml declares no service-use instrument (e.g. csri)")]
        return []
    ids = [s for defn in schedules for s in defn.service_ids()]
    names = " and ".join(d.id for d in schedules)
    values = raw["service"]
    bad = (~values.isin(ids)) & (values != "")
    return [
        Problem(file, int(idx) + 2, "service", f"unknown service {values.at[idx]!r}; {names} services are: {', '.join(ids)}")
        for idx in raw.index[bad.to_numpy()]
    ]


# ----------------------------------------------------------- load stages (study/stages.py)
def _responses_stage(raw: pd.DataFrame, context: TableContext, file: str) -> Iterator[Problem]:
    yield from iter_responses(raw, context.definition, context.instruments, file)
    yield from missing_item_columns(raw.columns, context.definition, context.instruments, file)


def _service_use_stage(raw: pd.DataFrame, context: TableContext, file: str) -> list[Problem]:
    return check_service_use(raw, context.definition, context.instruments, file)


register_table_check("responses", "scoring", _responses_stage)
register_table_check("service_use", "scoring", _service_use_stage)

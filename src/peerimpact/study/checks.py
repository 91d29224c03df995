"""Column-level rules for the declared tables (types, choices, ranges, keys)."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from ..errors import Problem
from .csvio import per_distinct, spreadsheet_row
from .definition import ID_PATTERN
from .tables import Column, Table

_ID_RE = re.compile(ID_PATTERN)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_columns_present(frame: pd.DataFrame, table: Table, file: str) -> list[Problem]:
    problems = []
    for col in table.columns:
        if col.required and col.name not in frame.columns:
            problems.append(Problem(file, 1, col.name, "required column is missing"))
    if not table.open_columns:
        declared = set(table.column_names)
        for col in frame.columns:
            if col not in declared:
                problems.append(
                    Problem(file, 1, col, "unknown column (expected: " + ", ".join(table.column_names) + ")")
                )
    return problems


LATEST_PLAUSIBLE = pd.Timestamp("2100-12-31")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ISO dates. Returns ``(dates, bad_mask)``; empty cells are NaT and not bad.

    Real calendar dates only (``2021-02-30`` is bad). A valid date beyond
    pandas' range (after 2262) is kept as 2101-01-01 so that the plausibility
    rule, not the format rule, reports it.
    """
    empty = values == ""
    shaped = per_distinct(values, lambda u: u.str.match(_DATE_RE.pattern)).astype(bool) if len(values) else empty
    parsed = pd.to_datetime(values.where(shaped & ~empty), format="%Y-%m-%d", errors="coerce")
    failed = shaped & ~empty & parsed.isna()
    for idx in failed.index[failed]:  # rare: impossible dates, or valid ones beyond pandas' range
        try:
            day = date.fromisoformat(values.at[idx])
        except ValueError:
            continue
        if day > LATEST_PLAUSIBLE.date():
            parsed.at[idx] = LATEST_PLAUSIBLE + pd.Timedelta(days=1)
    bad = ~empty & parsed.isna()
    return parsed.astype("datetime64[ns]"), bad


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers; returns ``(floats, bad_mask)`` (empty cells NaN, not bad).

    Each distinct text is parsed once (an item column holds a handful), which
    makes this several times faster on large response tables (bench/import_speed.py).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = pd.Series(uniques, dtype=object)
    empty = (texts == "").to_numpy()
    nums = pd.to_numeric(texts.where(~empty), errors="coerce").astype("float64").to_numpy()
    bad = ~empty & ~np.isfinite(nums)
    return pd.Series(nums[codes], index=values.index), pd.Series(bad[codes], index=values.index)


def check_column(frame: pd.DataFrame, col: Column, file: str) -> list[Problem]:
    """Check one declared column of a raw (string) frame."""
    if col.name not in frame.columns:
        return []
    values = frame[col.name]
    problems: list[Problem] = []
    empty = values == ""

    def report(mask: pd.Series, message) -> None:
        for idx in mask[mask].index:
            msg = message(values.at[idx]) if callable(message) else message
            problems.append(Problem(file, spreadsheet_row(idx), col.name, msg))

    if not col.nullable:
        report(empty, "is empty but a value is required")
    present = ~empty
    if col.kind == "id":
        bad = present & ~per_distinct(values, lambda u: u.str.match(_ID_RE.pattern)).astype(bool)
        report(bad, lambda v: f"{v!r} is not a valid id (letters, digits, '_', '.' and '-', starting with a letter or digit)")
    elif col.kind == "date":
        dates, bad = parse_dates(values)
        report(bad, lambda v: f"{v!r} is not a valid date (expected YYYY-MM-DD)")
        report(dates > LATEST_PLAUSIBLE, lambda v: f"{v} is after 2100: not a plausible date")
        if col.past_only:
            report(dates > pd.Timestamp.today().normalize(), lambda v: f"{v} is in the future")
    elif col.kind in ("int", "float", "flag"):
        nums, bad = parse_numbers(values)
        report(bad, lambda v: f"{v!r} is not a number")
        ok = present & ~bad
        if col.kind in ("int", "flag"):
            report(ok & (nums != np.floor(nums)), lambda v: f"{v!r} is not a whole number")
        if col.kind == "flag":
            report(ok & ~nums.isin([0.0, 1.0]), lambda v: f"{v!r} must be 0 or 1")
        if col.minimum is not None:
            report(ok & (nums < col.minimum), lambda v: f"{v} is below the minimum {col.minimum:g}")
        if col.maximum is not None:
            report(ok & (nums > col.maximum), lambda v: f"{v} is above the maximum {col.maximum:g}")
    elif col.kind == "enum":
        bad = present & ~values.isin(col.choices)
        report(bad, lambda v: f"{v!r} is not one of: {', '.join(col.choices)}")
    return problems


def check_table(frame: pd.DataFrame, table: Table, file: str | None = None) -> list[Problem]:
    """Presence of required columns, per-column rules, and key uniqueness."""
    file = file or table.file
    problems = check_columns_present(frame, table, file)
    for col in table.columns:
        problems.extend(check_column(frame, col, file))
    problems.extend(check_unique(frame, table.key, file))
    return problems


def check_unique(frame: pd.DataFrame, key: tuple[str, ...], file: str) -> list[Problem]:
    if not key or any(k not in frame.columns for k in key):
        return []
    keyed = frame[list(key)]
    dup = keyed.duplicated(keep=False)
    if not dup.any():
        return []
    first_row: dict[tuple, int] = {}
    problems = []
    for idx in keyed.index[dup]:
        k = tuple(keyed.loc[idx])
        if k not in first_row:
            first_row[k] = spreadsheet_row(idx)
            continue
        desc = ", ".join(f"{c}={v}" for c, v in zip(key, k))
        problems.append(
            Problem(file, spreadsheet_row(idx), key[-1], f"duplicate row for {desc} (first at row {first_row[k]})")
        )
    return problems


def typed_table(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Convert a validated raw frame to typed columns (ids str, dates datetime64, numbers float64)."""
    out = frame.copy()
    for col in table.columns:
        if col.name not in out.columns:
            continue
        values = out[col.name]
        if col.kind == "date":
            out[col.name] = parse_dates(values)[0]
        elif col.kind in ("int", "float", "flag"):
            out[col.name] = parse_numbers(values)[0]
        else:
            out[col.name] = values.astype(object).where(values != "", None)
    return out


def empty_table(table: Table) -> pd.DataFrame:
    data = {}
    for col in table.columns:
        if col.kind == "date":
            data[col.name] = pd.Series([], dtype="datetime64[ns]")
        elif col.kind in ("int", "float", "flag"):
            data[col.name] = pd.Series([], dtype="float64")
        else:
            data[col.name] = pd.Series([], dtype=object)
    return pd.DataFrame(data)

"""Column-level rules for the declared tables (types, choices, ranges, keys)."""

from __future__ import annotations

import re
from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from ..errors import Problem
from .csvio import spreadsheet_row
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


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)``: each cell's position among the column's distinct texts, and those texts.

    The rules are checked and the values typed once per distinct text (a study
    column repeats a few ids, dates or codes over many rows), then mapped back
    to the rows through ``codes`` (speed: bench/import_speed.py).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # read as categories: the codes are there
        codes = values.array.codes
        if not len(codes) or codes.min() >= 0:
            return codes.astype(np.intp), pd.Series(values.cat.categories.to_numpy(dtype=object), dtype=object)
    array = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(array)  # a missing value (never in a file as read) gets code -1 ...
    if len(codes) and codes.min() < 0:  # ... so it is kept as a value of its own, as elsewhere
        codes, uniques = pd.factorize(array, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=object)


distinct_values = _distinct

_ID_BODY = ID_PATTERN.removeprefix("^").removesuffix("$")
_IDS_RE = re.compile(f"(?:{_ID_BODY}\n)*{_ID_BODY}")


def _valid_ids(texts: pd.Series) -> np.ndarray:
    """Which texts match the id pattern (``re.match``, as ``str.match`` applies it).

    The usual case, every text a valid id, is confirmed by one match of them
    all joined by line feeds (when no text holds one); otherwise each is matched.
    """
    values = texts.to_numpy(dtype=object)
    if len(values) and all(_all_valid_ids(values[i:i + _IDS_AT_ONCE]) for i in range(0, len(values), _IDS_AT_ONCE)):
        return np.ones(len(values), dtype=bool)
    return texts.str.match(_ID_RE.pattern).astype(bool).to_numpy(dtype=bool)


#: Texts joined for one match by :func:`_valid_ids`: the regular expression engine keeps state for
#: each repetition, about 130 bytes an id (13 MiB for 100,000 ids at once; memory: bench/import_speed.py).
_IDS_AT_ONCE = 4096


def _all_valid_ids(values: np.ndarray) -> bool:
    """Whether every one of ``values`` (at least one) is a string matching the id pattern and holding no line feed."""
    try:
        joined = "\n".join(values)
    except TypeError:
        return False
    return joined.count("\n") == len(values) - 1 and _IDS_RE.fullmatch(joined) is not None


def _parse_distinct_dates(texts: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """:func:`parse_dates` of distinct texts (default index)."""
    empty = texts == ""
    shaped = texts.str.match(_DATE_RE.pattern).astype(bool) if len(texts) else empty
    parsed = pd.to_datetime(texts.where(shaped & ~empty), format="%Y-%m-%d", errors="coerce")
    failed = shaped & ~empty & parsed.isna()
    for idx in failed.index[failed]:  # rare: impossible dates, or valid ones beyond pandas' range
        try:
            day = date.fromisoformat(texts.at[idx])
        except ValueError:
            continue
        if day > LATEST_PLAUSIBLE.date():
            parsed.at[idx] = LATEST_PLAUSIBLE + pd.Timedelta(days=1)
    bad = (~empty & parsed.isna()).to_numpy(dtype=bool)
    return parsed.astype("datetime64[ns]"), bad


def _parse_distinct_numbers(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numbers` of distinct texts: ``(float64 values, bad)`` arrays."""
    empty = (texts == "").to_numpy(dtype=bool)
    nums = pd.to_numeric(texts.where(~empty), errors="coerce").astype("float64").to_numpy()
    return nums, ~empty & ~np.isfinite(nums)


parse_distinct_numbers = _parse_distinct_numbers


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ISO dates. Returns ``(dates, bad_mask)``; empty cells are NaT and not bad.

    Real calendar dates only (``2021-02-30`` is bad). A valid date beyond
    pandas' range (after 2262) is kept as 2101-01-01 so that the plausibility
    rule, not the format rule, reports it. Each distinct text is parsed once.
    """
    codes, texts = _distinct(values)
    dates, bad = _parse_distinct_dates(texts)
    return (pd.Series(dates.to_numpy()[codes], index=values.index, dtype="datetime64[ns]"),
            pd.Series(bad[codes], index=values.index))


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers; returns ``(floats, bad_mask)`` (empty cells NaN, not bad).

    Each distinct text is parsed once (an item column holds a handful), which
    makes this several times faster on large response tables (bench/import_speed.py).
    """
    codes, texts = _distinct(values)
    nums, bad = _parse_distinct_numbers(texts)
    return pd.Series(nums[codes], index=values.index), pd.Series(bad[codes], index=values.index)


def _typed_column(codes: np.ndarray, texts: pd.Series, kind: str, index: pd.Index, parsed=None) -> pd.Series:
    """One column typed as :func:`typed_table` types it, from its distinct texts."""
    if kind == "date":
        dates = (parsed if parsed is not None else _parse_distinct_dates(texts)[0]).to_numpy()
        return pd.Series(dates[codes], index=index, dtype="datetime64[ns]")
    if kind in ("int", "float", "flag"):
        nums = parsed if parsed is not None else _parse_distinct_numbers(texts)[0]
        return pd.Series(nums[codes], index=index)
    objects = texts.to_numpy(dtype=object).copy()
    objects[(texts == "").to_numpy(dtype=bool)] = None
    return pd.Series(objects[codes], index=index, dtype=object)


def check_column(frame: pd.DataFrame, col: Column, file: str) -> list[Problem]:
    """Check one declared column of a raw (string) frame."""
    if col.name not in frame.columns:
        return []
    return _check_distinct(frame[col.name], col, file)[0]


def _check_distinct(values: pd.Series, col: Column, file: str):
    """``(problems, codes, texts, parsed)`` of one column: every rule checked on its distinct texts.

    A rule broken by a distinct text is reported at every row holding it, in
    row order, rule by rule (as a per-cell check would list them).
    """
    codes, texts = _distinct(values)
    problems: list[Problem] = []
    raw = texts.to_numpy(dtype=object)

    def report(mask, message) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        messages: dict[int, str] = {}  # one message per distinct text, shared by its rows
        for i in np.flatnonzero(mask[codes]):
            code = codes[i]
            msg = messages.get(code)
            if msg is None:
                msg = messages[code] = message(raw[code]) if callable(message) else message
            problems.append(Problem(file, spreadsheet_row(values.index[i]), col.name, msg))

    empty = (texts == "").to_numpy(dtype=bool)
    if not col.nullable:
        report(empty, "is empty but a value is required")
    present = ~empty
    parsed = None
    if col.kind == "id":
        bad = present & ~_valid_ids(texts.where(present, "0")) if len(texts) else empty
        report(bad, lambda v: f"{v!r} is not a valid id (letters, digits, '_', '.' and '-', starting with a letter or digit)")
    elif col.kind == "date":
        parsed, bad = _parse_distinct_dates(texts)
        report(bad, lambda v: f"{v!r} is not a valid date (expected YYYY-MM-DD)")
        report(parsed > LATEST_PLAUSIBLE, lambda v: f"{v} is after 2100: not a plausible date")
        if col.past_only:
            report(parsed > pd.Timestamp.today().normalize(), lambda v: f"{v} is in the future")
    elif col.kind in ("int", "float", "flag"):
        nums, bad = _parse_distinct_numbers(texts)
        parsed = nums
        report(bad, lambda v: f"{v!r} is not a number")
        ok = present & ~bad
        with np.errstate(invalid="ignore"):
            if col.kind in ("int", "flag"):
                report(ok & (nums != np.floor(nums)), lambda v: f"{v!r} is not a whole number")
            if col.kind == "flag":
                report(ok & ~np.isin(nums, [0.0, 1.0]), lambda v: f"{v!r} must be 0 or 1")
            if col.minimum is not None:
                report(ok & (nums < col.minimum), lambda v: f"{v} is below the minimum {col.minimum:g}")
            if col.maximum is not None:
                report(ok & (nums > col.maximum), lambda v: f"{v} is above the maximum {col.maximum:g}")
    elif col.kind == "enum":
        report(present & ~texts.isin(col.choices).to_numpy(dtype=bool), lambda v: f"{v!r} is not one of: {', '.join(col.choices)}")
    return problems, codes, texts, parsed


def check_table(frame: pd.DataFrame, table: Table, file: str | None = None) -> list[Problem]:
    """Presence of required columns, per-column rules, and key uniqueness."""
    return check_typed_table(frame, table, file)[0]


def check_typed_table(frame: pd.DataFrame, table: Table, file: str | None = None) -> tuple[list[Problem], pd.DataFrame]:
    """:func:`check_table` and :func:`typed_table` in one pass over each column's distinct texts.

    Returns
    -------
    (list of Problem, pandas.DataFrame)
        Every problem, and the frame typed as :func:`typed_table` types it
        (cells that break a rule type as missing values).
    """
    problems, typed = _check_table(frame, table, file, typed=True)
    return problems, cast(pd.DataFrame, typed)  # typed=True always types


def check_table_only(frame: pd.DataFrame, table: Table, file: str | None = None) -> list[Problem]:
    """:func:`check_typed_table`'s problems, without typing the columns (for a table the caller types its own way)."""
    return _check_table(frame, table, file, typed=False)[0]


def _check_table(frame: pd.DataFrame, table: Table, file: str | None, typed: bool) -> tuple[list[Problem], pd.DataFrame | None]:
    file = file or table.file
    problems = check_columns_present(frame, table, file)
    out = frame.copy(deep=False) if typed else None
    codes_of: dict[str, np.ndarray] = {}
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        found, codes, texts, parsed = _check_distinct(frame[col.name], col, file)
        problems.extend(found)
        codes_of[col.name] = codes
        if out is not None:
            out[col.name] = _typed_column(codes, texts, col.kind, frame.index, parsed)
        del found, codes, texts, parsed
    problems.extend(check_unique(frame, table.key, file, codes_of))
    return problems, out


def check_unique(frame: pd.DataFrame, key: tuple[str, ...], file: str, codes_of: dict[str, np.ndarray] | None = None) -> list[Problem]:
    """Rows repeating another row's ``key``, each named with the first row holding it.

    ``codes_of`` may give each key column's :func:`pd.factorize` codes, so that
    duplicates are found on integers.
    """
    if not key or any(k not in frame.columns for k in key):
        return []
    keyed = frame[list(key)]
    if codes_of is not None and all(k in codes_of for k in key):
        combined = _combined_codes([codes_of[k] for k in key])
        if combined is not None:
            dup_values = np.bincount(combined)[combined] > 1 if len(combined) else np.zeros(0, dtype=bool)
        else:
            dup_values = pd.DataFrame({k: codes_of[k] for k in key}).duplicated(keep=False).to_numpy()
        dup = pd.Series(dup_values, index=frame.index)
    else:
        dup = keyed.duplicated(keep=False)
    if not dup.any():
        return []
    first_row: dict[tuple, int] = {}
    problems = []
    for idx in keyed.index[dup.to_numpy()]:
        k = tuple(keyed.loc[idx])
        if k not in first_row:
            first_row[k] = spreadsheet_row(idx)
            continue
        desc = ", ".join(f"{c}={v}" for c, v in zip(key, k))
        problems.append(
            Problem(file, spreadsheet_row(idx), key[-1], f"duplicate row for {desc} (first at row {first_row[k]})")
        )
    return problems


def _combined_codes(codes: list[np.ndarray]) -> np.ndarray | None:
    """One code a row for the key columns' codes (equal exactly when every column's code is), for ``np.bincount``.

    ``a * (max(b) + 1) + b``, column after column: a rows x 1 integer array
    instead of the frame ``DataFrame.duplicated`` hashes (12 MiB for 200,000
    responses; memory: bench/import_speed.py). None when the combined range
    would pass 4 codes a row (``bincount`` would then take more memory than it
    spares) or a code is negative.
    """
    if not codes[0].size:
        return codes[0].astype(np.intp)
    limit = 4 * len(codes[0]) + 1024
    out = codes[0].astype(np.int64)
    span = int(out.max()) + 1
    for more in codes[1:]:
        width = int(more.max()) + 1
        if span * width > limit or min(int(out.min()), int(more.min())) < 0:
            return None
        out *= width
        out += more
        span *= width
    return None if int(out.min()) < 0 else out


def typed_table(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Convert a validated raw frame to typed columns (ids str, dates datetime64, numbers float64)."""
    out = frame.copy()
    for col in table.columns:
        if col.name not in out.columns:
            continue
        codes, texts = _distinct(out[col.name])
        out[col.name] = _typed_column(codes, texts, col.kind, out.index)
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

"""How ``Study.responses`` holds questionnaire answers in memory.

One representation for every study, whether it was loaded from a folder,
imported, exported from the web database or built in memory (``Study``
applies :func:`normalise_responses` when it is constructed):

* ``participant_id`` and ``timepoint`` are pandas ``Categorical`` columns of
  strings. Timepoint categories are all the study's timepoints in ``month``
  order, whether answered or not (then any undeclared value, sorted), so
  every study's table has the same categories; participant categories are the
  ids present, sorted (a categorical of strings given in another order is
  kept). Comparisons with strings, ``isin``, ``to_dict`` and
  CSV writing behave as for plain strings; group with ``observed=True``.
* Item columns of a questionnaire whose responses are whole numbers are
  nullable ``Int16`` (``<NA>`` when unanswered): a 36-item response row takes
  108 bytes instead of 288, and the scoring engine reads them without
  conversion.
* Every other numeric column (pre-scored subscales, items of a scale with
  fractional responses, a column holding a value the integer type cannot
  represent exactly, such as 2.5 or 99999 in a study built in memory) stays
  float64 with NaN for missing: nothing is rounded or clipped. The scoring
  engine scores such a column the same way and refuses values outside the
  range; ``load_study`` refuses fractions on whole-number scales in files.

:func:`float_values` reads any numeric response column as float64 with NaN
for missing; :func:`masked_int_parts` gives the integer data and missing
mask of an ``Int16`` column without copying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .definition import StudyDefinition

ITEM_DTYPE = pd.Int16Dtype()
#: Scales whose responses lie within these bounds are held as Int16; the scoring engine can then
#: reverse-score (min + max - x) and sum them in 16-bit integers without overflow.
_ITEM_LIMITS = (-16383, 16383)


def integer_item_columns(instruments: Mapping[str, Any]) -> dict[str, int]:
    """Item columns of the questionnaires whose responses are whole numbers fitting ``Int16``, with their minimum."""
    columns: dict[str, int] = {}
    for defn in instruments.values():
        if getattr(defn, "kind", None) != "questionnaire" or not getattr(defn, "integer_responses", False):
            continue
        lo, hi = defn.response_min, defn.response_max
        if lo is None or hi is None or lo < _ITEM_LIMITS[0] or hi > _ITEM_LIMITS[1]:
            continue
        columns.update(dict.fromkeys(defn.item_columns(), int(lo)))
    return columns


def _ordered(categories: Iterable[str], first: Iterable[str]) -> list[str]:
    """All of ``first`` in its order (present or not), then the other categories sorted."""
    lead = list(dict.fromkeys(first))
    return lead + sorted(set(categories).difference(lead))


def _is_string_categorical(values: pd.Series) -> bool:
    # Index.inferred_type is cached on the categories Index, which a normalised frame passes on
    return isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.inferred_type in ("string", "empty")


def _categorical(values: pd.Series, first: Iterable[str] = ()) -> pd.Categorical | None:
    """Strings as a Categorical, categories all of ``first`` then the rest sorted; None when nothing needs to change.

    A categorical of strings is kept as it is when no ``first`` order is
    asked for (participant ids: checking a million categories on every
    ``Study`` made from the same frame would cost more than it is worth), and
    has its categories reordered (cheap) when ``first`` is (timepoints).
    """
    first = list(first)
    if _is_string_categorical(values):
        if not first:
            return None
        current = list(values.cat.categories)
        wanted = _ordered(current, first)
        return None if current == wanted else values.cat.set_categories(wanted).array
    raw = values.to_numpy(dtype=object)
    missing = pd.isna(raw)
    if missing.any():
        raw = np.where(missing, None, raw)
    codes, uniques = pd.factorize(raw, sort=False, use_na_sentinel=True)
    uniques = np.asarray([str(u) for u in uniques], dtype=object)
    categories = pd.Index(_ordered(uniques, first), dtype=object)
    remap = categories.get_indexer(uniques)
    out = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1) if len(remap) else codes
    return pd.Categorical.from_codes(out.astype(np.int64), categories=categories)


def categorical_from_codes(codes: np.ndarray, texts: np.ndarray, first: Iterable[str] = ()) -> pd.Categorical:
    """:func:`_categorical` of the strings ``texts[codes]`` (distinct texts and each row's code), without building them.

    Used by the loader, which has each column's distinct texts and codes: the
    same categories (all of ``first``, then the texts present sorted) and
    codes, with no object array of every cell to factorize again (memory:
    bench/import_speed.py).
    """
    present = np.bincount(codes, minlength=len(texts)) > 0 if len(codes) else np.zeros(len(texts), dtype=bool)
    categories = pd.Index(_ordered(texts[present], first), dtype=object)
    remap = categories.get_indexer(texts)
    return pd.Categorical.from_codes(remap[codes] if len(codes) else np.zeros(0, dtype=np.int64), categories=categories)


def _as_items(values: pd.Series, fill: int) -> pd.api.extensions.ExtensionArray | None:
    """A numeric column as ``Int16`` when that is exact, else None (left as it is).

    The data under a missing value is ``fill`` (the scale's minimum), so that
    the scoring engine's range check (a min and a max of the data) passes
    without looking at the mask.
    """
    if values.dtype == ITEM_DTYPE:
        return None
    if isinstance(values.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    ):
        return None
    floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(floats)
    filled = np.where(missing, float(fill), floats)
    if not (np.all(filled == np.trunc(filled)) and filled.min(initial=0) >= _ITEM_LIMITS[0]
            and filled.max(initial=0) <= _ITEM_LIMITS[1]):
        return None
    return pd.arrays.IntegerArray(filled.astype(np.int16), missing)


def items_from_codes(codes: np.ndarray, numbers: np.ndarray, fill: int) -> pd.api.extensions.ExtensionArray | None:
    """:func:`_as_items` of the column ``numbers[codes]`` (distinct values and each row's code), without building it.

    Used by the loader, which parses each distinct text of a column once:
    the same ``Int16`` array (data ``fill`` under a missing value), or None
    when a value present is not a whole number within the limits.
    """
    present = np.bincount(codes, minlength=len(numbers)) > 0 if len(codes) else np.zeros(len(numbers), dtype=bool)
    missing = np.isnan(numbers)
    filled = np.where(missing, float(fill), numbers)
    used = filled[present]
    if not (np.all(used == np.trunc(used)) and used.min(initial=0) >= _ITEM_LIMITS[0]
            and used.max(initial=0) <= _ITEM_LIMITS[1]):
        return None
    return pd.arrays.IntegerArray(np.where(present, filled, fill).astype(np.int16)[codes], missing[codes])


def normalise_responses(frame: pd.DataFrame, definition: "StudyDefinition", instruments: Mapping[str, Any]) -> pd.DataFrame:
    """``frame`` in the representation described in this module (a new frame; ``frame`` is not changed).

    Returns ``frame`` itself when it already is in that representation, so
    normalising twice costs only dtype checks.
    """
    changes: dict[str, Any] = {}
    for column, first in (("participant_id", ()), ("timepoint", definition.timepoint_ids)):
        if column in frame.columns:
            converted = _categorical(frame[column], first)
            if converted is not None:
                changes[column] = converted
    for column, low in integer_item_columns(instruments).items():
        if column not in frame.columns:
            continue
        converted = _as_items(frame[column], low)
        if converted is not None:
            changes[column] = converted
    if not changes:
        return frame
    out = frame.copy(deep=False)
    for column, values in changes.items():
        out[column] = pd.Series(values, index=frame.index, name=column)
    return out


def float_values(values: pd.Series) -> np.ndarray:
    """A numeric response column as float64, NaN for missing (a view when it already is float64)."""
    if values.dtype == np.float64:
        return values.to_numpy()
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def masked_int_parts(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(data, missing)`` of a nullable integer column, without copying; None for any other dtype.

    ``data`` under ``missing`` holds an arbitrary value. This reads the two
    arrays behind pandas' ``IntegerArray`` (its documented constructor takes
    exactly these), since the public ``to_numpy`` copies and fills.
    """
    array = values.array
    if not isinstance(array, pd.arrays.IntegerArray):
        return None
    return array._data, array._mask  # noqa: SLF001 - see docstring

"""Table 1: socio-demographic characteristics of the participants."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import UserInputError
from ..study.definition import StudyDefinition
from .schema import DEMOGRAPHICS


def _answered(column: pd.Series) -> pd.Series:
    """True where a cell holds an answer (not NaN/None and not blank text)."""
    ok = column.notna()
    text = column.astype(object).where(ok, "").astype(str).str.strip()
    return ok & (text != "")


def demographics(participants: pd.DataFrame, definition: StudyDefinition) -> pd.DataFrame:
    """Summarise the demographic columns declared in ``study.yaml``.

    Categorical columns give one row per category, ``n`` and ``percent`` of
    those who answered (the denominator is shown, as in "25 of 30"); the
    declared categories come first in their order (shown even when n = 0),
    then any other values in sorted order. Continuous columns give one row
    with n, mean, SD (n - 1), min, max.

    Parameters
    ----------
    participants : pandas.DataFrame
        ``study.participants`` (or a subset of it).
    definition : StudyDefinition
        Its ``demographics`` list says which columns, labels and types.

    Returns
    -------
    pandas.DataFrame
        Fields of ``demographics`` in ``docs/results-schema.md``.

    Raises
    ------
    UserInputError
        When a declared column is absent, or a continuous column has a
        value that is not a number.

    Notes
    -----
    Means and SDs are checked against R's ``mean`` and ``sd`` in
    ``tests/oracle/quant_descriptives.R``; counts are checked by hand-made
    tables in ``tests/quant/test_demographics.py``.
    """
    rows = []
    total = len(participants)
    for d in definition.demographics:
        if d.column not in participants.columns:
            raise UserInputError(f"participants.csv lacks the demographic column {d.column!r} declared in study.yaml")
        col = participants[d.column]
        answered = _answered(col)
        denom = int(answered.sum())
        base = {"column": d.column, "label": d.label, "type": d.type, "denominator": denom,
                "n_missing": total - denom, "n_total": total}
        if d.type == "categorical":
            values = col[answered].astype(str).str.strip()
            counts = values.value_counts()
            declared = list(d.categories or [])
            extra = sorted(set(counts.index) - set(declared))
            for cat in declared + extra:
                n = int(counts.get(cat, 0))
                rows.append({**base, "category": cat, "n": n,
                             "percent": 100.0 * n / denom if denom else np.nan,
                             "mean": np.nan, "sd": np.nan, "min": np.nan, "max": np.nan})
        else:
            try:
                x = pd.to_numeric(col[answered], errors="raise").to_numpy(dtype=float)
            except (TypeError, ValueError):
                raise UserInputError(f"demographic column {d.column!r} is continuous but holds a value that is not a number") from None
            rows.append({**base, "category": None, "n": int(x.size), "percent": np.nan,
                         "mean": float(np.mean(x)) if x.size else np.nan,
                         "sd": float(np.std(x, ddof=1)) if x.size > 1 else np.nan,
                         "min": float(np.min(x)) if x.size else np.nan,
                         "max": float(np.max(x)) if x.size else np.nan})
    out = pd.DataFrame(rows, columns=DEMOGRAPHICS.columns)
    out["category"] = out["category"].astype(object).where(out["category"].notna(), None)
    return out.astype({"n": np.int64, "denominator": np.int64, "n_missing": np.int64, "n_total": np.int64})

"""Read an SPSS ``.sav`` file as a :class:`SourceTable`.

Value labels are kept per column (a mapping turns codes into categories with
them), SPSS user-missing codes become empty cells (and are counted for the
import report), and variable labels are kept for the report.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from ..errors import UserInputError
from .sniff import read_bytes, require_kind
from .source import Cell, SourceTable, canonical_text


def _is_user_missing(value: object, ranges: list[dict]) -> bool:
    for rng in ranges:
        lo, hi = rng.get("lo"), rng.get("hi")
        try:
            if lo is not None and hi is not None and lo <= value <= hi:
                return True
        except TypeError:
            continue
    return False


def _plain(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if hasattr(value, "item"):
        return _plain(value.item())
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value  # type: ignore[return-value]


def read_sav_source(path: Path, *, name: str | None = None, label: str | None = None) -> SourceTable:
    """Read one ``.sav`` (or ``.zsav``) file.

    Raises
    ------
    UserInputError
        When the file is not an SPSS data file, or is damaged or truncated.
    """
    import pyreadstat

    label = label or path.name
    data = read_bytes(path, label)
    require_kind(data, "spss", label)
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises ReadstatError, PyreadstatError and others on damaged files
        raise UserInputError(f"{label}: cannot be read as an SPSS data file: it may be damaged or truncated ({exc})") from None
    columns = [str(c) for c in frame.columns]
    if not columns:
        raise UserInputError(f"{label}: has no variables")
    ranges: dict[str, list[dict]] = dict(getattr(meta, "missing_ranges", None) or {})
    user_missing: dict[str, int] = {}
    rows: list[tuple[Cell, ...]] = []
    records = frame.to_dict(orient="split")["data"]
    for raw in records:
        out = []
        for col, value in zip(columns, raw):
            v = _plain(value)
            if v is not None and col in ranges and _is_user_missing(v, ranges[col]):
                user_missing[col] = user_missing.get(col, 0) + 1
                v = None
            out.append(v)
        rows.append(tuple(out))
    value_labels = {
        str(col): {canonical_text(code): str(lab) for code, lab in labels.items()}
        for col, labels in (meta.variable_value_labels or {}).items()
    }
    variable_labels = {str(c): str(lab) for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    return SourceTable(
        name=name or path.stem,
        label=label,
        columns=columns,
        rows=rows,
        row_numbers=list(range(2, len(rows) + 2)),
        kind="spss",
        value_labels=value_labels,
        variable_labels=variable_labels,
        user_missing=user_missing,
    )

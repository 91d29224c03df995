"""Which questionnaire form a ``responses.csv`` column belongs to.

A form is an instrument's column prefix (``wemwbs`` for ``wemwbs_3``; a short
form such as ``swemwbs`` is entered on its parent's form), or the instrument
of a pre-scored column (``mjs`` for ``mjs.personal``). The rules come from
:func:`peerimpact.scoring.columns.declared_roles`, the same table the
validator and the scoring engine use.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...scoring.columns import KEY_COLUMNS, declared_roles
from ...study import Study

NO_VALUES = ""  # the form of a responses.csv row that holds no value at all


def _fallback_form(column: str) -> str:
    """Form of a column no declared instrument reads (not produced by a validated study)."""
    return column.split(".", 1)[0] if "." in column else column.split("_", 1)[0]


def split_response_row(row: dict[str, Any], study: Study) -> dict[str, dict[str, float]]:
    """``{form: {column: value}}`` of the non-missing values of one responses row.

    A row without any value maps to ``{NO_VALUES: {}}`` so that the row itself
    survives the round trip.
    """
    roles = declared_roles(study.definition.instruments, study.instruments)
    out: dict[str, dict[str, float]] = {}
    for column, value in row.items():
        if column in KEY_COLUMNS or value is None or pd.isna(value):
            continue
        role = roles.get(column)
        form = role.owner.split(".", 1)[0] if role else _fallback_form(column)
        out.setdefault(form, {})[column] = float(value)
    return out or {NO_VALUES: {}}

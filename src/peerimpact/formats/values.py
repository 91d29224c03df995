"""Turn one source cell into the text a study CSV holds.

Order: missing-value tokens -> value label (``use: label``) -> recode ->
the target's type (numbers with a decimal comma, Excel serial dates, text
dates with a format). Returns ``(text, problem message or None)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import AbstractSet

from ..study.write import format_number
from .plan import FieldPlan
from .source import Cell, SourceTable, canonical_text

_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?$")
_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX = 1, 2958465  # 1900-01-01 .. 9999-12-31

__all__ = ["convert", "format_number", "to_date", "to_number"]


def to_number(value: Cell, source: SourceTable) -> tuple[str, str | None]:
    if isinstance(value, bool):
        return ("1" if value else "0"), None
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return "", f"{value!r} is not a finite number"
        return format_number(number), None
    if isinstance(value, (dt.date, dt.datetime)):
        return "", f"{canonical_text(value)!r} is a date, not a number"
    text = str(value).strip()
    if _DECIMAL_COMMA.match(text):
        if source.decimal == ",":
            text = text.replace(",", ".")
        else:
            return "", f"{text!r} is not a number (for a decimal comma set `decimal: \",\"` for this source in the mapping)"
    try:
        number = float(text)
    except ValueError:
        return "", f"{text!r} is not a number"
    if not math.isfinite(number):
        return "", f"{text!r} is not a finite number"
    return format_number(number), None


#: Dates a study can hold: the study loader refuses dates after 2100, and none of its dates
#: (consent, employment, contacts) can be older than 1900.
PLAUSIBLE_DATES = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))


def to_date(value: Cell, source: SourceTable, date_format: str | None) -> tuple[str, str | None]:
    """The ISO text of a date cell, or why it is not a date the study can hold."""
    text, why = _date_text(value, source, date_format)
    if why is None and text and not PLAUSIBLE_DATES[0].isoformat() <= text <= PLAUSIBLE_DATES[1].isoformat():
        lo, hi = PLAUSIBLE_DATES
        return "", f"{text} is out of range: dates must lie between {lo.isoformat()} and {hi.isoformat()}"
    return text, why


def _date_text(value: Cell, source: SourceTable, date_format: str | None) -> tuple[str, str | None]:
    if isinstance(value, dt.datetime):  # a date-time cell: the study keeps the day
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if source.kind == "xlsx" and math.isfinite(value) and _EXCEL_SERIAL_MIN <= value <= _EXCEL_SERIAL_MAX:
            from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

            converted = from_excel(value, source.excel_epoch or CALENDAR_WINDOWS_1900)
            if isinstance(converted, dt.datetime):
                return converted.date().isoformat(), None
        return "", f"{canonical_text(value)!r} is a number, not a date (expected YYYY-MM-DD)"
    text = str(value).strip()
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date().isoformat(), None
        except ValueError:
            return "", f"{text!r} is not a date in the format {date_format!r}"
    m = _ISO_MIDNIGHT.match(text)
    if m:
        text = m.group(1)
    if _ISO_DATE.match(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return "", f"{text!r} is not a real date"
        return text, None
    return "", f"{text!r} is not a date in YYYY-MM-DD form (or set date_format, e.g. '%d/%m/%Y', in the mapping)"


def convert(value: Cell, plan: FieldPlan, source: SourceTable, column: str | None, missing: AbstractSet[str]) -> tuple[str, str | None]:
    """The study text of ``value`` for ``plan``'s target (``""`` = missing).

    ``missing`` is the mapping's missing values; a column with its own
    (``plan.missing``) uses those instead.
    """
    if plan.missing is not None:
        missing = plan.missing
    text = canonical_text(value)
    if value is None or text in missing:
        return "", None
    for pattern, repl in plan.replace:
        text = pattern.sub(repl, text)
        value = text
    if plan.replace and text in missing:
        return "", None
    if plan.use == "label" and column is not None:
        labels = source.value_labels.get(column)
        if labels and text in labels:
            value = labels[text]
            text = value
    if plan.recode is not None:
        found, mapped = plan.recode.lookup(text)
        if not found:
            return "", f"{text!r} is not in {plan.recode.describe()}"
        if mapped is None:
            return "", None
        value, text = mapped, canonical_text(mapped)
    kind = plan.target.kind
    if kind in ("number", "flag"):
        return to_number(value, source)
    if kind == "date":
        return to_date(value, source, plan.date_format)
    return text, None

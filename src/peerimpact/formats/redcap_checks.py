"""The checks of a REDCap record export, one small function per rule.

:func:`peerimpact.formats.redcap.read_redcap` runs them: the header, each
row's REDCap columns (record, event, arm, repeat instrument and instance)
and, for the columns a mapping reads, each value against its field type.
Each returns the problems it found; none raises.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Collection

from ..errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    from .redcap import RedcapEvent, RedcapField

COMPLETE_LABELS = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
#: REDCap's validation types whose numbers are written with a decimal comma.
COMMA_DECIMAL = re.compile(r"^number(_\d+dp)?_comma_decimal$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d*(,\d+)?$")
#: Column names of a REDCap *labels* export ("CSV / Microsoft Excel (labels)").
LABEL_HEADERS = ("Record ID", "Event Name", "Repeat Instrument", "Repeat Instance", "Complete?", "Data Access Group", "Survey Identifier")


def is_comma_decimal(f: RedcapField) -> bool:
    return bool(COMMA_DECIMAL.match(f.validation))


def labels_export_problem(header_line: str, label: str) -> Problem | None:
    """A problem telling the user to export raw data, when the header looks like a labels export."""
    found = [h for h in LABEL_HEADERS if h in header_line]
    if not found:
        return None
    return Problem(
        label, 1, None,
        f"looks like a REDCap labels export (its header has {', '.join(repr(h) for h in found)}): "
        "export the records again as 'CSV / Microsoft Excel (raw data)'",
    )


def header_problems(
    header: list[str], record_id: str, expected: Collection[str], checked: Collection[str] | None, label: str, dict_label: str
) -> tuple[list[Problem], list[str]]:
    """Problems of the header, and the columns ignored because no mapping reads them.

    With ``checked`` (the mapped columns) a column the dictionary does not
    know is a problem only when it is mapped; REDCap's own columns
    (``redcap_event_name`` ...) and the record id are never listed as ignored.
    """
    problems: list[Problem] = []
    ignored: list[str] = []
    if header[0] != record_id:
        problems.append(Problem(label, 1, header[0], f"the first column must be the record id {record_id!r} (the dictionary's first field)"))
    for col in header[1:]:
        if checked is not None and col not in checked:
            if not col.startswith("redcap_"):
                ignored.append(col)
        elif col not in expected:
            problems.append(Problem(label, 1, col, f"column {col!r} is not in the data dictionary {dict_label}"))
    return problems, ignored


def event_problems(event: str | None, has_events: bool, events: dict[str, RedcapEvent], label: str, number: int) -> list[Problem]:
    if not has_events:
        return []
    if not event:
        return [Problem(label, number, "redcap_event_name", "event is empty")]
    if event not in events:
        return [Problem(label, number, "redcap_event_name", f"unknown event {event!r}; events: {', '.join(sorted(events))}")]
    return []


def arm_problem(record: str, event: str | None, events: dict[str, RedcapEvent], arms: dict[str, tuple[int, int, str]], label: str, number: int) -> Problem | None:
    """A row whose event belongs to another arm than the record's first row (``arms`` remembers it)."""
    if not event or event not in events or not record:
        return None
    arm = events[event].arm
    first = arms.setdefault(record, (arm, number, event))
    if first[0] == arm:
        return None
    return Problem(
        label, number, "redcap_event_name",
        f"record {record!r} is in arm {first[0]} (event {first[2]!r} at row {first[1]}) but event {event!r} belongs to arm {arm}",
    )


def repeat_problems(instrument: str | None, instance_text: str, forms: Collection[str], label: str, number: int) -> tuple[int | None, list[Problem]]:
    problems: list[Problem] = []
    instance = None
    if instance_text:
        if instance_text.isdigit() and int(instance_text) >= 1:
            instance = int(instance_text)
        else:
            problems.append(Problem(label, number, "redcap_repeat_instance", f"{instance_text!r} is not a repeat instance number (1, 2, ...)"))
    if instrument and instrument not in forms:
        problems.append(Problem(label, number, "redcap_repeat_instrument", f"unknown instrument {instrument!r}"))
    if instrument and not instance_text:
        problems.append(Problem(label, number, "redcap_repeat_instance", "a repeating instrument row needs its instance number"))
    return instance, problems


def value_problem(col: str, text: str, f: RedcapField | None, is_complete: bool) -> str | None:
    """Why one non-empty cell is not a value of its field, as REDCap defines the field type."""
    if is_complete:
        if text not in COMPLETE_LABELS:
            return f"{text!r} is not a form status (0 Incomplete, 1 Unverified, 2 Complete)"
        return None
    if f is None:
        return None
    if f.field_type == "checkbox":
        return None if text in ("0", "1") else f"{text!r} is not a checkbox value (0 or 1)"
    if f.field_type in ("yesno", "truefalse"):
        return None if text in ("0", "1") else f"{text!r} is not a {f.field_type} value (REDCap writes {format_labels(f.value_labels)})"
    if f.value_labels and text not in f.value_labels:
        return f"{text!r} is not a choice of {f.name} ({', '.join(f.value_labels)})"
    if is_comma_decimal(f) and not _COMMA_NUMBER.match(text.strip()):
        return f"{text!r} is not a number with a decimal comma (the field's validation is {f.validation})"
    return None


def format_labels(labels: dict[str, str]) -> str:
    return ", ".join(f"{code} for {lab}" for code, lab in labels.items())


def boolean_code(text: str, f: RedcapField) -> str:
    """REDCap's code for a ``yesno``/``truefalse`` cell written as its label (``Yes``, ``TRUE``)."""
    if f.field_type not in ("yesno", "truefalse"):
        return text
    folded = text.strip().casefold()
    for code, lab in f.value_labels.items():
        if folded == lab.casefold():
            return code
    return text

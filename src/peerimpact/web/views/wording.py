"""Plain words for the pages: field labels instead of column names, and messages as sentences.

The services speak in study-folder column names (``duration_minutes``,
``person_id``) because the API and the study files use them. A page never
shows those names: :func:`plain_error` turns ``("date", "is required")`` into
"Date is required." and :func:`plain_warning` drops a leading
``duration_minutes:``.
"""

from __future__ import annotations

import re

LABELS = {
    "contact_id": "Contact id", "worker_id": "Peer worker", "person_id": "Person supported", "date": "Date",
    "mode": "Mode", "duration_minutes": "Duration", "status": "Status", "phase": "Before or after discharge",
    "allocated_on": "Allocated on", "discharged_on": "Discharged on", "ended_on": "Ended on",
    "confirm_over_cap": "Caseload cap", "over_cap_reason": "Reason for exceeding the cap",
    "consent_date": "Consent date", "form_version": "Consent form version", "participant_id": "Participant",
    "timepoint": "Timepoint", "instrument": "Questionnaire", "username": "Username", "role": "Role", "site_id": "Site",
    "contract": "Contract", "hours_per_week": "Hours per week", "start_date": "Start date", "end_date": "End date",
    "sick_days": "Sick days", "password1": "Password", "password2": "Password again",
}
# Status words of the scoring engine and of questionnaire windows.
SCORE_STATUS = {
    "complete": "scored", "too_many_missing": "too few to score", "prorated": "scored, missing items prorated",
    "prescored": "score entered", "missing": "not answered",
}
WINDOW_STATE = {"not_open": "not open yet", "open": "open now", "late": "late", "unknown": "no due date yet"}
_PREFIX = re.compile(r"^([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)?): (.+)$", re.S)


def label(field: str | None) -> str:
    """The label a person reads for ``field`` (a column name); unknown names get their words spaced out."""
    if not field:
        return ""
    if field.startswith("responses."):
        return f"Item {field.split('.', 1)[1]}"
    return LABELS.get(field, field.replace("_", " ").capitalize())


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def plain_error(field: str | None, message: str, *, shown_next_to_field: bool = False) -> str:
    """One service error as a sentence: "Date is required.", "Date: 2031-01-01 is in the future."

    Next to its own field the label is left out ("This is required."); the
    error summary above the form names the field.
    """
    predicate = message.startswith(("is ", "are ", "has ", "cannot ", "must ", "was ", "needs "))
    if not field:
        return sentence(message)
    first = label(field).split()[0].lower()
    if predicate:
        return sentence(f"This {message}" if shown_next_to_field else f"{label(field)} {message}")
    if shown_next_to_field or message.lower().startswith(first):
        return sentence(message)  # a whole statement, or one that names its subject ("participant 02 has no ...")
    return sentence(f"{label(field)}: {message}")


def plain_warning(text: str) -> str:
    """A service warning without its leading column name (``duration_minutes: 150 minutes ...``)."""
    match = _PREFIX.match(text)
    if match and (match.group(1) in LABELS or match.group(1).startswith("responses.")):
        return sentence(match.group(2))
    return sentence(text)


def score_status(status: str) -> str:
    return SCORE_STATUS.get(status, status.replace("_", " "))


def window_state(state: str) -> str:
    return WINDOW_STATE.get(state, state.replace("_", " "))

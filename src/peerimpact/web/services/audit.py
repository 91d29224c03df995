"""The audit trail: every create, update and (soft) delete of study data, with before and after.

Built from django-simple-history's historical tables: consecutive versions
of a record are compared field by field. Foreign keys are shown by their
study ids (``participant_id``, ``person_id`` ...), users by username.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from django.contrib.auth import get_user_model

from ..absence.models import AbsenceSpell
from ..records.models import AUDITED_MODELS, Participant, Person, Site, Transcript

MODELS = (*AUDITED_MODELS, AbsenceSpell)  # the records app's, and the absence app's spells

IGNORED = {"id", "uid", "history_id", "history_date", "history_change_reason", "history_type", "history_user_id",
           "history_user", "created_at", "recorded_at", "password", "last_login"}
KEY_FIELDS = {"Contact": "contact_id", "Participant": "participant_id", "Person": "person_id", "Site": "site_id",
              "Transcript": "interview_id", "Coding": "segment_id", "StudyConfig": "title", "User": "username"}
CSV_COLUMNS = ["timestamp", "user", "action", "table", "record", "reason", "before", "after"]


@dataclass(frozen=True)
class AuditEvent:
    timestamp: dt.datetime
    user: str
    action: str  # create | update | delete
    table: str
    record: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]

    def csv_row(self) -> list[str]:
        dump = lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True)  # noqa: E731
        return [self.timestamp.isoformat(), self.user, self.action, self.table, self.record, self.reason,
                dump(self.before), dump(self.after)]


class _Names:
    """Readable names for foreign keys, loaded on first use."""

    def __init__(self) -> None:
        self._maps: dict[str, dict[int, str]] = {}

    def _map(self, name: str) -> dict[int, str]:
        if name not in self._maps:
            source = {
                "participant": (Participant.all_objects, "participant_id"), "worker": (Participant.all_objects, "participant_id"),
                "person": (Person.all_objects, "person_id"), "site": (Site.all_objects, "site_id"),
                "transcript": (Transcript.all_objects, "interview_id"),
            }.get(name, (get_user_model().objects, "username"))
            manager, field = source
            self._maps[name] = dict(manager.values_list("pk", field))
        return self._maps[name]

    def value(self, field: str, value: Any) -> Any:
        if field.endswith("_id") and field[:-3] and value is not None and isinstance(value, int):
            return self._map(field[:-3]).get(value, value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value


def _fields(history_model) -> list[str]:
    return [f.attname for f in history_model._meta.concrete_fields if f.attname not in IGNORED]


def _model_events(model, names: _Names) -> Iterator[AuditEvent]:
    hist = model.history.model
    fields = _fields(hist)
    key = KEY_FIELDS.get(model.__name__)
    users = names._map("user")
    previous: dict[int, dict] = {}
    rows = hist.objects.order_by("id", "history_date", "history_id").values(
        "id", "history_date", "history_type", "history_user_id", "history_change_reason", *fields)
    for row in rows:
        old = previous.get(row["id"])
        new = {f: names.value(f, row[f]) for f in fields}
        if old is None:
            action, before, after = "create", {}, {k: v for k, v in new.items() if v not in (None, "", {}, [])}
        else:
            changed = [f for f in fields if old[f] != new[f]]
            before, after = {f: old[f] for f in changed}, {f: new[f] for f in changed}
            action = "delete" if row["history_type"] == "-" or (old.get("deleted_at") is None and new.get("deleted_at")) else "update"
        previous[row["id"]] = new
        if action == "update" and not before:
            continue  # a save that changed no audited field (e.g. a sign-in updating only last_login)
        record = str(row.get(key)) if key and row.get(key) is not None else f"#{row['id']}"
        yield AuditEvent(row["history_date"], users.get(row["history_user_id"], ""), action, model.__name__,
                         record, row["history_change_reason"] or "", before, after)


def audit_events(tables: Iterable[str] | None = None) -> list[AuditEvent]:
    """Every event, oldest first (optionally only the named tables, e.g. ``["Contact"]``)."""
    names = _Names()
    wanted = set(tables) if tables else None
    events = [e for m in MODELS if wanted is None or m.__name__ in wanted for e in _model_events(m, names)]
    events.sort(key=lambda e: (e.timestamp, e.table, e.record))
    return events


def audit_csv(events: Iterable[AuditEvent]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(e.csv_row())
    return buf.getvalue()


TABLES = [m.__name__ for m in MODELS]

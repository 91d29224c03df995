"""The audit trail: every create, update and (soft) delete of study data, with before and after.

Built from django-simple-history's historical tables: consecutive versions
of a record are compared field by field. Foreign keys are shown by their
study ids (``participant_id``, ``person_id`` ...), users by username.

Every audited model is listed: the records app's, the absence app's spells and
the coding app's blind-coding assignments, unblindings and coding policy. The
study's codebook and memos are YAML documents in ``StudyConfig``; a change to
one of them is shown as its own table ("Codebook", "Memo") with only the codes,
themes, versions or memos that changed as before and after.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import yaml
from django.contrib.auth import get_user_model

from ..absence.models import AbsenceSpell
from ..coding.models import Assignment, CodingPolicy, Unblinding
from ..records.models import AUDITED_MODELS, Participant, Person, Site, Transcript

MODELS = (*AUDITED_MODELS, AbsenceSpell, Assignment, Unblinding, CodingPolicy)  # records, absence and coding apps
DOCUMENTS = {"codebook_yaml": "Codebook", "memos_yaml": "Memo"}  # StudyConfig's YAML documents, shown as their own tables

IGNORED = {"id", "uid", "history_id", "history_date", "history_change_reason", "history_type", "history_user_id",
           "history_user", "created_at", "recorded_at", "password", "last_login"}
KEY_FIELDS = {"Contact": "contact_id", "Participant": "participant_id", "Person": "person_id", "Site": "site_id",
              "Transcript": "interview_id", "Coding": "segment_id", "StudyConfig": "title", "User": "username",
              "Assignment": ("transcript_id", "coder"), "Unblinding": "transcript_id"}
LABELS = {  # each table in plain words (the page's "What" filter and column, the CSV's "what" column)
    "StudyConfig": "Study settings", "Site": "Site", "Participant": "Participant", "Consent": "Consent",
    "Employment": "Employment", "ServiceUse": "Service use", "Transcript": "Transcript", "Coding": "Coding (a coded passage)",
    "Person": "Person supported", "Allocation": "Allocation", "Contact": "Contact", "Policy": "Contact policy",
    "QuestionnaireResponse": "Questionnaire response", "Membership": "Site membership", "User": "User account",
    "StudyDownload": "Study download", "AbsenceSpell": "Absence spell", "Assignment": "Blind-coding assignment",
    "Unblinding": "Unblinding of a transcript", "CodingPolicy": "Coding policy", "Codebook": "Codebook (codes, themes, versions)",
    "Memo": "Memo",
}
CSV_COLUMNS = ["timestamp", "user", "action", "table", "what", "record", "reason", "before", "after"]


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

    @property
    def what(self) -> str:
        """The table in plain words."""
        return LABELS.get(self.table, self.table)

    def csv_row(self) -> list[str]:
        dump = lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True, default=str)  # noqa: E731
        return [self.timestamp.isoformat(), self.user, self.action, self.table, self.what, self.record, self.reason,
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


def _entries(text: Any) -> dict[str, Any]:
    """A YAML document as named entries: ``codes hope``, ``versions 2``, ``memos m1``, or a top-level key."""
    try:
        data = yaml.safe_load(text or "") or {}
    except yaml.YAMLError:
        return {"document": text}
    if not isinstance(data, dict):
        return {"document": data}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list) and all(isinstance(v, dict) and ("id" in v or "version" in v) for v in value):
            for v in value:
                out[f"{key} {v.get('id', v.get('version'))}"] = json.loads(json.dumps(v, default=str))
        else:
            out[str(key)] = json.loads(json.dumps(value, default=str))
    return out


def _document_event(event: AuditEvent) -> AuditEvent:
    """A StudyConfig change to its codebook or memos alone, as a "Codebook" or "Memo" event with what changed in it."""
    (field,) = event.after
    old, new = _entries(event.before.get(field)), _entries(event.after[field])
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    before = {k: old[k] for k in changed if k in old}
    after = {k: new[k] for k in changed if k in new}
    record = ", ".join(changed) if field == "memos_yaml" else next(
        (k for k in reversed(changed) if k.startswith("versions ")), "codebook").replace("versions ", "version ")
    return AuditEvent(event.timestamp, event.user, event.action, DOCUMENTS[field], record, event.reason, before, after)


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
        if isinstance(key, tuple):
            record = " / ".join(str(new[k]) for k in key)
        elif key and new.get(key, row.get(key)) is not None:
            record = str(new.get(key, row.get(key)))
        else:
            record = "the study's coding policy" if model is CodingPolicy else f"#{row['id']}"
        event = AuditEvent(row["history_date"], users.get(row["history_user_id"], ""), action, model.__name__,
                           record, row["history_change_reason"] or "", before, after)
        if model.__name__ == "StudyConfig" and action == "update" and len(after) == 1 and next(iter(after)) in DOCUMENTS:
            event = _document_event(event)
        yield event


def audit_events(tables: Iterable[str] | None = None) -> list[AuditEvent]:
    """Every event, oldest first (optionally only the named tables, e.g. ``["Contact"]`` or ``["Memo"]``)."""
    names = _Names()
    wanted = set(tables) if tables else None
    if wanted is not None and wanted & set(DOCUMENTS.values()):
        wanted_models = wanted | {"StudyConfig"}  # codebook and memo events are StudyConfig's history
    else:
        wanted_models = wanted
    events = [e for m in MODELS if wanted_models is None or m.__name__ in wanted_models
              for e in _model_events(m, names) if wanted is None or e.table in wanted]
    events.sort(key=lambda e: (e.timestamp, e.table, e.record))
    return events


def audit_csv(events: Iterable[AuditEvent]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(e.csv_row())
    return buf.getvalue()


TABLES = [*(m.__name__ for m in MODELS), *DOCUMENTS.values()]

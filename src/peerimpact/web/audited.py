"""A new audited record and its ``+`` audit row, stored as ``save()`` and django-simple-history store them, faster.

``insert_audited(obj)`` is ``obj.save()`` of a new record inside its own
transaction, where django-simple-history's ``post_save`` handler writes the
audit row. On the load test's hot path (``POST /api/contacts``) the ORM spent
most of that time building the two INSERT statements again and sending model
signals that nothing else receives. Here:

- both INSERTs are compiled once (:class:`~peerimpact.web.prepared.PreparedInsert`), their
  values computed by the fields as the ORM computes them, and the audit row's
  values by django-simple-history's own steps (``create_historical_record``:
  the history date, the user from ``_history_user`` or the request, the change
  reason, every included field), in the same order, so the clock is read in
  the same order too;
- on PostgreSQL, when nothing receives the audit's pre- and post-create
  signals, both rows go in **one statement** (``WITH new AS (INSERT ... RETURNING
  id) INSERT INTO history SELECT ... FROM new``), which is atomic by itself:
  no ``BEGIN`` and ``COMMIT`` round trips;
- otherwise the two INSERTs run in one transaction, with the audit's signals
  sent as django-simple-history sends them.

Whenever saving would do anything else (another receiver of the model's save
signals, the audit disabled or skipped for this object, a primary key already
set) it is plain ``obj.save()`` in a transaction.
``tests/web/test_web_prepared_insert.py`` compares every stored column with an
ORM-saved record and audit row, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import inspect
import threading
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Model, signals
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from .prepared import PreparedInsert

_INSERTS: dict[type[Model], PreparedInsert] = {}
_PAIRS: dict[tuple[type[Model], str], "_Pair | None"] = {}
_LOCK = threading.Lock()


def prepared_insert(model: type[Model]) -> PreparedInsert:
    """The one :class:`PreparedInsert` of ``model`` in this process."""
    prepared = _INSERTS.get(model)
    if prepared is None:
        with _LOCK:
            prepared = _INSERTS.setdefault(model, PreparedInsert(model))
    return prepared


def audit_of(model: type[Model]) -> tuple[HistoricalRecords, type[Model]] | None:
    """django-simple-history's registration of ``model`` and its historical model, when the audit row is all
    that saving a new ``model`` does besides the INSERT; None otherwise.

    That is: the only receiver of ``post_save`` for ``model`` is the audit's own handler (not a subclass's),
    nothing receives ``pre_save``, the historical model has no save receivers and no many-to-many history,
    and the audit is enabled.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or signals.pre_save.has_listeners(model):
        return None
    sync, asynchronous = signals.post_save._live_receivers(model)
    if asynchronous or len(sync) != 1:
        return None
    records = getattr(sync[0], "__self__", None)
    if (not isinstance(records, HistoricalRecords) or getattr(sync[0], "__func__", None) is not HistoricalRecords.post_save
            or type(records).create_historical_record is not HistoricalRecords.create_historical_record):
        return None
    history_model = inspect.getattr_static(model, records.manager_name).model
    if (signals.pre_save.has_listeners(history_model) or signals.post_save.has_listeners(history_model)
            or getattr(history_model, "_history_m2m_fields", None)):
        return None
    return records, history_model


def insert_audited(obj: Model, using: str | None = None) -> None:
    """``obj.save()`` of a new audited record, with its ``+`` audit row, all or nothing (see the module's text).

    Inside an enclosing transaction a failure (a duplicate key) rolls back to a
    savepoint, so the enclosing transaction stays usable, as with ``atomic()``.
    """
    model = type(obj)
    using = using or router.db_for_write(model, instance=obj)
    audit = audit_of(model)
    if audit is None or hasattr(obj, "skip_history_when_saving") or obj.pk is not None or not obj._state.adding:
        with transaction.atomic(using=using):
            obj.save(using=using)
        return
    records, history_model = audit
    history_using = using if records.use_base_model_db else None
    pair = None
    if not (pre_create_historical_record.has_listeners(history_model) or post_create_historical_record.has_listeners(history_model)):
        pair = _pair(model, history_model, using, history_using or router.db_for_write(history_model))
    if pair is not None:
        pair.insert(obj, records, history_model, using)
        return
    with transaction.atomic(using=using):
        prepared_insert(model).insert(obj, using)
        _insert_history(obj, records, history_model, history_using)


def _history_row(obj: Model, records: HistoricalRecords, history_model: type[Model], history_using: str | None) -> dict:
    """The arguments of the audit row, as ``HistoricalRecords.create_historical_record(obj, "+", using)`` computes them."""
    history_date = obj._history_date if hasattr(obj, "_history_date") else timezone.now()
    attrs = {field.attname: getattr(obj, field.attname) for field in records.fields_included(obj)}
    if getattr(history_model, "history_relation", None) is not None:
        attrs["history_relation"] = obj
    return {"history_date": history_date, "history_type": "+", "history_user": records.get_history_user(obj),
            "history_change_reason": records.get_change_reason_for_object(obj, "+", history_using), **attrs}


def _insert_history(obj: Model, records: HistoricalRecords, history_model: type[Model], history_using: str | None) -> None:
    """``create_historical_record(obj, "+", using)`` with the row inserted by a :class:`PreparedInsert`."""
    row = _history_row(obj, records, history_model, history_using)
    history = history_model(**row)
    signal_args = {"history_date": row["history_date"], "history_user": row["history_user"],
                   "history_change_reason": row["history_change_reason"], "using": history_using}
    pre_create_historical_record.send(sender=history_model, instance=obj, history_instance=history, **signal_args)
    prepared_insert(history_model).insert(history, history_using or router.db_for_write(history_model, instance=history))
    post_create_historical_record.send(sender=history_model, instance=obj, history_instance=history, **signal_args)


@dataclass(frozen=True)
class _Pair:
    """PostgreSQL: the record's INSERT and its audit row's INSERT as one statement."""

    sql: str
    record: PreparedInsert
    history: PreparedInsert
    id_slot: int  # the audit row's parameter that copies the record's primary key (taken from the first INSERT)

    def insert(self, obj: Model, records: HistoricalRecords, history_model: type[Model], using: str) -> None:
        record_params = self.record.params(obj, using)  # pre_save first (auto_now_add), then the audit's clock
        history = history_model(**_history_row(obj, records, history_model, using if records.use_base_model_db else None))
        history_params = self.history.params(history, using)
        del history_params[self.id_slot]
        connection = connections[using]
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(self.sql, (*record_params, *history_params))
            history_id, record_id = cursor.fetchone()
        self.record.stored(obj, (record_id,), using)
        setattr(history, obj._meta.pk.attname, record_id)
        self.history.stored(history, (history_id,), using)


def _pair(model: type[Model], history_model: type[Model], using: str, history_using: str) -> _Pair | None:
    key = (model, using)
    if key in _PAIRS:
        return _PAIRS[key]
    pair = None
    connection = connections[using]
    if connection.vendor == "postgresql" and history_using == using and getattr(history_model, "history_relation", None) is None:
        pair = _compose(prepared_insert(model), prepared_insert(history_model), model, using)
    with _LOCK:
        return _PAIRS.setdefault(key, pair)


def _compose(record: PreparedInsert, history: PreparedInsert, model: type[Model], using: str) -> _Pair | None:
    """``WITH new AS (<record INSERT> RETURNING pk) INSERT INTO <history> (...) SELECT ..., new.pk, ... FROM new
    RETURNING history_id, pk``, from the two compiled statements; None when they are not of the expected shape."""
    r, h = record.compiled(using), history.compiled(using)
    pk = model._meta.pk
    qn = connections[using].ops.quote_name
    slots = [i for i, f in enumerate(h.fields) if f.attname == pk.attname]
    if (r.returning != (pk,) or len(h.returning) != 1 or r.converters or h.converters or r.returning_params or h.returning_params
            or len(slots) != 1):
        return None
    head, _, tail = h.sql.partition(" VALUES (")
    placeholders, _, returning = tail.rpartition(") RETURNING ")
    if placeholders != ", ".join(["%s"] * len(h.fields)) or not returning:
        return None
    items = ["%s"] * len(h.fields)
    items[slots[0]] = f"{qn('new')}.{qn(pk.column)}"
    sql = (f"WITH {qn('new')} AS ({r.sql}) {head} SELECT {', '.join(items)} FROM {qn('new')} "
           f"RETURNING {returning}, {qn(h.table)}.{qn(h.fields[slots[0]].column)}")
    return _Pair(sql, record, history, slots[0])

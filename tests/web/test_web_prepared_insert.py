"""PreparedInsert and insert_audited: a record and its audit row stored exactly as ``save()`` and django-simple-history store them.

Run on SQLite and, with ``PEERIMPACT_TEST_DB=postgres``, on PostgreSQL: every column of the stored rows is
compared, as the database holds it, so the fast path of ``POST /api/contacts`` cannot drift from the ORM.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection, transaction
from django.db.models import F, signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerimpact.web.audited import insert_audited
from peerimpact.web.prepared import PreparedInsert

pytestmark = pytest.mark.django_db

KEYS = {"id", "uid", "contact_id", "history_id"}  # differ between the two records by construction


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now`` ticking one microsecond per call from a fixed instant; ``clock()`` restarts it."""
    ticks: dict = {}

    def restart():
        ticks["it"] = itertools.count()

    def now():
        return dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=next(ticks["it"]))

    restart()
    monkeypatch.setattr(timezone, "now", now)
    return restart


@pytest.fixture
def make_contact(users):
    from peerimpact.web.records.models import Allocation, Contact

    allocation = Allocation.objects.select_related("worker", "person").first()

    def make(contact_id: str, **fields) -> Contact:
        values = {"worker": allocation.worker, "person": allocation.person, "date": dt.date(2020, 3, 2), "mode": "telephone",
                  "duration_minutes": 20.5, "status": "completed", "phase": "post_discharge", "created_by": users["worker01"],
                  **fields}
        contact = Contact(contact_id=contact_id, **values)
        contact._history_user = users["worker01"]
        return contact

    return make


def _rows(table: str, key: str, ids) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" WHERE "{key}" IN ({", ".join(["%s"] * len(ids))}) ORDER BY "{key}"', list(ids))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def _stored(contact) -> tuple[dict, list[dict]]:
    [row] = _rows("records_contact", "id", [contact.pk])
    return row, _rows("records_historicalcontact", "id", [contact.pk])


@pytest.mark.parametrize("fields", [{}, {"duration_minutes": None, "mode": "face_to_face"}], ids=["typical", "nulls"])
def test_contact_and_audit_row_identical_to_save(fields, make_contact, clock, users):
    orm = make_contact("ORM1", **fields)
    clock()
    with transaction.atomic():
        orm.save()
    fast = make_contact("FAST1", **fields)
    clock()
    with transaction.atomic():
        insert_audited(fast)
    (orm_row, orm_history), (fast_row, fast_history) = _stored(orm), _stored(fast)
    assert set(fast_row) == set(orm_row) and len(orm_row) == len(orm._meta.concrete_fields)
    assert {k: v for k, v in fast_row.items() if k not in KEYS} == {k: v for k, v in orm_row.items() if k not in KEYS}
    assert (fast_row["contact_id"], fast_row["id"], str(fast_row["uid"]).replace("-", "")) == ("FAST1", fast.pk, fast.uid.hex)
    assert len(orm_history) == len(fast_history) == 1
    assert set(fast_history[0]) == set(orm_history[0])
    assert ({k: v for k, v in fast_history[0].items() if k not in KEYS}
            == {k: v for k, v in orm_history[0].items() if k not in KEYS})
    assert (fast_history[0]["history_type"], fast_history[0]["history_user_id"], fast_history[0]["contact_id"]) == (
        "+", users["worker01"].pk, "FAST1")
    assert str(fast_history[0]["uid"]).replace("-", "") == fast.uid.hex
    # created_at, then the audit's history_date, read the clock in the same order on both paths
    assert fast.created_at == orm.created_at and fast.created_at < fast.history.get().history_date
    assert (fast._state.adding, fast._state.db, orm._state.adding, orm._state.db) == (False, "default", False, "default")


def test_change_reason_and_history_date_are_taken_from_the_record(make_contact, users):
    contact = make_contact("FAST2")
    contact._change_reason = "imported"
    contact._history_date = dt.datetime(2021, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    insert_audited(contact)
    history = contact.history.get()
    assert (history.history_change_reason, history.history_date, history.history_user) == (
        "imported", contact._history_date, users["worker01"])


def test_the_statements(make_contact):
    """PostgreSQL: one statement for both rows; SQLite: the two INSERTs (in a transaction: a savepoint here)."""
    with CaptureQueriesContext(connection) as ctx:
        insert_audited(make_contact("FAST3"))
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":
        assert [s.split()[:8] for s in statements] == [
            ["WITH", '"new"', "AS", "(INSERT", "INTO", '"records_contact"', *statements[0].split()[6:8]]]
        assert 'INSERT INTO "records_historicalcontact"' in statements[0] and 'FROM "new" RETURNING' in statements[0]
    else:
        assert [s.split()[:3] for s in statements] == [["INSERT", "INTO", '"records_contact"'],
                                                        ["INSERT", "INTO", '"records_historicalcontact"']]


def test_all_or_nothing(make_contact, monkeypatch):
    """The audit row failing leaves no contact, and an enclosing transaction usable."""
    from django.db import DatabaseError

    from peerimpact.web import audited
    from peerimpact.web.records.models import Contact

    contact = make_contact("HALF")
    if connection.vendor == "postgresql":  # the one statement fails in its audit part: the reason is over 100 characters
        contact._change_reason = "x" * 101
    else:  # the second INSERT fails
        def fail(*args, **kwargs):
            raise DatabaseError("audit row refused")

        monkeypatch.setattr(audited.prepared_insert(Contact.history.model), "insert", fail)
    with pytest.raises(DatabaseError):
        insert_audited(contact)
    assert not Contact.all_objects.filter(contact_id="HALF").exists()
    assert not Contact.history.filter(contact_id="HALF").exists()


def test_the_audit_signals_are_sent_as_simple_history_sends_them(make_contact, clock):
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    seen: list[tuple] = []

    def pre(sender, **kw):
        seen.append(("pre", sender.__name__, kw["instance"].contact_id, kw["history_instance"].pk is None, kw["history_user"],
                     kw["history_change_reason"], kw["history_date"], kw["using"]))

    def post(sender, **kw):
        seen.append(("post", sender.__name__, kw["instance"].contact_id, kw["history_instance"].pk is None, kw["history_user"],
                     kw["history_change_reason"], kw["history_date"], kw["using"]))

    pre_create_historical_record.connect(pre)
    post_create_historical_record.connect(post)
    try:
        clock()
        make_contact("SIG").save()
        orm, seen[:] = list(seen), []
        clock()
        insert_audited(make_contact("SIG"[:0] + "SIG2"))
    finally:
        pre_create_historical_record.disconnect(pre)
        post_create_historical_record.disconnect(post)
    assert [s[:2] + s[3:] for s in seen] == [s[:2] + s[3:] for s in orm]
    assert [s[0] for s in seen] == ["pre", "post"] and [s[3] for s in seen] == [True, False]


def test_another_receiver_makes_it_an_ordinary_save(make_contact):
    from peerimpact.web.records.models import Contact

    calls: list[tuple] = []

    def receiver(sender, instance, created, **kw):
        calls.append((instance.contact_id, created, instance.pk is not None))

    signals.post_save.connect(receiver, sender=Contact)
    try:
        contact = make_contact("RECV")
        insert_audited(contact)
    finally:
        signals.post_save.disconnect(receiver, sender=Contact)
    assert calls == [("RECV", True, True)]
    assert contact.history.filter(history_type="+").count() == 1


def test_a_pre_save_receiver_makes_it_an_ordinary_save(make_contact):
    from peerimpact.web.records.models import Contact

    def receiver(sender, instance, **kw):
        instance.mode = "other"

    signals.pre_save.connect(receiver, sender=Contact)
    try:
        contact = make_contact("PRE")
        insert_audited(contact)
    finally:
        signals.pre_save.disconnect(receiver, sender=Contact)
    assert Contact.objects.get(contact_id="PRE").mode == contact.history.get().mode == "other"


def test_skip_history_is_respected(make_contact):
    from peerimpact.web.records.models import Contact

    contact = make_contact("SKIP")
    contact.skip_history_when_saving = True
    insert_audited(contact)
    assert Contact.objects.filter(contact_id="SKIP").exists() and not contact.history.exists()


def test_refuses_what_would_change_the_sql(make_contact):
    from peerimpact.web.records.models import Contact

    insert = PreparedInsert(Contact)
    with pytest.raises(ValueError, match="expression"):
        insert.insert(make_contact("EXPR", duration_minutes=F("id")))
    saved = make_contact("SAVED")
    insert.insert(saved)
    with pytest.raises(ValueError, match="new Contact"):
        insert.insert(saved)
    assert Contact.objects.filter(contact_id="SAVED").exists() and not saved.history.exists()  # no signal, no audit row


def test_a_duplicate_id_fails_like_save(make_contact):
    from django.db import IntegrityError

    insert_audited(make_contact("DUP"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_audited(make_contact("DUP"))

"""PreparedQuery: the hot path's statements compiled once return exactly what the querysets return."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from peerimpact.web.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_token_lookup_matches_the_queryset(token, users):
    from peerimpact.web.api.tokens import TOKEN, _hash
    from peerimpact.web.records.models import ApiToken

    key = token("worker01").removeprefix("Bearer ")
    orm = ApiToken.objects.select_related("user", "user__membership", "user__membership__participant").get(key_hash=_hash(key))
    fast = TOKEN.first(_hash(key))
    assert _fields(fast) == _fields(orm)  # expires_at converted to an aware datetime on SQLite too
    assert _fields(fast.user) == _fields(orm.user)
    assert _fields(fast.user.membership) == _fields(orm.user.membership)
    assert _fields(fast.user.membership.participant) == _fields(orm.user.membership.participant)
    assert TOKEN.first(_hash(key + "x")) is None


def test_related_objects_are_loaded_with_the_row(token, django_assert_num_queries):
    from peerimpact.web.api.tokens import TOKEN, _hash

    key = token("worker01").removeprefix("Bearer ")
    with django_assert_num_queries(1):
        row = TOKEN.first(_hash(key))
        assert (row.user.username, row.user.membership.role, row.user.membership.participant.participant_id) == (
            "worker01", "worker", "01")


def test_allocation_lookup_matches_the_queryset(users):
    from peerimpact.web.records.models import Allocation
    from peerimpact.web.services.contacts import ALLOCATIONS_OF

    for a in Allocation.objects.select_related("worker", "person"):
        fast = ALLOCATIONS_OF.all(a.worker.pk, a.person.person_id)
        orm = list(Allocation.objects.filter(worker=a.worker, person__person_id=a.person.person_id)
                   .select_related("person").order_by("allocated_on", "id"))
        assert len(fast) == len(orm) == 1
        assert [(_fields(x), _fields(x.person)) for x in fast] == [(_fields(x), _fields(x.person)) for x in orm]
    assert ALLOCATIONS_OF.all(-1, "nobody") == []


@pytest.mark.parametrize("build,placeholders,message", [
    (lambda x: __import__("peerimpact.web.records.models", fromlist=["Person"]).Person.objects.filter(person_id=x, site__site_id=x),
     ("p",), "placeholder 'p' occurs 2 times"),
    (lambda x: __import__("peerimpact.web.records.models", fromlist=["Person"]).Person.objects.all(), ("p",), "placeholder 'p' occurs 0 times"),
], ids=["twice", "absent"])
def test_a_placeholder_must_occur_exactly_once(build, placeholders, message):
    with pytest.raises(ValueError, match=message):
        PreparedQuery(build, *placeholders).all("value")


def test_none_is_refused():
    from peerimpact.web.records.models import Person

    with pytest.raises(ValueError, match="must not be None"):
        PreparedQuery(lambda x: Person.objects.filter(person_id=x), None)
    query = PreparedQuery(lambda x: Person.objects.filter(person_id=x), "p")
    with pytest.raises(ValueError, match="none of them None"):
        query.all(None)


def _coding_start():
    from peerimpact.web.records.models import Coding

    return Coding._meta.get_field("start")


def _integer():
    from django.db.models import IntegerField

    return IntegerField()


def _transcript_fk():
    from peerimpact.web.records.models import Coding

    return Coding._meta.get_field("transcript")


def _codings_from(start):
    from peerimpact.web.records.models import Coding

    return Coding.all_objects.filter(start=start).order_by("id")


def _span(iid, pos, length):
    from django.db.models import Value
    from django.db.models.functions import Substr

    from peerimpact.web.records.models import Transcript

    return Transcript.objects.filter(interview_id=iid).defer("text").annotate(span=Substr("text", Value(pos), Value(length)))


def _codings_of(transcript_pk):
    from peerimpact.web.records.models import Coding

    return Coding.objects.filter(transcript_id=transcript_pk).order_by("id")


def _first_transcript_pk():
    from peerimpact.web.records.models import Transcript

    return Transcript.objects.order_by("interview_id").values_list("pk", flat=True)[0]


# (build, placeholders, kinds, values): an integer compared with a PositiveIntegerField, integers in Value() (an
# IntegerField), and a foreign key (the backends leave its values as they are).
KINDS = [
    (_codings_from, (1_000_000_001,), lambda: (_coding_start(),), lambda: (34,)),
    (_span, ("\0iid", 1_000_000_002, 1_000_000_003), lambda: (None, _integer(), _integer()), lambda: ("S1-PW01-T1", 35, 4)),
    (_codings_of, (1_000_000_004,), lambda: (_transcript_fk(),), lambda: (_first_transcript_pk(),)),
]


def _executed(run) -> tuple[list, list]:
    """What ``run()`` returns and the (sql, [(type, value) of each parameter]) it executed."""
    from django.db import connection

    calls = []

    def record(execute, sql, params, many, context):
        calls.append((sql, [(type(p), p) for p in params]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        out = run()
    return out, calls


@pytest.mark.parametrize("build,placeholders,kinds,values", KINDS, ids=["integer-field", "integer-values", "foreign-key"])
def test_kinds_adapt_placeholders_and_values_as_the_orm_does(study, build, placeholders, kinds, values):
    """With ``kinds`` the statement, its parameters (each of the type the backend's ORM sends: psycopg's Int4 on
    PostgreSQL, int on SQLite) and its rows are the queryset's, on SQLite and (PEERIMPACT_TEST_DB=postgres) PostgreSQL."""
    query, given = PreparedQuery(build, *placeholders, kinds=kinds()), values()
    fast, fast_sql = _executed(lambda: query.all(*given))
    orm, orm_sql = _executed(lambda: list(build(*given)))
    assert fast_sql == orm_sql and len(fast_sql) == 1
    assert [(_fields(x), getattr(x, "span", None)) for x in fast] == [(_fields(x), getattr(x, "span", None)) for x in orm]
    assert len(fast) == 1
    again, again_sql = _executed(lambda: query.all(*given))  # compiled once per database, the values adapted on every call
    assert again_sql == orm_sql and [_fields(x) for x in again] == [_fields(x) for x in fast]


def test_without_kinds_postgresql_adapts_an_integer_out_of_reach():
    """Why ``kinds`` exists: PostgreSQL (psycopg 3) sends an IntegerField's integer as Int4, not the int placeholder."""
    from django.db import connection

    query = PreparedQuery(_codings_from, 1_000_000_001)
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="placeholder 1000000001 occurs 0 times"):
            query.all(34)
    else:
        assert query.all(34) == []
    assert PreparedQuery(_codings_from, 1_000_000_001, kinds=(_coding_start(),)).all(34) == []


def test_one_kind_per_placeholder():
    with pytest.raises(ValueError, match=r"expected one kind per placeholder \(1\), not 2"):
        PreparedQuery(_codings_from, 1_000_000_001, kinds=(_coding_start(), None))


def _coding_field(name):
    from peerimpact.web.records.models import Coding

    return Coding._meta.get_field(name)


def _codings_by(name):
    from peerimpact.web.records.models import Coding

    return lambda value: Coding.all_objects.filter(**{name: value})


# A kind the ORM adapts again after PreparedQuery adapted it (a date-time on SQLite with USE_TZ: a naive date-time and a
# shifted hour; a JSON value: encoded twice, so not found among the parameters), a UUID and a text, and an integer
# kind whose placeholder is not an int: refused when the query is made, on every database.
NOT_INTEGER = [
    ("deleted_at", dt.datetime(2001, 7, 3, 4, 5, 6, tzinfo=dt.timezone.utc), "is not an integer field or a foreign key to one"),
    ("uid", uuid.UUID(int=12345), "is not an integer field or a foreign key to one"),
    ("extra", {"p": "laceholder"}, "is not an integer field or a foreign key to one"),
    ("code", "\0code", "is not an integer field or a foreign key to one"),
    ("start", "1000000001", "the placeholder '1000000001' compared with the integer field"),
    ("transcript", 1_000_000_001.0, "the placeholder 1000000001.0 compared with the integer field"),
]


@pytest.mark.parametrize("name,placeholder,message", NOT_INTEGER, ids=[f"{row[0]}-{type(row[1]).__name__}" for row in NOT_INTEGER])
def test_a_kind_other_than_an_integer_field_is_refused_when_the_query_is_made(name, placeholder, message):
    kind = _coding_field(name)
    with pytest.raises(ValueError, match=f"^kinds: .*{re.escape(message)}") as caught:
        PreparedQuery(_codings_by(name), placeholder, kinds=(kind,))
    assert repr(kind) in str(caught.value)

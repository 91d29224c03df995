"""PreparedQuery: the hot path's statements compiled once return exactly what the querysets return."""

from __future__ import annotations

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

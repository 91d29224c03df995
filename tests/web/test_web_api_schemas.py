"""The API's input and contact output schemas: a dict is validated once by pydantic, anything else as django-ninja does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from peerimpact.web.api import schemas

BODY = {"contact_id": "C1", "person_id": "P001", "date": "2020-03-02", "mode": "telephone", "duration_minutes": 20,
        "status": "completed", "phase": "post_discharge"}
OUT = {"contact_id": "C1", "worker_id": "01", "person_id": "P001", "date": "2020-03-02", "mode": "telephone",
       "duration_minutes": 20.0, "status": "completed", "phase": "post_discharge"}


@pytest.fixture
def counted_getter(monkeypatch):
    """Counts the ``DjangoGetter`` objects the schemas build."""
    made = []
    real = schemas.DjangoGetter

    def getter(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(schemas, "DjangoGetter", getter)
    return made


def test_a_json_body_is_validated_once_without_the_orm_getter(counted_getter):
    assert schemas.ContactIn.model_validate(BODY).model_dump(exclude_unset=True) == BODY
    assert schemas.ContactSaved.model_validate({**OUT, "warnings": ["w"]}).model_dump() == {**OUT, "warnings": ["w"]}
    assert schemas.ContactPage.model_validate({"count": 1, "items": [OUT]}).model_dump() == {"count": 1, "items": [OUT]}
    assert counted_getter == []


@pytest.mark.parametrize("body,field", [({**BODY, "deleted_at": None}, "deleted_at"), ({**BODY, "duration_minutes": "20"}, "duration_minutes"),
                                        ({**BODY, "person_id": 1}, "person_id")], ids=["unknown-field", "string-number", "number-string"])
def test_inputs_stay_strict(body, field):
    with pytest.raises(ValidationError) as caught:
        schemas.ContactIn.model_validate(body)
    assert [e["loc"] for e in caught.value.errors()] == [(field,)]


def test_an_object_is_still_read_through_the_getter(counted_getter):
    row = SimpleNamespace(**OUT)
    assert schemas.ContactOut.model_validate(row).model_dump() == OUT
    assert counted_getter == [row]

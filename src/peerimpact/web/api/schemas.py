"""Request and response bodies. Field names are the study-folder column names.

Inputs are strict: no type coercion (``"60"`` is not a number, ``1`` is not
a string), unknown fields are refused, every string has a length limit.

Inputs and the contact outputs are validated by pydantic alone when given a
dict (a JSON body, the dicts the views return): django-ninja's ``Schema``
validates an input with ``extra="forbid"`` twice, once as it is and once
through its ``DjangoGetter`` (which reads ORM objects), some 12 us per body
on every ``POST /api/contacts`` for the same result, since a JSON value is
never a manager, a queryset, a callable or a file.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints, model_validator

from ..records.models.base import ID_MAX, ID_REGEX

IdStr = Annotated[str, StringConstraints(strict=True, pattern=ID_REGEX, max_length=ID_MAX)]
DateStr = Annotated[str, StringConstraints(strict=True, pattern=r"^\d{4}-\d{2}-\d{2}$", max_length=10)]
Minutes = Annotated[float, Field(strict=True, ge=0, le=24 * 60, allow_inf_nan=False)]
Mode = Literal["face_to_face", "telephone", "other"]
Status = Literal["completed", "attempted", "cancelled", "did_not_attend"]
Phase = Literal["pre_discharge", "post_discharge"]


class _DictSchema(Schema):
    """A ninja ``Schema`` that validates a dict once, as plain pydantic (anything else as ninja does)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if type(values) is dict:
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)  # as ninja: the object's own attributes are checked before they are read through the getter
        return handler(DjangoGetter(values, cls, info.context))


class _In(_DictSchema):
    model_config = ConfigDict(extra="forbid")


class TokenIn(_In):
    username: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=150)]
    password: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=256)]


class TokenOut(Schema):
    token: str
    expires_at: str
    role: str


class ContactIn(_In):
    contact_id: Optional[IdStr] = Field(default=None, description="Your id for the contact (generated when omitted); never reused.")
    worker_id: Optional[IdStr] = Field(default=None, description="Implied by the token for a peer worker.")
    person_id: IdStr
    date: DateStr
    mode: Mode
    duration_minutes: Optional[Minutes] = None
    status: Status
    phase: Phase


class ContactPatch(_In):
    person_id: Optional[IdStr] = None
    date: Optional[DateStr] = None
    mode: Optional[Mode] = None
    duration_minutes: Optional[Minutes] = None
    status: Optional[Status] = None
    phase: Optional[Phase] = None


class ContactOut(_DictSchema):
    contact_id: str
    worker_id: str
    person_id: str
    date: str
    mode: str
    duration_minutes: Optional[float]
    status: str
    phase: str


class ContactSaved(ContactOut):
    warnings: list[str] = []


class ContactPage(_DictSchema):
    count: int
    items: list[ContactOut]


ItemValue = Optional[StrictInt | StrictFloat]


class QuestionnaireIn(_In):
    participant_id: IdStr
    timepoint: IdStr
    instrument: Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    responses: dict[Annotated[str, StringConstraints(max_length=64)], ItemValue] = Field(
        max_length=200, description="Item id (e.g. `3`) or pre-scored subscale column (e.g. `mjs.personal`) -> value; null = missing."
    )
    submit: StrictBool = Field(default=True, description="False saves a draft to resume later.")


class ScoreOut(Schema):
    outcome: str
    score: Optional[float]
    status: str
    items_answered: Optional[int]
    items_missing: Optional[int]


class QuestionnaireOut(Schema):
    participant_id: str
    timepoint: str
    instrument: str
    status: str
    in_window: Optional[bool]
    scores: list[ScoreOut]
    warnings: list[str]


class ErrorItem(Schema):
    field: Optional[str]
    message: str


class ErrorOut(Schema):
    status: int
    errors: list[ErrorItem]


class MeOut(Schema):
    username: str
    role: Optional[str]


ServiceId = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class ServiceUseIn(_In):
    """One row of service_use.csv: a participant's use of one service at one timepoint."""

    participant_id: IdStr
    timepoint: IdStr
    service: ServiceId = Field(description="A service of the study's declared service-use instrument (csri: gp, cmht, ...).")
    used: StrictBool
    count: Optional[Annotated[int, Field(strict=True, ge=0, le=10_000)]] = Field(
        default=None, description="How many times (0-10,000); a count needs used=true.")


class ServiceUseOut(Schema):
    participant_id: str
    timepoint: str
    service: str
    used: bool
    count: Optional[int]


class ServiceUsePage(Schema):
    count: int
    items: list[ServiceUseOut]

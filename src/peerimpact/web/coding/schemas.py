"""Bodies of the coding API (strict, as the rest of the API: no coercion, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from ninja import Schema
from pydantic import Field, StringConstraints

from ..api.schemas import IdStr, _In

Position = Annotated[int, Field(strict=True, ge=0, le=100_000_000)]


class CodingIn(_In):
    interview_id: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]
    start: Position = Field(description="First code point of the span in the normalised text (0-based).")
    end: Position = Field(description="One past the last code point (half-open span, as qual/codings.csv).")
    code: IdStr
    origin: Literal["human", "suggested"] = Field(default="human", description="'suggested': a coder accepted a machine suggestion.")
    model_version: Optional[Annotated[str, StringConstraints(strict=True, max_length=100)]] = None


class CodingOut(Schema):
    id: str
    interview_id: str
    segment_id: str
    start: int
    end: int
    code: str = Field(description="The code at the current codebook version (merged and renamed codes moved).")
    code_before: str = Field(description="The code as coded.")
    recode: list[str] = Field(description="When the code was split since: the codes to choose from (the 'to recode' queue).")
    retired: bool
    coder: str
    quote: str
    version: Optional[int] = None
    timestamp: Optional[str] = None
    origin: str


class CodingList(Schema):
    count: int
    items: list[CodingOut]


class TranscriptSummary(Schema):
    interview_id: str
    site: str
    participant_id: str
    timepoint: str
    n_characters: int
    n_codings: int
    coders: list[str] = Field(description="Coders whose codings the caller sees.")
    assigned: list[str] = Field(description="Coders assigned for blind double coding (a coder on a blind transcript sees only themself).")
    n_assigned: int
    blind: bool


class TranscriptList(Schema):
    count: int
    items: list[TranscriptSummary]


class Turn(Schema):
    speaker: Optional[str] = None
    start: int
    end: int


class TranscriptOut(TranscriptSummary):
    text: str
    turns: list[Turn]
    codings: list[CodingOut]
    me: str = Field(description="The caller's coder id.")


class CodeOut(Schema):
    id: str
    name: str
    description: str
    parent: Optional[str] = None
    colour: str
    active: bool
    themes: list[str]


class ThemeOut(Schema):
    id: str
    name: str
    codes: list[str]


class VersionOut(Schema):
    version: int
    date: Optional[str] = None
    reason: str
    changes: list[dict]


class CodebookOut(Schema):
    version: int
    codes: list[CodeOut]
    themes: list[ThemeOut]
    versions: list[VersionOut]


class AgreementOut(Schema):
    interview_id: str
    coders: list[str]
    pairs: list[dict]
    alpha: list[dict]
    warnings: list[str]


class AssignmentIn(_In):
    coders: list[IdStr] = Field(min_length=2, max_length=20)


class AssignmentOut(Schema):
    interview_id: str
    assigned: list[str]
    blind: bool


Name = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]


class NewCode(_In):
    id: IdStr
    name: Optional[Name] = None
    colour: Optional[Annotated[str, StringConstraints(strict=True, max_length=7)]] = None


class CodebookChangeIn(_In):
    base_version: int = Field(strict=True, ge=1, description="The codebook version the change was made on (stale edits are refused, 409).")
    action: Literal["add", "rename", "merge", "split", "retire", "theme", "snapshot"]
    reason: Annotated[str, StringConstraints(strict=True, max_length=1000)] = Field(description="Why; recorded with the new version.")
    code: Optional[IdStr] = Field(default=None, description="rename, split, retire: the code.")
    codes: Optional[list[IdStr]] = Field(default=None, max_length=200, description="merge: the codes merged; theme: its codes.")
    into: Optional[IdStr | list[NewCode]] = Field(default=None, description="merge: the code kept (or a new id); split: the new codes.")
    id: Optional[IdStr] = Field(default=None, description="add: the new code's id.")
    new_id: Optional[IdStr] = Field(default=None, description="rename: a new id as well as a new name (optional).")
    name: Optional[Name] = None
    colour: Optional[Annotated[str, StringConstraints(strict=True, max_length=7)]] = None
    theme: Optional[IdStr] = Field(default=None, description="theme: the theme's id (created or replaced).")


class PolicyIn(_In):
    coders_may_edit_codebook: bool = Field(strict=True)


class PolicyOut(Schema):
    coders_may_edit_codebook: bool


class MemoIn(_In):
    target_type: Literal["segment", "code", "theme", "transcript"]
    target_id: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]
    kind: Literal["interpretive", "analytic", "reflexive"]
    text: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=20_000)]


class MemoOut(Schema):
    id: str
    target_type: str
    target_id: str
    kind: str
    author: str
    date: Optional[str] = None
    text: str


class MemoList(Schema):
    count: int
    items: list[MemoOut]

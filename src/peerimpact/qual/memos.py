"""Memos (``qual/memos.yaml``): typed, authored notes on codes, themes, transcripts or segments."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import Problem, StudyValidationError
from ..study.definition import check_id
from ._problems import Lines, at, model_problems

MEMOS_FILE = "qual/memos.yaml"
TargetType = Literal["code", "theme", "transcript", "segment"]
TARGET_TYPES: tuple[str, ...] = ("code", "theme", "transcript", "segment")
MemoKind = Literal["interpretive", "analytic", "reflexive"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemoTarget(_Model):
    """What a memo is about."""

    type: TargetType = Field(description="`code`, `theme`, `transcript` (an interview id) or `segment` (a `segment_id` of `qual/codings.csv`).")
    id: str = Field(description="Id of the code, theme, interview or segment.")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


class Memo(_Model):
    """One memo."""

    id: str = Field(description="Unique memo id.")
    target: MemoTarget = Field(description="What the memo is about: `{type: ..., id: ...}`.")
    kind: MemoKind = Field(description="interpretive | analytic | reflexive")
    author: str = Field(description="Who wrote it (a coder id or a name).")
    date: dt.date | None = Field(default=None, description="When (YYYY-MM-DD).")
    text: str = Field(description="The memo.")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        return check_id(str(v), "memo id")


class Memos(_Model):
    """The contents of `qual/memos.yaml`."""

    memos: list[Memo] = Field(default_factory=list, description="The memos.")

    def for_target(self, type_: str, target_id: str) -> list[Memo]:
        return [m for m in self.memos if m.target.type == type_ and m.target.id == target_id]


def parse_memos(
    raw: Any,
    lines: Lines | None = None,
    file: str = MEMOS_FILE,
    targets: Mapping[str, set[str]] | None = None,
) -> Memos:
    """Validate a parsed ``qual/memos.yaml``.

    Parameters
    ----------
    raw : mapping or None
        ``{memos: [...]}``; ``None`` gives no memos.
    lines : dict, optional
        Key path -> line (see :func:`peerimpact.study.yamlio.load_yaml_with_lines`).
    targets : mapping, optional
        Known ids per target type (``code``, ``theme``, ``transcript``,
        ``segment``); a memo on an unknown target is a problem.

    Raises
    ------
    StudyValidationError
        Listing every problem with its line.
    """
    if raw is None:
        return Memos()
    if not isinstance(raw, dict) or set(raw) - {"memos"}:
        extra = sorted(set(raw) - {"memos"}) if isinstance(raw, dict) else []
        msg = f"unknown key {extra[0]!r}; allowed keys: memos" if extra else "must be a mapping with a 'memos' list"
        raise StudyValidationError([at(file, lines, (extra[0],) if extra else (), msg)])
    items = raw.get("memos") or []
    if not isinstance(items, list):
        raise StudyValidationError([at(file, lines, ("memos",), "'memos' must be a list")])
    problems: list[Problem] = []
    memos: list[Memo] = []
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(at(file, lines, ("memos", i), "each memo must be a mapping"))
            continue
        try:
            memo = Memo.model_validate(item)
        except ValidationError as exc:
            problems += model_problems(exc, Memo, file, lines, ("memos", i))
            continue
        if memo.id in first:
            problems.append(at(file, lines, ("memos", i, "id"), f"duplicate memo id {memo.id!r} (also memos.{first[memo.id]})"))
        first.setdefault(memo.id, i)
        if targets is not None and memo.target.id not in targets.get(memo.target.type, set()):
            problems.append(
                at(file, lines, ("memos", i, "target", "id"), f"memo {memo.id!r} is on unknown {memo.target.type} {memo.target.id!r}")
            )
        memos.append(memo)
    if problems:
        raise StudyValidationError(problems)
    return Memos(memos=memos)


def memos_to_dict(memos: Memos) -> dict[str, Any]:
    out = []
    for m in memos.memos:
        d: dict[str, Any] = {"id": m.id, "target": {"type": m.target.type, "id": m.target.id}, "kind": m.kind, "author": m.author}
        if m.date is not None:
            d["date"] = m.date
        d["text"] = m.text
        out.append(d)
    return {"memos": out}


def dump_memos(memos: Memos) -> str:
    """YAML text; ``parse_memos(yaml.safe_load(text)) == memos``."""
    return yaml.safe_dump(memos_to_dict(memos), sort_keys=False, allow_unicode=True, width=100)

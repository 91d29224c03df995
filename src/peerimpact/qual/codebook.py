"""The coding framework (``qual/codebook.yaml``): hierarchical codes, themes and versions.

``parse_codebook`` turns the raw YAML mapping into a validated
:class:`Codebook`, reporting every problem with its file and line. The
version history is replayed (see :mod:`peerimpact.qual.versions`) so that a
merge, split or retirement that does not fit the listed codes is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import Problem, StudyValidationError
from ..study.definition import check_id
from ._problems import Lines, at, model_problems
from .guids import normalise_guid, stable_guid
from .replay import replay_problems

CODEBOOK_FILE = "qual/codebook.yaml"
_COLOUR_RE = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
ACTIONS = ("added", "renamed", "merged", "split", "retired")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _guid(value: object) -> object:
    if value is None:
        return None
    guid = normalise_guid(value)
    if guid is None:
        raise ValueError(f"{value!r} is not a valid GUID (expected 8-4-4-4-12 hexadecimal digits)")
    return guid


def _with_guid(data: Any, kind: str) -> Any:
    if isinstance(data, dict) and data.get("guid") in (None, "") and data.get("id") is not None:
        data = {**data, "guid": stable_guid(kind, str(data["id"]))}
    return data


class Code(_Model):
    """One code of the framework."""

    id: str = Field(description="Stable slug id used in `qual/codings.csv`.")
    guid: str = Field(default="", description="REFI-QDA GUID; derived from the id (uuid5) when omitted.")
    name: str = Field(description="Name shown to people.")
    description: str = Field(default="", description="What the code means.")
    inclusion: str = Field(default="", description="When to apply the code.")
    exclusion: str = Field(default="", description="When not to apply it.")
    colour: str | None = Field(default=None, description="`#rrggbb` colour.")
    origin: Literal["deductive", "inductive"] | None = Field(default=None, description="From the framework (`deductive`) or from the data (`inductive`).")
    parent: str | None = Field(default=None, description="Id of the parent code (hierarchy).")

    @field_validator("id", "parent", mode="before")
    @classmethod
    def _ids(cls, v: object) -> object:
        return v if v is None else check_id(str(v), "code id")

    @field_validator("guid", mode="before")
    @classmethod
    def _guid(cls, v: object) -> object:
        return "" if v in (None, "") else _guid(v)

    @field_validator("colour")
    @classmethod
    def _colour(cls, v: str | None) -> str | None:
        if v is not None and not _COLOUR_RE.match(v):
            raise ValueError(f"colour {v!r} must look like #1b9e77")
        return v

    @field_validator("description", "inclusion", "exclusion", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v

    @model_validator(mode="before")
    @classmethod
    def _derive_guid(cls, data: Any) -> Any:
        return _with_guid(data, "code")


class Theme(_Model):
    """An explanatory theme gathering codes."""

    id: str = Field(description="Stable slug id of the theme.")
    guid: str = Field(default="", description="REFI-QDA GUID; derived from the id (uuid5) when omitted.")
    name: str = Field(description="Name shown to people.")
    description: str = Field(default="", description="What the theme says.")
    valence: Literal["positive", "negative", "complex"] | None = Field(default=None, description="Whether the theme is a positive, negative or complex experience.")
    codes: list[str] = Field(default_factory=list, description="Ids of the codes it gathers (their sub-codes are included).")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        return check_id(str(v), "theme id")

    @field_validator("guid", mode="before")
    @classmethod
    def _guid(cls, v: object) -> object:
        return "" if v in (None, "") else _guid(v)

    @field_validator("description", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return "" if v is None else v

    @model_validator(mode="before")
    @classmethod
    def _derive_guid(cls, data: Any) -> Any:
        return _with_guid(data, "theme")


class Change(_Model):
    """One change recorded in a version.

    Shapes: ``{action: added, code}``, ``{action: renamed, code, from, to}``
    (names; add ``from_code`` when the id changed too), ``{action: merged,
    codes: [...], into}``, ``{action: split, code, into: [...]}``,
    ``{action: retired, code}``.
    """

    action: Literal["added", "renamed", "merged", "split", "retired"] = Field(description="What happened to the code(s).")
    code: str | None = Field(default=None, description="The code added, renamed, split or retired.")
    codes: list[str] | None = Field(default=None, description="`merged`: the two or more codes merged.")
    into: str | list[str] | None = Field(default=None, description="`merged`: the code they became; `split`: the two or more codes it became.")
    from_: str | None = Field(default=None, alias="from", description="`renamed`: the old name.")
    to: str | None = Field(default=None, description="`renamed`: the new name.")
    from_code: str | None = Field(default=None, description="`renamed`: the old id, when the id changed too.")

    @model_validator(mode="after")
    def _shape(self) -> "Change":
        a = self.action
        if a in ("added", "renamed", "split", "retired") and not self.code:
            raise ValueError(f"a {a!r} change needs 'code'")
        if a == "merged":
            if not self.codes or len(self.codes) < 2:
                raise ValueError("a 'merged' change needs 'codes' (two or more code ids)")
            if not isinstance(self.into, str):
                raise ValueError("a 'merged' change needs 'into' (one code id)")
        if a == "split" and (not isinstance(self.into, list) or len(self.into) < 2):
            raise ValueError("a 'split' change needs 'into' (a list of two or more code ids)")
        if a != "merged" and self.codes is not None:
            raise ValueError(f"'codes' is only used by 'merged' changes, not {a!r}")
        if a not in ("merged", "split") and self.into is not None:
            raise ValueError(f"'into' is only used by 'merged' and 'split' changes, not {a!r}")
        if a != "renamed" and (self.from_ is not None or self.to is not None or self.from_code is not None):
            raise ValueError(f"'from', 'to' and 'from_code' are only used by 'renamed' changes, not {a!r}")
        return self

    @property
    def into_list(self) -> list[str]:
        if self.into is None:
            return []
        return [self.into] if isinstance(self.into, str) else list(self.into)

    # Typed views of the fields each action is validated to have (see _shape).
    @property
    def code_id(self) -> str:
        """The code added, renamed, split or retired (``""`` for ``merged``)."""
        return self.code or ""

    @property
    def merged_codes(self) -> list[str]:
        """``merged``: the codes merged (empty for other actions)."""
        return list(self.codes or [])

    @property
    def merged_into(self) -> str:
        """``merged``: the code they became (``""`` for other actions)."""
        return self.into if isinstance(self.into, str) else ""


class Version(_Model):
    """A version of the framework and what changed since the previous one."""

    version: int = Field(ge=1, description="Version number (1, 2, ...).")
    date: dt.date | None = Field(default=None, description="When it was agreed (YYYY-MM-DD).")
    reason: str = Field(default="", description="Why the framework changed.")
    changes: list[Change] = Field(default_factory=list, description="The changes since the previous version.")


class Codebook(_Model):
    """The validated coding framework.

    Build it with :func:`parse_codebook`; compare two with ``==``.
    """

    version: int = Field(default=1, ge=1, description="The current version of the framework.")
    codes: list[Code] = Field(default_factory=list, description="The codes; a sub-code names its `parent`.")
    themes: list[Theme] = Field(default_factory=list, description="Themes gathering codes.")
    versions: list[Version] = Field(default_factory=list, description="The version history; codings name the version they were made under.")

    # ----------------------------------------------------------- look-ups
    @property
    def code_ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def children(self, code_id: str | None) -> list[Code]:
        """Direct children of ``code_id`` (``None``: the top-level codes), in file order."""
        return [c for c in self.codes if c.parent == code_id]

    def descendants(self, code_id: str) -> list[str]:
        """``code_id`` and every code below it, depth first."""
        out = [code_id]
        for child in self.children(code_id):
            out += self.descendants(child.id)
        return out

    def theme_codes(self, theme_id: str) -> list[str]:
        """Codes gathered by a theme, including the sub-codes of those codes."""
        out: list[str] = []
        for code_id in self.theme(theme_id).codes:
            for c in self.descendants(code_id) if code_id in self.code_ids else [code_id]:
                if c not in out:
                    out.append(c)
        return out

    def themes_of(self, code_id: str) -> list[str]:
        return [t.id for t in self.themes if code_id in self.theme_codes(t.id)]

    @property
    def version_numbers(self) -> list[int]:
        return [v.version for v in self.versions]


# ------------------------------------------------------------------ parsing
_TOP_KEYS = ("version", "codes", "themes", "versions")


def parse_codebook(raw: Any, lines: Lines | None = None, file: str = CODEBOOK_FILE) -> Codebook:
    """Validate a parsed ``qual/codebook.yaml`` and return a :class:`Codebook`.

    Parameters
    ----------
    raw : mapping
        The YAML document as plain Python data (``study.codebook``).
    lines : dict, optional
        Key path -> 1-based line, from
        :func:`peerimpact.study.yamlio.load_yaml_with_lines`; problems then
        name their line.
    file : str
        File name used in problems.

    Raises
    ------
    StudyValidationError
        With every problem found: bad keys and values, duplicate ids or GUIDs,
        unknown parents, cycles, themes naming unknown codes, and version
        histories that do not replay to the listed codes.
    """
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise StudyValidationError([Problem(file, 1 if lines else None, None, "must be a mapping with 'codes' (and optionally 'version', 'themes', 'versions')")])
    for key in raw:
        if key not in _TOP_KEYS:
            problems.append(at(file, lines, (key,), f"unknown key {key!r}; allowed keys: {', '.join(_TOP_KEYS)}"))
    codes = _items(raw, "codes", Code, file, lines, problems)
    themes = _items(raw, "themes", Theme, file, lines, problems)
    versions = _items(raw, "versions", Version, file, lines, problems)
    version = raw.get("version", max((v.version for v in versions), default=1))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(at(file, lines, ("version",), f"version {version!r} must be a whole number of at least 1"))
        version = 1
    if problems:
        raise StudyValidationError(problems)
    problems += _check_codes(codes, file, lines)
    problems += _check_themes(themes, codes, file, lines)
    problems += _check_versions(version, versions, file, lines)
    if problems:
        raise StudyValidationError(problems)
    book = Codebook(version=version, codes=codes, themes=themes, versions=versions)
    problems += replay_problems(book, file, lines)
    if problems:
        raise StudyValidationError(problems)
    return book


def _items(raw: dict, key: str, model: type[BaseModel], file: str, lines: Lines | None, problems: list[Problem]) -> list:
    value = raw.get(key)
    if value is None:
        if key == "codes":
            problems.append(at(file, lines, (), "needs a 'codes' list"))
        return []
    if not isinstance(value, list):
        problems.append(at(file, lines, (key,), f"'{key}' must be a list"))
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(at(file, lines, (key, i), f"each entry of '{key}' must be a mapping"))
            continue
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            problems += model_problems(exc, model, file, lines, (key, i))
    return out


def _check_codes(codes: list[Code], file: str, lines: Lines | None) -> list[Problem]:
    problems = []
    first: dict[str, int] = {}
    guids: dict[str, str] = {}
    for i, c in enumerate(codes):
        if c.id in first:
            problems.append(at(file, lines, ("codes", i, "id"), f"duplicate code id {c.id!r} (also codes.{first[c.id]})"))
        first.setdefault(c.id, i)
        if c.guid in guids and guids[c.guid] != c.id:
            problems.append(at(file, lines, ("codes", i, "guid"), f"GUID {c.guid} is also used by code {guids[c.guid]!r}"))
        guids.setdefault(c.guid, c.id)
    parents = {c.id: c.parent for c in codes}
    for i, c in enumerate(codes):
        if c.parent is None:
            continue
        if c.parent not in parents:
            problems.append(at(file, lines, ("codes", i, "parent"), f"parent {c.parent!r} is not a code id"))
            continue
        seen: set[str] = {c.id}
        cur: str | None = c.parent
        while cur is not None:
            if cur in seen:
                problems.append(at(file, lines, ("codes", i, "parent"), f"code {c.id!r} is its own ancestor (parent cycle)"))
                break
            seen.add(cur)
            cur = parents.get(cur)
    return problems


def _check_themes(themes: list[Theme], codes: list[Code], file: str, lines: Lines | None) -> list[Problem]:
    problems = []
    ids = {c.id for c in codes}
    first: dict[str, int] = {}
    for i, t in enumerate(themes):
        if t.id in first:
            problems.append(at(file, lines, ("themes", i, "id"), f"duplicate theme id {t.id!r} (also themes.{first[t.id]})"))
        first.setdefault(t.id, i)
        seen: set[str] = set()
        for j, code_id in enumerate(t.codes):
            if code_id not in ids:
                problems.append(at(file, lines, ("themes", i, "codes", j), f"theme {t.id!r} names unknown code {code_id!r}"))
            elif code_id in seen:
                problems.append(at(file, lines, ("themes", i, "codes", j), f"theme {t.id!r} lists code {code_id!r} twice"))
            seen.add(code_id)
    return problems


def _check_versions(version: int, versions: list[Version], file: str, lines: Lines | None) -> list[Problem]:
    problems = []
    for i in range(1, len(versions)):
        if versions[i].version <= versions[i - 1].version:
            problems.append(
                at(file, lines, ("versions", i, "version"),
                   f"version {versions[i].version} must be greater than the one before it ({versions[i - 1].version})")
            )
    if versions and version != versions[-1].version:
        problems.append(
            at(file, lines, ("version",), f"current version {version} is not the last version listed ({versions[-1].version})")
        )
    return problems


# ------------------------------------------------------------------ writing
def codebook_to_dict(book: Codebook) -> dict[str, Any]:
    """The codebook as the v1 YAML layout (defaults and derived GUIDs left out)."""
    out: dict[str, Any] = {"version": book.version, "codes": [_code_dict(c) for c in book.codes]}
    if book.themes:
        out["themes"] = [_theme_dict(t) for t in book.themes]
    if book.versions:
        out["versions"] = [_version_dict(v) for v in book.versions]
    return out


def _code_dict(c: Code) -> dict[str, Any]:
    d: dict[str, Any] = {"id": c.id}
    if c.guid != stable_guid("code", c.id):
        d["guid"] = c.guid
    d["name"] = c.name
    for key in ("description", "inclusion", "exclusion"):
        if getattr(c, key):
            d[key] = getattr(c, key)
    for key in ("colour", "origin"):
        if getattr(c, key) is not None:
            d[key] = getattr(c, key)
    d["parent"] = c.parent
    return d


def _theme_dict(t: Theme) -> dict[str, Any]:
    d: dict[str, Any] = {"id": t.id}
    if t.guid != stable_guid("theme", t.id):
        d["guid"] = t.guid
    d["name"] = t.name
    if t.description:
        d["description"] = t.description
    if t.valence is not None:
        d["valence"] = t.valence
    d["codes"] = list(t.codes)
    return d


def _version_dict(v: Version) -> dict[str, Any]:
    d: dict[str, Any] = {"version": v.version}
    if v.date is not None:
        d["date"] = v.date
    if v.reason:
        d["reason"] = v.reason
    d["changes"] = [ch.model_dump(by_alias=True, exclude_none=True) for ch in v.changes]
    return d


def dump_codebook(book: Codebook) -> str:
    """YAML text of the codebook; ``parse_codebook(yaml.safe_load(text)) == book``."""
    return yaml.safe_dump(codebook_to_dict(book), sort_keys=False, allow_unicode=True, width=100)

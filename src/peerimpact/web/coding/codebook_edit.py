"""Codebook changes made in the browser: each one is a new codebook version with its reason.

The change is written in the study's own version vocabulary
(:mod:`peerimpact.qual.versions`: ``added``, ``renamed``, ``merged``,
``split``, ``retired``), so codings made under earlier versions migrate by
the same rules as everywhere else (merged and renamed codes move; split codes
go to the "to recode" queue; retired codes are reported). The new codebook is
validated by :func:`peerimpact.qual.codebook.parse_codebook` before it is
stored. Edits name the version they were made on: a stale edit (someone else
changed the codebook meanwhile) is refused with 409 and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ...errors import StudyValidationError
from ...qual.codebook import Change, Code, Codebook, Theme, Version, codebook_to_dict, parse_codebook
from ..access import ADMIN, CODER, role_of
from ..records.models import StudyConfig
from ..services.errors import Collector, Conflict, FieldErrors
from ..services.yamltext import to_text
from .codebook import current_codebook
from .models import CodingPolicy

ACTIONS = ("add", "rename", "merge", "split", "retire", "theme", "snapshot")


def may_edit_codebook(user) -> bool:
    role = role_of(user)
    return role == ADMIN or (role == CODER and CodingPolicy.current().coders_may_edit_codebook)


def with_history(book: Codebook) -> Codebook:
    """The codebook with a version history to append to (a codebook without one: its codes added at version 1)."""
    if book.versions:
        return book
    first = Version(version=1, reason="codebook before the first browser edit", changes=[Change(action="added", code=c) for c in book.code_ids])
    later = [Version(version=v, reason="codebook before the first browser edit") for v in range(2, book.version + 1)]
    return book.model_copy(update={"versions": [first, *later]})


def _replace(ids: list[str], old: str, new: list[str]) -> list[str]:
    out: list[str] = []
    for i in ids:
        for j in (new if i == old else [i]):
            if j not in out:
                out.append(j)
    return out


def _new_code(spec: dict, problems: Collector, field: str) -> Code | None:
    try:
        return Code(id=spec.get("id"), name=spec.get("name") or spec.get("id"), colour=spec.get("colour"),
                    description=spec.get("description") or "", parent=spec.get("parent"), origin=spec.get("origin"))
    except Exception as exc:  # pydantic ValidationError: report its first message
        errors = getattr(exc, "errors", None)
        problems.add(field, errors()[0]["msg"] if callable(errors) else str(exc))
        return None


class _Edit:
    """One change being applied: the codes and themes so far, and the problems found."""

    def __init__(self, book: Codebook, data: dict[str, Any]):
        self.book, self.data = book, data
        self.codes, self.themes = list(book.codes), list(book.themes)
        self.ids = [c.id for c in self.codes]
        self.problems = Collector()

    def need(self, code_id: str | None, field: str) -> None:
        if not code_id:
            self.problems.add(field, "is required")
        elif code_id not in self.ids:
            self.problems.add(field, f"{code_id!r} is not a code of codebook version {self.book.version}")

    def replace_in_themes(self, old: str, new: list[str]) -> None:
        self.themes = [t.model_copy(update={"codes": _replace(t.codes, old, new)}) for t in self.themes]

    def add(self) -> list[Change]:
        code = _new_code(self.data, self.problems, "id")
        if code is not None and code.id in self.ids:
            self.problems.add("id", f"code {code.id!r} already exists")
        self.problems.raise_if_any()
        self.codes.append(code)
        return [Change(action="added", code=code.id)]

    def rename(self) -> list[Change]:
        old, name = self.data.get("code"), self.data.get("name")
        new_id = self.data.get("new_id") or old
        self.need(old, "code")
        if not name:
            self.problems.add("name", "is required")
        if new_id != old and new_id in self.ids:
            self.problems.add("new_id", f"code {new_id!r} already exists")
        self.problems.raise_if_any()
        before = self.book.code(old)
        self.codes = [c.model_copy(update={"id": new_id, "name": name}) if c.id == old else
                      (c.model_copy(update={"parent": new_id}) if c.parent == old else c) for c in self.codes]
        self.replace_in_themes(old, [new_id])
        return [Change.model_validate({"action": "renamed", "code": new_id, "from": before.name, "to": name,
                                       **({"from_code": old} if new_id != old else {})})]

    def merge(self) -> list[Change]:
        merged, into = list(self.data.get("codes") or []), self.data.get("into")
        if len(set(merged)) < 2:
            self.problems.add("codes", "name two or more codes to merge")
        for k, c in enumerate(merged):
            self.need(c, f"codes.{k}")
        if not into:
            self.problems.add("into", "is required")
        self.problems.raise_if_any()
        if into not in self.ids:  # a new code gathers the merged ones
            code = _new_code({"id": into, "name": self.data.get("name") or into, "colour": self.data.get("colour")}, self.problems, "into")
            self.problems.raise_if_any()
            self.codes.append(code)
        elif into not in merged:
            self.problems.add("into", "merge into one of the merged codes or a new code")
            self.problems.raise_if_any()
        gone = [c for c in merged if c != into]
        self.codes = [c.model_copy(update={"parent": into}) if c.parent in gone else c for c in self.codes if c.id not in gone]
        for g in gone:
            self.replace_in_themes(g, [into])
        return [Change(action="merged", codes=merged, into=into)]

    def split(self) -> list[Change]:
        old, parts = self.data.get("code"), list(self.data.get("into") or [])
        self.need(old, "code")
        if len(parts) < 2:
            self.problems.add("into", "split into two or more new codes")
        new_codes = []
        for k, spec in enumerate(parts):
            code = _new_code(spec if isinstance(spec, dict) else {"id": spec}, self.problems, f"into.{k}")
            if code is not None and code.id in self.ids:
                self.problems.add(f"into.{k}", f"code {code.id!r} already exists")
            if code is not None:
                new_codes.append(code)
        self.problems.raise_if_any()
        at = self.ids.index(old)
        codes = self.codes[:at] + new_codes + self.codes[at + 1:]
        self.codes = [c.model_copy(update={"parent": None}) if c.parent == old else c for c in codes]
        self.replace_in_themes(old, [c.id for c in new_codes])
        return [Change(action="split", code=old, into=[c.id for c in new_codes])]

    def retire(self) -> list[Change]:
        old = self.data.get("code")
        self.need(old, "code")
        self.problems.raise_if_any()
        self.codes = [c.model_copy(update={"parent": None}) if c.parent == old else c for c in self.codes if c.id != old]
        self.themes = [t.model_copy(update={"codes": [x for x in t.codes if x != old]}) for t in self.themes]
        return [Change(action="retired", code=old)]

    def theme(self) -> list[Change]:
        theme_id, members = self.data.get("theme"), list(self.data.get("codes") or [])
        if not theme_id:
            self.problems.add("theme", "is required")
        for k, c in enumerate(members):
            self.need(c, f"codes.{k}")
        self.problems.raise_if_any()
        name = self.data.get("name") or theme_id
        if any(t.id == theme_id for t in self.themes):
            self.themes = [t.model_copy(update={"name": name, "codes": members}) if t.id == theme_id else t for t in self.themes]
        else:
            try:
                self.themes.append(Theme(id=theme_id, name=name, codes=members))
            except Exception as exc:
                raise FieldErrors([("theme", str(exc).splitlines()[-1])]) from None
        return []

    def snapshot(self) -> list[Change]:
        """A version with no change: a workshop's provisional framework, as it stands."""
        return []


def apply_change(book: Codebook, action: str, data: dict[str, Any]) -> tuple[list[Code], list[Theme], list[Change]]:
    """Codes, themes and version changes after ``action`` (not yet validated as a whole)."""
    if action not in ACTIONS:
        raise FieldErrors([("action", f"must be one of {', '.join(ACTIONS)}")])
    edit = _Edit(book, data)
    changes = getattr(edit, action)()
    return edit.codes, edit.themes, changes


def change_codebook(user, base_version: int, action: str, reason: str, data: dict[str, Any]) -> Codebook:
    """Make one codebook change as a new version; returns the new codebook.

    Raises
    ------
    PermissionDenied
        The user may not edit the codebook.
    Conflict
        ``base_version`` is not the current version (a stale edit); nothing stored.
    FieldErrors
        The change does not fit the codebook; nothing stored.
    """
    if not may_edit_codebook(user):
        raise PermissionDenied("only research admins (and coders, where the study allows it) change the codebook")
    if not reason.strip():
        raise FieldErrors([("reason", "say why the codebook changes (it is recorded with the version)")])
    with transaction.atomic():
        config = StudyConfig.objects.select_for_update().order_by("id").first()
        if config is None:
            raise FieldErrors([(None, "the database holds no study")])
        book = with_history(current_codebook(config))
        if base_version != book.version:
            raise Conflict([("base_version", f"the codebook changed since you loaded it: version {book.version} is current, "
                                             f"your change was made on version {base_version}; reload and make it again")])
        codes, themes, changes = apply_change(book, action, data)
        version = Version(version=book.version + 1, date=dt.date.today(), reason=reason.strip(), changes=changes)
        new = Codebook(version=version.version, codes=codes, themes=themes, versions=[*book.versions, version])
        raw = codebook_to_dict(new)
        try:
            new = parse_codebook(raw)
        except StudyValidationError as exc:
            raise FieldErrors([(None, p.message) for p in exc.problems]) from None
        config.codebook_yaml = to_text(raw)
        config._history_user, config._change_reason = user, f"codebook version {new.version}: {reason.strip()}"
        config.save(update_fields=["codebook_yaml"])
    return new

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


def apply_change(book: Codebook, action: str, data: dict[str, Any]) -> tuple[list[Code], list[Theme], list[Change]]:
    """Codes, themes and version changes after ``action`` (not yet validated as a whole)."""
    codes, themes = list(book.codes), list(book.themes)
    ids = [c.id for c in codes]
    problems = Collector()

    def need(code_id: str | None, field: str) -> None:
        if not code_id:
            problems.add(field, "is required")
        elif code_id not in ids:
            problems.add(field, f"{code_id!r} is not a code of codebook version {book.version}")

    changes: list[Change] = []
    if action == "add":
        code = _new_code(data, problems, "id")
        if code is not None and code.id in ids:
            problems.add("id", f"code {code.id!r} already exists")
        problems.raise_if_any()
        codes.append(code)
        changes.append(Change(action="added", code=code.id))
    elif action == "rename":
        old, new_id, name = data.get("code"), data.get("new_id") or data.get("code"), data.get("name")
        need(old, "code")
        if not name:
            problems.add("name", "is required")
        if new_id != old and new_id in ids:
            problems.add("new_id", f"code {new_id!r} already exists")
        problems.raise_if_any()
        before = book.code(old)
        codes = [c.model_copy(update={"id": new_id, "name": name}) if c.id == old else
                 (c.model_copy(update={"parent": new_id}) if c.parent == old else c) for c in codes]
        themes = [t.model_copy(update={"codes": _replace(t.codes, old, [new_id])}) for t in themes]
        changes.append(Change.model_validate({"action": "renamed", "code": new_id, "from": before.name, "to": name,
                                              **({"from_code": old} if new_id != old else {})}))
    elif action == "merge":
        merged, into = list(data.get("codes") or []), data.get("into")
        if len(set(merged)) < 2:
            problems.add("codes", "name two or more codes to merge")
        for k, c in enumerate(merged):
            need(c, f"codes.{k}")
        if not into:
            problems.add("into", "is required")
        problems.raise_if_any()
        if into not in ids:  # a new code gathers the merged ones
            code = _new_code({"id": into, "name": data.get("name") or into, "colour": data.get("colour")}, problems, "into")
            problems.raise_if_any()
            codes.append(code)
        elif into not in merged:
            problems.add("into", "merge into one of the merged codes or a new code")
            problems.raise_if_any()
        gone = [c for c in merged if c != into]
        codes = [c.model_copy(update={"parent": into}) if c.parent in gone else c for c in codes if c.id not in gone]
        for g in gone:
            themes = [t.model_copy(update={"codes": _replace(t.codes, g, [into])}) for t in themes]
        changes.append(Change(action="merged", codes=merged, into=into))
    elif action == "split":
        old, parts = data.get("code"), list(data.get("into") or [])
        need(old, "code")
        if len(parts) < 2:
            problems.add("into", "split into two or more new codes")
        new_codes = []
        for k, spec in enumerate(parts):
            code = _new_code(spec if isinstance(spec, dict) else {"id": spec}, problems, f"into.{k}")
            if code is not None and code.id in ids:
                problems.add(f"into.{k}", f"code {code.id!r} already exists")
            if code is not None:
                new_codes.append(code)
        problems.raise_if_any()
        at = ids.index(old)
        codes = codes[:at] + new_codes + codes[at + 1:]
        codes = [c.model_copy(update={"parent": None}) if c.parent == old else c for c in codes]
        themes = [t.model_copy(update={"codes": _replace(t.codes, old, [c.id for c in new_codes])}) for t in themes]
        changes.append(Change(action="split", code=old, into=[c.id for c in new_codes]))
    elif action == "retire":
        old = data.get("code")
        need(old, "code")
        problems.raise_if_any()
        codes = [c.model_copy(update={"parent": None}) if c.parent == old else c for c in codes if c.id != old]
        themes = [t.model_copy(update={"codes": [x for x in t.codes if x != old]}) for t in themes]
        changes.append(Change(action="retired", code=old))
    elif action == "theme":
        theme_id, members = data.get("theme"), list(data.get("codes") or [])
        if not theme_id:
            problems.add("theme", "is required")
        for k, c in enumerate(members):
            need(c, f"codes.{k}")
        problems.raise_if_any()
        name = data.get("name") or theme_id
        existing = [t for t in themes if t.id == theme_id]
        if existing:
            themes = [t.model_copy(update={"name": name, "codes": members}) if t.id == theme_id else t for t in themes]
        else:
            try:
                themes.append(Theme(id=theme_id, name=name, codes=members))
            except Exception as exc:
                raise FieldErrors([("theme", str(exc).splitlines()[-1])]) from None
    elif action != "snapshot":  # snapshot: a version with no change (a workshop's provisional framework, as it stands)
        raise FieldErrors([("action", f"must be one of {', '.join(ACTIONS)}")])
    return codes, themes, changes


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

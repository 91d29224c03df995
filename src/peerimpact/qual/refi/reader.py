"""The parsed ``.qde`` of a REFI-QDA project: users, codebook, sets, cases and variables."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from lxml import etree

from ...errors import Problem
from ..codebook import Code, Theme
from .archive import Archive
from .common import (
    METADATA_FORMAT,
    METADATA_NOTE,
    code_description,
    guid_of,
    kid,
    kids,
    local,
    slug,
    split_code_description,
    text_of,
    xml_safe,
)
from .model import DataLossReport
from .producers import producer

GUID_ATTRS = frozenset((
    "guid", "targetGUID", "creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID",
    "representedGUID", "sourceVertex", "targetVertex", "originGUID", "fromSyncPoint", "toSyncPoint",
))


class Reader:
    """The parsed ``.qde``: users, codes, sets, cases and variables, read into PeerImpact's terms."""

    def __init__(
        self, archive: Archive | None, root: etree._Element, pattern: str | None, source_map: dict[str, str] | None = None,
        file: str | None = None,
    ):
        self.archive = archive
        self.root = root
        self.pattern = pattern
        self.source_map = source_map or {}
        self.producer = producer(root.get("origin"))
        self.stream = lambda: iter(kid(root, "Sources") if kid(root, "Sources") is not None else [])  # children of <Sources>
        self.report = DataLossReport()
        self.problems: list[Problem] = []
        self.file = file or (PurePosixPath(archive.qde).name if archive is not None else "")
        self.meta: dict[str, Any] = {}

    # ------------------------------------------------------------- helpers
    def guid(self, el: etree._Element, attr: str = "guid", required: bool = True) -> str | None:
        value = el.get(attr)
        if value is None:
            if required:
                self.problems.append(Problem(self.file, el.sourceline, attr, f"<{local(el)}> has no {attr}"))
            return None
        g = guid_of(value)
        if g is None:
            self.problems.append(Problem(self.file, el.sourceline, attr, f"{value!r} is not a valid GUID (<{local(el)}>)"))
        return g

    def check_all_guids(self, top: etree._Element | None = None) -> None:
        """Every GUID-typed attribute in the document (or under ``top``) must be a GUID (REFI-QDA GUIDType)."""
        for el in (self.root if top is None else top).iter(tag=etree.Element):
            for attr, value in el.items():
                if attr in GUID_ATTRS and guid_of(value) is None:
                    self.guid(el, attr)

    def restore(self, guid: str | None, field: str, value: str) -> str:
        """``value`` as our export found it in the study, when the metadata note kept it (characters XML 1.0
        cannot hold) and the XML still has what the export wrote; otherwise ``value`` (edited in another tool)."""
        kept = self.meta.get("texts", {}).get(guid or "", {}).get(field)
        return kept if isinstance(kept, str) and xml_safe(kept) == value else value

    def code_texts(self, guid: str | None, description: str) -> tuple[str, str, str]:
        """A code's description, inclusion and exclusion from its ``Description`` (exactly as the study had them, for our export)."""
        parts = self.meta.get("texts", {}).get(guid or "", {}).get("parts")
        if isinstance(parts, list) and len(parts) == 3 and xml_safe(code_description(*parts)) == description:
            return parts[0], parts[1], parts[2]
        return split_code_description(description)

    # ------------------------------------------------------------- parts
    def read_metadata(self) -> None:
        notes = kid(self.root, "Notes")
        for note in kids(notes, "Note") if notes is not None else []:
            if note.get("name") == METADATA_NOTE:
                try:
                    meta = json.loads(text_of(kid(note, "PlainTextContent")))
                except ValueError:
                    self.report.add("unsupported", "Note", "PeerImpact metadata note is not valid JSON; ignored", note.get("guid"))
                    return
                if isinstance(meta, dict) and meta.get("format") == METADATA_FORMAT:
                    self.meta = meta
                return

    def users(self) -> dict[str, str]:
        out: dict[str, str] = {}
        el = kid(self.root, "Users")
        taken: set[str] = set()
        for i, user in enumerate(kids(el, "User") if el is not None else []):
            g = self.guid(user)
            label = user.get("id") or user.get("name") or ""
            ident = slug(label, f"user_{i + 1}") if label != user.get("id") or not _is_id(label) else label
            if ident in taken:
                ident = f"{ident}_{i + 1}"
            taken.add(ident)
            if g:
                out[g] = ident
        return out

    def codes(self) -> tuple[list[Code], dict[str, str], set[str]]:
        meta_codes = self.meta.get("codebook", {}).get("codes", {})
        history = {guid_of(g) for g in self.meta.get("codebook", {}).get("history", [])}
        codes: list[Code] = []
        by_guid: dict[str, str] = {}
        historical: set[str] = set()
        taken: set[str] = set()

        def walk(el: etree._Element, parent: str | None) -> None:
            for code_el in kids(el, "Code"):
                g = self.guid(code_el)
                name = self.restore(g, "name", code_el.get("name") or "")
                info = meta_codes.get(g, {}) if g else {}
                ident = info.get("id") or slug(name, f"code_{len(by_guid) + 1}")
                if g is not None and g in history:  # a code of an earlier version, kept for its codings (see export)
                    by_guid[g] = name
                    historical.add(g)
                    walk(code_el, None)
                    continue
                if ident in taken:
                    ident = f"{ident}_{len(by_guid) + 1}"
                taken.add(ident)
                if g:
                    by_guid[g] = ident
                description, inclusion, exclusion = self.code_texts(g, text_of(kid(code_el, "Description")))
                colour = code_el.get("color")
                codes.append(
                    Code(
                        id=ident, guid=g or "", name=name, description=description, inclusion=inclusion, exclusion=exclusion,
                        colour=colour if colour and _is_colour(colour) else None, origin=info.get("origin"), parent=parent,
                    )
                )
                if colour and not _is_colour(colour):
                    self.report.add("unsupported", "Code", f"colour {colour!r} of code {name!r} is not #rrggbb; dropped", g)
                walk(code_el, ident)

        book = self.root if local(self.root) == "CodeBook" else kid(self.root, "CodeBook")
        codes_el = kid(book, "Codes") if book is not None else None
        if codes_el is not None:
            walk(codes_el, None)
        return codes, by_guid, historical

    def themes(self, code_ids: dict[str, str]) -> tuple[list[Theme], dict[str, str]]:
        meta_themes = self.meta.get("codebook", {}).get("themes", {})
        themes: list[Theme] = []
        notes: dict[str, str] = {}
        qdc = local(self.root) == "CodeBook"  # a .qdc: Sets inside the codebook, MemberCode by guid
        el = kid(self.root, "Sets")
        taken: set[str] = set()
        for i, s in enumerate(kids(el, "Set") if el is not None else []):
            g = self.guid(s)
            members = [code_ids.get(self.guid(m, "guid" if qdc else "targetGUID") or "") for m in kids(s, "MemberCode")]
            if kids(s, "MemberSource"):
                self.report.add("unsupported", "Set", f"set {s.get('name')!r}: {len(kids(s, 'MemberSource'))} member source(s) dropped (sets of sources are not supported)", g)
            if not kids(s, "MemberCode"):
                self.report.add("unsupported", "Set", f"set {s.get('name')!r} has no codes; not a theme", g)
                continue
            info = meta_themes.get(g, {}) if g else {}
            ident = info.get("id") or slug(s.get("name") or "", f"theme_{i + 1}")
            if ident in taken:
                ident = f"{ident}_{i + 1}"
            taken.add(ident)
            known = [m for m in members if m is not None]
            if len(known) < len(members):
                self.report.add("unsupported", "Set", f"set {s.get('name')!r}: {len(members) - len(known)} member(s) are not codes of the codebook", g)
            themes.append(
                Theme(id=ident, guid=g or "", name=self.restore(g, "name", s.get("name") or "") or ident,
                      description=self.restore(g, "description", text_of(kid(s, "Description"))),
                      valence=info.get("valence"), codes=list(dict.fromkeys(known)))
            )
            for mn in kids(s, "MemberNote"):
                ng = self.guid(mn, "targetGUID")
                if ng:
                    notes[ng] = ident
        return themes, notes

    def cases(self) -> dict[str, str]:
        """Source GUID -> case name (the participant)."""
        out: dict[str, str] = {}
        el = kid(self.root, "Cases")
        for case in kids(el, "Case") if el is not None else []:
            cg = self.guid(case)
            name = case.get("name") or (cg or "")
            refs = kids(case, "SourceRef")
            for ref in refs:
                sg = self.guid(ref, "targetGUID")
                if sg:
                    out.setdefault(sg, name)
            if not refs:
                self.report.add("unsupported", "Case", f"case {name!r} refers to no source; not imported (a case becomes the participant of its sources)", cg)
            dropped = [local(c) for c in case if local(c) in ("VariableValue", "CodeRef", "SelectionRef")]
            if dropped:
                self.report.add("unsupported", "Case", f"case {name!r}: {len(dropped)} case variable value(s) or code/selection reference(s) dropped", cg)
        return out

    def variables(self) -> dict[str, str]:
        el = kid(self.root, "Variables")
        out = {}
        for v in kids(el, "Variable") if el is not None else []:
            g = self.guid(v)
            if g:
                out[g] = v.get("name") or ""
        return out


def _is_id(value: str) -> bool:
    return slug(value, "") == value


def _is_colour(value: str) -> bool:
    return re.fullmatch(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})", value) is not None



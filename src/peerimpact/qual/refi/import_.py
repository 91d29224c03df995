"""REFI-QDA 1.5 import: read a ``.qdpx`` leniently, re-anchor every selection, report what did not map.

Accepted: any single ``*.qde`` in the archive (``project.qde``,
``Trial.qde`` ...), sources under ``sources/`` or ``Sources/`` (any case),
positions counted as code points, UTF-16 code units or UTF-8 bytes, line
ends counted 1 or 2, a BOM counted or not (see :mod:`.anchor`). What cannot
be represented (media sources, links, graphs, other variables, notes without
a target ...) or cannot be anchored is listed in :class:`DataLossReport`.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from lxml import etree

from ...errors import Problem, StudyValidationError, UserInputError
from ..codebook import Code, Codebook, Theme
from ..guids import normalise_guid
from ..memos import Memos
from .common import METADATA_FORMAT, METADATA_NOTE, slug, split_code_description

MEDIA = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}
CODING_COLUMNS = ["segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp", "quote"]


@dataclass(frozen=True)
class Loss:
    """One thing that was not imported, or imported with a caveat."""

    kind: str  # unsupported | unanchored | relocated | placed | assumed | media | renamed
    element: str
    detail: str
    guid: str | None = None

    def __str__(self) -> str:
        guid = f" {self.guid}" if self.guid else ""
        return f"{self.kind}: {self.element}{guid}: {self.detail}"


@dataclass
class DataLossReport:
    """What the import dropped or changed, in as much detail as possible (REFI-QDA section 7)."""

    items: list[Loss] = field(default_factory=list)

    def add(self, kind: str, element: str, detail: str, guid: str | None = None) -> None:
        self.items.append(Loss(kind, element, detail, guid))

    @property
    def lost(self) -> list[Loss]:
        """Items whose data were not imported."""
        return [i for i in self.items if i.kind in ("unsupported", "unanchored", "media")]

    def lines(self) -> list[str]:
        return [str(i) for i in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class QualImport:
    """What a ``.qdpx`` project holds, in PeerImpact's terms.

    Attributes
    ----------
    project_name : str
    codebook : Codebook
    codings : DataFrame
        :data:`CODING_COLUMNS` (``version`` nullable Int64, ``timestamp`` str or None).
    memos : Memos
    transcripts : dict
        interview id -> normalised text.
    sources : DataFrame
        ``interview_id, guid, name, participant_id, site, timepoint, convention``.
    report : DataLossReport
    """

    project_name: str
    codebook: Codebook
    codings: pd.DataFrame
    memos: Memos
    transcripts: dict[str, str]
    sources: pd.DataFrame
    report: DataLossReport


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _kid(el: etree._Element, name: str) -> etree._Element | None:
    found = _kids(el, name)
    return found[0] if found else None


def _text_of(el: etree._Element | None) -> str:
    return "" if el is None else (el.text or "")


class _Archive:
    """The ``.qdpx`` zip: its one ``.qde`` and its sources, looked up case-insensitively."""

    def __init__(self, path: Path):
        try:
            self.zf = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise UserInputError(f"{path.name}: not a REFI-QDA project (.qdpx is a zip file): {exc}") from None
        names = [n for n in self.zf.namelist() if not n.endswith("/")]
        qdes = [n for n in names if n.lower().endswith(".qde") and not PurePosixPath(n).name.startswith("._")]
        if len(qdes) != 1:
            found = ", ".join(qdes) if qdes else "none"
            raise UserInputError(f"{path.name}: expected exactly one .qde file in the project, found {found}")
        self.qde = qdes[0]
        base = str(PurePosixPath(self.qde).parent)
        base = "" if base == "." else base + "/"
        self.sources: dict[str, str] = {}
        for n in names:
            rel = n[len(base):] if n.startswith(base) else None
            if rel is None:
                continue
            parts = rel.split("/")
            if len(parts) == 2 and parts[0].lower() == "sources":
                self.sources[parts[1].lower()] = n

    def read_qde(self) -> bytes:
        return self.zf.read(self.qde)

    def source(self, url: str) -> bytes | None:
        if not url.lower().startswith("internal://"):
            return None
        name = url[len("internal://"):].lower()
        member = self.sources.get(name)
        return None if member is None else self.zf.read(member)


def _decode(data: bytes) -> tuple[str, bool]:
    """Text of a source file and whether it started with a BOM."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), True
    return data.decode("utf-8"), False


class _Reader:
    def __init__(self, archive: _Archive, root: etree._Element, pattern: str | None):
        self.archive = archive
        self.root = root
        self.pattern = pattern
        self.report = DataLossReport()
        self.problems: list[Problem] = []
        self.file = PurePosixPath(archive.qde).name
        self.meta: dict[str, Any] = {}

    # ------------------------------------------------------------- helpers
    def guid(self, el: etree._Element, attr: str = "guid", required: bool = True) -> str | None:
        value = el.get(attr)
        if value is None:
            if required:
                self.problems.append(Problem(self.file, el.sourceline, attr, f"<{_local(el)}> has no {attr}"))
            return None
        g = normalise_guid(value)
        if g is None:
            self.problems.append(Problem(self.file, el.sourceline, attr, f"{value!r} is not a valid GUID (<{_local(el)}>)"))
        return g

    def check_all_guids(self) -> None:
        """Every GUID-typed attribute in the document must be a GUID (REFI-QDA GUIDType)."""
        attrs = ("guid", "targetGUID", "creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID",
                 "representedGUID", "sourceVertex", "targetVertex", "originGUID", "fromSyncPoint", "toSyncPoint")
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in attrs:
                if el.get(attr) is not None:
                    self.guid(el, attr)

    # ------------------------------------------------------------- parts
    def read_metadata(self) -> None:
        notes = _kid(self.root, "Notes")
        for note in _kids(notes, "Note") if notes is not None else []:
            if note.get("name") == METADATA_NOTE:
                try:
                    meta = json.loads(_text_of(_kid(note, "PlainTextContent")))
                except ValueError:
                    self.report.add("unsupported", "Note", "PeerImpact metadata note is not valid JSON; ignored", note.get("guid"))
                    return
                if isinstance(meta, dict) and meta.get("format") == METADATA_FORMAT:
                    self.meta = meta
                return

    def users(self) -> dict[str, str]:
        out: dict[str, str] = {}
        el = _kid(self.root, "Users")
        taken: set[str] = set()
        for i, user in enumerate(_kids(el, "User") if el is not None else []):
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
        history = {normalise_guid(g) for g in self.meta.get("codebook", {}).get("history", [])}
        codes: list[Code] = []
        by_guid: dict[str, str] = {}
        historical: set[str] = set()
        taken: set[str] = set()

        def walk(el: etree._Element, parent: str | None) -> None:
            for code_el in _kids(el, "Code"):
                g = self.guid(code_el)
                name = code_el.get("name") or ""
                info = meta_codes.get(g, {}) if g else {}
                ident = info.get("id") or slug(name, f"code_{len(by_guid) + 1}")
                if g in history:  # a code of an earlier version, kept for its codings (see export)
                    by_guid[g] = name
                    historical.add(g)
                    walk(code_el, None)
                    continue
                if ident in taken:
                    ident = f"{ident}_{len(by_guid) + 1}"
                taken.add(ident)
                if g:
                    by_guid[g] = ident
                description, inclusion, exclusion = split_code_description(_text_of(_kid(code_el, "Description")))
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

        book = _kid(self.root, "CodeBook")
        codes_el = _kid(book, "Codes") if book is not None else None
        if codes_el is not None:
            walk(codes_el, None)
        return codes, by_guid, historical

    def themes(self, code_ids: dict[str, str]) -> tuple[list[Theme], dict[str, str]]:
        meta_themes = self.meta.get("codebook", {}).get("themes", {})
        themes: list[Theme] = []
        notes: dict[str, str] = {}
        el = _kid(self.root, "Sets")
        taken: set[str] = set()
        for i, s in enumerate(_kids(el, "Set") if el is not None else []):
            g = self.guid(s)
            members = [code_ids.get(self.guid(m, "targetGUID") or "") for m in _kids(s, "MemberCode")]
            if _kids(s, "MemberSource"):
                self.report.add("unsupported", "Set", f"set {s.get('name')!r}: {len(_kids(s, 'MemberSource'))} member source(s) dropped (sets of sources are not supported)", g)
            if not _kids(s, "MemberCode"):
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
                Theme(id=ident, guid=g or "", name=s.get("name") or ident, description=_text_of(_kid(s, "Description")),
                      valence=info.get("valence"), codes=list(dict.fromkeys(known)))
            )
            for mn in _kids(s, "MemberNote"):
                ng = self.guid(mn, "targetGUID")
                if ng:
                    notes[ng] = ident
        return themes, notes

    def cases(self) -> dict[str, str]:
        """Source GUID -> case name (the participant)."""
        out: dict[str, str] = {}
        el = _kid(self.root, "Cases")
        for case in _kids(el, "Case") if el is not None else []:
            cg = self.guid(case)
            name = case.get("name") or (cg or "")
            for ref in _kids(case, "SourceRef"):
                sg = self.guid(ref, "targetGUID")
                if sg:
                    out.setdefault(sg, name)
            dropped = [_local(c) for c in case if _local(c) in ("VariableValue", "CodeRef", "SelectionRef")]
            if dropped:
                self.report.add("unsupported", "Case", f"case {name!r}: {len(dropped)} case variable value(s) or code/selection reference(s) dropped", cg)
        return out

    def variables(self) -> dict[str, str]:
        el = _kid(self.root, "Variables")
        out = {}
        for v in _kids(el, "Variable") if el is not None else []:
            g = self.guid(v)
            if g:
                out[g] = v.get("name") or ""
        return out


def _is_id(value: str) -> bool:
    return slug(value, "") == value


def _is_colour(value: str) -> bool:
    return re.fullmatch(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})", value) is not None


def import_qdpx(path: str | Path, interview_id_pattern: str | None = None) -> QualImport:
    """Read a REFI-QDA ``.qdpx`` project.

    Parameters
    ----------
    path : str or Path
    interview_id_pattern : str, optional
        The study's ``interview_id_pattern``. Source names (without
        extension) that do not match it are built from the source's ``site``
        and ``timepoint`` variables and its case; failing that, the source is
        a problem. Without a pattern, the source name is the interview id.

    Returns
    -------
    QualImport

    Raises
    ------
    UserInputError
        When the file is not a zip holding exactly one ``.qde``.
    StudyValidationError
        When the XML is malformed, a GUID is invalid, or a source cannot be
        named; every problem names ``<file>.qde`` and its line.
    """
    path = Path(path)
    archive = _Archive(path)
    try:
        return _read(archive, interview_id_pattern)
    finally:
        archive.zf.close()


def _read(archive: _Archive, interview_id_pattern: str | None) -> QualImport:
    file = PurePosixPath(archive.qde).name
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
        root = etree.fromstring(archive.read_qde(), parser)
    except etree.XMLSyntaxError as exc:
        raise StudyValidationError([Problem(file, exc.lineno, None, f"is not well-formed XML: {exc.msg}")]) from None
    if _local(root) != "Project":
        raise StudyValidationError([Problem(file, root.sourceline, None, f"root element is <{_local(root)}>, expected <Project>")])
    r = _Reader(archive, root, interview_id_pattern)
    r.check_all_guids()
    if r.problems:
        raise StudyValidationError(r.problems)
    r.read_metadata()
    from .assemble import assemble

    return assemble(r)

"""REFI-QDA 1.5 export: ``.qdpx`` projects and ``.qdc`` codebooks.

Written strictly to the standard: positions are Unicode code points from 0
with the end exclusive, sources are UTF-8 without BOM and with LF line ends
(the normalised transcript text), GUIDs are uuid5 (stable across exports),
and the files are byte-identical when the study is unchanged.

What REFI-QDA has no place for (code ids, inclusion/exclusion notes are
folded into the code description, origin, theme valence, codebook versions,
memo kinds, segment ids, coding versions; each coding's ``origin`` and
``model_version`` and the cells of the study's own ``qual/codings.csv``
columns) travels in one project note named
``PeerImpact metadata (do not edit)``, keyed by GUID, so that our own export
imports back exactly while other tools simply show it as a project memo.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from lxml import etree

from ... import __version__
from ...errors import Problem, StudyValidationError
from ...fileio import write_bytes
from ...study.model import Study
from ..codebook import CODEBOOK_FILE, Code, Codebook
from ..codings import QualData, qual_data
from ..guids import stable_guid
from .common import (
    CODEBOOK_NS,
    METADATA_FORMAT,
    METADATA_NOTE,
    METADATA_VERSION,
    PROJECT_NS,
    code_description,
    json_for_xml,
    split_code_description,
    xml_safe,
    xml_unsafe,
)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _el(parent: etree._Element | None, tag: str, ns: str = PROJECT_NS, **attrs: Any) -> etree._Element:
    clean = {k: str(v) for k, v in attrs.items() if v is not None}
    if parent is None:
        return etree.Element(f"{{{ns}}}{tag}", clean, nsmap={None: ns})
    return etree.SubElement(parent, f"{{{ns}}}{tag}", clean)


def _text(parent: etree._Element, tag: str, text: str, ns: str = PROJECT_NS) -> None:
    el = _el(parent, tag, ns)
    el.text = xml_safe(text)


def user_guid(name: str) -> str:
    return stable_guid("user", name)


def _xsd_datetime(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    ts = pd.Timestamp(str(value))
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}".rstrip("0")
    if ts.tzinfo is not None:
        off = ts.strftime("%z")
        text += "Z" if off == "+0000" else f"{off[:3]}:{off[3:]}"
    return text


HISTORY_FOLDER = "Codes of earlier codebook versions"


def historical_codes(book: Codebook, used: set[str]) -> list[str]:
    """Codes that codings or memos use but the current codebook no longer lists (merged, split, retired)."""
    return sorted(used - set(book.code_ids))


def keep_text(texts: dict[str, dict[str, Any]], guid: str, field: str, text: str) -> None:
    """Record ``text`` under ``texts[guid][field]`` when XML 1.0 cannot hold it (the import puts it back)."""
    if xml_unsafe(text):
        texts.setdefault(guid, {})[field] = text


def _keep_code(texts: dict[str, dict[str, Any]], code: Code, desc: str) -> None:
    """A code's name, and its description, inclusion and exclusion when the folded ``Description`` cannot give them back."""
    keep_text(texts, code.guid, "name", code.name)
    parts = (code.description, code.inclusion, code.exclusion)
    if xml_unsafe(desc) or split_code_description(desc) != parts:
        texts.setdefault(code.guid, {})["parts"] = list(parts)


def _codes_xml(
    parent: etree._Element, book: Codebook, notes_for: dict[Any, list[str]], ns: str, with_notes: bool,
    history: Sequence[str] = (), texts: dict[str, dict[str, Any]] | None = None,
) -> None:
    def add(into: etree._Element, code: Code, codable: bool = True) -> None:
        el = _el(into, "Code", ns, guid=code.guid, name=xml_safe(code.name), isCodable="true" if codable else "false", color=code.colour)
        desc = code_description(code.description, code.inclusion, code.exclusion)
        if texts is not None:
            _keep_code(texts, code, desc)
        if desc:
            _text(el, "Description", desc, ns)
        if with_notes:
            for note in notes_for.get(("code", code.id), []):
                _el(el, "NoteRef", ns, targetGUID=note)
        for child in book.children(code.id):
            add(el, child)

    codes = _el(parent, "Codes", ns)
    for top in book.children(None):
        add(codes, top)
    if history:
        folder = _el(codes, "Code", ns, guid=stable_guid("code-folder", "history"), name=HISTORY_FOLDER, isCodable="false")
        _text(folder, "Description", "Codes used by codings made under earlier codebook versions; kept so that no coding is lost.", ns)
        for code_id in history:
            add(folder, Code(id=code_id, name=code_id), codable=False)


def codebook_metadata(book: Codebook) -> dict[str, Any]:
    return {
        "version": book.version,
        "codes": {c.guid: {"id": c.id, "origin": c.origin} for c in book.codes},
        "themes": {t.guid: {"id": t.id, "valence": t.valence} for t in book.themes},
        "versions": [v.model_dump(mode="json", by_alias=True, exclude_none=True) for v in book.versions],
    }


NAME_LIMIT = 200  # characters of the quote a selection's name carries; longer quotes end in "…"


def selection_name(quote: str) -> str:
    """A selection's ``name``: its quoted text, truncated for tools that show it (the import reads the ``…``).

    >>> selection_name("short")
    'short'
    >>> len(selection_name("x" * 500))
    200
    """
    quote = xml_safe(quote)
    return quote if len(quote) <= NAME_LIMIT else quote[: NAME_LIMIT - 1] + "…"


# Columns of qual/codings.csv that REFI-QDA elements carry (or the export derives); the rest travel in the metadata note.
_CARRIED = ("segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp", "quote")
_OWN = ("origin", "model_version")  # carried per coding in the metadata note under their own keys


def _raw_coding_columns(study: Study) -> tuple[list[str], dict[tuple[str, str, str], dict[str, str]]]:
    """The optional and the study's own columns of ``qual/codings.csv`` (in file order), and each coding's own-column cells.

    The cells are keyed by the table's key ``(segment_id, code, coder)``;
    empty cells are left out. ``origin`` and ``model_version`` are read from
    the validated codings instead.
    """
    raw = study.codings
    if raw is None or raw.empty:
        return [], {}
    optional = [c for c in raw.columns if c not in _CARRIED]
    own = [c for c in optional if c not in _OWN]
    cells: dict[tuple[str, str, str], dict[str, str]] = {}
    if own:
        for rec in raw[["segment_id", "code", "coder", *own]].to_dict("records"):
            values = {c: str(rec[c]) for c in own if rec[c] is not None and not (isinstance(rec[c], float) and pd.isna(rec[c])) and str(rec[c]) != ""}
            if values:
                cells[(str(rec["segment_id"]), str(rec["code"]), str(rec["coder"]))] = values
    return optional, cells


class _ProjectBuilder:
    """Builds ``project.qde`` one section at a time (users, codebook, variables and cases, sources, notes, sets)."""

    def __init__(self, study: Study, data: QualData):
        self.study = study
        self.book, self.memos, self.codings = data.codebook, data.memos, data.codings
        coders = sorted(set(self.codings["coder"]))
        authors = sorted({m.author for m in self.memos.memos} - set(coders))
        self.users = {name: user_guid(name) for name in coders + authors}
        self.notes_for: dict[Any, list[str]] = {}
        for m in self.memos.memos:
            self.notes_for.setdefault((m.target.type, m.target.id), []).append(stable_guid("memo", m.id))
        self.history = historical_codes(self.book, set(self.codings["code"]) | {m.target.id for m in self.memos.memos if m.target.type == "code"})
        self.code_guids = {c.id: c.guid for c in self.book.codes} | {c: stable_guid("code", c) for c in self.history}
        self.variables = {"site": stable_guid("variable", "site"), "timepoint": stable_guid("variable", "timepoint")}
        self.transcripts = sorted(study.transcripts.values(), key=lambda t: t.interview_id)
        self.sources: dict[str, bytes] = {}
        self.meta_sources: dict[str, Any] = {}
        self.meta_selections: dict[str, str] = {}
        self.meta_codings: dict[str, Any] = {}
        self.coding_columns, self.raw_columns = _raw_coding_columns(study)
        self.texts: dict[str, dict[str, Any]] = {}  # GUID -> field -> text XML 1.0 cannot hold, as the study has it
        for theme in self.book.themes:  # sets are written after the metadata note
            keep_text(self.texts, theme.guid, "name", theme.name)
            keep_text(self.texts, theme.guid, "description", theme.description)
        self.root = _el(None, "Project", name=xml_safe(study.title), origin=f"PeerImpact {__version__}")

    def users_xml(self) -> None:
        if self.users:
            el_users = _el(self.root, "Users")
            for name, guid in self.users.items():
                _el(el_users, "User", guid=guid, name=xml_safe(name), id=xml_safe(name))
                keep_text(self.texts, guid, "name", name)

    def codebook_xml(self) -> None:
        if self.book.codes or self.history:
            _codes_xml(_el(self.root, "CodeBook"), self.book, self.notes_for, PROJECT_NS, with_notes=True, history=self.history, texts=self.texts)

    def variables_and_cases_xml(self) -> None:
        if not self.transcripts:
            return
        el_vars = _el(self.root, "Variables")
        for name, guid in self.variables.items():
            var = _el(el_vars, "Variable", guid=guid, name=name, typeOfVariable="Text")
            _text(var, "Description", "Site of the interview" if name == "site" else "Timepoint (wave) of the interview")
        el_cases = _el(self.root, "Cases")
        for pid in sorted({t.participant_id for t in self.transcripts}):
            case = _el(el_cases, "Case", guid=stable_guid("case", pid), name=xml_safe(pid))
            for t in self.transcripts:
                if t.participant_id == pid:
                    _el(case, "SourceRef", targetGUID=stable_guid("source", t.interview_id))

    def sources_xml(self) -> None:
        if not self.transcripts:
            return
        el_sources = _el(self.root, "Sources")
        by_interview: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for rec in sorted(self.codings.to_dict("records"), key=lambda r: (r["interview_id"], r["start"], r["end"], r["segment_id"], r["code"], r["coder"])):
            by_interview.setdefault(rec["interview_id"], {}).setdefault(rec["segment_id"], []).append(rec)
        for t in self.transcripts:
            sguid = stable_guid("source", t.interview_id)
            self.sources[f"sources/{sguid}.txt"] = t.text.encode("utf-8")
            self.meta_sources[sguid] = {"interview_id": t.interview_id, "sha256": t.sha256}
            src = _el(el_sources, "TextSource", guid=sguid, name=xml_safe(t.interview_id), plainTextPath=f"internal://{sguid}.txt")
            for seg, rows in by_interview.get(t.interview_id, {}).items():
                self._selection_xml(src, str(seg), rows)
            for note in self.notes_for.get(("transcript", t.interview_id), []):
                _el(src, "NoteRef", targetGUID=note)
            for name, value in (("site", t.site), ("timepoint", t.timepoint)):
                vv = _el(src, "VariableValue")
                _el(vv, "VariableRef", targetGUID=self.variables[name])
                _text(vv, "TextValue", value)

    def _selection_xml(self, src: etree._Element, seg: str, rows: list[dict[str, Any]]) -> None:
        first = rows[0]
        selguid = stable_guid("selection", seg)
        self.meta_selections[selguid] = seg
        seg_coders = sorted({r["coder"] for r in rows})
        sel = _el(
            src, "PlainTextSelection", guid=selguid, name=selection_name(first["quote"]),
            startPosition=int(first["start"]), endPosition=int(first["end"]),
            creatingUser=self.users[seg_coders[0]] if len(seg_coders) == 1 else None,
        )
        for rec in rows:
            cguid = stable_guid("coding", seg, rec["code"], rec["coder"])
            stamp = _xsd_datetime(rec["timestamp"])
            coding = _el(sel, "Coding", guid=cguid, creatingUser=self.users[rec["coder"]], creationDateTime=stamp)
            _el(coding, "CodeRef", targetGUID=self.code_guids[rec["code"]])
            extra: dict[str, Any] = {}
            if not pd.isna(rec["version"]):
                extra["version"] = int(rec["version"])
            if rec["timestamp"] is not None and stamp != rec["timestamp"]:
                extra["timestamp"] = rec["timestamp"]
            if "origin" in self.coding_columns:
                extra["origin"] = rec["origin"]
            if rec["model_version"] is not None:
                extra["model_version"] = rec["model_version"]
            columns = self.raw_columns.get((seg, rec["code"], rec["coder"]))
            if columns:
                extra["columns"] = columns
            if extra:
                self.meta_codings[cguid] = extra
        for note in self.notes_for.get(("segment", seg), []):
            _el(sel, "NoteRef", targetGUID=note)

    def notes_xml(self) -> str:
        """The memos and the metadata note; returns the metadata note's GUID."""
        meta_guid = stable_guid("note", "peerimpact-metadata")
        history = [self.code_guids[c] for c in self.history] + ([stable_guid("code-folder", "history")] if self.history else [])
        meta = {
            "format": METADATA_FORMAT,
            "format_version": METADATA_VERSION,
            "codebook": codebook_metadata(self.book) | {"history": history},
            "memos": {stable_guid("memo", m.id): {"id": m.id, "kind": m.kind, "target": {"type": m.target.type, "id": m.target.id}} for m in self.memos.memos},
            "sources": self.meta_sources,
            "selections": self.meta_selections,
            "codings": self.meta_codings,
        }
        if self.coding_columns:
            meta["coding_columns"] = self.coding_columns
        if self.texts:
            meta["texts"] = self.texts
        el_notes = _el(self.root, "Notes")
        for m in self.memos.memos:
            note = _el(
                el_notes, "Note", guid=stable_guid("memo", m.id), name=xml_safe(m.id), creatingUser=self.users[m.author],
                creationDateTime=None if m.date is None else f"{m.date.isoformat()}T00:00:00",
            )
            _text(note, "Description", f"{m.kind} memo on {m.target.type} {m.target.id}")
            _text(note, "PlainTextContent", m.text)
            keep_text(self.texts, stable_guid("memo", m.id), "text", m.text)
        meta_note = _el(el_notes, "Note", guid=meta_guid, name=METADATA_NOTE)
        _text(meta_note, "Description", "Written by PeerImpact so that its own export imports back exactly; other tools can ignore it.")
        _text(meta_note, "PlainTextContent", json_for_xml(meta))
        return meta_guid

    def sets_xml(self) -> None:
        if not self.book.themes:
            return
        el_sets = _el(self.root, "Sets")
        for theme in self.book.themes:
            s = _el(el_sets, "Set", guid=theme.guid, name=xml_safe(theme.name))
            if theme.description:
                _text(s, "Description", theme.description)
            for code_id in theme.codes:
                _el(s, "MemberCode", targetGUID=self.book.code(code_id).guid)
            for note in self.notes_for.get(("theme", theme.id), []):
                _el(s, "MemberNote", targetGUID=note)


def build_project(study: Study, data: QualData | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` document and the source files (``sources/<GUID>.txt`` -> bytes)."""
    b = _ProjectBuilder(study, data or qual_data(study))
    b.users_xml()
    b.codebook_xml()
    b.variables_and_cases_xml()
    b.sources_xml()
    meta_guid = b.notes_xml()
    b.sets_xml()
    _el(b.root, "NoteRef", targetGUID=meta_guid)
    xml = etree.tostring(b.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, b.sources


def build_codebook(book: Codebook) -> bytes:
    """The ``.qdc`` codebook document (codes with hierarchy and colours; themes as sets)."""
    root = _el(None, "CodeBook", CODEBOOK_NS, origin=f"PeerImpact {__version__}")
    _codes_xml(root, book, {}, CODEBOOK_NS, with_notes=False)
    if book.themes:
        sets = _el(root, "Sets", CODEBOOK_NS)
        for theme in book.themes:
            s = _el(sets, "Set", CODEBOOK_NS, guid=theme.guid, name=xml_safe(theme.name))
            if theme.description:
                _text(s, "Description", theme.description, CODEBOOK_NS)
            for code_id in theme.codes:
                _el(s, "MemberCode", CODEBOOK_NS, guid=book.code(code_id).guid)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def qdpx_bytes(study: Study) -> bytes:
    """The whole ``.qdpx`` archive as bytes (deterministic: fixed dates, sorted entries)."""
    xml, sources = build_project(study)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, payload in [("project.qde", xml), *sorted(sources.items())]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    return buf.getvalue()


def export_qdpx(study: Study, path: str | Path) -> Path:
    """Write the study's qualitative project as a REFI-QDA 1.5 ``.qdpx`` file (atomically).

    Contents: ``project.qde`` (users = coders and memo authors; codebook with
    hierarchy and colours; participants as Cases; ``site`` and ``timepoint``
    as source variables; memos as Notes; each ``PlainTextSelection`` named
    with its quote; themes as Sets) and ``sources/<GUID>.txt``. Validated
    against the official ``Project.xsd`` in the tests.
    """
    return write_bytes(Path(path), qdpx_bytes(study))


def qdc_losses(book: Codebook) -> list[Problem]:
    """What a ``.qdc`` of ``book`` cannot carry (it has no metadata note): characters XML 1.0 cannot hold
    in code and theme names and descriptions, and a code description that reads as holding its own
    inclusion or exclusion paragraph."""
    out = []

    def check(where: str, field: str, text: str) -> None:
        bad = xml_unsafe(text)
        if bad:
            shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
            out.append(Problem(CODEBOOK_FILE, None, f"{where}.{field}", f"holds {shown}, which XML 1.0 cannot hold; the .qdc would have U+FFFD there "
                                                                     "(a .qdpx carries it)"))

    for code in book.codes:
        for field in ("name", "description", "inclusion", "exclusion"):
            check(f"codes.{code.id}", field, getattr(code, field))
        desc = code_description(code.description, code.inclusion, code.exclusion)
        if not xml_unsafe(desc) and split_code_description(desc) != (code.description, code.inclusion, code.exclusion):
            out.append(Problem(CODEBOOK_FILE, None, f"codes.{code.id}.description",
                               "holds a paragraph beginning 'Inclusion: ' or 'Exclusion: ', which a .qdc cannot tell from the "
                               "inclusion or exclusion note (a .qdpx carries it)"))
    for theme in book.themes:
        for field in ("name", "description"):
            check(f"themes.{theme.id}", field, getattr(theme, field))
    return out


def export_qdc(study: Study, path: str | Path, *, accept_loss: bool = False) -> Path:
    """Write the codebook as a REFI-QDA 1.5 ``.qdc`` file (validated against ``Codebook.xsd`` in the tests).

    Parameters
    ----------
    accept_loss : bool
        Write it even though :func:`qdc_losses` finds something the file cannot carry.

    Raises
    ------
    StudyValidationError
        Something would be lost (every item named) and ``accept_loss`` is false; nothing is written.
    """
    book = qual_data(study).codebook
    losses = qdc_losses(book)
    if losses and not accept_loss:
        raise StudyValidationError(losses + [Problem(CODEBOOK_FILE, None, None, f"{len(losses)} item(s) would be lost in the .qdc; nothing written "
                                                                                 "(re-run with --accept-loss to write it anyway, or export a .qdpx)")])
    return write_bytes(Path(path), build_codebook(book))

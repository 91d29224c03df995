"""REFI-QDA 1.5 export: ``.qdpx`` projects and ``.qdc`` codebooks.

Written strictly to the standard: positions are Unicode code points from 0
with the end exclusive, sources are UTF-8 without BOM and with LF line ends
(the normalised transcript text), GUIDs are uuid5 (stable across exports),
and the files are byte-identical when the study is unchanged.

What REFI-QDA has no place for (code ids, inclusion/exclusion notes are
folded into the code description, origin, theme valence, codebook versions,
memo kinds, segment ids, coding versions) travels in one project note named
``PeerImpact metadata (do not edit)``, keyed by GUID, so that our own export
imports back exactly while other tools simply show it as a project memo.
"""

from __future__ import annotations

import io
import json
import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from ... import __version__
from ...study.model import Study
from ..codebook import Codebook, Code
from ..codings import QualData, qual_data
from ..guids import stable_guid
from .common import CODEBOOK_NS, METADATA_FORMAT, METADATA_NOTE, METADATA_VERSION, PROJECT_NS, code_description, xml_safe

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


def _codes_xml(
    parent: etree._Element, book: Codebook, notes_for: dict[Any, list[str]], ns: str, with_notes: bool,
    history: list[str] = (),
) -> None:
    def add(into: etree._Element, code: Code, codable: bool = True) -> None:
        el = _el(into, "Code", ns, guid=code.guid, name=xml_safe(code.name), isCodable="true" if codable else "false", color=code.colour)
        desc = code_description(code.description, code.inclusion, code.exclusion)
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


def build_project(study: Study, data: QualData | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` document and the source files (``sources/<GUID>.txt`` -> bytes)."""
    data = data or qual_data(study)
    book, memos = data.codebook, data.memos
    codings = data.codings
    coders = sorted(set(codings["coder"]))
    authors = sorted({m.author for m in memos.memos} - set(coders))
    users = {name: user_guid(name) for name in coders + authors}

    notes_for: dict[Any, list[str]] = {}
    for m in memos.memos:
        notes_for.setdefault((m.target.type, m.target.id), []).append(stable_guid("memo", m.id))

    root = _el(None, "Project", name=xml_safe(study.title), origin=f"PeerImpact {__version__}")
    if users:
        el_users = _el(root, "Users")
        for name, guid in users.items():
            _el(el_users, "User", guid=guid, name=xml_safe(name), id=xml_safe(name))
    history = historical_codes(book, set(codings["code"]) | {m.target.id for m in memos.memos if m.target.type == "code"})
    if book.codes or history:
        _codes_xml(_el(root, "CodeBook"), book, notes_for, PROJECT_NS, with_notes=True, history=history)

    code_guids = {c.id: c.guid for c in book.codes} | {c: stable_guid("code", c) for c in history}
    variables = {"site": stable_guid("variable", "site"), "timepoint": stable_guid("variable", "timepoint")}
    transcripts = sorted(study.transcripts.values(), key=lambda t: t.interview_id)
    if transcripts:
        el_vars = _el(root, "Variables")
        for name, guid in variables.items():
            var = _el(el_vars, "Variable", guid=guid, name=name, typeOfVariable="Text")
            _text(var, "Description", "Site of the interview" if name == "site" else "Timepoint (wave) of the interview")
        el_cases = _el(root, "Cases")
        for pid in sorted({t.participant_id for t in transcripts}):
            case = _el(el_cases, "Case", guid=stable_guid("case", pid), name=xml_safe(pid))
            for t in transcripts:
                if t.participant_id == pid:
                    _el(case, "SourceRef", targetGUID=stable_guid("source", t.interview_id))

    sources: dict[str, bytes] = {}
    meta_sources: dict[str, Any] = {}
    meta_selections: dict[str, str] = {}
    meta_codings: dict[str, Any] = {}
    if transcripts:
        el_sources = _el(root, "Sources")
        by_interview: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for rec in sorted(codings.to_dict("records"), key=lambda r: (r["interview_id"], r["start"], r["end"], r["segment_id"], r["code"], r["coder"])):
            by_interview.setdefault(rec["interview_id"], {}).setdefault(rec["segment_id"], []).append(rec)
        for t in transcripts:
            sguid = stable_guid("source", t.interview_id)
            sources[f"sources/{sguid}.txt"] = t.text.encode("utf-8")
            meta_sources[sguid] = {"interview_id": t.interview_id, "sha256": t.sha256}
            src = _el(el_sources, "TextSource", guid=sguid, name=xml_safe(t.interview_id), plainTextPath=f"internal://{sguid}.txt")
            for seg, rows in by_interview.get(t.interview_id, {}).items():
                first = rows[0]
                selguid = stable_guid("selection", str(seg))
                meta_selections[selguid] = str(seg)
                seg_coders = sorted({r["coder"] for r in rows})
                sel = _el(
                    src, "PlainTextSelection", guid=selguid, name=xml_safe(first["quote"]),
                    startPosition=int(first["start"]), endPosition=int(first["end"]),
                    creatingUser=users[seg_coders[0]] if len(seg_coders) == 1 else None,
                )
                for rec in rows:
                    cguid = stable_guid("coding", str(seg), rec["code"], rec["coder"])
                    stamp = _xsd_datetime(rec["timestamp"])
                    coding = _el(sel, "Coding", guid=cguid, creatingUser=users[rec["coder"]], creationDateTime=stamp)
                    _el(coding, "CodeRef", targetGUID=code_guids[rec["code"]])
                    extra: dict[str, Any] = {}
                    if not pd.isna(rec["version"]):
                        extra["version"] = int(rec["version"])
                    if rec["timestamp"] is not None and stamp != rec["timestamp"]:
                        extra["timestamp"] = rec["timestamp"]
                    if extra:
                        meta_codings[cguid] = extra
                for note in notes_for.get(("segment", str(seg)), []):
                    _el(sel, "NoteRef", targetGUID=note)
            for note in notes_for.get(("transcript", t.interview_id), []):
                _el(src, "NoteRef", targetGUID=note)
            for name, value in (("site", t.site), ("timepoint", t.timepoint)):
                vv = _el(src, "VariableValue")
                _el(vv, "VariableRef", targetGUID=variables[name])
                _text(vv, "TextValue", value)

    meta_guid = stable_guid("note", "peerimpact-metadata")
    meta = {
        "format": METADATA_FORMAT,
        "format_version": METADATA_VERSION,
        "codebook": codebook_metadata(book) | {"history": [code_guids[c] for c in history] + ([stable_guid("code-folder", "history")] if history else [])},
        "memos": {stable_guid("memo", m.id): {"id": m.id, "kind": m.kind, "target": {"type": m.target.type, "id": m.target.id}} for m in memos.memos},
        "sources": meta_sources,
        "selections": meta_selections,
        "codings": meta_codings,
    }
    el_notes = _el(root, "Notes")
    for m in memos.memos:
        note = _el(
            el_notes, "Note", guid=stable_guid("memo", m.id), name=xml_safe(m.id), creatingUser=users[m.author],
            creationDateTime=None if m.date is None else f"{m.date.isoformat()}T00:00:00",
        )
        _text(note, "Description", f"{m.kind} memo on {m.target.type} {m.target.id}")
        _text(note, "PlainTextContent", m.text)
    meta_note = _el(el_notes, "Note", guid=meta_guid, name=METADATA_NOTE)
    _text(meta_note, "Description", "Written by PeerImpact so that its own export imports back exactly; other tools can ignore it.")
    _text(meta_note, "PlainTextContent", json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1))

    if book.themes:
        el_sets = _el(root, "Sets")
        for theme in book.themes:
            s = _el(el_sets, "Set", guid=theme.guid, name=xml_safe(theme.name))
            if theme.description:
                _text(s, "Description", theme.description)
            for code_id in theme.codes:
                _el(s, "MemberCode", targetGUID=book.code(code_id).guid)
            for note in notes_for.get(("theme", theme.id), []):
                _el(s, "MemberNote", targetGUID=note)
    _el(root, "NoteRef", targetGUID=meta_guid)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, sources


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


def _write_atomic(path: Path, payload: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(payload)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


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
    return _write_atomic(Path(path), qdpx_bytes(study))


def export_qdc(study: Study, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA 1.5 ``.qdc`` file (validated against ``Codebook.xsd`` in the tests)."""
    return _write_atomic(Path(path), build_codebook(qual_data(study).codebook))

"""Second half of the import: sources, selections, codings and notes become PeerImpact data."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd
from lxml import etree

from ...errors import Problem, StudyValidationError
from ...study.interview_id import format_interview_id, parse_interview_id
from ...study.text import normalise_text
from ..codebook import Change, Codebook, Version, codebook_to_dict, parse_codebook
from ..memos import Memo, Memos, MemoTarget
from .anchor import anchor_source
from .archive import Archive, decode
from .common import (
    CODING_COLUMNS,
    MEDIA,
    METADATA_NOTE,
    guid_of,
    kid,
    kids,
    local,
    slug,
    text_of,
)
from .model import QualImport
from .reader import Reader

SOURCE_COLUMNS = ["interview_id", "guid", "name", "participant_id", "site", "timepoint", "convention", "why"]
_LINE_NAME = re.compile(r"^line:(\d+)$")
_LINE_END = re.compile(r"\r\n|\r|\n")  # qc names a selection by its line (from 0)
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


def _stamp(value: str | None) -> str | None:
    if not value:
        return None
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        return None
    return value if ts is not pd.NaT else None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return pd.Timestamp(value).date()
    except ValueError:
        return None


class _Assembler:
    def __init__(self, r: Reader):
        self.r = r
        self.report = r.report
        self.meta = r.meta
        users_el = kid(r.root, "Users")
        self.user_names = {
            guid_of(u.get("guid")): r.restore(guid_of(u.get("guid")), "name", u.get("name") or u.get("id") or "")
            for u in (kids(users_el, "User") if users_el is not None else [])
        }
        self.users = r.users()
        self.codes, self.code_ids, self.historical = r.codes()
        self.themes, theme_notes = r.themes(self.code_ids)
        self.cases = r.cases()
        self.variables = r.variables()
        self.note_targets: dict[str, tuple[str, str]] = {g: ("theme", t) for g, t in theme_notes.items()}
        self.transcripts: dict[str, str] = {}
        self.source_rows: list[dict[str, Any]] = []
        self.coding_rows: list[list[Any]] = []
        self.coding_cells: list[dict[str, str]] = []  # per coding row: origin, model_version and the study's own columns (our metadata)
        self.segment_ids: set[str] = set()
        self.source_keys: set[str] = set()  # every source's GUID and name, for the --sources check
        self.used_variables: set[str] = set()
        # (target type, target id, description, creating user GUID, date, element, GUID): descriptions become memos
        self.descriptions: list[tuple[Literal["transcript", "segment"], str, str, str | None, str | None, str, str]] = []
        self.project_user = self.users.get(guid_of(r.root.get("creatingUserGUID")) or "")
        self._code_notes()

    @property
    def archive(self) -> Archive:
        """The project's archive (a ``.qdpx`` always has one; only a ``.qdc`` is read without, and not assembled)."""
        if self.r.archive is None:
            raise TypeError("a REFI-QDA project is assembled from its archive")
        return self.r.archive

    # ------------------------------------------------------------------ codes
    def _code_notes(self) -> None:
        book = kid(self.r.root, "CodeBook")
        if book is None:
            return
        for code_el in book.iter():
            if local(code_el) != "Code":
                continue
            code_id = self.code_ids.get(guid_of(code_el.get("guid")) or "")
            for ref in kids(code_el, "NoteRef"):
                g = guid_of(ref.get("targetGUID"))
                if g and code_id:
                    self.note_targets.setdefault(g, ("code", code_id))

    # ------------------------------------------------------------------ sources
    def _mapped(self, guid: str, name: str) -> str | None:
        """The interview id ``--sources`` gives a source (by GUID, then by name)."""
        for key in (guid, name, guid_of(name)):
            if key and key in self.r.source_map:
                return self.r.source_map[key]
        return None

    def _interview_id(self, src: etree._Element, guid: str, name: str, values: dict[str, str]) -> str | None:
        pattern = self.r.pattern
        mapped = self._mapped(guid, name)
        if mapped is not None:
            if pattern is None or parse_interview_id(mapped, pattern) is not None:
                return mapped
            self.r.problems.append(Problem(self.r.file, src.sourceline, "name", f"source {name!r} is mapped to {mapped!r}, which does not match interview_id_pattern {pattern!r}"))
            return None
        meta = self.meta.get("sources", {}).get(guid, {})
        if meta.get("interview_id"):
            return meta["interview_id"]
        stem = name
        suffix = PurePosixPath(name).suffix
        if suffix.lower() in (".txt", ".docx", ".rtf", ".doc", ".odt", ".pdf"):
            stem = name[: -len(suffix)]
        if pattern is None or parse_interview_id(stem, pattern) is not None:
            return stem
        site, tp, case = values.get("site"), values.get("timepoint"), self.cases.get(guid)
        if site and tp and case:
            built = format_interview_id(pattern, site, case, tp)
            if parse_interview_id(built, pattern) is not None:
                self.report.add("renamed", "TextSource", f"source {name!r} named {built!r} from its case and site/timepoint variables", guid)
                return built
        self.r.problems.append(
            Problem(self.r.file, src.sourceline, "name",
                    f"source {name!r} does not match interview_id_pattern {pattern!r} and has no case with site and timepoint "
                    "variables to name it (map it with --sources; `qual inspect` writes a template)")
        )
        return None

    def _values(self, src: etree._Element, guid: str) -> dict[str, str]:
        out = {}
        for vv in kids(src, "VariableValue"):
            ref = kid(vv, "VariableRef")
            var = self.variables.get((guid_of(ref.get("targetGUID")) if ref is not None else None) or "", "")
            self.used_variables.add(var)
            value = next((text_of(c) for c in vv if local(c) in _VALUE_TAGS), "")
            if var in ("site", "timepoint"):
                out[var] = value.strip()
            else:
                self.report.add("unsupported", "VariableValue", f"source variable {var!r} = {value!r} dropped (only site and timepoint are kept)", guid)
        return out

    def _read_text(self, src: etree._Element, guid: str, name: str, attr: str) -> tuple[str, bool] | None:
        """Text of the file ``attr`` names (None, reported, when it is external, missing or undecodable)."""
        path = src.get(attr)
        member, how = self.archive.member_for(path)
        if member is None:
            kind, where = ("external", "is outside the project (external)") if how == "external" else ("unsupported", "is not in the project")
            self.report.add(kind, "TextSource", f"source {name!r}: {attr} {path!r} {where}; not imported", guid)
            return None
        data = self.archive.read(member)
        if attr == "richTextPath":
            text = self._docx_text(src, name, path, data)
            return None if text is None else (text, False)
        try:
            return decode(data)
        except UnicodeDecodeError:
            self.r.problems.append(Problem(self.r.file, src.sourceline, attr, f"source {name!r}: {path} is not UTF-8 text"))
            return None

    def _docx_text(self, src: etree._Element, name: str, path: str, data: bytes) -> str | None:
        import docx  # python-docx

        self.archive.check_nested(data, PurePosixPath(path.split("://")[-1]).name)
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several types on corrupt files
            self.r.problems.append(Problem(self.r.file, src.sourceline, "richTextPath", f"source {name!r}: {path} cannot be read as a Word document ({type(exc).__name__})"))
            return None
        return "\n".join(par.text for par in document.paragraphs)

    def _source_text(self, src: etree._Element, guid: str, name: str) -> tuple[str, bool] | None:
        plain, rich = src.get("plainTextPath"), src.get("richTextPath")
        docx_rich = bool(rich and rich.lower().endswith(".docx") and self.archive.member_for(rich)[0])
        missing = bool(plain) and self.archive.member_for(plain)[0] is None
        got = None
        if plain and not (missing and docx_rich):
            got = self._read_text(src, guid, name, "plainTextPath")
            if got is None:
                return None
        content = kid(src, "PlainTextContent")
        if got is None and content is not None:
            text = text_of(content)
            got = text, text.startswith("\ufeff")
        if (got is None or not got[0].strip()) and rich and rich.lower().endswith(".docx"):
            fallback = self._read_text(src, guid, name, "richTextPath")
            if fallback is None or fallback[0] is None:
                return None
            state = "plain text file is missing" if missing else "has no plain text" if got is None else "plain text holds no words"
            self.report.add("fallback", "TextSource", f"source {name!r}: {state}; text taken from its rich text {rich!r} (one line per paragraph)", guid)
            return fallback
        if got is None:
            self.report.add("unsupported", "TextSource", f"source {name!r} has no plain text (only rich text that is not .docx); not imported", guid)
        return got

    def read_sources(self) -> None:
        for src in self.r.stream():
            kind = local(src)
            if not kind:
                continue
            self._note_keys(src)
            n_problems = len(self.r.problems)
            self.r.check_all_guids(src)
            if len(self.r.problems) > n_problems:
                continue
            guid = guid_of(src.get("guid")) or ""
            name = src.get("name") or PurePosixPath((src.get("plainTextPath") or "").split("://")[-1]).name or guid
            if kind in MEDIA:
                n_sel = sum(1 for el in src.iter() if local(el).endswith("Selection"))
                n_cod = sum(1 for el in src.iter() if local(el) == "Coding")
                self.report.add("media", kind, f"{MEDIA[kind]} source {name!r} with {n_sel} selection(s) and {n_cod} coding(s) not imported (PeerImpact analyses text transcripts)", guid)
                continue
            if kind != "TextSource":
                self.report.add("unsupported", kind, f"element {name!r} not imported", guid)
                continue
            self._read_source(src, guid, name)

    def _note_keys(self, src: etree._Element) -> None:
        """Remember the source's GUID and the names it can be mapped by (as :meth:`_mapped` looks them up)."""
        guid = guid_of(src.get("guid")) or src.get("guid") or ""
        name = src.get("name") or PurePosixPath((src.get("plainTextPath") or "").split("://")[-1]).name or guid
        for key in (guid, name, guid_of(name) or ""):
            if key:
                self.source_keys.add(key)

    def unknown_sources(self) -> None:
        """Every ``--sources`` row naming no source of the project is a problem (row and value named)."""
        source_map = self.r.source_map
        rows = getattr(source_map, "rows", {})
        file = getattr(source_map, "file", "") or "sources"
        for key in source_map:
            if key not in self.source_keys:
                row, value = rows.get(key, (None, key))
                self.r.problems.append(Problem(file, row, "source", f"{value!r} is not a source of the project (neither a source GUID nor a source name)"))

    def _read_source(self, src: etree._Element, guid: str, name: str) -> None:
        values = self._values(src, guid)
        iid = self._interview_id(src, guid, name, values)
        got = self._source_text(src, guid, name)
        if iid is None or got is None:
            n = sum(1 for el in src.iter() if local(el) == "Coding")
            if got is None and n:
                self.report.add("unsupported", "TextSource", f"source {name!r}: its {n} coding(s) not imported with it", guid)
            return
        if iid in self.transcripts:
            self.r.problems.append(Problem(self.r.file, src.sourceline, "name", f"two sources are both interview {iid!r}"))
            return
        raw, had_bom = got
        text = normalise_text(raw)
        self.transcripts[iid] = text
        crlf_ends = np.array([m.group() == "\r\n" for m in _LINE_END.finditer(raw)], dtype=bool) if "\r" in raw else None
        convention, why = self._selections(src, iid, name, text, had_bom, crlf_ends)
        ref = parse_interview_id(iid, self.r.pattern) if self.r.pattern else None
        self.source_rows.append(
            {
                "interview_id": iid, "guid": guid, "name": name,
                "participant_id": ref.participant_id if ref else self.cases.get(guid),
                "site": ref.site if ref else values.get("site"),
                "timepoint": ref.timepoint if ref else values.get("timepoint"),
                "convention": convention, "why": why,
            }
        )
        self._description(src, "transcript", iid, "TextSource")
        for ref_el in kids(src, "NoteRef"):
            g = guid_of(ref_el.get("targetGUID"))
            if g:
                self.note_targets.setdefault(g, ("transcript", iid))

    def _description(self, el: etree._Element, target: Literal["transcript", "segment"], target_id: str, element: str) -> None:
        """Keep the ``Description`` of a source or selection (ATLAS.ti writes quotation comments there) to become a memo."""
        text = text_of(kid(el, "Description"))
        if text.strip():
            self.descriptions.append((target, target_id, text, el.get("creatingUser"), el.get("creationDateTime"), element, el.get("guid") or ""))

    def _segment_id(self, sel_guid: str) -> str:
        seg = self.meta.get("selections", {}).get(sel_guid) or "s" + sel_guid.replace("-", "")[:12]
        base, k = seg, 2
        while seg in self.segment_ids:
            seg, k = f"{base}_{k}", k + 1
        self.segment_ids.add(seg)
        return seg

    def _specs(self, sels: list, name: str, text: str) -> list[tuple[int, int, str | None]]:
        """``(start, end, quote)`` of each selection; positions past the end of the text are problems."""
        longest = len(text.encode("utf-8")) + text.count("\n") + 3  # the most any convention can count
        # qc numbers lines split at LF only (str.splitlines would also split at form feeds, U+2028 ...)
        lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text) if any(_LINE_NAME.match(s.get("name") or "") for s in sels) else []
        specs = []
        for sel in sels:
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                start = end = -1
            label = _LINE_NAME.match(sel.get("name") or "")
            quote = lines[int(label.group(1))] if label and int(label.group(1)) < len(lines) else sel.get("name")
            for attr, pos in (("startPosition", start), ("endPosition", end)):
                if pos > longest:
                    self.r.problems.append(Problem(
                        self.r.file, sel.sourceline, attr,
                        f"source {name!r}, selection {sel.get('guid')}: position {pos} is past the end of its text "
                        f"({len(text)} characters, at most {longest} units under any counting)"))
            specs.append((start, end, quote))
        return specs

    def _selections(
        self, src: etree._Element, iid: str, name: str, text: str, had_bom: bool, crlf_ends: np.ndarray | None,
    ) -> tuple[str, str]:
        """Place the source's selections; ``crlf_ends`` says which line ends were CRLF in the file (None: none had a CR)."""
        sels = kids(src, "PlainTextSelection")
        specs = self._specs(sels, name, text)
        had_crlf = crlf_ends is not None
        anchoring = anchor_source(text, specs, had_bom, had_crlf, self.r.producer.default, crlf_ends)
        placed = 0
        for sel, spec, place in zip(sels, specs, anchoring.placements):
            sguid = guid_of(sel.get("guid")) or ""
            codings = kids(sel, "Coding")
            if place.status == "unanchored":
                self.report.add("unanchored", "PlainTextSelection", f"{iid} [{spec[0]}, {spec[1]}) with {len(codings)} coding(s) not imported: {place.reason}", sguid)
                continue
            if place.status == "relocated":
                self.report.add("relocated", "PlainTextSelection", f"{iid}: {place.reason}", sguid)
            elif place.reason:
                self.report.add("placed", "PlainTextSelection", f"{iid} [{spec[0]}, {spec[1]}): {place.reason}", sguid)
            placed += place.status == "placed"
            seg = self._segment_id(sguid)
            default_user = self.users.get(guid_of(sel.get("creatingUser")) or "") or self.project_user
            if not codings:
                self.report.add("unsupported", "PlainTextSelection", f"{iid} [{place.start}, {place.end}) has no coding; a selection alone is not kept "
                                "(PeerImpact segments exist through their codings)", sguid)
            if place.start is None or place.end is None:  # an anchored, placed or relocated selection has both
                continue
            self._codings(codings, seg, iid, place.start, place.end, default_user, text)
            self._description(sel, "segment", seg, "PlainTextSelection")
            for ref in kids(sel, "NoteRef"):
                g = guid_of(ref.get("targetGUID"))
                if g:
                    self.note_targets.setdefault(g, ("segment", seg))
        if placed:
            self.report.add("placed", "PlainTextSelection", f"{iid}: {placed} selection(s) without quoted text placed by the source's position convention, {anchoring.describe()}", src.get("guid"))
        whole = kids(src, "Coding")
        if whole:
            seg = self._segment_id(guid_of(src.get("guid")) or "")
            self.report.add("placed", "Coding", f"{iid}: {len(whole)} coding(s) of the whole source imported as one segment spanning the transcript", src.get("guid"))
            self._codings(whole, seg, iid, 0, len(text), self.project_user, text)
        ends = "LF" if crlf_ends is None else "CRLF" if crlf_ends.all() else "CRLF and lone LF or CR"
        facts = f"file {'with' if had_bom else 'without'} BOM, {ends} line ends"
        convention = anchoring.convention.describe() if anchoring.decided else "unknown"
        return convention, f"{anchoring.why}; {facts}"

    def _codings(self, codings, seg: str, iid: str, start: int, end: int, default_user: str | None, text: str) -> None:
        seen: set[tuple[str, str]] = set()
        for coding in codings:
            cg = guid_of(coding.get("guid")) or ""
            ref = kid(coding, "CodeRef")
            code = self.code_ids.get((guid_of(ref.get("targetGUID")) if ref is not None else None) or "")
            if code is None:
                self.report.add("unsupported", "Coding", f"{iid} [{start}, {end}): coding refers to a code that is not in the codebook; dropped", cg)
                continue
            coder = self.users.get(guid_of(coding.get("creatingUser")) or "") or default_user
            if coder is None:
                coder = "unknown"
                self.report.add("assumed", "Coding", f"{iid} [{start}, {end}): no user recorded; coder set to 'unknown'", cg)
            if (code, coder) in seen:
                self.report.add("unsupported", "Coding", f"{iid} [{start}, {end}): duplicate coding of {code!r} by {coder!r} dropped", cg)
                continue
            seen.add((code, coder))
            meta = self.meta.get("codings", {}).get(cg, {})
            stamp = meta.get("timestamp") or _stamp(coding.get("creationDateTime"))
            self.coding_rows.append([seg, iid, start, end, code, coder, meta.get("version"), stamp, text[start:end]])
            cells = {k: str(meta[k]) for k in ("origin", "model_version") if meta.get(k) is not None}
            self.coding_cells.append(cells | {str(k): str(v) for k, v in (meta.get("columns") or {}).items()})

    # ------------------------------------------------------------------ notes
    def read_notes(self) -> Memos:
        notes = kid(self.r.root, "Notes")
        meta_memos = self.meta.get("memos", {})
        memos: list[Memo] = []
        taken: set[str] = set()
        coded = {row[0] for row in self.coding_rows}
        uncoded = "a selection that carries no imported coding (PeerImpact segments exist through their codings)"
        for i, note in enumerate(kids(notes, "Note") if notes is not None else []):
            g = guid_of(note.get("guid")) or ""
            if note.get("name") == METADATA_NOTE:
                continue
            info = meta_memos.get(g, {})
            target = self.note_targets.get(g) or (tuple(info["target"].values()) if info.get("target") else None)
            name = note.get("name") or ""
            if target is None:
                self.report.add("unsupported", "Note", f"note {name!r} is not attached to a code, set, source or selection (e.g. a project note); not imported", g)
                continue
            if target[0] == "segment" and target[1] not in coded:
                self.report.add("unsupported", "Note", f"note {name!r} is attached to {uncoded}; not imported", g)
                continue
            text = self._note_text(note, name, g)
            if text is None:
                continue
            ident = info.get("id") or slug(name, f"memo_{i + 1}")
            if ident in taken:
                ident = f"{ident}_{i + 1}"
            taken.add(ident)
            kind = info.get("kind")
            if kind is None:
                kind = "analytic"
                self.report.add("assumed", "Note", f"note {name!r}: memo kind not recorded; set to 'analytic'", g)
            author = self.user_names.get(guid_of(note.get("creatingUser")) or "") or "unknown"
            memos.append(
                Memo(id=ident, target=MemoTarget(type=target[0], id=target[1]), kind=kind, author=author,
                     date=_date(note.get("creationDateTime")), text=text)
            )
        for kind_of, target_id, text, user, date, element, g in self.descriptions:
            if kind_of == "segment" and target_id not in coded:
                self.report.add("unsupported", element, f"its description is on {uncoded}; not imported", g)
                continue
            ident = slug(f"{kind_of}_{target_id}_description", f"description_{len(memos) + 1}")
            base, k = ident, 2
            while ident in taken:
                ident, k = f"{base}_{k}", k + 1
            taken.add(ident)
            author = self.user_names.get(guid_of(user) or "") or "unknown"
            memos.append(Memo(id=ident, target=MemoTarget(type=kind_of, id=target_id), kind="analytic", author=author, date=_date(date),
                              text=normalise_text(text)))
            self.report.add("assumed", element, f"its description became the analytic memo {ident!r} on {kind_of} {target_id!r}", g)
        project_description = text_of(kid(self.r.root, "Description"))
        if project_description.strip():
            self.report.add("unsupported", "Project", "the project's description is not imported (PeerImpact has no project memo)")
        for tag in ("Links", "Graphs"):
            el = kid(self.r.root, tag)
            if el is not None and len(el):
                self.report.add("unsupported", tag, f"{len(el)} {tag[:-1].lower()}(s) not imported")
        return Memos(memos=memos)

    def _note_text(self, note: etree._Element, name: str, guid: str) -> str | None:
        """A note's text: its ``PlainTextContent``, else the file its ``plainTextPath`` (or a ``.docx``
        ``richTextPath``) names; None, reported lost or as a problem, when that file cannot be read."""
        content = kid(note, "PlainTextContent")
        if content is not None:
            return self.r.restore(guid, "text", text_of(content))
        plain, rich = note.get("plainTextPath"), note.get("richTextPath")
        for attr, path in (("plainTextPath", plain), ("richTextPath", rich)):
            if not path:
                continue
            member, how = self.archive.member_for(path)
            if member is None:
                if attr == "plainTextPath" and rich:
                    continue
                kind, where = ("external", "is outside the project (external)") if how == "external" else ("unsupported", "is not in the project")
                self.report.add(kind, "Note", f"note {name!r}: {attr} {path!r} {where}; its text cannot be read, not imported", guid)
                return None
            data = self.archive.read(member)
            if attr == "richTextPath":
                if not path.lower().endswith(".docx"):
                    self.report.add("unsupported", "Note", f"note {name!r}: only rich text {path!r} that is not .docx; not imported", guid)
                    return None
                text = self._docx_text(note, name, path, data)
                if text is not None:
                    self.report.add("fallback", "Note", f"note {name!r}: text taken from its rich text {path!r} (one line per paragraph)", guid)
                return text
            try:
                return normalise_text(decode(data)[0])
            except UnicodeDecodeError:
                self.r.problems.append(Problem(self.r.file, note.sourceline, attr, f"note {name!r}: {path} is not UTF-8 text"))
                return None
        return ""  # a note without any text: an empty memo

    # ------------------------------------------------------------------ codebook
    def codebook(self) -> Codebook:
        info = self.meta.get("codebook", {})
        versions = [Version.model_validate(v) for v in info.get("versions", [])]
        version = int(info.get("version", versions[-1].version if versions else 1))
        book = Codebook(version=version, codes=self.codes, themes=self.themes, versions=versions)
        if versions:
            from ..versions import active_codes

            active = active_codes(book)[versions[-1].version]
            listed = set(book.code_ids)
            changes = [Change(action="added", code=c) for c in book.code_ids if c not in active]
            changes += [Change(action="retired", code=c) for c in sorted(active - listed)]
            if changes:
                new = versions[-1].version + 1
                name = self.r.root.get("name") or ""
                book = Codebook(
                    version=new, codes=self.codes, themes=self.themes,
                    versions=versions + [Version(version=new, reason=f"codes added or removed outside PeerImpact (REFI-QDA project {name!r})", changes=changes)],
                )
                self.report.add("assumed", "CodeBook", f"codebook version {new} added to record {len(changes)} code(s) added or removed in another tool")
        return parse_codebook(codebook_to_dict(book), None, self.r.file)


def _unused(a: _Assembler, memos: Memos) -> None:
    """Users and variables that carry nothing into the study are reported as lost."""
    coders = {row[5] for row in a.coding_rows}
    authors = {m.author for m in memos.memos}
    for guid, ident in a.users.items():
        if ident not in coders and a.user_names.get(guid) not in authors:
            a.report.add("unsupported", "User", f"user {a.user_names.get(guid) or ident!r} made no imported coding or note; not kept (PeerImpact records users as coders and memo authors)", guid)
    for guid, name in a.variables.items():
        if name not in a.used_variables and name not in ("site", "timepoint"):
            a.report.add("unsupported", "Variable", f"variable {name!r} not imported (only site and timepoint source variables are kept)", guid)


def _case_losses(a: _Assembler) -> None:
    """A case is carried when its imported sources are all interviews of one participant that no other case claims.

    Otherwise the grouping it records is lost, and reported; a case carried
    under another name (the participant id) is noted as renamed.
    """
    participant = {row["guid"]: row["participant_id"] for row in a.source_rows}
    el = kid(a.r.root, "Cases")
    claimed: dict[str, list[str]] = {}
    groups = []
    for case in kids(el, "Case") if el is not None else []:
        cg = guid_of(case.get("guid")) or ""
        name = case.get("name") or cg
        refs = [guid_of(ref.get("targetGUID")) or "" for ref in kids(case, "SourceRef")]
        if text_of(kid(case, "Description")).strip():
            a.report.add("unsupported", "Case", f"case {name!r}: its description is not imported (PeerImpact keeps no case notes)", cg)
        pids = sorted({str(participant[g]) for g in refs if participant.get(g) is not None})
        groups.append((cg, name, pids))
        if len(pids) == 1:
            claimed.setdefault(pids[0], []).append(name)
    for cg, name, pids in groups:
        if len(pids) > 1:
            a.report.add("unsupported", "Case", f"case {name!r} groups sources that became interviews of participants {', '.join(pids)}; the case is not kept", cg)
        elif len(pids) == 1 and len(claimed[pids[0]]) > 1:
            others = ", ".join(repr(n) for n in claimed[pids[0]] if n != name)
            a.report.add("unsupported", "Case", f"case {name!r}: its sources became interviews of participant {pids[0]}, as did those of case(s) {others}; the case is not kept apart", cg)
        elif len(pids) == 1 and pids[0] != name:
            a.report.add("renamed", "Case", f"case {name!r} is participant {pids[0]} (from its sources' interview ids)", cg)


def _optional_columns(codings: pd.DataFrame, cells: list[dict[str, str]], order: list[str]) -> None:
    """Add the optional columns our metadata carried (``origin``, ``model_version``, the study's own), in the study's order."""
    seen = list(dict.fromkeys(k for row in cells for k in row))
    for col in [c for c in order if c in seen or c in ("origin", "model_version")] + [c for c in seen if c not in order]:
        if col not in codings.columns:
            codings[col] = [row.get(col) for row in cells]


def assemble(r: Reader) -> QualImport:
    """Turn a parsed project into PeerImpact data; every problem at once, as :class:`StudyValidationError`."""
    a = _Assembler(r)
    a.read_sources()
    a.unknown_sources()
    memos = a.read_notes()
    _unused(a, memos)
    _case_losses(a)
    if r.problems:
        raise StudyValidationError(r.problems)
    book = a.codebook()
    codings = pd.DataFrame(a.coding_rows, columns=CODING_COLUMNS)
    codings["version"] = pd.array(list(codings["version"]), dtype="Int64")
    codings["start"] = codings["start"].astype("int64")
    codings["end"] = codings["end"].astype("int64")
    _optional_columns(codings, a.coding_cells, r.meta.get("coding_columns") or [])
    codings = codings.sort_values(["interview_id", "start", "end", "segment_id", "code", "coder"], kind="stable").reset_index(drop=True)
    sources = pd.DataFrame(a.source_rows, columns=SOURCE_COLUMNS)
    return QualImport(r.root.get("name") or "", book, codings, memos, a.transcripts, sources, a.report, r.root.get("origin") or "")

"""Second half of the import: sources, selections, codings and notes become PeerImpact data."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from lxml import etree

from ...errors import Problem, StudyValidationError
from ...study.interview_id import format_interview_id, parse_interview_id
from ...study.text import normalise_text
from ..codebook import Change, Codebook, Version, codebook_to_dict, parse_codebook
from ..guids import normalise_guid
from ..memos import Memo, MemoTarget, Memos
from .anchor import anchor_source
from .common import METADATA_NOTE, slug
from .import_ import CODING_COLUMNS, MEDIA, QualImport, _decode, _kid, _kids, _local, _Reader, _text_of

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
    def __init__(self, r: _Reader):
        self.r = r
        self.report = r.report
        self.meta = r.meta
        users_el = _kid(r.root, "Users")
        self.user_names = {
            normalise_guid(u.get("guid")): (u.get("name") or u.get("id") or "")
            for u in (_kids(users_el, "User") if users_el is not None else [])
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
        self.segment_ids: set[str] = set()
        self.project_user = self.users.get(normalise_guid(r.root.get("creatingUserGUID")) or "")
        self._code_notes()

    # ------------------------------------------------------------------ codes
    def _code_notes(self) -> None:
        book = _kid(self.r.root, "CodeBook")
        if book is None:
            return
        for code_el in book.iter():
            if _local(code_el) != "Code":
                continue
            code_id = self.code_ids.get(normalise_guid(code_el.get("guid")) or "")
            for ref in _kids(code_el, "NoteRef"):
                g = normalise_guid(ref.get("targetGUID"))
                if g and code_id:
                    self.note_targets.setdefault(g, ("code", code_id))

    # ------------------------------------------------------------------ sources
    def _interview_id(self, src: etree._Element, guid: str, values: dict[str, str]) -> str | None:
        meta = self.meta.get("sources", {}).get(guid, {})
        if meta.get("interview_id"):
            return meta["interview_id"]
        name = src.get("name") or guid
        stem = name
        suffix = PurePosixPath(name).suffix
        if suffix.lower() in (".txt", ".docx", ".rtf", ".doc", ".odt", ".pdf"):
            stem = name[: -len(suffix)]
        pattern = self.r.pattern
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
                    f"source {name!r} does not match interview_id_pattern {pattern!r} and has no case with site and timepoint variables to name it")
        )
        return None

    def _values(self, src: etree._Element, guid: str) -> dict[str, str]:
        out = {}
        for vv in _kids(src, "VariableValue"):
            ref = _kid(vv, "VariableRef")
            var = self.variables.get(normalise_guid(ref.get("targetGUID")) if ref is not None else "", "")
            value = next((_text_of(c) for c in vv if _local(c) in _VALUE_TAGS), "")
            if var in ("site", "timepoint"):
                out[var] = value.strip()
            else:
                self.report.add("unsupported", "VariableValue", f"source variable {var!r} = {value!r} dropped (only site and timepoint are kept)", guid)
        return out

    def _source_text(self, src: etree._Element, guid: str) -> tuple[str, bool] | None:
        path = src.get("plainTextPath")
        name = src.get("name") or guid
        if path:
            data = self.r.archive.source(path)
            if data is None:
                self.report.add("unsupported", "TextSource", f"source {name!r}: plain text {path!r} is not in the project (external or missing); not imported", guid)
                return None
            try:
                return _decode(data)
            except UnicodeDecodeError:
                self.r.problems.append(Problem(self.r.file, src.sourceline, "plainTextPath", f"source {name!r}: {path} is not UTF-8 text"))
                return None
        content = _kid(src, "PlainTextContent")
        if content is not None:
            text = _text_of(content)
            return text, text.startswith("\ufeff")
        self.report.add("unsupported", "TextSource", f"source {name!r} has no plain text (only rich text); not imported", guid)
        return None

    def read_sources(self) -> None:
        sources = _kid(self.r.root, "Sources")
        for src in list(sources) if sources is not None else []:
            kind = _local(src)
            if not kind:
                continue
            guid = normalise_guid(src.get("guid")) or ""
            name = src.get("name") or guid
            if kind in MEDIA:
                n_sel = sum(1 for el in src.iter() if _local(el).endswith("Selection"))
                n_cod = sum(1 for el in src.iter() if _local(el) == "Coding")
                self.report.add("media", kind, f"{MEDIA[kind]} source {name!r} with {n_sel} selection(s) and {n_cod} coding(s) not imported (PeerImpact analyses text transcripts)", guid)
                continue
            if kind != "TextSource":
                self.report.add("unsupported", kind, f"element {name!r} not imported", guid)
                continue
            values = self._values(src, guid)
            iid = self._interview_id(src, guid, values)
            got = self._source_text(src, guid)
            if iid is None or got is None:
                continue
            if iid in self.transcripts:
                self.r.problems.append(Problem(self.r.file, src.sourceline, "name", f"two sources are both interview {iid!r}"))
                continue
            raw, had_bom = got
            text = normalise_text(raw)
            self.transcripts[iid] = text
            convention = self._selections(src, iid, text, had_bom)
            ref = parse_interview_id(iid, self.r.pattern) if self.r.pattern else None
            self.source_rows.append(
                {
                    "interview_id": iid, "guid": guid, "name": name,
                    "participant_id": ref.participant_id if ref else self.cases.get(guid),
                    "site": ref.site if ref else values.get("site"),
                    "timepoint": ref.timepoint if ref else values.get("timepoint"),
                    "convention": convention,
                }
            )
            for ref_el in _kids(src, "NoteRef"):
                g = normalise_guid(ref_el.get("targetGUID"))
                if g:
                    self.note_targets.setdefault(g, ("transcript", iid))

    def _segment_id(self, sel_guid: str) -> str:
        seg = self.meta.get("selections", {}).get(sel_guid) or "s" + sel_guid.replace("-", "")[:12]
        base, k = seg, 2
        while seg in self.segment_ids:
            seg, k = f"{base}_{k}", k + 1
        self.segment_ids.add(seg)
        return seg

    def _selections(self, src: etree._Element, iid: str, text: str, had_bom: bool) -> str:
        sels = _kids(src, "PlainTextSelection")
        specs = []
        for sel in sels:
            try:
                specs.append((int(sel.get("startPosition")), int(sel.get("endPosition")), sel.get("name")))
            except (TypeError, ValueError):
                specs.append((-1, -1, sel.get("name")))
        anchoring = anchor_source(text, specs, had_bom)
        for sel, spec, place in zip(sels, specs, anchoring.placements):
            sguid = normalise_guid(sel.get("guid")) or ""
            codings = _kids(sel, "Coding")
            if place.status == "unanchored":
                self.report.add("unanchored", "PlainTextSelection", f"{iid} [{spec[0]}, {spec[1]}) with {len(codings)} coding(s) not imported: {place.reason}", sguid)
                continue
            if place.status == "relocated":
                self.report.add("relocated", "PlainTextSelection", f"{iid}: {place.reason}", sguid)
            elif place.reason:
                self.report.add("placed", "PlainTextSelection", f"{iid} [{spec[0]}, {spec[1]}): {place.reason}", sguid)
            elif place.status == "placed":
                self.report.add("placed", "PlainTextSelection", f"{iid} [{spec[0]}, {spec[1]}): name is not its text; placed by the source's position convention, not checked against a quote", sguid)
            seg = self._segment_id(sguid)
            default_user = self.users.get(normalise_guid(sel.get("creatingUser")) or "") or self.project_user
            self._codings(codings, seg, iid, place.start, place.end, default_user, text)
            for ref in _kids(sel, "NoteRef"):
                g = normalise_guid(ref.get("targetGUID"))
                if g:
                    self.note_targets.setdefault(g, ("segment", seg))
        whole = _kids(src, "Coding")
        if whole:
            seg = self._segment_id(normalise_guid(src.get("guid")) or "")
            self.report.add("placed", "Coding", f"{iid}: {len(whole)} coding(s) of the whole source imported as one segment spanning the transcript", src.get("guid"))
            self._codings(whole, seg, iid, 0, len(text), self.project_user, text)
        return anchoring.convention.describe() if anchoring.evidence else "unknown (no quoted selections)"

    def _codings(self, codings, seg: str, iid: str, start: int, end: int, default_user: str | None, text: str) -> None:
        seen: set[tuple[str, str]] = set()
        for coding in codings:
            cg = normalise_guid(coding.get("guid")) or ""
            ref = _kid(coding, "CodeRef")
            code = self.code_ids.get(normalise_guid(ref.get("targetGUID")) if ref is not None else "")
            if code is None:
                self.report.add("unsupported", "Coding", f"{iid} [{start}, {end}): coding refers to a code that is not in the codebook; dropped", cg)
                continue
            coder = self.users.get(normalise_guid(coding.get("creatingUser")) or "") or default_user
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

    # ------------------------------------------------------------------ notes
    def read_notes(self) -> Memos:
        notes = _kid(self.r.root, "Notes")
        meta_memos = self.meta.get("memos", {})
        memos: list[Memo] = []
        taken: set[str] = set()
        for i, note in enumerate(_kids(notes, "Note") if notes is not None else []):
            g = normalise_guid(note.get("guid")) or ""
            if note.get("name") == METADATA_NOTE:
                continue
            info = meta_memos.get(g, {})
            target = self.note_targets.get(g) or (tuple(info["target"].values()) if info.get("target") else None)
            name = note.get("name") or ""
            if target is None:
                self.report.add("unsupported", "Note", f"note {name!r} is not attached to a code, set, source or selection (e.g. a project note); not imported", g)
                continue
            ident = info.get("id") or slug(name, f"memo_{i + 1}")
            if ident in taken:
                ident = f"{ident}_{i + 1}"
            taken.add(ident)
            kind = info.get("kind")
            if kind is None:
                kind = "analytic"
                self.report.add("assumed", "Note", f"note {name!r}: memo kind not recorded; set to 'analytic'", g)
            content = _kid(note, "PlainTextContent")
            text = _text_of(content)
            if content is None and note.get("plainTextPath"):
                data = self.r.archive.source(note.get("plainTextPath"))
                text = normalise_text(_decode(data)[0]) if data is not None else ""
            author = self.user_names.get(normalise_guid(note.get("creatingUser")) or "") or "unknown"
            memos.append(
                Memo(id=ident, target=MemoTarget(type=target[0], id=target[1]), kind=kind, author=author,
                     date=_date(note.get("creationDateTime")), text=text)
            )
        for tag in ("Links", "Graphs"):
            el = _kid(self.r.root, tag)
            if el is not None and len(el):
                self.report.add("unsupported", tag, f"{len(el)} {tag[:-1].lower()}(s) not imported")
        return Memos(memos=memos)

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


def assemble(r: _Reader) -> QualImport:
    a = _Assembler(r)
    a.read_sources()
    memos = a.read_notes()
    if r.problems:
        raise StudyValidationError(r.problems)
    book = a.codebook()
    codings = pd.DataFrame(a.coding_rows, columns=CODING_COLUMNS)
    codings["version"] = pd.array(list(codings["version"]), dtype="Int64")
    codings["start"] = codings["start"].astype("int64")
    codings["end"] = codings["end"].astype("int64")
    codings = codings.sort_values(["interview_id", "start", "end", "segment_id", "code", "coder"], kind="stable").reset_index(drop=True)
    sources = pd.DataFrame(a.source_rows, columns=["interview_id", "guid", "name", "participant_id", "site", "timepoint", "convention"])
    return QualImport(r.root.get("name") or "", book, codings, memos, a.transcripts, sources, a.report)

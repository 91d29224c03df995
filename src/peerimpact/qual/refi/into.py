"""Import a ``.qdpx`` into a study folder: all files or none.

Everything is built in memory, and the whole study is loaded and validated
with the new files in a staging copy beside it; only then is each file
written into place atomically (:mod:`peerimpact.fileio`). Files that are
replaced are first copied to ``STUDY/.peerimpact-backup/<UTC time>/``; if a
write fails, the files already written are put back, so the study is never
left half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import Problem, StudyValidationError, UserInputError
from ...study.csvio import read_raw_csv
from ...study.definition_load import load_definition
from ...study.interview_id import parse_interview_id
from ...study.text import normalise_text
from ...study.update import commit_update, validate_update
from ...study.yamlio import load_yaml_with_lines
from ..codebook import Codebook, dump_codebook, parse_codebook
from ..corpus import read_transcript
from ..memos import Memos, dump_memos, parse_memos
from .archive import DEFAULT_LIMIT
from .common import CODING_COLUMNS
from .import_ import import_qdpx
from .merge import merge_codebooks, merge_codings, merge_memos
from .model import DataLossReport, QualImport


@dataclass
class ImportSummary:
    """What ``import_qdpx_into`` wrote."""

    written: list[str] = field(default_factory=list)  # paths relative to the study folder
    unchanged: list[str] = field(default_factory=list)
    backup: Path | None = None
    report: DataLossReport = field(default_factory=DataLossReport)
    imported: QualImport | None = None
    note: str = ""  # what the merge or replace did


def codings_csv(codings: pd.DataFrame) -> str:
    """``qual/codings.csv`` text: declared columns, then ``version``, ``timestamp``, ``quote``, then any others."""
    columns = CODING_COLUMNS + [c for c in codings.columns if c not in CODING_COLUMNS]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for rec in codings[columns].itertuples(index=False, name=None):
        writer.writerow([_cell(k, v) for k, v in zip(columns, rec)])
    return buf.getvalue()


def _cell(column: str, value: Any) -> str:
    if value is None or (isinstance(value, str) and value == "") or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in ("start", "end", "version"):
        return str(int(value))
    return str(value)


def _participant_sites(root: Path) -> dict[str, str] | None:
    """participant id -> site from ``participants.csv`` (None when absent or unreadable)."""
    path = root / "participants.csv"
    if not path.is_file():
        return None
    frame, problems = read_raw_csv(path, "participants.csv")
    if frame is None or problems or not {"participant_id", "site"} <= set(frame.columns):
        return None
    return dict(zip(frame["participant_id"], frame["site"]))


def _existing_transcript(folder: Path, iid: str) -> Path | None:
    for suffix in (".txt", ".docx"):
        p = folder / f"{iid}{suffix}"
        if p.is_file():
            return p
    return None


class ImportLossError(StudyValidationError):
    """The import would lose data and ``accept_loss`` was not given; nothing was written."""

    def __init__(self, file: str, report: DataLossReport):
        self.report = report
        problems = [Problem(file, None, None, f"would lose {loss}") for loss in report.lost]
        problems.append(Problem(file, None, None, f"{len(report.lost)} item(s) would be lost; nothing written "
                                                  "(re-run with --accept-loss to import the rest and keep this report in qual/imports/)"))
        super().__init__(problems)


def _transcript_files(root: Path, definition, imported: QualImport) -> tuple[dict[str, bytes], list[str]]:
    """New transcript files, and those already in the study with the same text; every mismatch is a problem."""
    problems = []
    sites = _participant_sites(root)
    files: dict[str, bytes] = {}
    unchanged = []
    for iid, text in sorted(imported.transcripts.items()):
        rel = f"transcripts/{iid}.txt"
        ref = parse_interview_id(iid, definition.interview_id_pattern)
        if ref is None:
            problems.append(Problem(rel, None, None, f"interview id {iid!r} does not match interview_id_pattern {definition.interview_id_pattern!r}"))
            continue
        if ref.timepoint not in definition.timepoint_ids:
            problems.append(Problem(rel, None, None, f"undeclared timepoint {ref.timepoint!r} in interview id {iid!r}"))
        if ref.site not in definition.site_ids:
            problems.append(Problem(rel, None, None, f"undeclared site {ref.site!r} in interview id {iid!r}"))
        if sites is not None and ref.participant_id not in sites:
            problems.append(Problem(rel, None, None, f"participant {ref.participant_id!r} of interview {iid!r} is not in participants.csv (add them first)"))
        elif sites is not None and sites[ref.participant_id] != ref.site:
            problems.append(Problem(rel, None, None, f"interview {iid!r} names site {ref.site!r} but participant {ref.participant_id!r} is at site {sites[ref.participant_id]!r}"))
        existing = _existing_transcript(root / "transcripts", iid)
        if existing is not None:
            if read_transcript(existing) != normalise_text(text):
                problems.append(
                    Problem(f"transcripts/{existing.name}", None, None,
                            "differs from the transcript in the imported project; the coded spans would not fit (replace or rename one of them first)")
                )
            else:
                unchanged.append(f"transcripts/{existing.name}")
            continue
        files[rel] = text.encode("utf-8")
    if problems:
        raise StudyValidationError(problems)
    return files, unchanged


def _existing_qual(root: Path) -> tuple[Codebook | None, pd.DataFrame | None, Memos | None]:
    """The study's codebook, codings and memos as they are (None where absent)."""
    book = memos = codings = None
    if (root / "qual" / "codebook.yaml").is_file():
        raw, lines = load_yaml_with_lines(root / "qual" / "codebook.yaml", "qual/codebook.yaml")
        book = parse_codebook(raw, lines)
    if (root / "qual" / "memos.yaml").is_file():
        raw, lines = load_yaml_with_lines(root / "qual" / "memos.yaml", "qual/memos.yaml")
        memos = parse_memos(raw, lines)
    if (root / "qual" / "codings.csv").is_file():
        codings, problems = read_raw_csv(root / "qual" / "codings.csv", "qual/codings.csv")
        if codings is None or problems:
            raise StudyValidationError(problems)
        codings = codings[~(codings == "").all(axis=1)].reset_index(drop=True)  # blank lines carry nothing
    return book, codings, memos


def _qual_files(root: Path, imported: QualImport, mode: str, source: str) -> tuple[dict[str, bytes], str]:
    """The three qual/ files after the import, and a one-line account of the merge."""
    if mode == "replace":
        book, codings, memos, note = imported.codebook, imported.codings, imported.memos, "replaced the study's codebook, codings and memos"
    else:
        old_book, old_codings, old_memos = _existing_qual(root)
        book, added, renamed, themes = merge_codebooks(old_book, imported.codebook, f"codes imported from {source}")
        codings, dups, segments = merge_codings(old_codings, imported.codings, renamed)
        note_id_matches(imported.report, old_book, imported.codebook, renamed)
        memos = merge_memos(old_memos, imported.memos, {"code": renamed, "theme": themes, "segment": segments})
        note = (f"merged: {len(added)} code(s) added to the codebook, {len(codings) - (0 if old_codings is None else len(old_codings))} "
                f"coding(s) added, {dups} identical coding(s) already in the study")
    files = {
        "qual/codebook.yaml": dump_codebook(book).encode("utf-8"),
        "qual/codings.csv": codings_csv(codings).encode("utf-8"),
        "qual/memos.yaml": dump_memos(memos).encode("utf-8"),
    }
    return files, note


def note_id_matches(report: DataLossReport, existing: Codebook | None, incoming: Codebook, renamed: dict[str, str]) -> None:
    """Say what merging did to imported codes the study already had (notes, not losses).

    A code matched by id but another GUID is named; so is every field
    (name, description, inclusion, exclusion, colour, parent) that the
    project gives and in which it differs from the study, since a merge keeps
    the study's definition (``--mode replace`` takes the project's).
    """
    study_codes = {c.id: c for c in (existing.codes if existing is not None else [])}
    for code in incoming.codes:
        match = study_codes.get(renamed.get(code.id, ""))
        if match is None:
            continue
        if match.guid != code.guid:
            report.add("renamed", "Code", f"code {code.name!r} matched the study's code {match.id!r} ({match.name!r}) by its id, "
                       "not its GUID; its codings and memos use the study's code and definition", code.guid)
        theirs = {"name": code.name, "description": code.description, "inclusion": code.inclusion, "exclusion": code.exclusion,
                  "colour": (code.colour or "").lower() or None, "parent": renamed.get(code.parent or "", code.parent)}
        ours = {"name": match.name, "description": match.description, "inclusion": match.inclusion, "exclusion": match.exclusion,
                "colour": (match.colour or "").lower() or None, "parent": match.parent}
        changed = [f"{k} {theirs[k]!r} (study: {ours[k]!r})" for k in theirs if theirs[k] not in (None, "") and theirs[k] != ours[k]]
        if changed:
            report.add("kept", "Code", f"code {match.id!r} differs in the project: {'; '.join(changed)}; merge keeps the study's definition "
                       "(--mode replace takes the project's)", code.guid)
    study_themes = {t.guid: t for t in (existing.themes if existing is not None else []) if t.guid}
    for theme in incoming.themes:
        same = study_themes.get(theme.guid)
        if same is None:
            continue
        theirs_t = {"name": theme.name, "description": theme.description, "codes": [renamed.get(c, c) for c in theme.codes]}
        ours_t = {"name": same.name, "description": same.description, "codes": same.codes}
        changed = [f"{k} {theirs_t[k]!r} (study: {ours_t[k]!r})" for k in theirs_t if theirs_t[k] not in (None, "", []) and theirs_t[k] != ours_t[k]]
        if changed:
            report.add("kept", "Set", f"theme {same.id!r} differs in the project: {'; '.join(changed)}; merge keeps the study's definition "
                       "(--mode replace takes the project's)", theme.guid)


def report_text(source: str, imported: QualImport, note: str) -> str:
    """The import report kept in ``qual/imports/<time>.txt``: conventions, the account, every item."""
    lines = [f"REFI-QDA import of {source} (origin {imported.origin or 'not given'!r})", note, ""]
    lines += [f"{r['interview_id']}: positions counted as {r['convention']} ({r['why']})" for r in imported.sources.to_dict("records")]
    lines += ["", f"{len(imported.report.lost)} item(s) not imported, {len(imported.report.items)} note(s) in all:"]
    lines += imported.report.lines()
    return "\n".join(lines) + "\n"


def import_qdpx_into(
    path: str | Path, study_dir: str | Path, *, source_map: dict[str, str] | None = None, mode: str = "merge",
    accept_loss: bool = False, limit: int = DEFAULT_LIMIT,
) -> ImportSummary:
    """Import a REFI-QDA project into ``study_dir``: all files or none.

    Writes ``qual/codebook.yaml``, ``qual/codings.csv`` (with ``version``,
    ``timestamp`` and ``quote`` columns), ``qual/memos.yaml``,
    ``transcripts/<interview id>.txt`` for transcripts the study lacks, and,
    when data were knowingly lost, the report in ``qual/imports/<UTC time>.txt``.
    The whole study is loaded and validated with the new files in a staging
    copy before anything is moved into place.

    Parameters
    ----------
    mode : {"merge", "replace"}
        ``merge`` (default) adds the imported codes, codings and memos beside
        the study's (identical codings once); ``replace`` replaces the three
        qual files (the old ones are backed up).
    accept_loss : bool
        Import even though some items cannot be carried (the report names each).

    Raises
    ------
    ImportLossError
        Something would be lost and ``accept_loss`` is false.
    StudyValidationError
        A source's interview id does not fit the study, a transcript already
        in the study has different text, or the study would not validate.
    """
    if mode not in ("merge", "replace"):
        raise UserInputError(f"mode {mode!r}: use 'merge' or 'replace'")
    root = Path(study_dir)
    if not root.is_dir():
        raise UserInputError(f"{study_dir}: no such study folder")
    definition, _, problems = load_definition(root)
    if definition is None:
        raise StudyValidationError(problems)
    imported = import_qdpx(path, definition.interview_id_pattern, source_map, limit)
    name = Path(path).name
    if imported.report.lost and not accept_loss:
        raise ImportLossError(name, imported.report)
    files, unchanged = _transcript_files(root, definition, imported)
    qual, note = _qual_files(root, imported, mode, name)
    files.update(qual)
    if imported.report.lost:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        files[f"qual/imports/{stamp}.txt"] = report_text(name, imported, note).encode("utf-8")
    validate_update(root, files)
    summary = ImportSummary(unchanged=unchanged, report=imported.report, imported=imported, note=note)
    summary.backup = commit_update(root, files)
    summary.written = sorted(files)
    return summary


def import_qdc_into(path: str | Path, study_dir: str | Path, *, accept_loss: bool = False) -> ImportSummary:
    """Add the codes and sets of a ``.qdc`` codebook to ``qual/codebook.yaml`` as a new codebook version.

    Codes the study already has (same GUID or id) keep the study's
    definition; nothing is removed. The study is validated with the new
    codebook before it is written.

    Raises
    ------
    ImportLossError
        Something in the codebook would be lost and ``accept_loss`` is false.
    """
    from .qdc import import_qdc

    root = Path(study_dir)
    if not root.is_dir():
        raise UserInputError(f"{study_dir}: no such study folder")
    incoming, report = import_qdc(path)
    name = Path(path).name
    if report.lost and not accept_loss:
        raise ImportLossError(name, report)
    existing, _, _ = _existing_qual(root)
    book, added, renamed, _ = merge_codebooks(existing, incoming, f"codebook imported from {name}")
    note_id_matches(report, existing, incoming, renamed)
    note = f"{len(added)} code(s) added to the codebook (version {book.version}); {len(incoming.codes) - len(added)} already in it"
    files = {"qual/codebook.yaml": dump_codebook(book).encode("utf-8")}
    if report.lost:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        files[f"qual/imports/{stamp}.txt"] = ("\n".join([f"REFI-QDA codebook import of {name}", note, ""] + report.lines()) + "\n").encode("utf-8")
    validate_update(root, files)
    summary = ImportSummary(report=report, note=note)
    summary.backup = commit_update(root, files)
    summary.written = sorted(files)
    return summary

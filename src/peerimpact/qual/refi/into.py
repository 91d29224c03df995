"""Import a ``.qdpx`` into a study folder: all files or none.

Everything is built and checked in memory, written to a staging folder, and
only then moved into place. Files that are replaced are first copied to
``STUDY/.peerimpact-backup/<UTC time>/``; if a move fails, the files already
moved are put back, so the study is never left half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...errors import Problem, StudyValidationError, UserInputError
from ...study.csvio import read_raw_csv
from ...study.definition_load import load_definition
from ...study.interview_id import parse_interview_id
from ...study.text import normalise_text
from ..codebook import dump_codebook
from ..corpus import read_transcript
from ..memos import dump_memos
from .import_ import CODING_COLUMNS, DataLossReport, QualImport, import_qdpx

BACKUP_DIR = ".peerimpact-backup"


@dataclass
class ImportSummary:
    """What ``import_qdpx_into`` wrote."""

    written: list[str] = field(default_factory=list)  # paths relative to the study folder
    unchanged: list[str] = field(default_factory=list)
    backup: Path | None = None
    report: DataLossReport = field(default_factory=DataLossReport)
    imported: QualImport | None = None


def codings_csv(codings: pd.DataFrame) -> str:
    """``qual/codings.csv`` text: declared columns, then ``version``, ``timestamp``, ``quote``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CODING_COLUMNS)
    for rec in codings[CODING_COLUMNS].itertuples(index=False, name=None):
        writer.writerow([_cell(k, v) for k, v in zip(CODING_COLUMNS, rec)])
    return buf.getvalue()


def _cell(column: str, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
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


def import_qdpx_into(path: str | Path, study_dir: str | Path) -> ImportSummary:
    """Import a REFI-QDA project into ``study_dir``.

    Writes ``qual/codebook.yaml``, ``qual/codings.csv`` (with ``version``,
    ``timestamp`` and ``quote`` columns), ``qual/memos.yaml`` and
    ``transcripts/<interview id>.txt`` for transcripts the study lacks.

    Raises
    ------
    StudyValidationError
        When a source's interview id does not fit the study (pattern, site,
        timepoint) or a transcript already in the study has different text;
        nothing is written.
    """
    root = Path(study_dir)
    if not root.is_dir():
        raise UserInputError(f"{study_dir}: no such study folder")
    definition, _, problems = load_definition(root)
    if definition is None:
        raise StudyValidationError(problems)
    imported = import_qdpx(path, definition.interview_id_pattern)
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
    files["qual/codebook.yaml"] = dump_codebook(imported.codebook).encode("utf-8")
    files["qual/codings.csv"] = codings_csv(imported.codings).encode("utf-8")
    files["qual/memos.yaml"] = dump_memos(imported.memos).encode("utf-8")
    summary = ImportSummary(unchanged=unchanged, report=imported.report, imported=imported)
    summary.backup = _commit(root, files)
    summary.written = sorted(files)
    return summary


def _commit(root: Path, files: dict[str, bytes]) -> Path | None:
    """Stage ``files``, back up what they replace, move them in; undo on failure."""
    stage = root / f".peerimpact-import-{uuid.uuid4().hex[:8]}"
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    backup = root / BACKUP_DIR / stamp
    moved: list[tuple[Path, Path | None]] = []  # (target, its backup or None)
    try:
        for rel, payload in files.items():
            p = stage / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(payload)
        for rel in files:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            saved = None
            if target.exists():
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, saved)
            os.replace(stage / rel, target)
            moved.append((target, saved))
    except BaseException:
        for target, saved in reversed(moved):
            if saved is not None:
                shutil.copy2(saved, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return backup if backup.exists() else None

"""Transcripts and coded spans: names that parse as interview ids, spans inside the text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import Problem, UserInputError
from .checks import parse_numbers
from .csvio import spreadsheet_row
from .definition import StudyDefinition
from .interview_id import parse_interview_id
from .model import Transcript
from .text import normalise_text, text_sha256

TRANSCRIPT_SUFFIXES = (".txt", ".docx")


def read_transcript(path: str | Path) -> str:
    """Read a transcript and return its normalised text (no BOM, LF line ends).

    ``.txt`` files must be UTF-8 (a BOM is allowed); ``.docx`` files give one
    line per paragraph. Coded spans count Unicode code points of this text.
    The study loader and the qualitative tools read transcripts only through it.

    Raises
    ------
    UserInputError
        ``<file name>: <reason>`` when the file is not UTF-8, is not a readable
        Word document, or has another extension.
    """
    p = Path(path)
    text, reason = _read(p)
    if reason is not None:
        raise UserInputError(f"{p.name}: {reason}")
    return text


def _read(path: Path) -> tuple[str, str | None]:
    """The normalised text, or ``("", reason)`` when the file cannot be read as a transcript."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import docx  # python-docx

        try:
            document = docx.Document(str(path))
        except Exception as exc:  # python-docx raises several types on corrupt files
            return "", f"cannot be read as a Word document ({type(exc).__name__})"
        return normalise_text("\n".join(par.text for par in document.paragraphs)), None
    if suffix != ".txt":
        return "", "a transcript must be a .txt or .docx file"
    try:
        return normalise_text(path.read_bytes().decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return "", f"is not valid UTF-8 (byte {exc.start})"


def load_transcripts(
    root: Path, definition: StudyDefinition, participant_sites: dict[str, str]
) -> tuple[dict[str, Transcript], list[Problem]]:
    folder = root / "transcripts"
    if not folder.is_dir():
        return {}, []
    transcripts: dict[str, Transcript] = {}
    problems: list[Problem] = []
    tps = set(definition.timepoint_ids)
    for path in sorted(folder.iterdir()):
        rel = f"transcripts/{path.name}"
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
            problems.append(Problem(rel, None, None, "is not a transcript (expected .txt or .docx)"))
            continue
        iid = path.stem
        try:
            ref = parse_interview_id(iid, definition.interview_id_pattern, participant_sites, tps)
        except ValueError as exc:  # AmbiguousInterviewId: names both readings
            problems.append(Problem(rel, None, None, str(exc)))
            continue
        if ref is None:
            problems.append(
                Problem(rel, None, None, f"name {iid!r} does not match interview_id_pattern {definition.interview_id_pattern!r}")
            )
            continue
        if iid in transcripts:
            problems.append(Problem(rel, None, None, f"interview {iid!r} has more than one transcript file"))
            continue
        if ref.participant_id not in participant_sites:
            problems.append(Problem(rel, None, None, f"unknown participant {ref.participant_id!r} in interview id {iid!r}"))
        elif participant_sites[ref.participant_id] != ref.site:
            problems.append(
                Problem(rel, None, None,
                        f"interview id {iid!r} names site {ref.site!r} but participant {ref.participant_id!r} is at site {participant_sites[ref.participant_id]!r}")
            )
        if ref.timepoint not in tps:
            problems.append(Problem(rel, None, None, f"undeclared timepoint {ref.timepoint!r} in interview id {iid!r}"))
        text, reason = _read(path)
        if reason is not None:
            problems.append(Problem(rel, None, None, reason))
            continue
        transcripts[iid] = Transcript(iid, ref.site, ref.participant_id, ref.timepoint, text, text_sha256(text), rel)
    return transcripts, problems


def check_codings(raw: pd.DataFrame, transcripts: dict[str, Transcript], file: str) -> list[Problem]:
    """Every coding names a transcript and lies inside it, with start < end."""
    needed = {"interview_id", "start", "end"}
    if not needed <= set(raw.columns):
        return []
    problems = []
    starts, bad_s = parse_numbers(raw["start"])
    ends, bad_e = parse_numbers(raw["end"])
    for i in raw.index:
        iid = raw.at[i, "interview_id"]
        row = spreadsheet_row(i)
        if iid == "":
            continue
        if iid not in transcripts:
            problems.append(Problem(file, row, "interview_id", f"no transcript for interview {iid!r}"))
            continue
        if bad_s[i] or bad_e[i] or pd.isna(starts[i]) or pd.isna(ends[i]):
            continue  # reported by the column checks
        s, e = int(starts[i]), int(ends[i])
        length = len(transcripts[iid].text)
        if e <= s:
            problems.append(Problem(file, row, "end", f"end {e} is not after start {s}"))
        elif e > length:
            problems.append(
                Problem(file, row, "end", f"span [{s}, {e}) lies outside transcript {iid!r} ({length} characters)")
            )
    return problems

"""Coded segments: ``qual/codings.csv`` checked against the codebook and the transcripts.

:func:`qual_data` is the entry point of every qualitative query: it parses
the codebook and memos, validates the codings (versions, codes, segment
spans, quotes) and migrates them to the current codebook version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, StudyValidationError
from ..study.csvio import spreadsheet_row
from ..study.model import Study
from ..study.stages import register_study_check
from ..study.yamlio import load_yaml_with_lines
from .codebook import CODEBOOK_FILE, Code, Codebook, parse_codebook
from .memos import MEMOS_FILE, Memos, parse_memos
from .versions import MigrationResult, active_codes, known_codes, migrate_codings

CODINGS_FILE = "qual/codings.csv"
SEGMENT_COLUMNS = [
    "segment_id", "interview_id", "site", "participant_id", "timepoint",
    "start", "end", "code", "coder", "version", "timestamp", "quote", "origin", "model_version",
]
ORIGINS = ("human", "suggested")


@dataclass(frozen=True)
class QualData:
    """The qualitative side of a study, validated.

    Attributes
    ----------
    codebook : Codebook
    codings : DataFrame
        One row per coding as coded (columns :data:`SEGMENT_COLUMNS`);
        ``version`` is nullable Int64, ``quote`` the coded text.
    migration : MigrationResult
        The codings brought to the current codebook version.
    memos : Memos
    """

    codebook: Codebook
    codings: pd.DataFrame
    migration: MigrationResult
    memos: Memos

    @property
    def current(self) -> pd.DataFrame:
        """Codings under the current codebook version (merged and renamed codes migrated)."""
        return self.migration.codings


def qual_data(study: Study) -> QualData:
    """The validated qualitative data of ``study``.

    A study loaded from a folder carries it already (``study.parts.qualitative``,
    parsed by the load stage below); a study built in memory is parsed here.

    Raises
    ------
    StudyValidationError
        With every problem in the codebook, the codings and the memos.
    """
    if study.parts.qualitative is not None:
        return study.parts.qualitative
    book = codebook_of(study)
    codings = coded_segments(study, book)
    targets = {
        "code": known_codes(book),
        "theme": {t.id for t in book.themes},
        "transcript": set(study.transcripts),
        "segment": set(codings["segment_id"]),
    }
    memos = parse_memos(study.memos, _lines(study, MEMOS_FILE, study.memos), MEMOS_FILE, targets)
    return QualData(book, codings, migrate_codings(codings, book), memos)


def validate_qual(study: Study) -> list[Problem]:
    """Every problem in the codebook, codings and memos of ``study`` (empty when valid).

    For a loader or validator that collects problems instead of raising.
    """
    return _load_stage(study)[0]


def _load_stage(study: Study) -> tuple[list[Problem], dict[str, QualData]]:
    """The study loader's qualitative stage: problems, or the parsed data for ``Study.parts``."""
    try:
        return [], {"qualitative": qual_data(study)}
    except StudyValidationError as exc:
        return list(exc.problems), {}


register_study_check("qual", _load_stage, order=10)


def _lines(study: Study, rel: str, raw: Any) -> dict | None:
    """Line numbers of a study YAML file, when the file on disk is what the study holds."""
    if study.root is None:
        return None
    path = Path(study.root) / rel
    if not path.is_file():
        return None
    try:
        data, lines = load_yaml_with_lines(path, rel)
    except StudyValidationError:
        return None
    return lines if data == raw else None


def codebook_of(study: Study) -> Codebook:
    """The study's codebook, or (without ``qual/codebook.yaml``) one code per distinct coded code."""
    if study.codebook is None:
        ids = sorted(set(study.codings["code"].dropna())) if "code" in study.codings else []
        return Codebook(version=1, codes=[Code(id=i, name=i) for i in ids])
    return parse_codebook(study.codebook, _lines(study, CODEBOOK_FILE, study.codebook), CODEBOOK_FILE)


def _int_or_none(value: Any) -> tuple[int | None, bool]:
    """Parse a version cell; returns ``(value, ok)``."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None, True
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None, False
    if not f.is_integer():
        return None, False
    return int(f), True


def _cell(value: Any) -> str | None:
    """A text cell, ``None`` when empty or missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    return str(value)


def coded_segments(study: Study, book: Codebook | None = None) -> pd.DataFrame:
    """Validated codings with transcript attributes and quotes (see :data:`SEGMENT_COLUMNS`).

    Checks, each reported as ``qual/codings.csv:<row>:<column>``: the version
    is a whole number and a version of the codebook; the code exists at that
    version (or at some version when none is recorded); every row of a
    segment has the same interview and span; a ``quote`` cell, when present,
    equals the coded text; a ``timestamp`` is an ISO date-time; ``origin`` is
    ``human`` (also when empty or absent) or ``suggested``, and a suggested
    coding names its ``model_version``.
    """
    book = book or codebook_of(study)
    raw = study.codings
    problems: list[Problem] = []
    per_version = active_codes(book)
    known = known_codes(book)
    valid_versions = set(book.version_numbers) or set(range(1, book.version + 1))
    rows = []
    seen_segments: dict[str, tuple[str, int, int, int]] = {}
    has_quote = "quote" in raw.columns
    has_version = "version" in raw.columns
    has_time = "timestamp" in raw.columns
    has_origin = "origin" in raw.columns
    has_model = "model_version" in raw.columns
    for idx, rec in zip(raw.index, raw.to_dict("records")):
        row = spreadsheet_row(idx)
        iid = rec["interview_id"]
        transcript = study.transcripts.get(iid)
        if transcript is None:
            problems.append(Problem(CODINGS_FILE, row, "interview_id", f"no transcript for interview {iid!r}"))
            continue
        start, end = int(rec["start"]), int(rec["end"])
        version, ok = _int_or_none(rec.get("version")) if has_version else (None, True)
        if not ok:
            problems.append(Problem(CODINGS_FILE, row, "version", f"{rec['version']!r} is not a whole number"))
        elif version is not None and version not in valid_versions:
            problems.append(
                Problem(CODINGS_FILE, row, "version", f"version {version} is not a version of the codebook ({', '.join(map(str, sorted(valid_versions)))})")
            )
        code = rec["code"]
        if version is not None and version in per_version and code not in per_version[version]:
            problems.append(Problem(CODINGS_FILE, row, "code", f"code {code!r} is not in codebook version {version}"))
        elif code not in known:
            problems.append(Problem(CODINGS_FILE, row, "code", f"code {code!r} is not in the codebook"))
        quote = transcript.text[start:end]
        if has_quote and isinstance(rec["quote"], str) and rec["quote"] != "" and rec["quote"] != quote:
            problems.append(
                Problem(CODINGS_FILE, row, "quote", f"quote does not match the transcript text at [{start}, {end}) (the transcript or the span changed)")
            )
        seg = rec["segment_id"]
        if seg in seen_segments and seen_segments[seg][:3] != (iid, start, end):
            first = seen_segments[seg]
            problems.append(
                Problem(CODINGS_FILE, row, "segment_id",
                        f"segment {seg!r} is {iid} [{start}, {end}) here but {first[0]} [{first[1]}, {first[2]}) at row {first[3]}")
            )
        seen_segments.setdefault(seg, (iid, start, end, row))
        stamp = rec.get("timestamp") if has_time else None
        stamp = None if stamp in (None, "") or (isinstance(stamp, float) and pd.isna(stamp)) else stamp
        if stamp is not None:
            try:
                pd.Timestamp(str(stamp))
            except ValueError:
                problems.append(Problem(CODINGS_FILE, row, "timestamp", f"{stamp!r} is not an ISO date-time (YYYY-MM-DDTHH:MM:SS)"))
        origin = _cell(rec.get("origin")) if has_origin else None
        model = _cell(rec.get("model_version")) if has_model else None
        if origin is not None and origin not in ORIGINS:
            problems.append(Problem(CODINGS_FILE, row, "origin", f"{origin!r} is not one of: {', '.join(ORIGINS)}"))
        elif origin == "suggested" and model is None:
            problems.append(Problem(CODINGS_FILE, row, "model_version", "a suggested coding must name the model_version that suggested it"))
        rows.append(
            [seg, iid, transcript.site, transcript.participant_id, transcript.timepoint, start, end, code, rec["coder"],
             version, None if stamp is None else str(stamp), quote, origin or "human", model]
        )
    if problems:
        raise StudyValidationError(problems)
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["version"] = pd.array(list(frame["version"]), dtype="Int64")
    return frame

"""The database as one :class:`peerimpact.Study`, and ``peerimpact db export-study``.

Tables are rebuilt as the study files' cells (strings) and typed with the
loader's own rules (:func:`peerimpact.study.checks.typed_table`), so a study
read from the database equals the one read from a folder. Export writes with
:func:`peerimpact.study.write.write_study` into a temporary sibling folder,
validates it with :func:`peerimpact.load_study`, and only then moves it into
place.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from ...errors import UserInputError
from ...fileio import replace_folder
from ...instruments import load_instruments
from ...study import Study, StudyDefinition, Transcript, load_study
from ...study.checks import empty_table, parse_numbers, typed_table
from ...study.model import StudySource
from ...study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, SERVICE_USE, Table
from ...study.write import dump_yaml, format_cell, write_study
from ..absence.study_io import spells_frame
from ..records.models import (
    Allocation,
    Coding,
    Contact,
    Employment,
    Participant,
    QuestionnaireResponse,
    ServiceUse,
    StudyConfig,
)
from ..records.models import (
    Transcript as TranscriptRow,
)
from .yamltext import from_text


def _raw(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[format_cell(r.get(c)) for c in columns] for r in rows], columns=columns, dtype=object)


def _table(rows: list[dict], table: Table, columns: list[str] | None = None) -> pd.DataFrame:
    if not rows:
        return empty_table(table)
    return typed_table(_raw(rows, columns or table.column_names), table)


def _participants(config: StudyConfig, definition: StudyDefinition) -> pd.DataFrame:
    rows = []
    for p in Participant.objects.select_related("site", "consent").order_by("id"):
        consent = p.consent_or_none
        rows.append({"participant_id": p.participant_id, "site": p.site.site_id,
                     "consent_date": consent.consent_date if consent else None, **p.extra})
    columns = config.participant_columns or PARTICIPANTS.column_names
    out = typed_table(_raw(rows, columns), PARTICIPANTS)
    continuous = {d.column for d in definition.demographics if d.type == "continuous"}
    raw = _raw(rows, columns)
    for col in columns:
        if col in PARTICIPANTS.column_names:
            continue
        out[col] = parse_numbers(raw[col])[0] if col in continuous else raw[col].astype(object).where(raw[col] != "", None)
    return out.reset_index(drop=True)


def _responses(config: StudyConfig) -> pd.DataFrame:
    merged: dict[tuple[str, str], dict] = {}
    columns = list(config.response_columns or ["participant_id", "timepoint"])
    qs = QuestionnaireResponse.objects.filter(status=QuestionnaireResponse.SUBMITTED).select_related("participant").order_by("id")
    for r in qs:
        row = merged.setdefault((r.participant.participant_id, r.timepoint),
                                {"participant_id": r.participant.participant_id, "timepoint": r.timepoint})
        row.update(r.values)
        columns += [c for c in r.values if c not in columns]
    raw = _raw(list(merged.values()), columns)
    out = raw[["participant_id", "timepoint"]].astype(object).copy()
    values = {c: parse_numbers(raw[c])[0] for c in columns if c not in ("participant_id", "timepoint")}
    if values:
        out = pd.concat([out, pd.DataFrame(values, index=raw.index)], axis=1)
    return out.reset_index(drop=True)


def declared_instruments(config: StudyConfig, definition: StudyDefinition) -> dict:
    custom = from_text(config.instruments_yaml) or {}
    with tempfile.TemporaryDirectory(prefix="peerimpact-instruments-") as tmp:
        for inst_id, data in custom.items():
            dump_yaml(data, Path(tmp) / "instruments" / f"{inst_id}.yaml")
        available = load_instruments(Path(tmp))
    return {i: available[i] for i in definition.instruments if i in available}


# The values read per Transcript row (in the order of :class:`peerimpact.study.Transcript`'s fields) and per Coding row
# (a codings.csv row's first columns, then the coding's own columns).
TRANSCRIPT_FIELDS = ("interview_id", "site", "participant__participant_id", "timepoint", "text", "sha256", "file")
CODING_FIELDS = ("segment_id", "transcript__interview_id", "start", "end", "code", "coder", "extra")


def study_transcripts() -> dict[str, Transcript]:
    """The live transcripts of the database, keyed and ordered by interview id: the study's ``transcripts``.

    Read as plain values (``values_list``), not model instances: the one
    place that turns Transcript rows into a study's transcripts
    (:func:`build_study` and :func:`peerimpact.web.coding.snapshot.training_study`).
    """
    rows = TranscriptRow.objects.order_by("interview_id").values_list(*TRANSCRIPT_FIELDS)
    return {row[0]: Transcript(*row) for row in rows}


def study_codings(config: StudyConfig) -> pd.DataFrame:
    """The live codings of the database, in the order stored, as the study's typed ``codings`` table.

    The columns are those of the imported ``qual/codings.csv``
    (``config.coding_columns``; the standard ones when none was imported),
    then those that codings made in the browser add (version, timestamp,
    quote, origin ...) in the order first met. Cells are formatted as the
    file's and typed with the loader's rules, as :func:`build_study`'s other
    tables. Read as plain values (``values_list``), not model instances: the
    one place that turns Coding rows into a study's codings (:func:`build_study`
    and :func:`peerimpact.web.coding.snapshot.training_study`).
    """
    rows = [{"segment_id": seg, "interview_id": iid, "start": start, "end": end, "code": code, "coder": coder, **extra}
            for seg, iid, start, end, code, coder, extra in Coding.objects.order_by("id").values_list(*CODING_FIELDS)]
    columns = list(config.coding_columns or CODINGS.column_names)
    for row in rows:
        columns += [k for k in row if k not in columns]
    return _table(rows, CODINGS, columns)


def build_study() -> Study:
    """The study held in the database (live records only).

    Raises
    ------
    UserInputError
        When the database holds no study yet.
    """
    config = StudyConfig.objects.order_by("id").first()
    if config is None:
        raise UserInputError("the database holds no study: run `peerimpact db import-study DIR` first")
    definition = StudyDefinition.model_validate(config.definition)
    employment = [
        {"participant_id": e.participant.participant_id, "contract": e.contract, "hours_per_week": e.hours_per_week,
         "start_date": e.start_date, "end_date": e.end_date, "sick_days": e.sick_days}
        for e in Employment.objects.select_related("participant").order_by("id")
    ]
    service_use = [
        {"participant_id": s.participant.participant_id, "timepoint": s.timepoint, "service": s.service,
         "used": 1.0 if s.used else 0.0, "count": s.count}
        for s in ServiceUse.objects.select_related("participant").order_by("id")
    ]
    allocations = [
        {"person_id": a.person.person_id, "worker_id": a.worker.participant_id, "allocated_on": a.allocated_on,
         "discharged_on": a.discharged_on, "ended_on": a.ended_on}
        for a in Allocation.objects.select_related("person", "worker").order_by("id")
    ]
    contacts = [
        {"contact_id": c.contact_id, "worker_id": c.worker.participant_id, "person_id": c.person.person_id, "date": c.date,
         "mode": c.mode, "duration_minutes": c.duration_minutes, "status": c.status, "phase": c.phase}
        for c in Contact.objects.select_related("person", "worker").order_by("id")
    ]
    return Study(
        definition=definition,
        participants=_participants(config, definition),
        responses=_responses(config),
        service_use=_table(service_use, SERVICE_USE),
        employment=_table(employment, EMPLOYMENT),
        allocations=_table(allocations, ALLOCATIONS),
        contacts=_table(contacts, CONTACTS),
        instruments=declared_instruments(config, definition),
        transcripts=study_transcripts(),
        codings=study_codings(config),
        absence=spells_frame(),
        norms=from_text(config.norms_yaml),
        codebook=from_text(config.codebook_yaml),
        memos=from_text(config.memos_yaml),
        synthesis=from_text(config.synthesis_yaml),
        source=StudySource(None, "database"),
    )


def export_study(out_dir: str | Path, overwrite: bool = False) -> Path:
    """Write the database's study to ``out_dir`` as a validated study folder.

    Raises
    ------
    UserInputError
        When ``out_dir`` is a non-empty folder and ``overwrite`` is false, or
        the database holds no study.
    StudyValidationError
        When the data break a study-folder rule (nothing is written).
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise UserInputError(f"{out}: folder exists and is not empty (use --overwrite to replace it)")
    study = build_study()
    tmp = out.parent / f".{out.name}.export-{uuid.uuid4().hex[:8]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_study(study, tmp)
        load_study(tmp)  # the written folder must pass every rule
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_folder(tmp, out)
    return out


def study_zip(user, folder: Path) -> Path:
    """Export the study (validated, as :func:`export_study`) and zip it into ``folder``; record the download.

    The zip holds one top-level folder, ``study/``. The download is stored as
    a :class:`StudyDownload` (who, when, SHA-256, size), so the audit trail
    lists it.
    """
    import hashlib
    import tempfile
    import zipfile

    from django.utils import timezone

    from ..records.models import StudyDownload

    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    target = folder / f"peerimpact-study-{stamp}.zip"
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        out = export_study(Path(tmp) / "study")
        partial = target.with_suffix(".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                zf.write(path, Path("study") / path.relative_to(out))
        partial.replace(target)
    data = target.read_bytes()
    record = StudyDownload(downloaded_by=user, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
    record._history_user = user
    record.save()
    return target

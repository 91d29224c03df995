"""Write a :class:`Study` as a study folder, atomically.

Everything is written into a hidden temporary sibling folder first and moved
into place only when complete, so a failure never leaves a half-written
study. ``load_study(write_study(study, d))`` reproduces ``study``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import UserInputError
from ..fileio import build_folder
from .model import Study
from .stages import instrument_source
from .tables import ABSENCE, ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, RESPONSES, SERVICE_USE, Table


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float; whole numbers without ``.0``.

    The one number-to-text rule of study files: the writer, the importers
    (``formats/``) and the exporters all use it.

    >>> format_number(3.0), format_number(0.1), format_number(1e16)
    ('3', '0.1', '1e+16')
    """
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_cell(value: Any) -> str:
    """One CSV cell: empty for missing, ISO for dates, no trailing ``.0`` on whole numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else format_number(value)
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if value is pd.NaT:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalar
        return format_cell(value.item())
    return str(value)


def frame_to_csv(frame: pd.DataFrame, path: Path, columns: list[str] | None = None) -> None:
    cols = columns or list(frame.columns)
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(cols)
        for row in frame[cols].itertuples(index=False, name=None):
            writer.writerow([format_cell(v) for v in row])


def _columns(frame: pd.DataFrame, table: Table) -> list[str]:
    declared = [c for c in table.column_names if c in frame.columns]
    extra = [c for c in frame.columns if c not in declared]
    return declared + extra


def dump_yaml(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def definition_dict(study: Study) -> dict[str, Any]:
    return study.definition.model_dump(mode="json", exclude_none=True)


def _write_into(study: Study, tmp: Path) -> None:
    dump_yaml(definition_dict(study), tmp / "study.yaml")
    frame_to_csv(study.participants, tmp / PARTICIPANTS.file, _columns(study.participants, PARTICIPANTS))
    frame_to_csv(study.responses, tmp / RESPONSES.file, _columns(study.responses, RESPONSES))
    for table, frame in (
        (SERVICE_USE, study.service_use),
        (EMPLOYMENT, study.employment),
        (ALLOCATIONS, study.allocations),
        (CONTACTS, study.contacts),
        (ABSENCE, study.absence),
    ):
        if len(frame):
            frame_to_csv(frame, tmp / table.file, _columns(frame, table))
    if study.transcripts:
        (tmp / "transcripts").mkdir()
        for iid, tr in sorted(study.transcripts.items()):
            (tmp / "transcripts" / f"{iid}.txt").write_text(tr.text, encoding="utf-8", newline="\n")
    if len(study.codings):
        (tmp / "qual").mkdir(exist_ok=True)
        frame_to_csv(study.codings, tmp / CODINGS.file, _columns(study.codings, CODINGS))
    if study.codebook is not None:
        dump_yaml(study.codebook, tmp / "qual" / "codebook.yaml")
    if study.memos is not None:
        dump_yaml(study.memos, tmp / "qual" / "memos.yaml")
    if study.synthesis is not None:
        dump_yaml(study.synthesis, tmp / "synthesis.yaml")
    if study.norms is not None:
        dump_yaml(study.norms, tmp / (study.definition.norms or "norms.yaml"))
    custom = _custom_instruments(study)
    for inst_id, data in custom.items():
        dump_yaml(data, tmp / "instruments" / f"{inst_id}.yaml")


def _custom_instruments(study: Study) -> dict[str, dict[str, Any]]:
    """Instrument definitions that differ from the shipped ones (user-defined or licensed keys)."""
    shipped = instrument_source()(None)
    out = {}
    for inst_id, inst in study.instruments.items():
        if inst_id not in shipped or shipped[inst_id] != inst:
            out[inst_id] = inst.model_dump(mode="json", exclude_none=True)
    return out


def write_study(study: Study, out_dir: str | Path, overwrite: bool = False) -> Path:
    """Write ``study`` to ``out_dir`` atomically and return the folder.

    Raises
    ------
    UserInputError
        If ``out_dir`` exists and is not empty and ``overwrite`` is false.
    """
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise UserInputError(f"{out}: folder exists and is not empty (use overwrite to replace it)")
    with build_folder(out) as tmp:
        _write_into(study, tmp)
    return out

"""Builders for small in-memory studies used by the quantitative tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from peerimpact.study.checks import empty_table
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.model import Study
from peerimpact.study.tables import (
    ALLOCATIONS,
    CODINGS,
    CONTACTS,
    EMPLOYMENT,
    PARTICIPANTS,
    RESPONSES,
    SERVICE_USE,
    Table,
)


def definition(
    timepoints=(("T1", 0), ("T2", 4), ("T3", 12)),
    sites=("1", "2"),
    **extra: Any,
) -> StudyDefinition:
    """A StudyDefinition with the given timepoints ``(id, month)`` and sites."""
    return StudyDefinition(
        title="Quant test study",
        synthetic=True,
        sites=[{"id": s, "name": f"Site {s}"} for s in sites],
        timepoints=[{"id": t, "label": t, "month": m} for t, m in timepoints],
        **extra,
    )


def _typed(table: Table, rows: list[dict] | pd.DataFrame | None) -> pd.DataFrame:
    if rows is None:
        return empty_table(table)
    frame = pd.DataFrame(rows)
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        if col.kind == "date":
            frame[col.name] = pd.to_datetime(frame[col.name])
        elif col.kind in ("int", "float", "flag"):
            frame[col.name] = pd.to_numeric(frame[col.name]).astype(float)
        else:
            frame[col.name] = frame[col.name].astype(object)
    return frame


def make_study(
    defn: StudyDefinition,
    participants: list[dict] | pd.DataFrame | None = None,
    service_use=None,
    employment=None,
    allocations=None,
    contacts=None,
    norms=None,
    instruments=None,
) -> Study:
    """A Study in memory; participants default to those of ``scores`` given later."""
    return Study(
        definition=defn,
        participants=_typed(PARTICIPANTS, participants),
        responses=empty_table(RESPONSES),
        service_use=_typed(SERVICE_USE, service_use),
        employment=_typed(EMPLOYMENT, employment),
        allocations=_typed(ALLOCATIONS, allocations),
        contacts=_typed(CONTACTS, contacts),
        instruments=instruments or {},
        transcripts={},
        codings=empty_table(CODINGS),
        norms=norms,
    )


def long_scores(table: dict[str, dict[str, list[float | None]]], ids: list[str]) -> pd.DataFrame:
    """``{outcome: {timepoint: [score per participant]}}`` -> long scores table."""
    rows = []
    for outcome, by_tp in table.items():
        for tp, values in by_tp.items():
            for pid, v in zip(ids, values, strict=False):
                rows.append({"participant_id": pid, "timepoint": tp, "outcome": outcome,
                             "score": np.nan if v is None else float(v)})
    return pd.DataFrame(rows)

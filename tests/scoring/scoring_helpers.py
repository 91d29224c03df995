"""Small in-memory studies for the scoring tests (imported by conftest and test modules)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from peerimpact.instruments import load_instruments
from peerimpact.study.checks import empty_table
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.model import Study
from peerimpact.study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, SERVICE_USE

FIXTURES = Path(__file__).parent / "fixtures"


def definition(instruments: Iterable[str], missing_items_allowed: int = 1, timepoints=("T1", "T2", "T3")) -> StudyDefinition:
    return StudyDefinition(
        title="test",
        synthetic=True,
        sites=[{"id": "1", "name": "Site one"}],
        timepoints=[{"id": t, "label": t, "month": float(i)} for i, t in enumerate(timepoints)],
        instruments=list(instruments),
        missing_items_allowed=missing_items_allowed,
    )


# Shared empty tables: the scoring code never reads or mutates them.
_EMPTY = {
    "SERVICE_USE": empty_table(SERVICE_USE),
    "EMPLOYMENT": empty_table(EMPLOYMENT),
    "ALLOCATIONS": empty_table(ALLOCATIONS),
    "CONTACTS": empty_table(CONTACTS),
    "CODINGS": empty_table(CODINGS),
}


@lru_cache(maxsize=None)
def _instruments(study_dir: Path | None):
    return load_instruments(study_dir)


def build_study(
    responses: pd.DataFrame | dict,
    instruments: Iterable[str] = ("wemwbs",),
    missing_items_allowed: int = 1,
    study_dir: Path | None = None,
    timepoints=("T1", "T2", "T3"),
) -> Study:
    """A Study holding ``responses`` (item columns coerced to float64, NaN = missing)."""
    source = responses if isinstance(responses, dict) else {c: responses[c].to_numpy() for c in responses.columns}
    columns = {
        col: np.asarray(values, dtype=object if col in ("participant_id", "timepoint") else np.float64)
        for col, values in source.items()
    }
    frame = pd.DataFrame(columns)
    defn = _definition(tuple(instruments), missing_items_allowed, tuple(timepoints))
    available = _instruments(study_dir)
    pids = sorted(set(frame["participant_id"])) if len(frame) else []
    participants = pd.DataFrame(
        {"participant_id": np.array(pids, dtype=object), "site": np.array(["1"] * len(pids), dtype=object),
         "consent_date": np.full(len(pids), np.datetime64("2020-01-01", "ns"))}
    )
    return Study(
        definition=defn,
        participants=participants,
        responses=frame,
        service_use=_EMPTY['SERVICE_USE'],
        employment=_EMPTY['EMPLOYMENT'],
        allocations=_EMPTY['ALLOCATIONS'],
        contacts=_EMPTY['CONTACTS'],
        instruments={i: available[i] for i in defn.instruments},
        transcripts={},
        codings=_EMPTY['CODINGS'],
    )


@lru_cache(maxsize=None)
def _definition(instruments: tuple[str, ...], missing_items_allowed: int, timepoints: tuple[str, ...]) -> StudyDefinition:
    return definition(instruments, missing_items_allowed, timepoints)


def one_row(instrument_prefix: str, values: dict[str, float] | list[float], pid: str = "01", timepoint: str = "T1") -> dict:
    """One response row: ``values`` list -> items 1..n, or a dict item id -> value."""
    if isinstance(values, list):
        values = {str(i + 1): v for i, v in enumerate(values)}
    row: dict = {"participant_id": [pid], "timepoint": [timepoint]}
    for item, v in values.items():
        row[f"{instrument_prefix}_{item}"] = [np.nan if v is None else v]
    return row

"""Cross-table rules: ids that must exist elsewhere, and dates that must be in order.

Each check yields its problems one at a time as the caller takes them. A file
naming an unknown id, or a date out of order, on every row has a problem a
row: made lazily they can stream to a collector that keeps a summary, not the
problems (``check_study_folder(sink=...)``; memory: bench/import_speed.py
``--errors``). ``problems += check(...)`` still fills a list.
"""

from __future__ import annotations

from itertools import chain
from typing import Iterator

import pandas as pd

from ..errors import Problem
from .checks import parse_dates, parse_numbers
from .csvio import spreadsheet_row
from .definition import StudyDefinition


def check_known(frame: pd.DataFrame, column: str, allowed: set[str], file: str, what: str) -> Iterator[Problem]:
    """A problem for each non-empty value of ``column`` that is not in ``allowed``."""
    if column not in frame.columns:
        return
    values = frame[column]
    bad = (values != "") & ~values.isin(allowed)
    for i in values.index[bad]:
        yield Problem(file, spreadsheet_row(i), column, f"unknown {what} {values.at[i]!r}")


def check_participants(raw: pd.DataFrame, definition: StudyDefinition, file: str) -> Iterator[Problem]:
    """Sites known, and each declared demographic column present and within its type, range or categories."""
    yield from check_known(raw, "site", set(definition.site_ids), file, "site")
    for demo in definition.demographics:
        if demo.column not in raw.columns:
            yield Problem(file, 1, demo.column, f"declared demographic column ({demo.label}) is missing")
            continue
        values = raw[demo.column]
        if demo.type == "continuous":
            nums, bad = parse_numbers(values)
            for i in values.index[bad]:
                yield Problem(file, spreadsheet_row(i), demo.column, f"{values.at[i]!r} is not a number")
            if demo.minimum is not None:
                for i in values.index[nums < demo.minimum]:
                    yield Problem(file, spreadsheet_row(i), demo.column, f"{values.at[i]} is below the minimum {demo.minimum:g}")
            if demo.maximum is not None:
                for i in values.index[nums > demo.maximum]:
                    yield Problem(file, spreadsheet_row(i), demo.column, f"{values.at[i]} is above the maximum {demo.maximum:g}")
        elif demo.categories is not None:
            bad = (values != "") & ~values.isin(demo.categories)
            declared = ", ".join(demo.categories)
            for i in values.index[bad]:
                yield Problem(file, spreadsheet_row(i), demo.column,
                              f"{values.at[i]!r} is not one of the declared categories: {declared}")


def check_participant_timepoint(
    raw: pd.DataFrame, participants: set[str], definition: StudyDefinition, file: str
) -> Iterator[Problem]:
    """Unknown participants, then unknown timepoints."""
    return chain(check_known(raw, "participant_id", participants, file, "participant"),
                 check_known(raw, "timepoint", set(definition.timepoint_ids), file, "timepoint"))


def check_date_order(raw: pd.DataFrame, earlier: str, later: str, file: str) -> Iterator[Problem]:
    """``later`` must not be before ``earlier`` where both are dates."""
    if earlier not in raw.columns or later not in raw.columns:
        return
    a, _ = parse_dates(raw[earlier])
    b, _ = parse_dates(raw[later])
    bad = a.notna() & b.notna() & (b < a)
    for i in raw.index[bad]:
        yield Problem(file, spreadsheet_row(i), later, f"{raw.at[i, later]} is before {earlier} {raw.at[i, earlier]}")


def check_consent(raw_participants: pd.DataFrame, raw_responses: pd.DataFrame) -> Iterator[Problem]:
    """No consent date, no data (consent first)."""
    if "consent_date" not in raw_participants.columns or "participant_id" not in raw_responses.columns:
        return
    no_consent = set(raw_participants.loc[raw_participants["consent_date"] == "", "participant_id"])
    bad = raw_responses["participant_id"].isin(no_consent)
    for i in raw_responses.index[bad]:
        yield Problem(
            "responses.csv",
            spreadsheet_row(i),
            "participant_id",
            f"participant {raw_responses.at[i, 'participant_id']!r} has no consent date in participants.csv",
        )


def check_contacts_against_allocations(contacts: pd.DataFrame, allocations: pd.DataFrame | None, file: str) -> Iterator[Problem]:
    """Each contact's person must be allocated to its worker, on or before the contact date."""
    needed = {"worker_id", "person_id", "date"}
    if not needed <= set(contacts.columns):
        return
    if allocations is None or not {"worker_id", "person_id", "allocated_on"} <= set(allocations.columns):
        return
    alloc_dates, _ = parse_dates(allocations["allocated_on"])
    first = (
        pd.DataFrame({"worker_id": allocations["worker_id"], "person_id": allocations["person_id"], "allocated_on": alloc_dates})
        .dropna()
        .groupby(["worker_id", "person_id"], as_index=False)["allocated_on"]
        .min()
    )
    dates, _ = parse_dates(contacts["date"])
    merged = pd.DataFrame(
        {"worker_id": contacts["worker_id"], "person_id": contacts["person_id"], "date": dates, "_row": contacts.index}
    ).merge(first, on=["worker_id", "person_id"], how="left")
    not_allocated = merged["allocated_on"].isna() & (merged["worker_id"] != "") & (merged["person_id"] != "")
    for row, person, worker in zip(merged.loc[not_allocated, "_row"], merged.loc[not_allocated, "person_id"],
                                   merged.loc[not_allocated, "worker_id"]):
        yield Problem(file, spreadsheet_row(row), "person_id",
                      f"person {person!r} is not allocated to worker {worker!r} in allocations.csv")
    early = merged["date"].notna() & merged["allocated_on"].notna() & (merged["date"] < merged["allocated_on"])
    for row, date, allocated in zip(merged.loc[early, "_row"], merged.loc[early, "date"], merged.loc[early, "allocated_on"]):
        yield Problem(file, spreadsheet_row(row), "date",
                      f"contact on {date:%Y-%m-%d} is before the allocation on {allocated:%Y-%m-%d}")


def as_set(values: pd.Series) -> set[str]:
    return set(values[values != ""].astype(str)) if len(values) else set()


__all__ = [
    "as_set",
    "check_consent",
    "check_contacts_against_allocations",
    "check_date_order",
    "check_known",
    "check_participant_timepoint",
    "check_participants",
]

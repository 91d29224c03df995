"""``load_study``: a study folder becomes one validated :class:`Study`.

Every rule is checked and every problem collected before anything is
returned, so a user sees all of them at once. The loader never writes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any, Callable, Iterable, Self

import numpy as np
import pandas as pd

from ..errors import Problem, StudyValidationError, UserInputError
from . import references as refs
from .absence import check_absence, derive_sick_days
from .checks import check_table_only, check_typed_table, distinct_values, empty_table, parse_distinct_numbers, parse_numbers
from .csvio import read_raw_csv, spreadsheet_row
from .definition import StudyDefinition
from .definition_load import load_definition
from .grouping import GroupedProblems, ValuesOf
from .model import Study, StudyParts, StudySource
from .responses import categorical_from_codes, integer_item_columns, items_from_codes
from .stages import TableContext, instrument_source, study_checks, table_checks
from .tables import ABSENCE, ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, RESPONSES, SERVICE_USE, TABLES, Table
from .transcripts import check_codings, load_transcripts
from .yamlio import KeyPath, line_for, load_yaml_with_lines

Raws = dict[str, pd.DataFrame | None]  # table name -> the file as read (every cell text), None when absent

IGNORED_DIRS = {".peerimpact-cache", ".peerimpact-backup", "__pycache__", ".git"}


def _read_tables(root: Path) -> tuple[dict[str, pd.DataFrame | None], dict[str, pd.DataFrame], list[Problem]]:
    """Every table as read (:data:`Raws`), typed as :func:`typed_table` types it, and their problems.

    The largest file is read first (most often responses.csv), while the heap
    is smallest: pandas' parser then reuses less fragmented memory (peak RSS,
    bench/import_speed.py). The problems are listed in the tables' order all
    the same.
    """
    raws: dict[str, pd.DataFrame | None] = {}
    typed: dict[str, pd.DataFrame] = {}
    found_in: dict[str, list[Problem]] = {}
    sizes = {t.name: (root / t.file).stat().st_size if (root / t.file).is_file() else -1 for t in TABLES}
    for table in sorted(TABLES, key=lambda t: -sizes[t.name]):  # stable: equal sizes keep the tables' order
        path = root / table.file
        problems: list[Problem] = found_in.setdefault(table.name, [])
        if sizes[table.name] < 0 or not path.is_file():
            if not table.optional:
                problems.append(Problem(table.file, None, None, "is missing: this file is required"))
            raws[table.name] = None
            continue
        frame, p = read_raw_csv(path, table.file, categorical=_categorical_columns(table))
        problems += p
        if frame is not None and table.name == RESPONSES.name:  # typed from the text by _typed_responses (memory)
            problems += check_table_only(frame, table)
        elif frame is not None:
            found, typed[table.name] = check_typed_table(frame, table)
            problems += found
        raws[table.name] = frame
    return ({t.name: raws[t.name] for t in TABLES}, {t.name: typed[t.name] for t in TABLES if t.name in typed},
            [problem for t in TABLES for problem in found_in[t.name]])


#: Tables whose value columns (not ids) are read as pandas categoricals (:func:`read_raw_csv`).
_CATEGORICAL_TABLES = {RESPONSES.name, SERVICE_USE.name, ALLOCATIONS.name, CONTACTS.name}


def _categorical_columns(table: Table):
    """Which columns of ``table`` to read as categoricals: the large tables' value columns, which repeat a few values.

    In participants, every column but the participant id (sites, consent
    dates, demographics repeat a few values; memory: bench/import_speed.py).
    """
    if table.name == PARTICIPANTS.name:
        return lambda name: name != "participant_id"
    if table.name not in _CATEGORICAL_TABLES:
        return None
    kinds = {c.name: c.kind for c in table.columns}
    if table.name == RESPONSES.name:  # every column: ids repeat too (two timepoints a participant)
        return lambda name: True
    if table.open_columns:
        return lambda name: kinds.get(name, "float") != "id"
    return lambda name: kinds.get(name, "id") not in ("id", "str")


def _optional_yaml(root: Path, rel: str, problems: list[Problem]):
    path = root / rel
    if not path.is_file():
        return None
    try:
        data, _ = load_yaml_with_lines(path, rel)
    except StudyValidationError as exc:
        problems += exc.problems
        return None
    return data


def _file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in IGNORED_DIRS for part in rel.parts) or not path.is_file():
            continue
        with path.open("rb") as fh:  # in chunks: a large table is not held whole to hash it (memory)
            hashes[rel.as_posix()] = hashlib.file_digest(fh, "sha256").hexdigest()
    return hashes


def _check_instruments(definition: StudyDefinition, lines, root: Path, problems: list[Problem]) -> dict[str, Any]:
    try:
        available = instrument_source()(root)
    except StudyValidationError as exc:
        problems += exc.problems
        return {}
    declared = {}
    for i, inst in enumerate(definition.instruments):
        if inst in available:
            declared[inst] = available[inst]
        else:
            problems.append(
                Problem("study.yaml", line_for(lines, ("instruments", i)), "instruments",
                        f"unknown instrument {inst!r}; available: {', '.join(sorted(available))}")
            )
    return declared


def _check_employment(raw: pd.DataFrame, file: str) -> list[Problem]:
    if not {"contract", "hours_per_week"} <= set(raw.columns):
        return []
    hours, _ = parse_numbers(raw["hours_per_week"])
    bad = (raw["contract"] == "bank") & (hours > 0)
    missing = (raw["contract"] == "contracted") & hours.isna() & (raw["hours_per_week"] == "")
    return [
        Problem(file, spreadsheet_row(i), "hours_per_week", "bank staff have no contracted hours: leave empty or 0")
        for i in raw.index[bad]
    ] + [
        Problem(file, spreadsheet_row(i), "hours_per_week", "contracted staff need their contracted hours")
        for i in raw.index[missing]
    ]


def _check_service_counts(raw: pd.DataFrame, file: str) -> list[Problem]:
    """A count is only meaningful for a service that was used."""
    if not {"used", "count"} <= set(raw.columns):
        return []
    used, _ = parse_numbers(raw["used"])
    count, _ = parse_numbers(raw["count"])
    bad = (used == 0) & (count > 0)
    return [
        Problem(file, spreadsheet_row(i), "count", f"count {raw.at[i, 'count']} given for a service not used (used is 0)")
        for i in raw.index[bad]
    ]


def _typed(typed: dict[str, pd.DataFrame], table: Table) -> pd.DataFrame:
    frame = typed.get(table.name)
    return empty_table(table) if frame is None else frame


def _typed_participants(raw: pd.DataFrame, typed: pd.DataFrame, definition: StudyDefinition) -> pd.DataFrame:
    out = typed.copy(deep=False)
    continuous = {d.column for d in definition.demographics if d.type == "continuous"}
    for col in out.columns:
        if col in PARTICIPANTS.column_names:
            continue
        if col in continuous:
            out[col] = parse_numbers(raw[col])[0]
        else:
            out[col] = raw[col].astype(object).where(raw[col] != "", None)
    if isinstance(out.index, pd.RangeIndex) and out.index.start == 0 and out.index.step == 1:
        return out  # what reset_index gives, without its copy of every column
    return out.reset_index(drop=True)


def _shared_strings(texts: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``texts`` with each one equal to a string of ``known`` replaced by that same object.

    The participant ids of the responses are then the participants table's
    strings, held once (100,000 ids: about 6 MiB; memory: bench/import_speed.py).
    The values are unchanged; when ``known`` repeats a value nothing is replaced.
    """
    index = pd.Index(known, dtype=object)
    if not len(texts) or not index.is_unique:
        return texts
    at = index.get_indexer(texts)
    return np.where(at >= 0, known[np.maximum(at, 0)], texts) if len(known) else texts


def _typed_responses(raw: pd.DataFrame, definition: StudyDefinition, instruments: dict[str, Any],
                     participant_ids: np.ndarray) -> pd.DataFrame:
    """Numbers as float64, the items of whole-number scales directly as ``Int16`` (:mod:`.responses`), ids as categoricals.

    Each distinct text of a column is parsed once; building the ``Int16``
    items from the codes spares a float64 copy of every item column, and the
    participant and timepoint categoricals are made from the codes as
    :class:`Study` would make them from the strings (the participant ids are
    the ``participant_ids`` strings, not copies). ``raw`` is consumed: each
    of its columns is dropped from it once typed, so that the text columns and
    the typed ones never all coexist (memory: bench/import_speed.py).
    """
    integer_items = integer_item_columns(instruments)
    firsts = {"participant_id": (), "timepoint": definition.timepoint_ids}
    n = len(raw)
    # one frame made once from its columns, no copy of them (a concat and a reset index copied
    # every column twice: memory, bench/import_speed.py)
    values: dict[str, Any] = {}
    for c in list(firsts) + [c for c in raw.columns if c not in firsts]:  # the ids first, as Study has them
        codes, texts = distinct_values(raw.pop(c))
        if c in firsts:
            strings = texts.to_numpy(dtype=object)
            if c == "participant_id":
                strings = _shared_strings(strings, participant_ids)
            values[c] = categorical_from_codes(codes, strings, firsts[c])
            del strings
            continue
        numbers = parse_distinct_numbers(texts)[0]
        items = items_from_codes(codes, numbers, integer_items[c]) if c in integer_items else None
        values[c] = items if items is not None else numbers[codes]
        del codes, texts, numbers, items
    return pd.DataFrame(values, index=pd.RangeIndex(n), copy=False)


def load_study(path: str | Path, *, grouped: bool = False) -> Study:
    """Load and validate a study folder.

    Parameters
    ----------
    path : str or Path
        The study folder (see ``docs/study-format.md``).
    grouped : bool
        Group the problems for humans, as ``peerimpact validate`` prints them
        (without ``--all-errors``): a rule broken on more than five rows of a
        column is one problem with the count, the first rows and a hint where
        one applies (:mod:`peerimpact.study.grouping`). The problems then
        stream to the grouping as they are found (``check_study_folder``'s
        ``sink``), so unknown ids or answers out of range on every row take
        no memory for their problems.

    Returns
    -------
    Study
        The validated study with typed tables.

    Raises
    ------
    StudyValidationError
        Listing every problem found, each with file, 1-based row, column and rule.
    UserInputError
        When ``path`` is not a folder.
    """
    if grouped:
        collected = GroupedProblems()
        study, _ = check_study_folder(path, sink=collected.append)
        if collected or study is None:
            raise StudyValidationError(collected.problems(_column_numbers(Path(path))))
        return study
    study, problems = check_study_folder(path)
    if problems or study is None:
        raise StudyValidationError(problems)
    return study


def _column_numbers(root: Path) -> ValuesOf:
    """``(file, column) -> the numbers in that column of the study folder's CSV``, for the range hint.

    Each (file, column) is read once (a group's listed problems ask for the
    same column), header names compared stripped as the loader strips them.
    """
    read: dict[tuple[str, str], list[float] | None] = {}

    def values_of(file: str, column: str) -> list[float] | None:
        if (file, column) not in read:
            read[file, column] = _numbers_in(root / file, column)
        return read[file, column]

    return values_of


def _numbers_in(path: Path, column: str) -> list[float] | None:
    if path.suffix != ".csv" or not path.is_file():
        return None
    try:
        cells = pd.read_csv(path, usecols=lambda name: str(name).strip() == column, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig", index_col=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):  # the problems name what is wrong with the file
        return None
    if cells.shape[1] != 1:  # absent (a second column of the name is renamed by pandas)
        return None
    numbers = pd.to_numeric(cells.iloc[:, 0], errors="coerce").dropna()
    return numbers.tolist() or None


class _Forwarding(list[Problem]):
    """A problem list that hands each problem to ``sink`` as it is added and keeps none (memory)."""

    def __init__(self, sink: Callable[[Problem], None]):
        super().__init__()
        self._sink = sink

    def append(self, problem: Problem) -> None:
        self._sink(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self._sink(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> Self:  # type: ignore[override, misc]
        self.extend(problems)
        return self


def check_study_folder(path: str | Path, *, keep_study: bool = True,
                       sink: Callable[[Problem], None] | None = None) -> tuple[Study | None, list[Problem]]:
    """:func:`load_study` without raising: ``(study, problems)``; the study is None when problems stop it.

    With ``keep_study=False`` only the problems are wanted (the importer
    validating the folder it wrote): the same problems, but ``responses.csv``
    is not typed (its rules are checked on its text, and the later study
    checks do not read it), so the typed answers never take memory, and the
    study returned is None (memory: bench/import_speed.py).

    Every problem is in the list as found (unsorted; one found by two checks
    appears twice: :class:`StudyValidationError` sorts them and keeps one of
    each). For callers that go through many problems one at a time (the
    import translates each to the user's file), so that no sorted copy and no
    message text of all of them is made (memory: bench/import_speed.py
    ``--errors``). With ``sink``, each problem is handed to it as it is found
    and the list returned is empty. The cross-table checks (unknown ids,
    consent, dates in order, contacts against allocations) and the
    instruments' checks of the answers make their problems one at a time, so
    a caller that keeps a summary, not the problems, holds none of them.
    Not streamed: the problems of reading each table (types, codes, dates:
    held per table, then handed over in the tables' order once every table
    is read) and those of the employment, absence, service counts and
    codings checks (each check's list at once).

    Raises
    ------
    StudyValidationError
        When ``study.yaml`` cannot be read as YAML (as :func:`load_study`).
    UserInputError
        When ``path`` is not a folder.
    """
    root = Path(path)
    if not root.is_dir():
        raise UserInputError(f"{path}: no such study folder")
    definition, lines, problems = load_definition(root)
    if sink is not None:
        found, problems = problems, _Forwarding(sink)
        problems += found
    if definition is None:
        return None, problems

    instruments = _check_instruments(definition, lines, root, problems)
    raws, typed, table_problems = _read_tables(root)
    problems += table_problems
    # each participant's site is only read to check transcripts' names (100,000 ids: a 5 MiB dict; memory)
    with_sites = (root / "transcripts").is_dir()
    participant_ids, participant_sites = _participants(raws["participants"], definition, problems, with_sites)
    _check_questionnaires(raws, TableContext(definition, instruments, raws), participant_ids, problems)
    _check_workforce(raws, definition, participant_ids, problems)
    transcripts, tproblems = load_transcripts(root, definition, participant_sites)
    problems += tproblems
    if raws["codings"] is not None:
        problems += check_codings(raws["codings"], transcripts, CODINGS.file)
    documents = _documents(root, definition, lines, problems)
    del participant_ids, participant_sites  # checked against: freed before the tables are typed (memory)

    if raws["responses"] is None or raws["participants"] is None:
        return None, problems
    if not {"participant_id", "timepoint"} <= set(raws["responses"].columns):  # reported missing by the column checks
        return None, problems
    # each table's text frame is freed once typed: it is not read again (memory)
    participants = _typed_participants(raws["participants"], typed.pop("participants"), definition)
    raws["participants"] = None
    responses_raw, raws["responses"] = raws["responses"], None
    if keep_study:
        ids = participants["participant_id"].to_numpy(dtype=object) if "participant_id" in participants.columns else np.array([], dtype=object)
        responses = _typed_responses(responses_raw, definition, instruments, ids)
        del ids
    else:  # not typed: nothing after this point reads the responses (their rules were checked above)
        responses = pd.DataFrame({"participant_id": pd.Series([], dtype=object), "timepoint": pd.Series([], dtype=object)})
    del responses_raw
    study = Study(
        definition=definition,
        participants=participants,
        responses=responses,
        service_use=_typed(typed, SERVICE_USE),
        employment=_typed(typed, EMPLOYMENT),
        allocations=_typed(typed, ALLOCATIONS),
        contacts=_typed(typed, CONTACTS),
        instruments=instruments,
        transcripts=transcripts,
        codings=_typed(typed, CODINGS),
        absence=_typed(typed, ABSENCE),
        **documents,
        source=StudySource(root.resolve(), "folder", _file_hashes(root)),
    )
    employment, absence_problems = derive_sick_days(study, raws["employment"])
    problems += absence_problems
    if employment is not study.employment:
        study = dataclasses.replace(study, employment=employment)
    # The codebook, codings, memos, norms and synthesis references are checked on the typed
    # study, in the same pass, so that every problem is reported at once. Invalid cells type
    # as missing values, which these checks do not read.
    study, stage_problems = run_study_checks(study)
    problems += stage_problems
    return (study if keep_study else None), problems


def _participants(raw: pd.DataFrame | None, definition: StudyDefinition, problems: list[Problem],
                  with_sites: bool = True) -> tuple[set[str], dict[str, str]]:
    """Check ``participants.csv``; return the participant ids and each one's site (none unless ``with_sites``)."""
    if raw is None:
        return set(), {}
    problems += refs.check_participants(raw, definition, PARTICIPANTS.file)
    if not {"participant_id", "site"} <= set(raw.columns):
        return set(), {}
    sites = dict(zip(raw["participant_id"], raw["site"])) if with_sites else {}
    return refs.as_set(raw["participant_id"]), sites


def _check_questionnaires(raws: Raws, context: TableContext, participant_ids: set[str], problems: list[Problem]) -> None:
    """``responses.csv`` and ``service_use.csv`` against the participants, timepoints and instruments, to ``problems``."""
    definition = context.definition
    responses_raw, participants_raw = raws["responses"], raws["participants"]
    if responses_raw is not None and participants_raw is not None:
        problems += refs.check_participant_timepoint(responses_raw, participant_ids, definition, RESPONSES.file)
        problems += refs.check_consent(participants_raw, responses_raw)
    if responses_raw is not None:
        _run_table_checks(RESPONSES, responses_raw, context, problems)
    su_raw = raws["service_use"]
    if su_raw is not None:
        problems += refs.check_participant_timepoint(su_raw, participant_ids, definition, SERVICE_USE.file)
        _run_table_checks(SERVICE_USE, su_raw, context, problems)
        problems += _check_service_counts(su_raw, SERVICE_USE.file)


def _check_workforce(raws: Raws, definition: StudyDefinition, participant_ids: set[str], problems: list[Problem]) -> None:
    """Employment, absence, allocations and contacts against the participants and each other, to ``problems``."""
    emp_raw = raws["employment"]
    if emp_raw is not None:
        problems += refs.check_known(emp_raw, "participant_id", participant_ids, EMPLOYMENT.file, "participant")
        problems += refs.check_date_order(emp_raw, "start_date", "end_date", EMPLOYMENT.file)
        problems += _check_employment(emp_raw, EMPLOYMENT.file)
    if raws["absence"] is not None:
        problems += check_absence(raws["absence"], definition, participant_ids, emp_raw)
    alloc_raw = raws["allocations"]
    if alloc_raw is not None:
        problems += refs.check_known(alloc_raw, "worker_id", participant_ids, ALLOCATIONS.file, "worker (not a participant)")
        problems += refs.check_date_order(alloc_raw, "allocated_on", "discharged_on", ALLOCATIONS.file)
        problems += refs.check_date_order(alloc_raw, "allocated_on", "ended_on", ALLOCATIONS.file)
    contacts_raw = raws["contacts"]
    if contacts_raw is not None:
        problems += refs.check_known(contacts_raw, "worker_id", participant_ids, CONTACTS.file, "worker (not a participant)")
        if alloc_raw is not None:
            problems += refs.check_contacts_against_allocations(contacts_raw, alloc_raw, CONTACTS.file)
        else:
            problems.append(Problem(CONTACTS.file, None, None, "needs allocations.csv: every contact's person must be allocated to its worker"))


def _documents(root: Path, definition: StudyDefinition, lines: dict[KeyPath, int], problems: list[Problem]) -> dict[str, Any]:
    """The optional YAML documents as read: norms, codebook, memos, synthesis (checked later, by their owners)."""
    if definition.norms and not (root / definition.norms).is_file():
        problems.append(Problem("study.yaml", line_for(lines, ("norms",)), "norms", f"norms file {definition.norms!r} not found"))
    return {
        "norms": _optional_yaml(root, definition.norms or "norms.yaml", problems),
        "codebook": _optional_yaml(root, "qual/codebook.yaml", problems),
        "memos": _optional_yaml(root, "qual/memos.yaml", problems),
        "synthesis": _optional_yaml(root, "synthesis.yaml", problems),
    }


def _run_table_checks(table: Table, raw: pd.DataFrame, context: TableContext, problems: list[Problem]) -> None:
    """The checks other packages registered for ``table`` (:mod:`peerimpact.study.stages`), to ``problems`` as they yield them."""
    for check in table_checks(table.name):
        problems += check(raw, context, table.file)


def run_study_checks(study: Study) -> tuple[Study, list[Problem]]:
    """The last stage of validation, on a typed study: the registered study checks.

    They cover the codebook, codings and memos (``qual/``), the norms file
    (``quant/``) and every reference in ``synthesis.yaml`` (``synthesis/``).
    Each valid part is kept, parsed, in :attr:`Study.parts`, and later checks see
    the parts already parsed.

    Returns
    -------
    (Study, list of Problem)
        ``study`` with its parsed parts, and every problem found.
    """
    problems: list[Problem] = []
    for check in study_checks():
        found, parts = check(study)
        problems += found
        if parts:
            study = study.with_parts(**parts)
    return study, problems


def validate_references(study: Study) -> list[Problem]:
    """Every problem the registered study checks find in ``study`` (empty when valid)."""
    return run_study_checks(study)[1]


__all__ = ["StudyParts", "check_study_folder", "load_study", "run_study_checks", "validate_references"]

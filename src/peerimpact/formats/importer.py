"""``import_study``: user files + mapping -> a validated study folder, or nothing.

Everything is written into a hidden temporary sibling of the output folder,
validated there with :func:`peerimpact.load_study` (the same rules as
``peerimpact validate``), and moved into place only when valid. Problems
found in the written tables are translated back to the user's file, row
and column.
"""

from __future__ import annotations

import csv
import re
import shutil
import uuid
from collections.abc import Callable, Container
from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from ..study.grouping import GroupedProblems
from ..study.tables import TABLES as STUDY_TABLES
from .build import BuiltTable, build_tables
from .derive import derive_allocations
from .heap import release_freed_memory
from .mapping_load import LoadedMapping, load_mapping
from .plan import check_sources, plan_mapping
from .readers import read_sources
from .report import ImportReport
from .source import CodedRows, SourceTable, canonical_text

_FILE_TO_TABLE = {t.file: t.name for t in STUDY_TABLES}
_FIRST_AT = re.compile(r"first at row (\d+)")


def _write_csv(table: BuiltTable, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.matrix())


def _write_folder(lm: LoadedMapping, built: dict[str, BuiltTable], tmp: Path) -> None:
    from ..study.write import dump_yaml

    if lm.study_path is not None:
        shutil.copyfile(lm.study_path, tmp / "study.yaml")
    else:
        dump_yaml(lm.definition.model_dump(mode="json", exclude_none=True), tmp / "study.yaml")
    for name in ("participants", "responses", "service_use", "employment", "allocations", "contacts", "absence"):
        if name in built:
            _write_csv(built[name], tmp / f"{name}.csv")


def _copy_instruments(lm: LoadedMapping, tmp: Path) -> dict[str, str]:
    """Copy the mapping's instrument files; return study-relative name -> user's label."""
    labels: dict[str, str] = {}
    if not lm.instrument_paths:
        return labels
    folder = tmp / "instruments"
    folder.mkdir()
    for p in lm.instrument_paths:
        dest = folder / (p.stem + ".yaml")
        shutil.copyfile(p, dest)
        labels[f"instruments/{dest.name}"] = p.name
    return labels


def _translate(p: Problem, lm: LoadedMapping, built: dict[str, BuiltTable], inst_labels: dict[str, str]) -> Problem:
    table = _FILE_TO_TABLE.get(p.file)
    if table is not None and table in built:
        bt = built[table]

        def first_at(m: re.Match) -> str:
            i = int(m.group(1)) - 2
            if 0 <= i < len(bt.origins):
                return f"first at {bt.origins[i].label} row {bt.origins[i].row}"
            return m.group(0)

        message = _FIRST_AT.sub(first_at, p.message)
        if p.row is not None and 0 <= p.row - 2 < len(bt.origins):
            origin = bt.origins[p.row - 2]
            column = origin.columns.get(p.column, p.column) if p.column else None
            if p.column and column != p.column:
                message += f" (study column {table}.{p.column})"
            return Problem(origin.label, origin.row, column, message)
        where = f"{p.file} column {p.column}" if p.column else p.file
        return lm.problem(("tables", table), f"{where}: {message}")
    if p.file == "study.yaml":
        if lm.study_label is not None:
            return Problem(lm.study_label, p.row, p.column, p.message)
        parts = ("study",) + tuple(part for part in re.split(r"[.\[\]]+", p.column or "") if part)
        return lm.problem(tuple(int(x) if x.isdigit() else x for x in parts), p.message)
    if p.file in inst_labels:
        return Problem(inst_labels[p.file], p.row, p.column, p.message)
    return p


def _already_reported(p: Problem, failed: Container[tuple[str, int, str]]) -> bool:
    """A study problem at a cell whose source value was already rejected."""
    table = _FILE_TO_TABLE.get(p.file)
    return table is not None and p.row is not None and p.column is not None and (table, p.row - 2, p.column) in failed


def _temp_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.import-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    return tmp


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise UserInputError(f"{out}: folder exists and is not empty (use --overwrite to replace it)")


def import_study(
    fmt: str, sources: list[str | Path], mapping: str | Path, out: str | Path, *, overwrite: bool = False, all_errors: bool = False
) -> ImportReport:
    """Import user files into a new study folder.

    Parameters
    ----------
    fmt : {"csv", "xlsx", "spss", "redcap", "mixed"}
        Format of the source files; ``mixed`` reads each CSV, workbook or
        SPSS file as what it is (e.g. Excel surveys and a CSV contact log).
    sources : list of path
        The files: CSVs, workbooks, ``.sav`` files, or for REDCap the data
        dictionary, the record export and optionally the events CSV (told
        apart by their headers).
    mapping : path
        The mapping file (see ``docs/mapping.md``).
    out : path
        The study folder to create.
    overwrite : bool
        Replace ``out`` when it exists and is not empty.
    all_errors : bool
        List every problem. By default a rule that fails on many rows of one
        column is one problem with the count, the first rows and a hint
        (:func:`peerimpact.study.grouping.group_problems`).

    Returns
    -------
    ImportReport

    Raises
    ------
    StudyValidationError
        Every problem at once, in the mapping (file:line), the source files
        (file or ``file.xlsx[Sheet]``, row, column) and the resulting study;
        nothing is written.
    UserInputError
        Unreadable, empty or wrongly typed files, or an existing ``out``.

    Notes
    -----
    Checked by exact round trips from every export format
    (``tests/formats/test_formats_roundtrip.py``) and by mutated inputs, each
    of which must import validly or fail as a user error leaving nothing
    behind (``tests/formats/test_formats_fuzz.py``, ``bench/fuzz_import.py``).
    """
    from .readers import FORMATS

    if fmt not in FORMATS:
        raise UserInputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    out = Path(out)
    paths = [Path(s) for s in sources]
    lm = load_mapping(mapping)
    _check_out(out, overwrite)
    tmp = _temp_dir(out)
    try:
        try:
            report = _import_into(fmt, paths, lm, tmp, out, GroupedProblems(keep_all=all_errors))
        except _Failed as failed:
            raise StudyValidationError(failed.problems.problems(None if all_errors else failed.values_of)) from None
        from ..fileio import replace_folder

        if out.exists() and not any(out.iterdir()):
            out.rmdir()
        replace_folder(tmp, out)
        return report
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


class _Failed(Exception):
    """Every problem of an import (grouped as they came), with the source tables (for the hints of grouped problems)."""

    def __init__(self, problems: GroupedProblems, sources: dict[str, SourceTable] | Callable[[str], dict[str, SourceTable]]):
        self.problems = problems
        self._sources = sources
        self._read: dict[str, dict[str, SourceTable]] = {}  # label -> the tables read again for it

    def sources_of(self, label: str) -> dict[str, SourceTable]:
        """The source tables, or those of ``label``'s file read again (once) when the import freed them."""
        if not callable(self._sources):
            return self._sources
        if label not in self._read:
            self._read[label] = self._sources(label)
        return self._read[label]

    def values_of(self, label: str, column: str) -> list[float] | None:
        """The numbers of one source column (every table read from ``label``); each distinct one once for a column kept as codes.

        Only their smallest and largest are used (:func:`~peerimpact.study.grouping.range_hint`).
        """
        out: list[float] = []
        for src in self.sources_of(label).values():
            if src.label != label or column not in src.columns:
                continue
            i = src.columns.index(column)
            cells = src.rows.column(i)[1] if isinstance(src.rows, CodedRows) else (row[i] for row in src.rows)
            for cell in cells:
                try:
                    out.append(float(canonical_text(cell).replace(",", ".")))
                except ValueError:
                    continue
        return out or None


def _import_into(fmt: str, paths: list[Path], lm: LoadedMapping, tmp: Path, out: Path, collected: GroupedProblems) -> ImportReport:
    """The import into ``tmp``; every problem goes to ``collected`` as it is found, and any raises :class:`_Failed`."""
    from ..instruments import load_instruments

    inst_labels = _copy_instruments(lm, tmp)
    try:
        instruments = load_instruments(tmp)
    except StudyValidationError as exc:
        raise StudyValidationError([_translate(p, lm, {}, inst_labels) for p in exc.problems]) from None
    missing = [i for i in lm.definition.instruments if i not in instruments]
    problems: list[Problem] = [
        lm.problem(("study", "instruments"), f"unknown instrument {i!r}; available: {', '.join(sorted(instruments))} (add its YAML under instrument_files)")
        for i in missing
    ]
    plans, plan_problems = plan_mapping(lm, instruments)
    problems += plan_problems
    used = {p.source for p in plans}
    referenced = {c for p in plans for c, _ in p.referenced()}
    read = read_sources(fmt, paths, lm.mapping, used, referenced)
    problems += read.problems
    if not read.problems:
        problems += check_sources(lm, plans, read.sources)
    if problems:
        collected.extend(problems)
        raise _Failed(collected, read.sources)
    from ..scoring.columns import declared_roles

    roles = declared_roles(lm.definition.instruments, instruments)
    result = build_tables(plans, read.sources, lm.mapping.missing_values, collected, roles)
    for src in read.sources.values():  # mapped: the rows are read again only for the hints of a failure
        src.rows, src.row_numbers = [], []
    release_freed_memory()  # what reading and mapping freed goes back to the system, not under the next stages' peaks
    derived: list[str] = []
    if "contacts" in result.tables and not lm.mapping.tables.allocations:
        result.tables["allocations"] = derive_allocations(result.tables["contacts"])
        derived.append(
            f"allocations derived from the contact log: {len(result.tables['allocations'].rows)} worker–person pairs, "
            "allocated_on = first contact, ended_on = last contact, "
            + ("discharged_on = the log's discharge date where one is given" if result.tables["contacts"].discharges else "no discharge dates")
            + " (map an allocations table to give the real dates)"
        )
    _write_folder(lm, result.tables, tmp)
    counts = {name: len(t.rows) for name, t in result.tables.items()}
    for table in result.tables.values():  # written: only the origins are needed from here on
        table.rows = []
    release_freed_memory()  # so that validating costs what load_study alone costs (bench/import_speed.py stages)
    _validate_written(tmp, lm, result, inst_labels, collected)
    if collected:
        def reread(label: str) -> dict[str, SourceTable]:
            """The tables of the file that ``label`` names (every file for REDCap, whose files go together)."""
            if fmt == "redcap":
                return read_sources(fmt, paths, lm.mapping, used, referenced).sources
            mine = [p for p in paths if label == p.name or label.startswith(p.name + "[")]
            # a problem still named by a study file (not translated to the user's) has no user values to read
            return read_sources(fmt, mine, lm.mapping, used, referenced).sources if mine else {}

        raise _Failed(collected, reread)
    return _report(out, fmt, counts, result, read, lm, plans, derived)


def _validate_written(tmp: Path, lm: LoadedMapping, result, inst_labels: dict[str, str], collected: GroupedProblems) -> None:
    """``load_study``'s checks on the written folder (the rules of ``peerimpact validate``): its problems, in the user's terms, to ``collected``.

    Each problem is translated as it is found and none is kept here: a
    grouped ``collected`` holds a summary of a rule failing on every row, so
    the import's memory does not grow with the problems (bench/import_speed.py
    ``--errors``). A problem found twice is counted once by ``collected``.
    """
    from ..study.load import check_study_folder

    def translated(p: Problem) -> None:
        if not _already_reported(p, result.failed):
            collected.append(_translate(p, lm, result.tables, inst_labels))

    # load_study's checks, without typing the responses for a study this function would drop (memory)
    check_study_folder(tmp, keep_study=False, sink=translated)


def _report(out: Path, fmt: str, counts: dict[str, int], result, read, lm: LoadedMapping, plans: list, derived: list[str]) -> ImportReport:
    """What a successful import tells the user: rows, skipped rows, unused sources, labels and encodings."""
    report = ImportReport(out=out, format=fmt)
    report.rows = counts
    report.skipped = dict(result.skipped)
    report.unused_sources = sorted(set(read.sources) - {p.source for p in plans})
    report.form_status = read.form_status
    report.ignored_columns = dict(read.ignored)
    report.derived = derived
    for name, src in read.sources.items():
        opts = lm.mapping.sources.get(name)
        if src.kind == "csv" and opts is not None and opts.encoding == "auto":
            report.encodings[src.label] = src.encoding
    for plan in plans:
        src = read.sources[plan.source]
        cols = {c for c, _ in plan.referenced()}
        labels = {c: src.variable_labels[c] for c in sorted(cols) if c in src.variable_labels}
        if labels:
            report.variable_labels.setdefault(src.name, {}).update(labels)
        if src.user_missing:
            report.user_missing[src.name] = dict(src.user_missing)
    return report

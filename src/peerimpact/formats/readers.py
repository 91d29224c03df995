"""Read the user's files for one import format into named source tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from .csv_source import read_csv_source
from .mapping import Mapping, SourceOptions
from .redcap import FormStatus, identify_redcap_files, read_redcap
from .source import SourceTable
from .spss_source import read_sav_source
from .xlsx_source import sheet_label

FORMATS = ("csv", "xlsx", "spss", "redcap", "mixed")
#: What ``mixed`` reads each file as, from its first bytes.
_KIND_FORMAT = {"xlsx": "xlsx", "spss": "spss", "text": "csv"}


@dataclass
class ReadResult:
    sources: dict[str, SourceTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    form_status: list[FormStatus] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)  # file -> columns no mapping reads, not checked


def _as_problem(exc: UserInputError, label: str) -> list[Problem]:
    if isinstance(exc, StudyValidationError):
        return list(exc.problems)
    text = str(exc)
    return [Problem(label, None, None, text.removeprefix(label + ": "))]


def _options_for(mapping: Mapping, path: Path) -> tuple[str, SourceOptions]:
    for name, opts in mapping.sources.items():
        if opts.file == path.name:
            return name, opts
    stem = path.stem
    return stem, mapping.sources.get(stem, SourceOptions())


def _add(result: ReadResult, table: SourceTable) -> None:
    if table.name in result.sources:
        other = result.sources[table.name]
        result.problems.append(
            Problem(table.label, None, None, f"gives a second source named {table.name!r} (the first is {other.label}); name them apart under `sources:` in the mapping")
        )
        return
    result.sources[table.name] = table


def read_sources(fmt: str, paths: list[Path], mapping: Mapping, used: set[str], columns: set[str] | None = None) -> ReadResult:
    """Read every file; problems of all files are collected, not raised.

    ``used`` is the set of source names the mapping's blocks read from; for
    workbooks only those sheets are read. ``columns`` are the source columns
    the mapping reads: for REDCap only their values are checked. ``mixed``
    reads each file as what it is (CSV text, a workbook or an SPSS file).
    """
    if fmt not in FORMATS:
        raise UserInputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not paths:
        raise UserInputError("no source files given")
    result = ReadResult()
    if fmt == "redcap":
        _read_redcap(paths, mapping, columns, result)
        return result
    for path in paths:
        label = path.name
        try:
            if fmt == "mixed":
                fmt_of = _format_of(path, label)
            else:
                fmt_of = fmt
            if fmt_of == "csv":
                name, opts = _options_for(mapping, path)
                delim = "\t" if opts.delimiter == "tab" else opts.delimiter
                _add(result, read_csv_source(path, name=name, label=label, encoding=opts.encoding, delimiter=delim, decimal=opts.decimal, header_row=opts.header_row))
            elif fmt_of == "spss":
                name, _ = _options_for(mapping, path)
                _add(result, read_sav_source(path, name=name, label=label))
            else:
                _read_workbook(path, mapping, used, result)
        except UserInputError as exc:
            result.problems += _as_problem(exc, label)
    return result


def _format_of(path: Path, label: str) -> str:
    """``mixed`` imports: a workbook, an SPSS file or CSV text, told by the file's first bytes."""
    from .sniff import detect_kind, read_bytes

    kind = detect_kind(read_bytes(path, label)[:4096])
    if kind not in _KIND_FORMAT:
        what = "an old Excel 97-2003 workbook (.xls); save it as .xlsx" if kind == "xls" else "a binary file, not CSV, .xlsx or .sav"
        raise UserInputError(f"{label}: is {what}")
    return _KIND_FORMAT[kind]


def _read_redcap(paths: list[Path], mapping: Mapping, columns: set[str] | None, result: ReadResult) -> None:
    dictionary, data, events = identify_redcap_files(paths)
    opts = mapping.sources.get("records")  # its encoding applies to the dictionary and events too
    try:
        project = read_redcap(dictionary, data, events, columns=columns, encoding=opts.encoding if opts else "utf-8")
    except UserInputError as exc:
        result.problems += _as_problem(exc, data.name)
        return
    for table in project.sources():
        opts = mapping.sources.get(table.name)
        if opts is not None and opts.decimal != "auto":
            table.decimal = opts.decimal
        _add(result, table)
    result.form_status = project.form_status()
    if project.ignored:
        result.ignored[project.data_label] = list(project.ignored)


def _read_workbook(path: Path, mapping: Mapping, used: set[str], result: ReadResult) -> None:
    from .xlsx_source import open_workbook, tables_from_workbook

    label = path.name
    wb = open_workbook(path, label)
    wb_titles = wb.sheetnames
    sheets: dict[str, str] = {}
    header_rows: dict[str, int] = {}
    for name in sorted(used):
        opts = mapping.sources.get(name)
        if opts is not None and opts.file not in (None, label):
            continue
        title = opts.sheet if opts is not None and opts.sheet else name
        if title in wb_titles:
            sheets[name] = title
            header_rows[title] = opts.header_row if opts is not None else 1
        elif opts is not None and opts.file == label:
            result.problems.append(Problem(label, None, None, f"has no sheet {title!r}; its sheets are: {', '.join(wb_titles)}"))
    if not sheets:
        return
    try:
        for table in tables_from_workbook(wb, sheets, header_rows):
            _add(result, table)
    except UserInputError as exc:
        result.problems += _as_problem(exc, label)


__all__ = ["FORMATS", "ReadResult", "read_sources", "sheet_label"]

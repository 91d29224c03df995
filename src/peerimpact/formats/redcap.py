"""REDCap: the data dictionary, the events file and a (longitudinal) record export.

:func:`read_redcap` parses and checks the three files exactly as REDCap
writes them (the dictionary with its exact headers, or the API's snake_case
variant) and returns a :class:`RedcapProject`; :meth:`RedcapProject.sources`
turns it into :class:`SourceTable` objects for a mapping: ``records`` (rows
that belong to no repeating instrument) and one table per repeating
instrument (e.g. a contact log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Sequence

from ..errors import Problem, StudyValidationError, UserInputError
from .csv_source import parse_delimited, sniff_delimiter
from .redcap_checks import (
    COMPLETE_LABELS,
    arm_problem,
    boolean_code,
    event_problems,
    header_problems,
    is_comma_decimal,
    labels_export_problem,
    repeat_problems,
    value_problem,
)
from .sniff import decode_text, read_bytes, require_kind
from .source import SourceTable

#: The data dictionary's columns, as REDCap's "Download the Data Dictionary" writes them.
DICTIONARY_HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
#: The same columns as the REDCap API's metadata export names them.
API_HEADERS = (
    "field_name", "form_name", "section_header", "field_type", "field_label",
    "select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
    "text_validation_min", "text_validation_max", "identifier", "branching_logic", "required_field",
    "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking", "field_annotation",
)
_REQUIRED_HEADERS = 6  # field name .. choices
EVENT_HEADERS = ("event_name", "arm_num", "unique_event_name", "custom_event_label")
FIELD_TYPES = ("text", "notes", "radio", "dropdown", "checkbox", "yesno", "truefalse", "calc", "file", "slider", "descriptive", "sql")
CHOICE_TYPES = ("radio", "dropdown", "checkbox")
NO_DATA_TYPES = ("descriptive",)
REDCAP_COLUMNS = (
    "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
    "redcap_data_access_group", "redcap_survey_identifier",
)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_EVENT_RE = re.compile(r"^[a-z0-9_]+_arm_(\d+)$")


@dataclass(frozen=True)
class RedcapField:
    """One row of the data dictionary."""

    name: str
    form: str
    field_type: str
    label: str
    choices: dict[str, str] = field(default_factory=dict)  # code -> label, in order
    section_header: str = ""
    calculation: str = ""  # calc formula or slider labels
    note: str = ""
    validation: str = ""
    validation_min: str = ""
    validation_max: str = ""
    identifier: bool = False
    branching_logic: str = ""
    required: bool = False
    matrix_group: str = ""
    annotation: str = ""
    row: int = 0  # spreadsheet row in the dictionary

    def checkbox_column(self, code: str) -> str:
        """The export column of one checkbox choice: ``field___code``."""
        return f"{self.name}___{checkbox_suffix(code)}"

    @property
    def value_labels(self) -> dict[str, str]:
        if self.field_type in ("radio", "dropdown"):
            return dict(self.choices)
        if self.field_type == "yesno":
            return {"1": "Yes", "0": "No"}
        if self.field_type == "truefalse":
            return {"1": "True", "0": "False"}
        return {}


@dataclass(frozen=True)
class RedcapEvent:
    unique_name: str
    name: str
    arm: int
    custom_label: str = ""


@dataclass(frozen=True)
class RedcapRow:
    """One row of the record export."""

    record: str
    event: str | None
    repeat_instrument: str | None
    repeat_instance: int | None
    values: dict[str, str]  # column -> raw text ("" when empty)
    row: int  # spreadsheet row in the data file


def checkbox_suffix(code: str) -> str:
    """REDCap lowercases checkbox codes in export column names and writes ``-`` as ``_``."""
    return code.strip().lower().replace("-", "_")


def parse_choices(text: str) -> dict[str, str]:
    """Parse ``"0, No | 1, Yes"`` into ``{"0": "No", "1": "Yes"}``.

    Raises
    ------
    ValueError
        For a choice without a comma or a repeated code.
    """
    out: dict[str, str] = {}
    if not text.strip():
        return out
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        if "," not in part:
            raise ValueError(f"choice {part!r} has no code: write 'code, label'")
        code, label = part.split(",", 1)
        code = code.strip()
        if code in out:
            raise ValueError(f"choice code {code!r} is repeated")
        out[code] = label.strip()
    return out


def format_choices(choices: dict[str, str]) -> str:
    return " | ".join(f"{code}, {label}" for code, label in choices.items())


def _read_table(
    path: Path, label: str, delimiter: str | None = None, strip: bool = True, encoding: str = "utf-8"
) -> tuple[list[str], Sequence[tuple], Sequence[int]]:
    """Header, rows and spreadsheet row numbers of a REDCap CSV (a large one's rows are a :class:`CodedRows`)."""
    data = read_bytes(path, label)
    require_kind(data, "csv", label)
    text, _ = decode_text(data, label, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():  # (strip() would copy the whole text)
        raise UserInputError(f"{label}: is empty")
    return parse_delimited(text, label, delimiter or sniff_delimiter(text), strip=strip)


def read_dictionary(path: Path, label: str | None = None, encoding: str = "utf-8") -> list[RedcapField]:
    """Parse and check a REDCap data dictionary CSV."""
    label = label or path.name
    header, rows, numbers = _read_table(path, label, ",", encoding=encoding)
    names = _dictionary_names(header, label)
    problems: list[Problem] = []
    fields: list[RedcapField] = []
    seen: dict[str, int] = {}
    for number, raw in zip(numbers, rows):
        cell = {names[i]: (raw[i] or "") for i in range(len(header))}
        f, found = _dictionary_field([cell.get(names[i], "") if i < len(header) else "" for i in range(len(names))], names, label, number)
        problems += found
        if f.name in seen and _NAME_RE.match(f.name):
            problems.append(Problem(label, number, names[0], f"variable {f.name!r} is defined twice (first at row {seen[f.name]})"))
        seen.setdefault(f.name, number)
        fields.append(f)
    if not fields:
        problems.append(Problem(label, None, None, "defines no fields"))
    if problems:
        raise StudyValidationError(problems)
    return fields


def _dictionary_names(header: list[str], label: str) -> tuple[str, ...]:
    """REDCap's column names (download or API form) after checking the header against them."""
    if header[0] == DICTIONARY_HEADERS[0]:
        names = DICTIONARY_HEADERS
    elif header[0] == API_HEADERS[0]:
        names = API_HEADERS
    else:
        raise UserInputError(
            f"{label}: is not a REDCap data dictionary: its first column must be {DICTIONARY_HEADERS[0]!r} "
            f"(or {API_HEADERS[0]!r} from the API), found {header[0]!r}"
        )
    problems: list[Problem] = []
    for pos, col in enumerate(header):
        if pos >= len(names) or col != names[pos]:
            expected = names[pos] if pos < len(names) else "(no column)"
            problems.append(Problem(label, 1, col, f"unexpected column: REDCap's column {pos + 1} is {expected!r}"))
    if len(header) < _REQUIRED_HEADERS:
        problems.append(Problem(label, 1, None, f"has {len(header)} columns; a data dictionary has at least {_REQUIRED_HEADERS}"))
    if problems:
        raise StudyValidationError(problems)
    return names


def _dictionary_field(get: list[str], names: tuple[str, ...], label: str, number: int) -> tuple[RedcapField, list[Problem]]:
    """One dictionary row (its 18 cells, empty when absent) as a field, with its problems."""
    problems: list[Problem] = []
    name, form, ftype = get[0], get[1], get[3]
    if not _NAME_RE.match(name):
        problems.append(Problem(label, number, names[0], f"{name!r} is not a REDCap variable name (lowercase letters, digits and _, starting with a letter)"))
    if not _NAME_RE.match(form):
        problems.append(Problem(label, number, names[1], f"{form!r} is not a REDCap form name"))
    if ftype not in FIELD_TYPES:
        problems.append(Problem(label, number, names[3], f"{ftype!r} is not a REDCap field type ({', '.join(FIELD_TYPES)})"))
    choices: dict[str, str] = {}
    calc = ""
    if ftype in CHOICE_TYPES:
        try:
            choices = parse_choices(get[5])
            if not choices:
                problems.append(Problem(label, number, names[5], f"a {ftype} field needs choices"))
        except ValueError as exc:
            problems.append(Problem(label, number, names[5], str(exc)))
    else:
        calc = get[5]
    f = RedcapField(
        name=name, form=form, field_type=ftype, label=get[4], choices=choices,
        section_header=get[2], calculation=calc, note=get[6], validation=get[7],
        validation_min=get[8], validation_max=get[9], identifier=get[10].lower() == "y",
        branching_logic=get[11], required=get[12].lower() == "y", matrix_group=get[15],
        annotation=get[17], row=number,
    )
    return f, problems


def read_events(path: Path, label: str | None = None, encoding: str = "utf-8") -> list[RedcapEvent]:
    """Parse a REDCap events CSV (``event_name, arm_num, unique_event_name, ...``)."""
    label = label or path.name
    header, rows, numbers = _read_table(path, label, ",", encoding=encoding)
    missing = [h for h in EVENT_HEADERS[:3] if h not in header]
    if missing:
        raise StudyValidationError([Problem(label, 1, m, "required column of a REDCap events file is missing") for m in missing])
    idx = {h: i for i, h in enumerate(header)}
    problems: list[Problem] = []
    events: list[RedcapEvent] = []
    seen: dict[str, int] = {}
    for number, raw in zip(numbers, rows):
        unique = raw[idx["unique_event_name"]] or ""
        arm_text = raw[idx["arm_num"]] or ""
        if not re.match(r"^[a-z0-9_]+$", unique):
            problems.append(Problem(label, number, "unique_event_name", f"{unique!r} is not a REDCap unique event name"))
        elif unique in seen:
            problems.append(Problem(label, number, "unique_event_name", f"event {unique!r} is listed twice (first at row {seen[unique]})"))
        else:
            seen[unique] = number
        if not arm_text.isdigit():
            problems.append(Problem(label, number, "arm_num", f"{arm_text!r} is not an arm number"))
            continue
        custom = raw[idx["custom_event_label"]] if "custom_event_label" in idx else None
        events.append(RedcapEvent(unique, raw[idx["event_name"]] or "", int(arm_text), custom or ""))
    if problems:
        raise StudyValidationError(problems)
    return events


@dataclass
class FormStatus:
    """How many rows of a form carry each ``<form>_complete`` status at an event."""

    form: str
    event: str | None
    incomplete: int = 0
    unverified: int = 0
    complete: int = 0
    empty: int = 0


@dataclass
class RedcapProject:
    """A parsed REDCap project: dictionary, events and the record export."""

    fields: list[RedcapField]
    events: list[RedcapEvent]
    columns: list[str]
    rows: list[RedcapRow]
    data_label: str
    dictionary_label: str
    ignored: list[str] = field(default_factory=list)  # columns no mapping reads (read_redcap with columns=)

    @property
    def record_id_field(self) -> str:
        return self.fields[0].name

    @property
    def forms(self) -> list[str]:
        out: list[str] = []
        for f in self.fields:
            if f.form not in out:
                out.append(f.form)
        return out

    @property
    def records(self) -> list[str]:
        """Record ids in export order, each once."""
        return list(dict.fromkeys(r.record for r in self.rows))

    @property
    def longitudinal(self) -> bool:
        return "redcap_event_name" in self.columns

    def field(self, name: str) -> RedcapField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def checkbox_fields(self) -> list[RedcapField]:
        return [f for f in self.fields if f.field_type == "checkbox"]

    def row(self, record: str, event: str | None = None, instrument: str | None = None, instance: int | None = None) -> RedcapRow:
        for r in self.rows:
            if r.record == record and r.event == event and r.repeat_instrument == instrument and r.repeat_instance == instance:
                return r
        raise KeyError((record, event, instrument, instance))

    def value(self, record: str, event: str | None, name: str, instrument: str | None = None, instance: int | None = None) -> str:
        """The raw text of one field ("" when empty)."""
        return self.row(record, event, instrument, instance).values.get(name, "")

    def checked(self, record: str, event: str | None, name: str, instrument: str | None = None, instance: int | None = None) -> list[str]:
        """Codes of a checkbox field that are ticked on one row, in choice order."""
        f = self.field(name)
        values = self.row(record, event, instrument, instance).values
        return [code for code in f.choices if values.get(f.checkbox_column(code), "") == "1"]

    def form_status(self) -> list[FormStatus]:
        """Counts of ``<form>_complete`` statuses per form and event.

        A repeating instrument is counted on its own rows, other forms on the
        non-repeating rows; a form never entered at an event (every status
        empty: probably not designated there) is left out.
        """
        repeating = {r.repeat_instrument for r in self.rows if r.repeat_instrument}
        out: dict[tuple[str, str | None], FormStatus] = {}
        for r in self.rows:
            forms = [r.repeat_instrument] if r.repeat_instrument else [f for f in self.forms if f not in repeating]
            for form in forms:
                col = f"{form}_complete"
                if col not in r.values:
                    continue
                st = out.setdefault((form, r.event), FormStatus(form, r.event))
                v = r.values[col]
                if v == "0":
                    st.incomplete += 1
                elif v == "1":
                    st.unverified += 1
                elif v == "2":
                    st.complete += 1
                else:
                    st.empty += 1
        return [st for st in out.values() if st.incomplete + st.unverified + st.complete]

    def _comma_decimal_columns(self) -> set[str]:
        return {f.name for f in self.fields if is_comma_decimal(f)}

    def sources(self) -> list[SourceTable]:
        """``records`` plus one table per repeating instrument, for a mapping."""
        value_labels: dict[str, dict[str, str]] = {}
        variable_labels: dict[str, str] = {}
        for f in self.fields:
            if f.field_type == "checkbox":
                for code, lab in f.choices.items():
                    value_labels[f.checkbox_column(code)] = {"0": "Unchecked", "1": "Checked"}
                    variable_labels[f.checkbox_column(code)] = f"{f.label} (choice={lab})"
            else:
                if f.value_labels:
                    value_labels[f.name] = f.value_labels
                variable_labels[f.name] = f.label
        for form in self.forms:
            value_labels[f"{form}_complete"] = dict(COMPLETE_LABELS)
        groups: dict[str, list[RedcapRow]] = {"records": []}
        for r in self.rows:
            groups.setdefault(r.repeat_instrument or "records", []).append(r)
        comma = {i for i, c in enumerate(self.columns) if c in self._comma_decimal_columns()}
        out = []
        for name, rows in groups.items():
            out.append(
                SourceTable(
                    name=name,
                    label=self.data_label,
                    columns=list(self.columns),
                    rows=[_cells(r, self.columns, comma) for r in rows],
                    row_numbers=[r.row for r in rows],
                    kind="redcap",
                    value_labels=value_labels,
                    variable_labels=variable_labels,
                )
            )
        return out


def _cells(row: RedcapRow, columns: list[str], comma: set[int]) -> tuple[str | None, ...]:
    """One source row; numbers of comma-decimal fields (``3,5``) are read as REDCap defines them."""
    cells = [row.values.get(c) or None for c in columns]
    for i in comma:
        cell = cells[i]
        if cell is not None:
            cells[i] = cell.strip().replace(",", ".")
    return tuple(cells)


def _expected_columns(fields: list[RedcapField]) -> dict[str, RedcapField | None]:
    cols: dict[str, RedcapField | None] = {}
    for f in fields:
        if f.field_type in NO_DATA_TYPES:
            continue
        if f.field_type == "checkbox":
            for code in f.choices:
                cols[f.checkbox_column(code)] = f
        else:
            cols[f.name] = f
    return cols


def _events_from_data(rows: Sequence[tuple], numbers: Sequence[int], pos: int) -> list[RedcapEvent]:
    seen: dict[str, RedcapEvent] = {}
    for raw in rows:
        name = raw[pos] or ""
        if name and name not in seen:
            m = _EVENT_RE.match(name)
            seen[name] = RedcapEvent(name, name, int(m.group(1)) if m else 1)
    return list(seen.values())


def read_redcap(
    dictionary_path: str | Path,
    data_path: str | Path,
    events_path: str | Path | None = None,
    *,
    columns: Collection[str] | None = None,
    encoding: str = "utf-8",
) -> RedcapProject:
    """Parse a REDCap project export completely.

    Parameters
    ----------
    dictionary_path : path
        The data dictionary CSV (exact REDCap headers, or the API's names).
    data_path : path
        The record export ("CSV / Microsoft Excel (raw data)"), with
        ``redcap_event_name`` for longitudinal projects and
        ``redcap_repeat_instrument`` / ``redcap_repeat_instance`` for
        repeating instruments.
    events_path : path, optional
        The events CSV. Without it, events are taken from the data.
    columns : collection of str, optional
        The columns a mapping reads. When given, only their values are
        checked against the dictionary, and columns the dictionary does not
        know are ignored (listed in :attr:`RedcapProject.ignored`) unless the
        mapping reads them. By default every column is checked.
    encoding : str
        Text encoding of the three files (REDCap writes UTF-8 with a
        byte-order mark); ``auto`` detects it.

    Returns
    -------
    RedcapProject

    Raises
    ------
    StudyValidationError
        Every problem at once: unknown columns, unknown events, an event of
        another arm than the record's, checkbox cells other than 0/1,
        ``yesno``/``truefalse`` cells other than 0/1 (or their labels),
        choice codes not in the dictionary, comma-decimal fields that are not
        numbers, bad ``<form>_complete`` statuses, repeated rows; a labels
        export is recognised and the user told to export raw data.

    Notes
    -----
    Checked against a real longitudinal REDCap export (the shared fixture):
    every event, record, cell and ticked checkbox equals what the ``csv``
    module and the project's CDISC ODM XML give
    (``tests/formats/test_formats_redcap_fixture.py``).
    """
    dpath, xpath = Path(dictionary_path), Path(data_path)
    dict_label, data_label = dpath.name, xpath.name
    fields = read_dictionary(dpath, dict_label, encoding)
    events = read_events(Path(events_path), encoding=encoding) if events_path is not None else None
    header, rows, numbers = _read_records_table(xpath, data_label, encoding)
    forms = list(dict.fromkeys(f.form for f in fields))
    expected: dict[str, RedcapField | None] = dict(_expected_columns(fields))
    for form in forms:
        expected.setdefault(f"{form}_complete", None)
        expected.setdefault(f"{form}_timestamp", None)
    for col in REDCAP_COLUMNS:
        expected.setdefault(col, None)
    problems, ignored = header_problems(header, fields[0].name, expected, columns, data_label, dict_label)
    if events is None and "redcap_event_name" in header:
        events = _events_from_data(rows, numbers, header.index("redcap_event_name"))
    reader = _RowReader(header, {e.unique_name: e for e in events or []}, forms, expected, data_label, columns, {f"{form}_complete" for form in forms})
    parsed = [reader.row(raw, number) for number, raw in zip(numbers, rows)]
    problems += reader.problems
    if problems:
        raise StudyValidationError(problems)
    return RedcapProject(
        fields=fields, events=list(events or []), columns=header, rows=parsed, data_label=data_label,
        dictionary_label=dict_label, ignored=ignored,
    )


def _read_records_table(path: Path, label: str, encoding: str = "utf-8") -> tuple[list[str], Sequence[tuple], Sequence[int]]:
    """The record export's cells; a labels export is told apart from a broken file."""
    try:
        return _read_table(path, label, strip=False, encoding=encoding)  # free text is kept exactly
    except UserInputError as exc:
        first_line = read_bytes(path, label).decode("utf-8-sig", errors="replace").split("\n", 1)[0]
        hint = labels_export_problem(first_line, label)
        if hint is not None:
            raise StudyValidationError([hint]) from None
        raise exc


@dataclass
class _RowReader:
    """Reads the record export row by row, collecting every problem."""

    header: list[str]
    events: dict[str, RedcapEvent]
    forms: list[str]
    expected: dict[str, RedcapField | None]
    label: str
    checked: Collection[str] | None
    complete: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    seen: dict[tuple, int] = field(default_factory=dict)
    arms: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def row(self, raw: tuple, number: int) -> RedcapRow:
        values = {c: (raw[i] or "") for i, c in enumerate(self.header)}
        record = values.get(self.header[0], "")
        if not record:
            self.problems.append(Problem(self.label, number, self.header[0], "record id is empty"))
        event = values.get("redcap_event_name") or None
        self.problems += event_problems(event, "redcap_event_name" in values, self.events, self.label, number)
        wrong_arm = arm_problem(record, event, self.events, self.arms, self.label, number)
        if wrong_arm is not None:
            self.problems.append(wrong_arm)
        instrument = values.get("redcap_repeat_instrument") or None
        instance, repeat = repeat_problems(instrument, values.get("redcap_repeat_instance", ""), self.forms, self.label, number)
        self.problems += repeat
        self._unique(record, event, instrument, instance, number)
        self._values(values, number)
        return RedcapRow(record, event, instrument, instance, values, number)

    def _unique(self, record: str, event: str | None, instrument: str | None, instance: int | None, number: int) -> None:
        key = (record, event, instrument, instance)
        if key not in self.seen:
            self.seen[key] = number
            return
        where = (f" at event {event!r}" if event else "") + (f", {instrument} #{instance}" if instrument else "")
        self.problems.append(Problem(self.label, number, self.header[0], f"repeats the row for record {record!r}{where} (first at row {self.seen[key]})"))

    def _values(self, values: dict[str, str], number: int) -> None:
        for col, text in values.items():
            if not text or (self.checked is not None and col not in self.checked):
                continue
            f = self.expected.get(col)
            if f is not None and f.field_type in ("yesno", "truefalse"):
                text = values[col] = boolean_code(text, f)
            why = value_problem(col, text, f, col in self.complete)
            if why:
                self.problems.append(Problem(self.label, number, col, why))


def identify_redcap_files(paths: list[Path]) -> tuple[Path, Path, Path | None]:
    """Tell the dictionary, record export and events file apart by their first header cell."""
    dictionary = data = events = None
    for p in paths:
        head = read_bytes(p, p.name)[:4096]
        try:
            first = head.decode("utf-8-sig", errors="replace").lstrip('"').split(",", 1)[0].strip().strip('"')
        except (UnicodeDecodeError, IndexError):
            first = ""
        if first in (DICTIONARY_HEADERS[0], API_HEADERS[0]):
            kind = "dictionary"
        elif first in ("event_name", "arm_num") and b"unique_event_name" in head:
            kind = "events"
        elif first == "arm_num":
            continue  # arms file: the events file already names each event's arm
        else:
            kind = "data"
        if kind == "dictionary":
            if dictionary is not None:
                raise UserInputError(f"{p.name}: a second data dictionary was given (the first was {dictionary.name})")
            dictionary = p
        elif kind == "events":
            if events is not None:
                raise UserInputError(f"{p.name}: a second events file was given (the first was {events.name})")
            events = p
        else:
            if data is not None:
                raise UserInputError(
                    f"cannot tell the REDCap files apart: {data.name} and {p.name} both look like record exports "
                    f"(a data dictionary starts with {DICTIONARY_HEADERS[0]!r}, an events file has 'unique_event_name'); "
                    "give one dictionary, one record export and optionally the events file"
                )
            data = p
    if dictionary is None:
        raise UserInputError("no REDCap data dictionary among the files (its first column is 'Variable / Field Name')")
    if data is None:
        raise UserInputError("no REDCap record export among the files")
    return dictionary, data, events

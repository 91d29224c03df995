"""Export to REDCap: a data dictionary and events to set up capture, plus the records.

Writes, into a folder (or a ``.zip``): ``dictionary.csv`` (REDCap's exact
data-dictionary columns), ``events.csv`` (one event per timepoint, arm 1),
``instrument_designations.csv`` (which form is collected at which event),
``records.csv`` (a longitudinal record export: one row per participant and
event; the contact log, allocations and sickness-absence spells as repeating
instruments),
``mapping.yaml`` (imports the records back into the same study) and
``README.txt``.

Design: one form per questionnaire (items as radio buttons in a matrix,
pre-scored subscales as validated numbers), ``participants`` and
``employment`` at the first event, ``service_use`` at every event, and the
repeating forms ``contact_log``, ``allocations`` and ``sickness_absence``
(one instance per spell) on the worker's record at the first event. Sites are a dropdown field; a project using data access
groups instead can map ``redcap_data_access_group`` to ``site`` on import.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..errors import UserInputError
from ..study.model import Study
from ..study.tables import ABSENCE_REASONS, CONTACT_MODES, CONTACT_PHASES, CONTACT_STATUSES, CONTRACTS
from .export_common import (
    Outputs,
    definition_dict,
    dump_mapping,
    owners,
    redcap_clean,
    response_columns,
    service_list,
    write_instrument_files,
)
from .redcap import DICTIONARY_HEADERS, format_choices
from .values import format_number

_HUMAN = {
    "contracted": "Contracted", "bank": "Bank (no contracted hours)", "face_to_face": "Face to face",
    "telephone": "Telephone", "other": "Other", "completed": "Completed", "attempted": "Attempted",
    "cancelled": "Cancelled", "did_not_attend": "Did not attend", "pre_discharge": "Before discharge",
    "post_discharge": "After discharge", "mental_health": "Mental health", "musculoskeletal": "Musculoskeletal",
    "respiratory": "Respiratory", "gastrointestinal": "Gastrointestinal", "injury": "Injury", "unknown": "Unknown",
}
#: Repeating forms -> (study table, the study column naming the record's participant).
_REPEATING = {"allocations": ("allocations", "worker_id"), "contact_log": ("contacts", "worker_id"),
              "sickness_absence": ("absence", "participant_id")}


@dataclass
class Field:
    key: str  # where the value comes from (study column)
    name: str  # REDCap variable name
    form: str
    ftype: str
    label: str
    choices: dict[str, str] = field(default_factory=dict)
    validation: str = ""
    vmin: str = ""
    vmax: str = ""
    note: str = ""
    matrix: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # study value -> choice code

    def row(self) -> list[str]:
        cells = {
            "Variable / Field Name": self.name, "Form Name": self.form, "Field Type": self.ftype,
            "Field Label": self.label, "Choices, Calculations, OR Slider Labels": format_choices(self.choices),
            "Field Note": self.note, "Text Validation Type OR Show Slider Number": self.validation,
            "Text Validation Min": self.vmin, "Text Validation Max": self.vmax, "Matrix Group Name": self.matrix,
        }
        return [cells.get(h, "") for h in DICTIONARY_HEADERS]


def unique_event_name(name: str, arm: int = 1) -> str:
    """REDCap's unique event name: lower case, ``_`` for other characters, 18 characters, ``_arm_N``."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:18] or "event"
    return f"{base}_arm_{arm}"


def _enum_field(key: str, name: str, form: str, label: str, values: tuple[str, ...]) -> Field:
    choices = {str(i + 1): _HUMAN.get(v, v) for i, v in enumerate(values)}
    return Field(key, name, form, "radio", label, choices, codes={v: str(i + 1) for i, v in enumerate(values)})


def _number_field(key: str, name: str, form: str, label: str, lo: float | None = None, hi: float | None = None, integer: bool = False) -> Field:
    fmt = (lambda x: "" if x is None else format_number(float(x)))
    return Field(key, name, form, "text", label, validation="integer" if integer else "number", vmin=fmt(lo), vmax=fmt(hi))


def _date_field(key: str, name: str, form: str, label: str) -> Field:
    return Field(key, name, form, "text", label, validation="date_ymd", note="YYYY-MM-DD")


class _Names:
    """Unique REDCap names for fields and forms."""

    def __init__(self) -> None:
        self.taken: set[str] = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group"}

    def get(self, wanted: str) -> str:
        base = redcap_clean(wanted)[:100]
        name, n = base, 2
        while name in self.taken or name.endswith("_complete") or "___" in name:
            name = f"{base[:95]}_{n}"
            n += 1
        self.taken.add(name)
        return name


@dataclass
class Design:
    fields: list[Field]
    forms: list[str]
    repeating: list[str]
    first_forms: list[str]
    every_forms: list[str]
    instrument_forms: list[str]


def _repeating_fields(study: Study, names: "_Names", forms: "_Names") -> tuple[list[Field], list[str]]:
    """Fields of the repeating forms (on the worker's record at the first event) and the forms, in order."""
    fields: list[Field] = []
    repeating: list[str] = []
    if len(study.allocations):
        fa = forms.get("allocations")
        fields += [
            Field("alloc:person_id", names.get("alloc_person_id"), fa, "text", "Person supported (pseudonymised id)"),
            _date_field("alloc:allocated_on", names.get("alloc_allocated_on"), fa, "Allocated on"),
            _date_field("alloc:discharged_on", names.get("alloc_discharged_on"), fa, "Discharged from hospital on"),
            _date_field("alloc:ended_on", names.get("alloc_ended_on"), fa, "Peer support ended on"),
        ]
        repeating.append(fa)
    if len(study.contacts):
        fc = forms.get("contact_log")
        fields += [
            Field("contact:contact_id", names.get("contact_id"), fc, "text", "Contact id"),
            Field("contact:person_id", names.get("contact_person_id"), fc, "text", "Person supported (pseudonymised id)"),
            _date_field("contact:date", names.get("contact_date"), fc, "Date of the contact"),
            _enum_field("contact:mode", names.get("contact_mode"), fc, "Mode", CONTACT_MODES),
            _number_field("contact:duration_minutes", names.get("contact_duration_minutes"), fc, "Duration (minutes)", 0, 24 * 60),
            _enum_field("contact:status", names.get("contact_status"), fc, "Status", CONTACT_STATUSES),
            _enum_field("contact:phase", names.get("contact_phase"), fc, "Phase", CONTACT_PHASES),
        ]
        repeating.append(fc)
    if len(study.absence):
        fa = forms.get("sickness_absence")
        fields += [
            _date_field("absence:start_date", names.get("absence_start_date"), fa, "First day of sickness absence"),
            _date_field("absence:end_date", names.get("absence_end_date"), fa, "Last day of sickness absence (empty while it goes on)"),
            _enum_field("absence:reason", names.get("absence_reason"), fa, "Reason (category)", ABSENCE_REASONS),
        ]
        repeating.append(fa)
    return fields, repeating


def design(study: Study) -> Design:
    """The REDCap project for a study: fields per form, in order."""
    d = study.definition
    names = _Names()
    forms = _Names()
    fields: list[Field] = []
    # participants
    fp = forms.get("participants")
    fields.append(Field("participant_id", names.get("participant_id"), fp, "text", "Participant id (pseudonymised)"))
    site = Field("site", names.get("site"), fp, "dropdown", "Site",
                 {str(i + 1): f"{s.name} ({s.id})" for i, s in enumerate(d.sites)},
                 codes={s.id: str(i + 1) for i, s in enumerate(d.sites)})
    fields.append(site)
    fields.append(_date_field("consent_date", names.get("consent_date"), fp, "Date consent was recorded"))
    demo = {x.column: x for x in d.demographics}
    for col in study.participants.columns:
        if col in ("participant_id", "site", "consent_date"):
            continue
        dm = demo.get(col)
        label = dm.label if dm else col
        if dm is not None and dm.type == "continuous":
            fields.append(_number_field(col, names.get(col), fp, label))
        elif dm is not None and dm.categories:
            fields.append(Field(col, names.get(col), fp, "dropdown", label,
                                {str(i + 1): c for i, c in enumerate(dm.categories)},
                                codes={c: str(i + 1) for i, c in enumerate(dm.categories)}))
        else:
            fields.append(Field(col, names.get(col), fp, "text", label))
    first_forms = [fp]
    every_forms: list[str] = []
    if len(study.employment):
        fe = forms.get("employment")
        fields += [
            _enum_field("emp:contract", names.get("emp_contract"), fe, "Contract", CONTRACTS),
            _number_field("emp:hours_per_week", names.get("emp_hours_per_week"), fe, "Contracted hours per week", 0, 80),
            _date_field("emp:start_date", names.get("emp_start_date"), fe, "Start date in post"),
            _date_field("emp:end_date", names.get("emp_end_date"), fe, "End date in post (empty while in post)"),
            _number_field("emp:sick_days", names.get("emp_sick_days"), fe, "Days of recorded sickness absence", 0),
        ]
        first_forms.append(fe)
    # questionnaires: one form per owning instrument (short forms read their parent's columns)
    own = owners(study)
    instrument_forms: list[str] = []
    by_form: dict[str, str] = {}
    for col in response_columns(study):
        inst, kind, ident = own.get(col, (None, "", ""))
        if inst is None:
            raise UserInputError(f"responses column {col!r} belongs to no instrument of the study")
        prefix = inst.column_prefix
        if prefix not in by_form:
            by_form[prefix] = forms.get(prefix)
            instrument_forms.append(by_form[prefix])
        form = by_form[prefix]
        if kind == "item":
            item = next(i for i in inst.items if i.id == ident)
            label = item.text or f"{inst.name}: item {ident}"
            if inst.integer_responses:
                choices = {str(v): inst.anchors.get(v, str(v)) for v in range(inst.response_min, inst.response_max + 1)}
                fields.append(Field(col, names.get(col), form, "radio", label, choices, matrix=f"{form}_items"))
            else:
                fields.append(_number_field(col, names.get(col), form, label, inst.response_min, inst.response_max))
        else:
            lo, hi = inst.score_range(ident)
            fields.append(_number_field(col, names.get(col.replace(".", "_")), form, f"{inst.subscale(ident).label} (pre-scored)", lo, hi))
    every_forms += instrument_forms
    services = service_list(study) if len(study.service_use) else []
    if services:
        fs = forms.get("service_use")
        labels = {s.id: s.label for inst in study.instruments.values() for s in getattr(inst, "services", [])}
        for s in services:
            fields.append(Field(f"su:{s}:used", names.get(f"su_{s}_used"), fs, "yesno", f"{labels.get(s, s)}: used in the recall period"))
            fields.append(_number_field(f"su:{s}:count", names.get(f"su_{s}_count"), fs, f"{labels.get(s, s)}: number", 0, integer=True))
        every_forms.append(fs)
    more, repeating = _repeating_fields(study, names, forms)
    fields += more
    order = first_forms + instrument_forms + [f for f in every_forms if f not in instrument_forms] + repeating
    fields.sort(key=lambda f: order.index(f.form))
    return Design(fields, order, repeating, first_forms + repeating, every_forms, instrument_forms)


def _text(value: Any, f: Field) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        text = format_number(value)
    else:
        text = str(value)
    return f.codes.get(text, text) if f.codes else text


def _events(study: Study) -> list[tuple[str, str, str]]:
    """(timepoint id, event name, unique event name) in timepoint order."""
    out = []
    taken: set[str] = set()
    for tp in study.definition.ordered_timepoints:
        unique = unique_event_name(tp.id)
        if unique in taken:
            raise UserInputError(f"timepoint {tp.id!r} gives the REDCap event name {unique!r} twice; rename a timepoint")
        taken.add(unique)
        out.append((tp.id, tp.id, unique))
    return out


@dataclass
class _RecordWriter:
    """Builds the record export: one row per participant and event with data, then the repeating rows."""

    header: list[str]
    fields_by_form: dict[str, list[Field]]
    des: Design

    def __post_init__(self) -> None:
        self.pos = {h: i for i, h in enumerate(self.header)}

    def new_row(self, pid: str, event: str) -> list[str]:
        row = [""] * len(self.header)
        row[0], row[1] = pid, event
        return row

    def fill(self, row: list[str], form: str, record: dict, key=lambda f: f.key) -> bool:
        """Write one form's fields from ``record``; True when any value is not empty."""
        any_value = False
        for f in self.fields_by_form[form]:
            row[self.pos[f.name]] = _text(record.get(key(f)), f)
            any_value = any_value or row[self.pos[f.name]] != ""
        return any_value

    def first_event(self, row: list[str], p: dict, emp: dict | None) -> None:
        self.fill(row, "participants", p)
        row[self.pos["participants_complete"]] = "2"
        if "employment" in self.fields_by_form and emp is not None:
            self.fill(row, "employment", emp, lambda f: f.key.split(":", 1)[1])
            row[self.pos["employment_complete"]] = "2"

    def responses(self, row: list[str], r: dict) -> None:
        for form in self.des.instrument_forms:
            row[self.pos[f"{form}_complete"]] = "2" if self.fill(row, form, r) else "0"

    def service_use(self, row: list[str], by_service: dict[str, dict]) -> None:
        for f in self.fields_by_form["service_use"]:
            _, service, part = f.key.split(":")
            rec = by_service.get(service)
            row[self.pos[f.name]] = _text(rec.get(part) if rec else None, f)
        row[self.pos["service_use_complete"]] = "2"

    def repeating(self, pid: str, event: str, reps: dict[str, list[dict]]) -> list[list[str]]:
        out = []
        for form in self.des.repeating:
            owner = _REPEATING[form][1]
            for instance, rec in enumerate((r for r in reps[form] if r[owner] == pid), start=1):
                rrow = self.new_row(pid, event)
                rrow[2], rrow[3] = form, str(instance)
                self.fill(rrow, form, rec, lambda f: f.key.split(":", 1)[1])
                rrow[self.pos[f"{form}_complete"]] = "2"
                out.append(rrow)
        return out


def _records(study: Study, des: Design, events: list[tuple[str, str, str]]) -> tuple[list[str], list[list[str]]]:
    fields_by_form: dict[str, list[Field]] = {}
    for f in des.fields:
        fields_by_form.setdefault(f.form, []).append(f)
    header = ["participant_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in des.forms:
        header += [f.name for f in fields_by_form[form] if f.name != "participant_id"] + [f"{form}_complete"]
    w = _RecordWriter(header, fields_by_form, des)
    resp = {(r["participant_id"], r["timepoint"]): r for r in study.responses.to_dict(orient="records")}
    emp = {r["participant_id"]: r for r in study.employment.to_dict(orient="records")}
    su: dict[tuple[str, str], dict[str, dict]] = {}
    for r in study.service_use.to_dict(orient="records"):
        su.setdefault((r["participant_id"], r["timepoint"]), {})[r["service"]] = r
    reps = {form: getattr(study, table).to_dict(orient="records") for form, (table, _) in _REPEATING.items()}
    first_event = events[0][2]
    rows: list[list[str]] = []
    for p in study.participants.to_dict(orient="records"):
        pid = p["participant_id"]
        for tp, _, event in events:
            row = w.new_row(pid, event)
            filled = event == first_event
            if filled:
                w.first_event(row, p, emp.get(pid))
            if (pid, tp) in resp:
                w.responses(row, resp[(pid, tp)])
                filled = True
            if (pid, tp) in su and "service_use" in fields_by_form:
                w.service_use(row, su[(pid, tp)])
                filled = True
            if filled:
                rows.append(row)
            if event == first_event:
                rows += w.repeating(pid, event, reps)
    return header, rows


def _mapping(study: Study, des: Design, events: list[tuple[str, str, str]], instrument_files: list[str]) -> dict[str, Any]:
    by_key = {f.key: f for f in des.fields}
    first = events[0][2]

    def spec(f: Field, use_label: bool = False) -> Any:
        if f.codes and not use_label:
            return {"column": f.name, "recode": {code: value for value, code in f.codes.items()}}
        return f.name

    participants: dict[str, Any] = {"participant_id": "participant_id"}
    demographics = {d.column for d in study.definition.demographics if d.type == "categorical"}
    for f in des.fields:
        if f.form == "participants" and f.key != "participant_id":
            # Categorical demographics read their choice labels by default (the categories themselves).
            participants[f.key] = {"column": f.name, "use": "label"} if f.key in demographics and f.codes else spec(f)
    tables: dict[str, Any] = {"participants": {"from": "records", "where": {"redcap_event_name": first}, "columns": participants}}
    if "employment" in des.forms:
        tables["employment"] = {
            "from": "records", "where": {"redcap_event_name": first}, "require": ["employment_complete"],
            "columns": {"participant_id": "participant_id", **{f.key.split(":", 1)[1]: spec(f) for f in des.fields if f.form == "employment"}},
        }
    tp_values = {event: tp for tp, _, event in events}
    tables["responses"] = {
        "from": "records",
        "timepoint": {"column": "redcap_event_name", "values": tp_values},
        "require": [f"{form}_complete" for form in des.instrument_forms],
        # With questionnaires, a row whose forms were opened but left empty is kept; without any, a row holds
        # nothing and every participant's first-event row would otherwise become an empty response row.
        "skip_empty": not des.instrument_forms,
        "columns": {"participant_id": "participant_id", **{c: by_key[c].name for c in response_columns(study)}},
    }
    if "service_use" in des.forms:
        services = [f.key.split(":")[1] for f in des.fields if f.form == "service_use" and f.key.endswith(":used")]
        tables["service_use"] = {
            "from": "records",
            "timepoint": {"column": "redcap_event_name", "values": tp_values},
            "require": ["service_use_complete"],
            "columns": {"participant_id": "participant_id"},
            "services": {s: {"used": by_key[f"su:{s}:used"].name, "count": by_key[f"su:{s}:count"].name} for s in services},
        }
    for form, (table, owner) in _REPEATING.items():
        if form in des.forms:
            cols: dict[str, Any] = {}
            for f in des.fields:
                if f.form == form:
                    cols[f.key.split(":", 1)[1]] = spec(f)
            cols[owner] = "participant_id"
            ordered = [c for c in getattr(study, table).columns]
            tables[table] = {"from": form, "columns": {c: cols[c] for c in ordered}}
    out: dict[str, Any] = {"study": definition_dict(study)}
    if instrument_files:
        out["instrument_files"] = instrument_files
    out["missing_values"] = [""]
    out["tables"] = tables
    return out


def _write_csv(path: Path, header: list[str] | tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def export_redcap(study: Study, out: Path, outputs: Outputs, scores: bool = True) -> None:
    """Write the REDCap dictionary, events, designations, records, mapping and README."""
    des = design(study)
    events = _events(study)
    folder = outputs.folder(out)
    _write_csv(folder / "dictionary.csv", DICTIONARY_HEADERS, [f.row() for f in des.fields])
    labels = {t.id: t.label for t in study.definition.timepoints}
    _write_csv(folder / "events.csv", ("event_name", "arm_num", "unique_event_name", "custom_event_label"),
               [[name, "1", unique, labels[tp]] for tp, name, unique in events])
    designations = []
    for i, (_, _, unique) in enumerate(events):
        for form in des.forms:
            if form in des.every_forms or (i == 0 and form in des.first_forms):
                designations.append(["1", unique, form])
    _write_csv(folder / "instrument_designations.csv", ("arm_num", "unique_event_name", "form"), designations)
    header, rows = _records(study, des, events)
    _write_csv(folder / "records.csv", header, rows)
    inst = [f"instruments/{n}" for n in write_instrument_files(study, folder / "instruments")]
    dump_mapping(_mapping(study, des, events, inst), folder / "mapping.yaml",
                 f"Generated by peerimpact {__version__}: imports records.csv back into the same study.\n"
                 "  peerimpact import redcap dictionary.csv records.csv events.csv --mapping mapping.yaml --out STUDY")
    readme = [study.title, ""]
    if study.synthetic:
        readme += ["SYNTHETIC DATA: these data were generated, not collected from real people.", ""]
    readme += [
        f"Exported by peerimpact {__version__} for REDCap.",
        "",
        "To set up capture: create a longitudinal project, upload dictionary.csv (Data Dictionary),",
        "create the events in events.csv (arm 1), designate forms to events as in instrument_designations.csv,",
        "and make " + (", ".join(des.repeating) or "no form") + " repeating instruments.",
        "records.csv can then be imported with the Data Import Tool.",
        "",
        "mapping.yaml imports a REDCap record export of this project back into a study folder.",
    ]
    if scores:
        readme += ["", "Scores are not part of a REDCap project: export them with `peerimpact export csv`."]
    (folder / "README.txt").write_text("\n".join(readme) + "\n", encoding="utf-8")

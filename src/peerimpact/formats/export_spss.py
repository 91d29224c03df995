"""Export to SPSS: one wide ``.sav`` per study (one row per participant), with labels.

``OUT.sav`` holds participants, employment, and for each timepoint (in
order) a ``responded_<timepoint>`` flag, the response columns, service use
and the scored outcomes, all suffixed ``_<timepoint>`` - the layout SPSS's
paired tests and repeated-measures procedures expect. The contact log,
allocations and sickness-absence spells, which have many rows per
participant, go to ``OUT_contacts.sav``, ``OUT_allocations.sav`` and
``OUT_absence.sav``. Every variable has a
label; items carry their instrument's anchor labels, categories their value
labels. ``OUT.mapping.yaml`` imports the files back into the same study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..study.model import Study
from ..study.tables import ABSENCE_REASONS, CONTACT_MODES, CONTACT_PHASES, CONTACT_STATUSES, CONTRACTS
from .export_common import (
    Outputs,
    custom_instruments,
    definition_dict,
    dump_mapping,
    owners,
    response_columns,
    service_list,
    spss_clean,
    study_scores,
    unique_names,
    write_instrument_files,
)

_ENUMS = {"contract": CONTRACTS, "mode": CONTACT_MODES, "status": CONTACT_STATUSES, "phase": CONTACT_PHASES, "reason": ABSENCE_REASONS}
_LABEL_MAX = 250
#: Tables with many rows per participant, each in its own ``<stem>_<table>.sav``.
_LONG_TABLES = ("allocations", "contacts", "absence")


@dataclass
class Var:
    key: str  # name before cleaning
    values: list[Any]
    label: str
    value_labels: dict[Any, str] = field(default_factory=dict)


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _num(v: Any) -> float:
    v = _plain(v)
    return math.nan if v is None else float(v)


def _coded(values: list[Any], choices: tuple[str, ...] | list[str]) -> tuple[list[float], dict[float, str]]:
    codes = {c: float(i + 1) for i, c in enumerate(choices)}
    return [codes[v] if v in codes else math.nan for v in map(_plain, values)], {float(i + 1): c for i, c in enumerate(choices)}


def _frame(vars_: list[Var]) -> tuple[pd.DataFrame, dict[str, str | None], dict[str, dict], dict[str, str]]:
    names = unique_names([v.key for v in vars_], spss_clean, 64, fold_case=True)
    data = {names[v.key]: v.values for v in vars_}
    frame = pd.DataFrame(data)
    for v in vars_:
        if not v.values or all(isinstance(x, float) for x in v.values):
            frame[names[v.key]] = pd.Series(v.values, dtype="float64")
        else:
            frame[names[v.key]] = pd.Series(v.values, dtype=object)
    labels: dict[str, str | None] = {names[v.key]: v.label[:_LABEL_MAX] for v in vars_}
    value_labels = {names[v.key]: v.value_labels for v in vars_ if v.value_labels}
    return frame, labels, value_labels, names


def _participant_vars(study: Study) -> tuple[list[Var], dict[str, Any]]:
    """Participant-level variables and the mapping columns that read them back."""
    p = study.participants
    d = study.definition
    demo = {x.column: x for x in d.demographics}
    vars_: list[Var] = []
    cols: dict[str, Any] = {}
    for col in p.columns:
        values = list(p[col])
        if col == "consent_date":
            vars_.append(Var(col, [_plain(v) for v in values], "Date consent was recorded"))
        elif col == "site":
            vars_.append(Var(col, [_plain(v) for v in values], "Site", {s.id: s.name for s in d.sites}))
        elif col == "participant_id":
            vars_.append(Var(col, [_plain(v) for v in values], "Participant id (pseudonymised)"))
        elif col in demo and demo[col].type == "continuous":
            vars_.append(Var(col, [_num(v) for v in values], demo[col].label))
        elif col in demo and (categories := demo[col].categories):
            coded, labels = _coded(values, categories)
            vars_.append(Var(col, coded, demo[col].label, labels))
            cols[col] = {"column": col, "use": "label"}
            continue
        else:
            vars_.append(Var(col, [_plain(v) for v in values], demo[col].label if col in demo else col))
        cols[col] = {"column": col, "use": "code"} if col in demo and demo[col].type == "categorical" else col
    return vars_, cols


def _employment_vars(study: Study) -> tuple[list[Var], dict[str, Any]]:
    emp = study.employment
    if not len(emp):
        return [], {}
    by_pid = {r["participant_id"]: r for r in emp.to_dict(orient="records")}
    pids = list(study.participants["participant_id"])
    vars_: list[Var] = []
    cols: dict[str, Any] = {"participant_id": "participant_id"}
    labels = {"contract": "Contract", "hours_per_week": "Contracted hours per week", "start_date": "Start date in post",
              "end_date": "End date in post", "sick_days": "Days of sickness absence"}
    for col in emp.columns:
        if col == "participant_id":
            continue
        values = [by_pid.get(pid, {}).get(col) for pid in pids]
        key = f"emp_{col}"
        if col in _ENUMS:
            coded, vl = _coded(values, _ENUMS[col])
            vars_.append(Var(key, coded, labels.get(col, col), vl))
            cols[col] = {"column": key, "use": "label"}
        elif col.endswith("_date"):
            vars_.append(Var(key, [_plain(v) for v in values], labels.get(col, col)))
            cols[col] = key
        else:
            vars_.append(Var(key, [_num(v) for v in values], labels.get(col, col)))
            cols[col] = key
    return vars_, cols


def _wide_vars(study: Study, scores_wide: pd.DataFrame | None) -> tuple[list[Var], dict[str, Any], dict[str, Any]]:
    """Per-timepoint variables; returns (vars, responses columns, service columns) for the mapping."""
    d = study.definition
    pids = list(study.participants["participant_id"])
    own = owners(study)
    resp = study.responses
    rcols = response_columns(study)
    by_key = {(r[0], r[1]): r for r in resp[["participant_id", "timepoint"] + rcols].itertuples(index=False, name=None)}
    su = study.service_use
    su_by = {(r.participant_id, r.timepoint, r.service): r for r in su.itertuples(index=False)} if len(su) else {}
    services = [s for s in service_list(study) if any(k[2] == s for k in su_by)]
    service_labels = {s.id: s.label for inst in study.instruments.values() for s in getattr(inst, "services", [])}
    sc_by = {}
    outcomes: list[str] = []
    if scores_wide is not None:
        outcomes = [c for c in scores_wide.columns if c not in ("participant_id", "timepoint")]
        sc_by = {(r[0], r[1]): r[2:] for r in scores_wide.itertuples(index=False, name=None)}
    vars_: list[Var] = []
    rmap: dict[str, Any] = {"participant_id": "participant_id"}
    smap: dict[str, Any] = {}
    for tp in d.timepoint_ids:
        tlabel = d.timepoint(tp).label
        vars_.append(Var(f"responded_{tp}", [1.0 if (pid, tp) in by_key else 0.0 for pid in pids], f"Questionnaire row at {tlabel}", {0.0: "no", 1.0: "yes"}))
        for j, col in enumerate(rcols):
            inst, kind, ident = own.get(col, (None, "", ""))
            if inst is None:
                label = col
            elif kind == "item":
                label = f"{inst.name}: item {ident}"
            else:
                label = f"{inst.subscale(ident).label} (pre-scored)"
            anchors = {float(k): v for k, v in getattr(inst, "anchors", {}).items()} if kind == "item" else {}
            values = [_num(by_key[(pid, tp)][2 + j]) if (pid, tp) in by_key else math.nan for pid in pids]
            vars_.append(Var(f"{col}_{tp}", values, f"{label}, {tlabel}", anchors))
        for s in services:
            slabel = service_labels.get(s, s)
            used = [_num(su_by[(pid, tp, s)].used) if (pid, tp, s) in su_by else math.nan for pid in pids]
            count = [_num(su_by[(pid, tp, s)].count) if (pid, tp, s) in su_by else math.nan for pid in pids]
            vars_.append(Var(f"su_{s}_used_{tp}", used, f"{slabel}: used, {tlabel}", {0.0: "no", 1.0: "yes"}))
            vars_.append(Var(f"su_{s}_count_{tp}", count, f"{slabel}: count, {tlabel}"))
        for k, outcome in enumerate(outcomes):
            values = [_num(sc_by[(pid, tp)][k]) if (pid, tp) in sc_by else math.nan for pid in pids]
            inst_id, sub = outcome.split(".", 1)
            inst = study.instruments.get(inst_id)
            label = inst.subscale(sub).label if inst is not None else outcome
            vars_.append(Var(f"score_{outcome}_{tp}", values, f"Score: {label}, {tlabel}"))
    return vars_, rmap, smap


def _long_frame(study: Study, table: str) -> tuple[list[Var], dict[str, Any]]:
    frame = getattr(study, table)
    vars_: list[Var] = []
    cols: dict[str, Any] = {}
    for col in frame.columns:
        values = list(frame[col])
        if col in _ENUMS:
            coded, vl = _coded(values, _ENUMS[col])
            vars_.append(Var(col, coded, col.replace("_", " ").capitalize(), vl))
            cols[col] = {"column": col, "use": "label"}
        elif pd.api.types.is_datetime64_any_dtype(frame[col]):
            vars_.append(Var(col, [_plain(v) for v in values], col.replace("_", " ").capitalize()))
            cols[col] = col
        elif frame[col].dtype == object:
            vars_.append(Var(col, [_plain(v) for v in values], col.replace("_", " ").capitalize()))
            cols[col] = col
        else:
            vars_.append(Var(col, [_num(v) for v in values], col.replace("_", " ").capitalize()))
            cols[col] = col
    return vars_, cols


def _write(vars_: list[Var], path: Path, note: str) -> dict[str, str]:
    import pyreadstat

    frame, labels, value_labels, names = _frame(vars_)
    pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=value_labels, file_label=note[:64])
    return names


def _renamed(cols: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for target, spec in cols.items():
        if isinstance(spec, str):
            out[target] = names.get(spec, spec)
        else:
            out[target] = dict(spec, column=names.get(spec["column"], spec["column"]))
    return out


def export_spss(study: Study, out: Path, outputs: Outputs, scores: bool = True) -> None:
    """Write ``out`` (.sav), ``<stem>_contacts.sav`` / ``_allocations.sav`` / ``_absence.sav`` when present, and ``<stem>.mapping.yaml``."""
    d = study.definition
    _, wide_scores = study_scores(study, scores)
    note = ("SYNTHETIC " if study.synthetic else "") + f"{study.title}"[:50]
    pvars, pcols = _participant_vars(study)
    evars, ecols = _employment_vars(study)
    wvars, _, _ = _wide_vars(study, wide_scores)
    names = _write(pvars + evars + wvars, outputs.file(out), note)
    stem = out.stem
    tables: dict[str, Any] = {"participants": {"from": stem, "columns": _renamed(pcols, names)}}
    if ecols:
        tables["employment"] = {"from": stem, "require": [names["emp_contract"]], "columns": _renamed(ecols, names)}
    rcols = response_columns(study)
    # One block per timepoint: cleaning may change wide names, so each is named explicitly.
    resp_blocks = []
    su_blocks = []
    services = [s for s in service_list(study) if len(study.service_use) and (study.service_use["service"] == s).any()]
    for tp in d.timepoint_ids:
        columns = {"participant_id": names["participant_id"]}
        columns.update({c: names[f"{c}_{tp}"] for c in rcols})
        resp_blocks.append({"from": stem, "timepoint": {"value": tp}, "where": {names[f"responded_{tp}"]: 1},
                            "skip_empty": False, "columns": columns})
        if services:
            su_blocks.append({
                "from": stem, "timepoint": {"value": tp}, "columns": {"participant_id": names["participant_id"]},
                "services": {s: {"used": names[f"su_{s}_used_{tp}"], "count": names[f"su_{s}_count_{tp}"]} for s in services},
            })
    tables["responses"] = resp_blocks
    if su_blocks:
        tables["service_use"] = su_blocks
    for table in _LONG_TABLES:
        if len(getattr(study, table)):
            lvars, lcols = _long_frame(study, table)
            side = out.with_name(f"{stem}_{table}.sav")
            lnames = _write(lvars, outputs.file(side), note)
            tables[table] = {"from": side.stem, "columns": _renamed(lcols, lnames)}
    inst_names: list[str] = []
    if custom_instruments(study):
        inst_dir = out.with_name(stem + "_instruments")
        inst_names = [f"{inst_dir.name}/{n}" for n in write_instrument_files(study, outputs.folder(inst_dir))]
    mapping: dict[str, Any] = {"study": definition_dict(study)}
    if inst_names:
        mapping["instrument_files"] = inst_names
    mapping["missing_values"] = [""]
    mapping["tables"] = tables
    files = " ".join([out.name] + [f"{stem}_{t}.sav" for t in _LONG_TABLES if t in tables])
    side_map = out.with_name(stem + ".mapping.yaml")
    dump_mapping(mapping, outputs.file(side_map),
                 f"Generated by peerimpact {__version__}: imports this export back into the same study.\n"
                 f"  peerimpact import spss {files} --mapping {side_map.name} --out STUDY")

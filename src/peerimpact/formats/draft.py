"""``peerimpact init``: draft a ``study.yaml`` and ``mapping.yaml`` from a team's raw files.

A research team starts with what it has: survey exports (CSV, Excel, SPSS),
a staff sheet, a contact log, interviews named like ``Site A - PW03 - 6m.docx``.
:func:`draft_study` reads every file in a folder (every sheet of a workbook),
sniffs headers and values, and guesses:

* which table is which: participants (an id and a site or consent date),
  employment (contract, hours, start), responses (a run of item columns such as
  ``Q1`` ... ``Q14`` whose count and values fit a shipped instrument), contacts
  (a worker, a person and a date), drafted as the importer takes a log as it
  comes: an id from the row number when it has none, a status column (its
  values recoded) or else ``status: {value: completed}`` marked to confirm,
  the phase from a phase column or a discharge date, and otherwise left to the
  team (a commented ``# TODO`` line: the import stops until it is set, since
  a phase is never guessed); allocations are derived by the import;
* which column is the participant id, the site, the consent date, a
  demographic (categorical or continuous);
* the timepoints, from sheet names, file names, a wave column or interview
  names (``Baseline``, ``6 months``, ``6m``, ``T2`` ...), with their month;
* the sites, and the ``interview_id_pattern`` that reads the interview names.

It writes nothing itself; :func:`write_draft` writes the two YAML files. Every
guess carries ``# GUESS: confirm`` and a reason, and what could not be guessed
carries ``# TODO``, so that the team checks each one before running
``peerimpact import``. The drafts are valid YAML; ``docs/first-study.md`` lists
the confirmations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserInputError
from ..study.tables import CONTACTS
from .source import SourceTable, canonical_text

GUESS = "# GUESS: confirm"
TRANSCRIPT_SUFFIXES = (".docx", ".txt")
DATA_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "spss"}

_ROLES: dict[str, set[str]] = {
    "participant_id": {"participantid", "participant", "pwid", "pw", "id", "staffid", "workerid", "recordid", "pid",
                       "peerworker", "peerworkerid", "studyid"},
    "site": {"site", "team", "service", "siteid", "sitename"},
    "consent_date": {"consentdate", "consent", "dateofconsent", "consented", "consentgiven"},
    "contract": {"contract", "contracttype", "employmenttype", "contracted"},
    "hours_per_week": {"hours", "hoursperweek", "contractedhours", "weeklyhours", "hoursweek"},
    "start_date": {"startdate", "start", "datestarted", "started", "startedpost", "employmentstart", "dateinpost"},
    "end_date": {"enddate", "end", "leftdate", "dateleft", "leavingdate", "leftpost"},
    "sick_days": {"sickdays", "daysabsent", "sickness", "sicknessdays", "absencedays", "dayssick"},
    "wave": {"wave", "timepoint", "visit", "time", "round", "occasion"},
    "worker_id": {"worker", "workerid", "pw", "pwid", "peerworker", "staff", "staffid"},
    "person_id": {"client", "clientid", "person", "personid", "serviceuser", "serviceuserid", "patient", "patientid"},
    "date": {"date", "contactdate", "dateofcontact"},
    "mode": {"type", "mode", "contacttype", "method", "contactmode"},
    "duration_minutes": {"minutes", "duration", "length", "mins", "durationminutes", "lengthminutes"},
    "contact_id": {"contactid", "contactno", "contactnumber", "contactref", "contactreference"},
    "status": {"status", "outcome", "contactstatus", "contactoutcome", "attended", "attendance"},
    "phase": {"phase", "contactphase", "dischargephase", "stage"},
    "discharge_date": {"discharged", "dischargedate", "dateofdischarge", "discharge", "dischargedon", "dischargeddate"},
}
#: Words in a status value -> the study's status (checked in order: "did not attend" before "attend").
_STATUS_WORDS = (
    (("dna", "didnotattend", "noshow", "notattend"), "did_not_attend"),
    (("cancel",), "cancelled"),
    (("attempt", "noanswer", "noreply", "unanswered"), "attempted"),
    (("attend", "complete", "done", "seen", "met", "held", "yes"), "completed"),
)
_PHASE_WORDS = ((("pre", "before", "inpatient", "ward"), "pre_discharge"), (("post", "after", "community", "home"), "post_discharge"))
_BASELINE_WORDS = {"baseline", "base", "start", "pre", "t0", "0m", "month0", "entry"}
# An item number is the last number of a column name (Q14, wem_3) or its first (WEM3_T2, Q3_6m).
_ITEM_RES = (re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>[^\d]*)$"), re.compile(r"^(?P<prefix>\D*?)(?P<number>\d+)(?P<suffix>.*)$"))


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", text.strip()).strip("_") or "x"


def month_of(label: str) -> tuple[float | None, bool]:
    """The month a timepoint label names, and whether that is certain.

    >>> month_of("6 months"), month_of("12m"), month_of("Baseline"), month_of("T2"), month_of("1 year")
    ((6.0, True), (12.0, True), (0.0, True), (1.0, False), (12.0, True))
    """
    text = label.strip().lower()
    if _key(text) in _BASELINE_WORDS:
        return 0.0, True
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:m|mo|mth|mths|month|months)\b", text)
    if m:
        return float(m.group(1)), True
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:y|yr|yrs|year|years)\b", text)
    if m:
        return 12 * float(m.group(1)), True
    m = re.fullmatch(r"(?:t|time|wave|w)\s*(\d+)", text)
    if m:
        return float(int(m.group(1)) - 1), False  # T1 = 0; later months unknown
    return None, False


@dataclass
class Timepoint:
    id: str
    label: str
    month: float | None
    certain: bool
    seen_as: set[str] = field(default_factory=set)  # labels in the files that name it


@dataclass
class Block:
    """One drafted mapping block (a study table from one source)."""

    table: str
    source: SourceTable
    columns: dict[str, str] = field(default_factory=dict)  # study column -> source column
    notes: dict[str, str] = field(default_factory=dict)  # study column -> reason of the guess
    timepoint: str | None = None  # id, for a sheet per wave
    wave_column: str | None = None
    wide: dict[str, str] | None = None  # timepoint id -> its text in the column names (a column per wave)
    instrument: tuple[str, str, str] | None = None  # (instrument id, pattern, reason)
    recodes: dict[str, dict[str, str | None]] = field(default_factory=dict)  # study column -> {source: study}
    date_formats: dict[str, str] = field(default_factory=dict)
    #: study column -> a spec that is not one source column ({template: ...}, {value: ...}, {discharge_date: ...})
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: study column -> why it is left to the team (written as a commented ``# TODO`` line)
    todo: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """The drafted files, and what was read."""

    study_yaml: str
    mapping_yaml: str
    sources: list[SourceTable]
    transcripts: list[Path]
    interview_id_pattern: str | None
    notes: list[str]

    @property
    def guesses(self) -> int:
        return self.study_yaml.count(GUESS) + self.mapping_yaml.count(GUESS)


# ---------------------------------------------------------------- reading
def read_folder(raw: Path) -> tuple[list[tuple[Path, str, SourceTable]], list[Path], list[str]]:
    """Every data table (file, format, table) and every transcript file under ``raw``; notes on skipped files."""
    from .csv_source import read_csv_source
    from .spss_source import read_sav_source
    from .xlsx_source import open_workbook, tables_from_workbook

    tables: list[tuple[Path, str, SourceTable]] = []
    transcripts: list[Path] = []
    notes: list[str] = []
    for path in sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))):
        rel = path.relative_to(raw).as_posix()
        suffix = path.suffix.lower()
        if suffix in TRANSCRIPT_SUFFIXES:
            transcripts.append(path)
            continue
        fmt = DATA_SUFFIXES.get(suffix)
        if fmt is None:
            notes.append(f"{rel}: skipped (not CSV, Excel, SPSS or a transcript)")
            continue
        try:
            if fmt == "csv":
                tables.append((path, fmt, read_csv_source(path, label=rel)))
            elif fmt == "spss":
                tables.append((path, fmt, read_sav_source(path, label=rel)))
            else:
                for table in tables_from_workbook(open_workbook(path, rel)):
                    tables.append((path, fmt, table))
        except UserInputError as exc:
            notes.append(f"{rel}: could not be read ({str(exc).splitlines()[0]})")
    return tables, transcripts, notes


def _values(table: SourceTable, column: str) -> list[Any]:
    i = table.columns.index(column)
    return [row[i] for row in table.rows if i < len(row) and row[i] not in (None, "")]


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    try:
        float(str(v).replace(",", "."))
    except ValueError:
        return False
    return True


def _date_format(values: list[Any]) -> tuple[bool, str | None]:
    """Whether the values are dates, and the strptime format of text dates (None: real dates or ISO)."""
    if not values:
        return False, None
    if all(isinstance(v, (dt.date, dt.datetime)) for v in values):
        return True, None
    texts = [str(v) for v in values]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%y"):
        try:
            for t in texts:
                dt.datetime.strptime(t, fmt)
        except ValueError:
            continue
        return True, None if fmt == "%Y-%m-%d" else fmt
    return False, None


def _role_column(table: SourceTable, role: str, taken: Iterable[str] = ()) -> str | None:
    for column in table.columns:
        if column not in taken and _key(column) in _ROLES[role]:
            return column
    return None


# ---------------------------------------------------------------- guessing
def _item_runs(table: SourceTable) -> list[tuple[str, int, str]]:
    """``(pattern, count, reason)`` for each run of numbered columns ``Q1 ... Qk``."""
    groups: dict[tuple[str, str], set[int]] = {}
    for column in table.columns:
        for rx in _ITEM_RES:
            m = rx.match(column)
            if m:
                groups.setdefault((m.group("prefix"), m.group("suffix")), set()).add(int(m.group("number")))
    runs = []
    for (prefix, suffix), numbers in groups.items():
        if len(numbers) >= 3 and numbers == set(range(1, max(numbers) + 1)):
            runs.append((f"{prefix}{{item}}{suffix}", max(numbers), f"{prefix}1 ... {prefix}{max(numbers)}{suffix}"))
    return runs


def _wide_runs(runs: list[tuple[str, int, str]]) -> tuple[str, int, list[str]] | None:
    """A wide layout: runs ``Q{item}_T1``, ``Q{item}_T2`` ... that differ only by a wave after a separator.

    Returns ``(pattern with {timepoint}, item count, wave texts)`` or None.
    """
    by_shape: dict[tuple[str, str, int], list[tuple[float, str]]] = {}
    for pattern, count, _ in runs:
        head, tail = pattern.split("{item}")
        m = re.fullmatch(r"([_\-. ]+)(.+)", tail)
        month = month_of(m.group(2))[0] if m else None
        if m and month is not None:
            by_shape.setdefault((head, m.group(1), count), []).append((month, m.group(2)))
    for (head, sep, count), waves in by_shape.items():
        if len(waves) >= 2:
            ordered = [wave for _, wave in sorted(waves, key=lambda mw: mw[0])]
            return f"{head}{{item}}{sep}{{timepoint}}", count, ordered
    return None


def _is_item_column(column: str, blocks: list[Block]) -> bool:
    """Whether ``column`` is read as an item by a responses block drafted from the same table."""
    for b in blocks:
        if b.table == "responses" and b.instrument:
            rx = re.escape(b.instrument[1]).replace(re.escape("{item}"), r"\d+").replace(re.escape("{timepoint}"), r".+")
            if re.fullmatch(rx, column):
                return True
    return False


def _instrument_for(table: SourceTable, pattern: str, count: int) -> tuple[str, str] | None:
    from ..instruments import load_instruments

    values = []
    for i in range(1, count + 1):
        values += _values(table, pattern.replace("{item}", str(i)))
    numbers = [float(canonical_text(v).replace(",", ".")) for v in values if _is_number(v)]
    fits = []
    for inst_id, inst in sorted(load_instruments(None).items()):
        if len(inst.items) != count:
            continue
        lo, hi = inst.response_min, inst.response_max
        if numbers and lo is not None and hi is not None and not all(lo <= x <= hi for x in numbers):
            continue
        fits.append(inst_id)
    if not fits:
        return None
    others = f"; also fits: {', '.join(fits[1:])}" if len(fits) > 1 else ""
    text_values = len(numbers) < len(values)
    why = f"{count} items" + (" answered as words: add a recode" if text_values else ", values in its range") + others
    return fits[0], why


def _timepoint_label(table: SourceTable, path: Path) -> str | None:
    """A wave named by the sheet title or the file name, if either names one."""
    candidates = []
    if "[" in table.label:
        candidates.append(table.name)
    candidates.append(path.stem)
    for text in candidates:
        month, _ = month_of(text)
        if month is not None:
            return text
        for token in re.split(r"[\s_\-]+", text):
            if month_of(token)[0] is not None and not token.isdigit():
                return token
    return None


class _Timepoints:
    """Timepoints gathered from every place that names one, merged by month."""

    def __init__(self) -> None:
        self.by_month: dict[float, Timepoint] = {}
        self.unknown: dict[str, Timepoint] = {}

    def add(self, label: str, preferred_id: str | None = None) -> Timepoint:
        month, certain = month_of(label)
        if month is None:
            tp = self.unknown.setdefault(label, Timepoint(_slug(label), label, None, False))
        elif month not in self.by_month:
            tp = self.by_month[month] = Timepoint(_slug(preferred_id or label), label, month, certain)
        else:
            tp = self.by_month[month]
            if preferred_id:
                tp.id = _slug(preferred_id)
            tp.certain = tp.certain or certain
        tp.seen_as.add(label)
        return tp

    def all(self) -> list[Timepoint]:
        return [self.by_month[m] for m in sorted(self.by_month)] + list(self.unknown.values())


def _interview_pattern(names: list[str], ids: set[str], sites: set[str]) -> tuple[str | None, list[tuple[str, str, str]]]:
    """The ``interview_id_pattern`` reading every name, and each name's (site, participant, timepoint)."""
    parsed = []
    pattern = None
    for name in names:
        tokens = [t for t in re.split(r"(\s*-\s*|_)", name)]
        roles: dict[int, str] = {}
        site_of: dict[int, re.Match[str]] = {}  # token -> (site|s)(spaces)(site id)
        for i, t in enumerate(tokens):
            bare = t.strip()
            if not bare or re.fullmatch(r"\s*-\s*|_", t):
                continue
            m = re.fullmatch(r"(site|s)(\s*)([A-Za-z0-9]+)", bare, flags=re.I)
            if bare in ids:
                roles[i] = "participant"
            elif m and (m.group(3) in sites or not sites):
                roles[i] = "site"
                site_of[i] = m
            elif month_of(bare)[0] is not None:
                roles[i] = "timepoint"
        if sorted(roles.values()) != ["participant", "site", "timepoint"]:
            return None, []
        pieces, values = [], {}
        for i, t in enumerate(tokens):
            role = roles.get(i)
            if role == "site":
                m = site_of[i]
                pieces.append(f"{m.group(1)}{m.group(2)}{{site}}")
                values["site"] = m.group(3)
            elif role:
                pieces.append(f"{{{role}}}")
                values[role] = t.strip()
            else:
                pieces.append(t)
        this = "".join(pieces)
        if pattern not in (None, this):
            return None, []
        pattern = this
        parsed.append((values["site"], values["participant"], values["timepoint"]))
    return pattern, parsed


def draft_study(raw: str | Path) -> Draft:
    """Sniff every file under ``raw`` and draft ``study.yaml`` and ``mapping.yaml`` (see the module docs).

    Raises
    ------
    UserInputError
        When ``raw`` is not a folder or holds no CSV, Excel or SPSS table.
    """
    raw = Path(raw)
    if not raw.is_dir():
        raise UserInputError(f"{raw}: no such folder")
    tables, transcripts, notes = read_folder(raw)
    if not tables:
        raise UserInputError(f"{raw}: no CSV, Excel (.xlsx) or SPSS (.sav) file found")
    timepoints = _Timepoints()
    blocks: list[Block] = []
    for path, _fmt, table in tables:
        note = _draft_table(raw, path, table, blocks, timepoints)
        if note is not None:
            notes.append(note)
    participants_block = next((b for b in reversed(blocks) if b.table == "participants"), None)
    ids, sites = _ids_and_sites(participants_block)
    pattern, parsed = _interview_pattern([p.stem for p in transcripts], ids, sites)
    for _site, _pid, token in parsed:
        timepoints.add(token, preferred_id=token)
    if transcripts and pattern is None:
        notes.append("interview names: no pattern of site, participant and timepoint reads them all; set interview_id_pattern by hand")
    study = _study_yaml(raw, timepoints, sites, participants_block, pattern, blocks)
    mapping = _mapping_yaml(blocks, timepoints)
    return Draft(study, mapping, [t for _, _, t in tables], transcripts, pattern, notes)


def _draft_table(raw: Path, path: Path, table: SourceTable, blocks: list[Block], timepoints: _Timepoints) -> str | None:
    """Draft the blocks one source table gives (appended to ``blocks``); a note when it is not mapped.

    A table with a participant id and an instrument's item columns is responses
    (and, when it is wide, the participants table too if it has a site or a
    consent date); a worker, a person and a date make a contact log; a participant
    id with a site or a consent date makes the participants table (and the
    employment table when it has a contract and a start date).
    """
    pid = _role_column(table, "participant_id")
    instrument, wide = _instrument_of(table)
    responses = None
    if instrument and pid:
        responses = _responses_block(table, path, pid, instrument, wide, timepoints)
        blocks.append(responses)
        if responses.wide is None:  # one row per participant and wave: not the participants table
            return None
    elif _role_column(table, "person_id") and _role_column(table, "worker_id") and _role_column(table, "date"):
        blocks.append(_contacts_block(table))
        return None
    if pid and (_role_column(table, "site", {pid}) or _role_column(table, "consent_date", {pid})):
        blocks.extend(_participants_blocks(table, pid, blocks))
        return None
    if responses is not None:  # a wide survey without site or consent columns
        return None
    return _unmapped_note(raw, path, table)


def _instrument_of(table: SourceTable) -> tuple[tuple[str, str, str] | None, tuple[str, int, list[str]] | None]:
    """The instrument the item columns fit, as ``(id, pattern, reason)``, and the wide layout (see :func:`_wide_runs`)."""
    runs = _item_runs(table)
    wide = _wide_runs(runs)
    if wide is not None:
        pattern, count, waves = wide
        found = _instrument_for(table, pattern.replace("{timepoint}", waves[0]), count)
        if found:
            return (found[0], pattern, f"{count} items at each of {', '.join(waves)} (a column per wave): {found[1]}"), wide
    for pattern, count, where in runs:
        found = _instrument_for(table, pattern, count)
        if found:
            return (found[0], pattern, f"{where}: {found[1]}"), wide
    return None, wide


def _responses_block(table: SourceTable, path: Path, pid: str, instrument: tuple[str, str, str], wide: tuple[str, int, list[str]] | None,
                     timepoints: _Timepoints) -> Block:
    """The responses block, its timepoints from the column names (wide), a wave column, or the sheet or file name."""
    block = Block("responses", table, {"participant_id": pid})
    block.notes["participant_id"] = f"column {pid!r}"
    block.instrument = instrument
    wave = _role_column(table, "wave", {pid})
    label = _timepoint_label(table, path)
    if wide is not None and "{timepoint}" in instrument[1]:
        block.wide = {timepoints.add(w).id: w for w in wide[2]}
    elif wave:
        block.wave_column = wave
        for v in sorted({canonical_text(v) for v in _values(table, wave)}):
            timepoints.add(v)
    elif label:
        block.timepoint = label
        timepoints.add(label)
    return block


def _take_roles(table: SourceTable, block: Block, roles: Iterable[str], used: set[str]) -> None:
    """Map each role to the first column not ``used`` that names it (and mark that column used)."""
    for role in roles:
        col = _role_column(table, role, used)
        if col:
            block.columns[role] = col
            used.add(col)


def _set_date_formats(block: Block, names: Iterable[str]) -> None:
    """Record the text-date format of each of these mapped columns that holds text dates."""
    for name in names:
        if name in block.columns:
            _, fmt = _date_format(_values(block.source, block.columns[name]))
            if fmt:
                block.date_formats[name] = fmt


def _contacts_block(table: SourceTable) -> Block:
    """A contact log as it comes (docs/mapping.md, "Contact logs as they come").

    Worker, person, date, mode (recoded) and duration from their columns; the
    contact id from its column or else the row number; the status from its
    column (recoded) or else declared ``completed`` (to confirm); the phase
    from its column (recoded) or the person's discharge date, else a TODO.
    """
    block = Block("contacts", table)
    used: set[str] = set()
    _take_roles(table, block, ("contact_id", "worker_id", "person_id", "date", "mode", "duration_minutes", "status", "phase"), used)
    _set_date_formats(block, ("date",))
    for role, guess in (("mode", _guess_mode), ("status", _guess_status), ("phase", _guess_phase)):
        if role in block.columns:
            block.recodes[role] = {canonical_text(v): guess(canonical_text(v)) for v in sorted({canonical_text(x) for x in _values(table, block.columns[role])})}
    if "contact_id" not in block.columns:
        block.specs["contact_id"] = {"template": "contact-{row}"}
        block.notes["contact_id"] = "the log has no contact id: one from the row number"
    if "status" not in block.columns:
        block.specs["status"] = {"value": "completed"}
        block.notes["status"] = "no status column: right only if the log records contacts that took place and nothing else"
    discharge = _role_column(table, "discharge_date", used)
    if "phase" not in block.columns and discharge:
        spec: dict[str, Any] = {"discharge_date": discharge}
        _, fmt = _date_format(_values(table, discharge))
        if fmt:
            spec["date_format"] = fmt
        block.specs["phase"] = spec
        block.notes["phase"] = f"before or after the discharge date in {discharge!r}"
    elif "phase" not in block.columns:
        block.todo["phase"] = ("the log has no phase or discharge date, and a phase is never guessed: derive it, "
                               "{discharge_date: <column>}, or declare it, {value: pre_discharge} or {value: post_discharge} (docs/mapping.md)")
    return block


def _participants_blocks(table: SourceTable, pid: str, blocks: list[Block]) -> list[Block]:
    """The participants block (the columns left over are demographics) and, with a contract and a start date, the employment block.

    Item columns read by a responses block already drafted from this table are not demographics.
    """
    block = Block("participants", table, {"participant_id": pid})
    used = {pid}
    used.update(c for c in table.columns if any(rx.match(c) for rx in _ITEM_RES) and _is_item_column(c, blocks))
    _take_roles(table, block, ("site", "consent_date"), used)
    employment = Block("employment", table, {"participant_id": pid})
    _take_roles(table, employment, ("contract", "hours_per_week", "start_date", "end_date", "sick_days"), used)
    if "contract" in employment.columns:
        employment.recodes["contract"] = {
            v: ("bank" if "bank" in v.lower() or "casual" in v.lower() else "contracted")
            for v in sorted({canonical_text(x) for x in _values(table, employment.columns["contract"])})
        }
    for b in (block, employment):
        _set_date_formats(b, ("consent_date", "start_date", "end_date"))
    block.notes["demographics"] = ",".join(c for c in table.columns if c not in used)
    return [block, employment] if {"contract", "start_date"} <= set(employment.columns) else [block]


def _unmapped_note(raw: Path, path: Path, table: SourceTable) -> str:
    """Why a table is not mapped: part of a REDCap export, a coding sheet, or not recognised."""
    keys = {_key(c) for c in table.columns}
    if {"variablefieldname", "formname"} <= keys or {"fieldname", "formname"} <= keys or "redcapeventname" in keys:
        return f"{table.label}: part of a REDCap export; draft its mapping from the REDCap example in docs/mapping.md and run peerimpact import redcap"
    if {"quote", "code", "coder"} <= keys or {"quotestart", "code", "coder"} <= keys:
        return f"{table.label}: a coding sheet; after the import: peerimpact qual import-codings {path.relative_to(raw).as_posix()!r} --into STUDY"
    return f"{table.label}: not recognised as participants, responses or a contact log; not mapped"


def _ids_and_sites(participants: Block | None) -> tuple[set[str], set[str]]:
    """The participant ids and site ids of the participants table (empty without one)."""
    ids: set[str] = set()
    sites: set[str] = set()
    if participants is not None:
        ids = {canonical_text(v) for v in _values(participants.source, participants.columns["participant_id"])}
        if "site" in participants.columns:
            sites = {canonical_text(v) for v in _values(participants.source, participants.columns["site"])}
    return ids, sites


def _guess_words(value: str, words: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    """The study value of the first group with a word in ``value`` (None: no guess; ``null`` in the recode, so the import asks)."""
    key = _key(value)
    return next((study for group, study in words if any(w in key for w in group)), None)


def _guess_status(value: str) -> str | None:
    return _guess_words(value, _STATUS_WORDS)


def _guess_phase(value: str) -> str | None:
    return _guess_words(value, _PHASE_WORDS)


def _guess_mode(value: str) -> str:
    key = _key(value)
    if "phone" in key or "tel" in key or "call" in key:
        return "telephone"
    if "face" in key or "person" in key or "f2f" in key or "visit" in key:
        return "face_to_face"
    return "other"


# ---------------------------------------------------------------- writing
def _q(value: Any) -> str:
    """A YAML scalar (quoted when YAML would read it as something else)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False).strip().removesuffix("\n...").strip()


def _demographics(block: Block | None) -> list[str]:
    if block is None or not block.notes.get("demographics"):
        return ["demographics: []"]
    lines = ["demographics:"]
    for column in block.notes["demographics"].split(","):
        values = _values(block.source, column)
        if not values:
            continue
        if isinstance(values[0], (dt.date, dt.datetime)):
            continue
        numeric = all(_is_number(v) for v in values)
        distinct = sorted({canonical_text(v) for v in values})
        if numeric and len(distinct) > 5:
            lines.append(f"  - {_q({'column': column, 'label': column, 'type': 'continuous'})}   {GUESS} (numbers)")
        else:
            lines.append(f"  - {_q({'column': column, 'label': column, 'type': 'categorical'})}   {GUESS} (values: {', '.join(distinct[:6])})")
    return lines


def _study_yaml(raw: Path, timepoints: _Timepoints, sites: set[str], participants: Block | None, pattern: str | None, blocks: list[Block]) -> str:
    instruments = sorted({b.instrument[0] for b in blocks if b.instrument})
    lines = [
        f"# Drafted by `peerimpact init` from {raw.name}/. Check every line marked GUESS, then delete the mark.",
        "# Keys and their meaning: docs/study-format.md.",
        f"title: {_q(raw.name)}   # TODO: the study's title",
        "synthetic: false   # true only for made-up data",
        "sites:",
    ]
    if sites:
        for s in sorted(sites):
            lines.append(f"  - {_q({'id': s, 'name': 'Site ' + s})}   {GUESS} (values of the site column)")
    else:
        lines.append("  - {id: \"1\", name: Site 1}   # TODO: no site column found")
    lines.append("timepoints:")
    for tp in timepoints.all():
        why = f"seen as {', '.join(sorted(tp.seen_as))}" + ("" if tp.certain else "; month unknown: set it")
        mark = GUESS if tp.month is not None else "# TODO"
        month = int(tp.month) if tp.month is not None and float(tp.month).is_integer() else tp.month
        lines.append(f"  - {_q({'id': tp.id, 'label': tp.label, 'month': month})}   {mark} ({why})")
    lines.append(f"instruments: [{', '.join(instruments)}]" + (f"   {GUESS} (from the item columns; see mapping.yaml)" if instruments else ""))
    lines += _demographics(participants)
    if pattern:
        lines.append(f"interview_id_pattern: {_q(pattern)}   {GUESS} (reads every interview name)")
    lines.append("speakers: [Interviewer, Participant]   # TODO: the labels that open a turn in your transcripts")
    lines.append("# end_date: 2024-03-31   # TODO: the end of the study period (months in post run to it)")
    return "\n".join(lines) + "\n"


def _mapping_yaml(blocks: list[Block], timepoints: _Timepoints) -> str:
    lines = [
        "# Drafted by `peerimpact init`. How each file becomes a study table: docs/mapping.md.",
        "# Check every line marked GUESS, then delete the mark. Sources are named by sheet (Excel) or file stem.",
        "study: study.yaml",
        "tables:",
    ]
    by_table: dict[str, list[Block]] = {}
    for b in blocks:
        by_table.setdefault(b.table, []).append(b)
    tp_of = {label: tp for tp in timepoints.all() for label in tp.seen_as}
    for table in ("participants", "employment", "responses", "contacts"):
        group = by_table.get(table, [])
        if not group:
            continue
        if table == "contacts":
            lines.append("  # contacts: one row per contact, as the log comes; without an allocations table the import derives one")
            lines.append("  # allocation per worker and person, from the first contact to the last (docs/mapping.md).")
        lines.append(f"  {table}:")
        for b in group:
            lines += _block_lines(b, "  ", tp_of)
    return "\n".join(lines) + "\n"


def _block_lines(b: Block, prefix: str, tp_of: dict[str, Timepoint]) -> list[str]:
    """The lines of one mapping block: source, timepoint(s), columns, demographics, instrument; each line starts with ``prefix``."""
    lines = [f"{prefix}  - from: {_q(b.source.name)}   # {b.source.label}, {len(b.source.rows)} rows"]
    if b.timepoint:
        tp = tp_of[b.timepoint]
        lines.append(f"{prefix}    timepoint: {_q({'value': tp.id})}   {GUESS} (from the name {b.timepoint!r})")
    if b.wide:
        lines.append(f"{prefix}    timepoints: {_q(b.wide)}   {GUESS} (wave -> its text in the column names)")
    if b.wave_column:
        values = {v: tp_of[v].id for v in sorted({canonical_text(x) for x in _values(b.source, b.wave_column)})}
        lines.append(f"{prefix}    timepoint: {_q({'column': b.wave_column, 'values': values})}   {GUESS}")
    lines.append(f"{prefix}    columns:")
    for study_col in _column_order(b):
        if study_col in b.todo:
            lines.append(f"{prefix}      # {study_col}: ...   # TODO: {b.todo[study_col]}")
            continue
        if study_col in b.specs:
            spec = dict(b.specs[study_col])
        else:
            spec = {"column": b.columns[study_col]}
        if study_col in b.recodes:
            spec["recode"] = b.recodes[study_col]
        if study_col in b.date_formats:
            spec["date_format"] = b.date_formats[study_col]
        text = _q(spec["column"]) if list(spec) == ["column"] else _q(spec)
        why = f" ({b.notes[study_col]})" if study_col in b.specs and study_col in b.notes else ""
        lines.append(f"{prefix}      {study_col}: {text}   {GUESS}{why}")
    if b.table == "participants" and b.notes.get("demographics"):
        for column in b.notes["demographics"].split(","):
            if _values(b.source, column) and not isinstance(_values(b.source, column)[0], (dt.date, dt.datetime)):
                lines.append(f"{prefix}      {_q(column)}: {_q(column)}   {GUESS} (a demographic: see study.yaml)")
    if b.instrument:
        inst, pattern, why = b.instrument
        lines.append(f"{prefix}    instruments:")
        lines.append(f"{prefix}      {inst}: {_q({'pattern': pattern})}   {GUESS} ({why})")
    return lines


def _column_order(b: Block) -> list[str]:
    """The block's study columns: a contact log's in the order of contacts.csv, others as drafted."""
    names = list(b.columns) + [c for c in (*b.specs, *b.todo) if c not in b.columns]
    if b.table != "contacts":
        return names
    order = CONTACTS.column_names
    return sorted(names, key=lambda c: order.index(c) if c in order else len(order))


def write_draft(raw: str | Path, out: str | Path) -> tuple[Draft, list[Path]]:
    """Draft from ``raw`` and write ``study.yaml`` and ``mapping.yaml`` into ``out`` (created).

    Raises
    ------
    UserInputError
        When ``out`` already holds a ``study.yaml`` or ``mapping.yaml`` (never overwritten).
    """
    from ..fileio import write_text

    target = Path(out)
    existing = [n for n in ("study.yaml", "mapping.yaml") if (target / n).exists()]
    if existing:
        raise UserInputError(f"{target}: already holds {' and '.join(existing)}; choose an empty folder (nothing was written)")
    draft = draft_study(raw)
    target.mkdir(parents=True, exist_ok=True)
    written = [write_text(target / "study.yaml", draft.study_yaml), write_text(target / "mapping.yaml", draft.mapping_yaml)]
    return draft, written

"""The tabular files of a study folder: their columns and value rules.

Each table is declared once; the loader, the validator, the docs and the
exporters read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "str", "date", "int", "float", "enum", "flag"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = True  # the column must exist
    nullable: bool = False  # an empty cell is allowed
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    past_only: bool = False  # a date that cannot lie in the future (consent, allocation, contact)
    help: str = ""


@dataclass(frozen=True)
class Table:
    name: str  # logical name, e.g. "contacts"
    file: str  # file name in the study folder
    optional: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique key
    help: str = ""
    open_columns: bool = False  # extra columns allowed (participants: demographics; responses: items)
    # Text columns whose cells are data, read exactly as written (a quote may begin or end with
    # whitespace); every other cell is trimmed by the loader.
    verbatim: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


CONTACT_MODES = ("face_to_face", "telephone", "other")
CONTACT_STATUSES = ("completed", "attempted", "cancelled", "did_not_attend")
CONTACT_PHASES = ("pre_discharge", "post_discharge")
CONTRACTS = ("contracted", "bank")
CODING_ORIGINS = ("human", "suggested")

PARTICIPANTS = Table(
    "participants",
    "participants.csv",
    optional=False,
    open_columns=True,
    key=("participant_id",),
    help="One row per peer worker (pseudonymised), with the demographic columns declared in `study.yaml`.",
    columns=(
        Column("participant_id", "id", help="Pseudonymised participant id."),
        Column("site", "id", help="Site id declared in `study.yaml`."),
        Column("consent_date", "date", past_only=True, help="Date consent was recorded (YYYY-MM-DD)."),
    ),
)

RESPONSES = Table(
    "responses",
    "responses.csv",
    optional=False,
    open_columns=True,
    key=("participant_id", "timepoint"),
    help=(
        "One row per participant and timepoint. Item columns are named `<instrument>_<item>` "
        "(e.g. `wemwbs_1`); pre-scored outcome columns `<instrument>.<subscale>` (e.g. `mjs.personal`). "
        "An empty cell is a missing value."
    ),
    columns=(
        Column("participant_id", "id", help="Participant id from `participants.csv`."),
        Column("timepoint", "id", help="Timepoint id declared in `study.yaml`."),
    ),
)

SERVICE_USE = Table(
    "service_use",
    "service_use.csv",
    optional=True,
    key=("participant_id", "timepoint", "service"),
    help="CSRI-style service use over the recall period, one row per participant, timepoint and service.",
    columns=(
        Column("participant_id", "id"),
        Column("timepoint", "id"),
        Column("service", "id", help="Service id of the `csri` instrument (or the study's own schedule)."),
        Column("used", "flag", help="1 if the service was used in the recall period, else 0."),
        Column("count", "int", nullable=True, minimum=0, help="Number of contacts, nights or attendances; empty if unknown."),
    ),
)

EMPLOYMENT = Table(
    "employment",
    "employment.csv",
    optional=True,
    key=("participant_id",),
    help="Employment and sickness absence as reported by site coordinators.",
    columns=(
        Column("participant_id", "id"),
        Column("contract", "enum", choices=CONTRACTS, help="`contracted` or `bank` (casual, no contracted hours)."),
        Column("hours_per_week", "float", nullable=True, minimum=0, maximum=80, help="Contracted hours per week; empty for bank staff."),
        Column("start_date", "date"),
        Column("end_date", "date", nullable=True, help="Empty while still in post."),
        Column("sick_days", "float", nullable=True, minimum=0,
               help="Days of recorded sickness absence. Format version 2: derived from `absence.csv` for a worker with spells "
                    "(leave empty, or it must equal the derived days); otherwise an undated total."),
    ),
)

ALLOCATIONS = Table(
    "allocations",
    "allocations.csv",
    optional=True,
    key=("person_id", "worker_id", "allocated_on"),
    help="Which peer worker supports which person (pseudonymised person ids only).",
    columns=(
        Column("person_id", "id"),
        Column("worker_id", "id", help="Participant id of the peer worker."),
        Column("allocated_on", "date", past_only=True),
        Column("discharged_on", "date", nullable=True, help="Discharge from hospital; empty if not yet discharged."),
        Column("ended_on", "date", nullable=True, help="End of peer support; empty if ongoing."),
    ),
)

CONTACTS = Table(
    "contacts",
    "contacts.csv",
    optional=True,
    key=("contact_id",),
    help="The online contact log: one row per contact a peer worker had or attempted.",
    columns=(
        Column("contact_id", "id"),
        Column("worker_id", "id"),
        Column("person_id", "id"),
        Column("date", "date", past_only=True),
        Column("mode", "enum", choices=CONTACT_MODES),
        Column("duration_minutes", "float", nullable=True, minimum=0, maximum=24 * 60),
        Column("status", "enum", choices=CONTACT_STATUSES),
        Column("phase", "enum", choices=CONTACT_PHASES),
    ),
)

ABSENCE_REASONS = ("mental_health", "musculoskeletal", "respiratory", "gastrointestinal", "injury", "other", "unknown")

ABSENCE = Table(
    "absence",
    "absence.csv",
    optional=True,
    key=("participant_id", "start_date"),
    help=(
        "Format version 2: sickness absence as dated spells, one row per spell, from which `employment.csv`'s "
        "`sick_days` is derived (calendar days, both ends included; an open spell runs to the study's end)."
    ),
    columns=(
        Column("participant_id", "id", help="Participant id of the peer worker (in `employment.csv`)."),
        Column("start_date", "date", help="First day of absence."),
        Column("end_date", "date", nullable=True, help="Last day of absence; empty while the spell goes on."),
        Column("reason", "enum", choices=ABSENCE_REASONS,
               help="Category of the recorded reason (the NHS Electronic Staff Record's reasons, grouped; see docs/facts.md)."),
    ),
)

CODINGS = Table(
    "codings",
    "qual/codings.csv",
    optional=True,
    key=("segment_id", "code", "coder"),
    open_columns=True,
    verbatim=("quote",),
    help=(
        "Coded spans of transcripts: `[start, end)` in Unicode code points of the normalised text (LF line ends, "
        "no BOM). Optional columns: `version` (the codebook version the coding was made under), `timestamp` "
        "(ISO date-time) and `quote` (the coded text; when present it must equal the span's text)."
    ),
    columns=(
        Column("segment_id", "id"),
        Column("interview_id", "str"),
        Column("start", "int", minimum=0),
        Column("end", "int", minimum=0),
        Column("code", "id"),
        Column("coder", "id"),
        Column("origin", "enum", required=False, nullable=True, choices=CODING_ORIGINS,
               help="`human` (the default when empty or absent) or `suggested`: a code suggestion the coder accepted."),
        Column("model_version", "str", required=False, nullable=True,
               help="For a suggested coding, the version of the model that suggested it (required then)."),
    ),
)

TABLES: tuple[Table, ...] = (PARTICIPANTS, RESPONSES, SERVICE_USE, EMPLOYMENT, ALLOCATIONS, CONTACTS, ABSENCE, CODINGS)

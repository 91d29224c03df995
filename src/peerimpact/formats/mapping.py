"""``mapping.yaml``: how a user's files become a study folder.

One pydantic model, unknown keys rejected with a hint. The file says where
the study definition comes from, how each source file is read, and, for
each study table, which source table feeds it and how source columns become
study columns and instrument items (with value recodes, event -> timepoint
and site from a column or a REDCap data access group). See
``docs/mapping.md`` for a worked example.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | float | bool | dt.date | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_spec(key: str):
    """Allow a bare string where a spec with ``key`` is expected."""

    def convert(v: Any) -> Any:
        if isinstance(v, str):
            return {key: v}
        return v

    return convert


class SourceOptions(_Strict):
    """How to read one source table (all optional)."""

    file: str | None = Field(default=None, description="Name of the input file this source comes from (as given on the command line, without folders).")
    sheet: str | None = Field(default=None, description="XLSX: the sheet's title (default: the source's name).")
    header_row: int = Field(default=1, ge=1, description="Spreadsheet row holding the column names; rows above it are skipped.")
    encoding: Literal["utf-8", "auto", "utf-8-sig", "cp1252", "latin-1", "utf-16", "mac-roman"] = Field(
        default="utf-8",
        description="CSV: text encoding. `utf-8` (with or without a byte-order mark) unless named; `auto` detects it (charset-normalizer) and the import report says what it chose.",
    )
    delimiter: Literal["auto", ",", ";", "\t", "|", "tab"] = Field(default="auto", description="CSV: the delimiter (`auto` detects it).")
    decimal: Literal["auto", ".", ","] = Field(default="auto", description="CSV: decimal mark; `auto` accepts a decimal comma when the delimiter is not a comma.")


class ColumnSpec(_Strict):
    """Where one study column's values come from: a source column, a constant or a template."""

    column: str | None = Field(default=None, description="Source column name (may contain `{timepoint}` in a wide layout).")
    value: str | int | float | bool | dt.date | None = Field(default=None, description="A constant for every row (e.g. one site, or a date).")
    template: str | None = Field(default=None, description=(
        "Text built from source columns, e.g. `\"{record_id}-{redcap_repeat_instance}\"`; `{row}` is the row's "
        "position in its source (1 = first data row), e.g. an id for files without one."
    ))
    recode: str | dict[Any, Any] | None = Field(default=None, description="A recode: the name of one under `recodes:` or an inline mapping source value -> study value (`null` = missing).")
    use: Literal["code", "label"] | None = Field(default=None, description=(
        "For SPSS value labels and REDCap choices: read the `code` or its `label` (default: "
        "label for categorical demographics, code otherwise)."
    ))
    date_format: str | None = Field(default=None, description="For text dates not in YYYY-MM-DD form: a strptime format, e.g. `%d/%m/%Y`.")
    discharge_date: str | None = Field(
        default=None,
        description=(
            "contacts.phase only: the source column holding the person's discharge date; a contact before it is `pre_discharge`, on or "
            "after it `post_discharge`, and with no discharge date `pre_discharge` (not yet discharged)."
        ),
    )
    missing_values: list[Scalar] | None = Field(
        default=None,
        description=(
            "Source values that mean missing in this column, instead of the mapping's `missing_values` (an empty cell is always "
            "missing), e.g. `[\"Prefer not to say\"]` for age while gender keeps it as a category."
        ),
    )
    replace: dict[str, str] | None = Field(
        default=None,
        description="Regular expression -> replacement, applied in order to the text before any recode (Python `re.sub`; `\\1` refers to a group), e.g. `{\"^S0*\": \"\"}`.",
    )

    @field_validator("replace", mode="before")
    @classmethod
    def _replace(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out = {}
        for pattern, repl in v.items():
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise ValueError(f"replace: {pattern!r} is not a regular expression ({exc})") from None
            out[str(pattern)] = "" if repl is None else str(repl)
        return out

    @model_validator(mode="after")
    def _one_source(self) -> "ColumnSpec":
        given = [k for k in ("column", "value", "template", "discharge_date") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, value or template" + (" (or discharge_date for contacts.phase)" if len(given) > 1 and "discharge_date" in given else ""))
        return self


class InstrumentSpec(_Strict):
    """All items (or pre-scored subscales) of one instrument through one column pattern."""

    pattern: str = Field(description=(
        "Source column for each item (`{item}`, e.g. `WEM{item}`; `{item:02d}` pads item numbers: `Q{item:02d}` reads `Q01`) or "
        "pre-scored subscale (`{subscale}`, e.g. `MJS_{subscale}`); may also contain `{timepoint}`."
    ))
    items: list[str] | None = Field(default=None, description="Only these item (or subscale) ids; default all.")
    recode: str | dict[Any, Any] | None = Field(default=None, description="Recode applied to every item (see ColumnSpec.recode).")
    use: Literal["code", "label"] | None = Field(default=None, description="Read value-label codes (default) or labels.")
    missing_values: list[Scalar] | None = Field(default=None, description=(
        "Source values that mean missing in these items, instead of the mapping's "
        "`missing_values` (e.g. `[9]` for \"not answered\")."
    ))

    @field_validator("items", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        items = re.findall(r"\{item(?::([^{}]*))?\}", v)
        if (len(items) == 1) == ("{subscale}" in v) or len(items) > 1 or v.count("{subscale}") > 1:
            raise ValueError("pattern must contain exactly one of {item} (or {item:02d} for zero-padded numbers) or {subscale}")
        if items and items[0]:
            try:
                format(1, items[0])
            except ValueError:
                raise ValueError(f"{{item:{items[0]}}}: {items[0]!r} is not a number format (e.g. 02d)") from None
        return v


class TimepointSpec(_Strict):
    """How a row's timepoint is found (long layout)."""

    column: str | None = Field(default=None, description="Source column holding the visit or event (e.g. `redcap_event_name`).")
    values: dict[str, str] | None = Field(default=None, description="Source value -> timepoint id (e.g. `baseline_arm_1: T1`); default: the values are timepoint ids.")
    value: str | None = Field(default=None, description="One timepoint for every row (e.g. a sheet per wave).")
    unmapped: Literal["error", "skip"] = Field(default="error", description="Rows whose value is not in `values`: an `error`, or `skip` them (e.g. REDCap events that are not waves).")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        return {str(k): (str(x) if x is not None else x) for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _one(self) -> "TimepointSpec":
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of column or value")
        if self.value is not None and self.values is not None:
            raise ValueError("values only applies with column")
        return self


class ServiceSpec(_Strict):
    """Columns of one service in a wide service-use layout."""

    used: ColumnSpec = Field(description="Column with 1/0 (or a recode to 1/0): the service was used.")
    count: ColumnSpec | None = Field(default=None, description="Column with the number of contacts, nights or attendances.")

    _used = field_validator("used", "count", mode="before")(lambda v: _as_spec("column")(v))


class Block(_Strict):
    """One source table feeding one study table."""

    from_: str = Field(alias="from", description=(
        "Source name: a CSV file's stem, an XLSX sheet title, an SPSS file's stem, `records` or a "
        "repeating instrument for REDCap, or a name under `sources:`."
    ))
    where: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict, description="Keep only rows whose source column equals the value (or one of the values).")
    require: list[str] = Field(default_factory=list, description="Keep only rows where at least one of these source columns has a value.")
    columns: dict[str, ColumnSpec] = Field(default_factory=dict, description="Study column -> source column (a name) or a ColumnSpec.")
    timepoint: TimepointSpec | None = Field(default=None, description="Long layout: where each row's timepoint comes from (responses, service use).")
    timepoints: dict[str, str] | None = Field(default=None, description="Wide layout: timepoint id -> text put in place of `{timepoint}` in column names (a list means the ids themselves).")
    instruments: dict[str, InstrumentSpec] = Field(default_factory=dict, description="Responses: instrument id -> column pattern (a string) or an InstrumentSpec.")
    services: dict[str, ServiceSpec] = Field(default_factory=dict, description="Service use, wide layout: service id -> its used/count columns.")
    skip_empty: bool = Field(default=True, description="Responses and service use: drop rows in which every mapped value is empty.")

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, v: Any) -> Any:
        return {str(k): _as_spec("column")(x) for k, x in v.items()} if isinstance(v, dict) else v

    @field_validator("instruments", mode="before")
    @classmethod
    def _instruments(cls, v: Any) -> Any:
        return {str(k): _as_spec("pattern")(x) for k, x in v.items()} if isinstance(v, dict) else v

    @field_validator("timepoints", mode="before")
    @classmethod
    def _timepoints(cls, v: Any) -> Any:
        if isinstance(v, list):
            return {str(x): str(x) for x in v}
        if isinstance(v, dict):
            return {str(k): str(x) for k, x in v.items()}
        return v

    @field_validator("where", mode="before")
    @classmethod
    def _where(cls, v: Any) -> Any:
        return {str(k): x for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _layout(self) -> "Block":
        if self.timepoint is not None and self.timepoints is not None:
            raise ValueError("give timepoint (long layout) or timepoints (wide layout), not both")
        return self


def _blocks(v: Any) -> Any:
    return [v] if isinstance(v, dict) else v


class Tables(_Strict):
    """Study table -> one block or a list of blocks."""

    participants: list[Block] = Field(default_factory=list, description="participants.csv: participant_id, site, consent_date and the declared demographics.")
    responses: list[Block] = Field(default_factory=list, description="responses.csv: participant_id, a timepoint, items and pre-scored outcomes.")
    service_use: list[Block] = Field(default_factory=list, description="service_use.csv (optional).")
    employment: list[Block] = Field(default_factory=list, description="employment.csv (optional).")
    allocations: list[Block] = Field(default_factory=list, description="allocations.csv (optional).")
    contacts: list[Block] = Field(default_factory=list, description="contacts.csv (optional): e.g. a REDCap repeating contact-log instrument.")
    absence: list[Block] = Field(
        default_factory=list,
        description="absence.csv (optional; study format version 2): sickness-absence spells, e.g. a REDCap repeating instrument.",
    )

    _wrap = field_validator("participants", "responses", "service_use", "employment", "allocations", "contacts", "absence", mode="before")(
        lambda v: _blocks(v)
    )


_DEFAULT_MISSING: tuple[Scalar, ...] = ("", "NA", "N/A")


class Mapping(_Strict):
    """The contents of ``mapping.yaml``."""

    version: Literal[1] = Field(default=1, description="Mapping format version.")
    study: str | dict[str, Any] = Field(description="The study definition: a path to a study.yaml (relative to the mapping file) or its keys inline.")
    instrument_files: list[str] = Field(default_factory=list, description="Paths of the study's own instrument YAML files (copied to the study's instruments/).")
    sources: dict[str, SourceOptions] = Field(default_factory=dict, description="Optional reading options per source name.")
    missing_values: list[Scalar] = Field(default_factory=lambda: list(_DEFAULT_MISSING), description="Source values that mean missing, in every column.")
    recodes: dict[str, dict[Any, Any]] = Field(default_factory=dict, description="Named recodes: name -> {source value: study value}; `null` means missing.")
    tables: Tables = Field(description="Study table -> block(s).")

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, v: Any) -> Any:
        return {str(k): x for k, x in v.items()} if isinstance(v, dict) else v


TABLE_NAMES = tuple(Tables.model_fields)

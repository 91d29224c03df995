"""The study definition (``study.yaml``): one pydantic model, documented from itself.

Every key is declared once here, with its default and help text; validation,
the error hints for unknown keys, and ``docs/study-format.md`` all derive from
these models (see :mod:`peerimpact.study.docs`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_ID_RE = re.compile(ID_PATTERN)
#: Speaker turns when ``study.yaml`` sets neither ``speakers`` nor ``turn_pattern``
#: (the same as :data:`peerimpact.qual.corpus.DEFAULT_TURN_PATTERN`).
DEFAULT_TURN_PATTERN = r"^(?P<speaker>Interviewer|PW)[ \t]*:[ \t]*"


def check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ValueError(
            f"{what} {value!r} must start with a letter or digit and contain only letters, "
            "digits, '_', '.' and '-'"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Site(_Strict):
    """A service where peer workers are employed."""

    id: str = Field(description="Short site id used in `participants.csv` and interview ids, e.g. `1` or `north`.")
    name: str = Field(description="Human-readable site name (pseudonymised if needed).")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> str:
        return check_id(str(v), "site id")


class Timepoint(_Strict):
    """A data-collection wave."""

    id: str = Field(description="Timepoint id used in `responses.csv` and interview ids, e.g. `T1`, `baseline`, `m6`.")
    label: str = Field(description="Label shown in tables, e.g. `After training`.")
    month: float = Field(ge=0, description="Months since the start of the post (or of the study); orders the timepoints.")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: object) -> str:
        return check_id(str(v), "timepoint id")


class Demographic(_Strict):
    """A socio-demographic column of `participants.csv`."""

    column: str = Field(description="Column name in `participants.csv`.")
    label: str = Field(description="Label shown in Table 1.")
    type: Literal["categorical", "continuous"] = Field(description="`categorical` (n and %) or `continuous` (mean, SD, range).")
    categories: list[str] | None = Field(
        default=None,
        description="Optional list of allowed values for a categorical column, in display order; other values are errors.",
    )
    minimum: float | None = Field(default=None, description="Optional lowest plausible value of a continuous column (e.g. 16 for age).")
    maximum: float | None = Field(default=None, description="Optional highest plausible value of a continuous column (e.g. 100 for age).")

    @model_validator(mode="after")
    def _bounds(self) -> "Demographic":
        if (self.minimum is not None or self.maximum is not None) and self.type != "continuous":
            raise ValueError(f"minimum and maximum apply to continuous columns only ({self.column} is categorical)")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum:g} is above maximum {self.maximum:g}")
        return self

    @field_validator("column")
    @classmethod
    def _column(cls, v: str) -> str:
        reserved = {"participant_id", "site", "consent_date"}
        if v in reserved:
            raise ValueError(f"demographic column {v!r} clashes with a required column of participants.csv")
        return v


class StudyDefinition(_Strict):
    """The contents of `study.yaml`."""

    format_version: Literal[1, 2] | None = Field(
        default=None,
        description="Study folder format: 1 (when absent) or 2, which adds `absence.csv` (dated absence spells; `sick_days` derived from them). `peerimpact upgrade STUDY` moves a folder from 1 to 2.",
    )
    title: str = Field(description="Study title shown on reports.")
    synthetic: bool = Field(default=False, description="True when the data are synthetic; reports then carry a 'synthetic data' banner on every page.")
    sites: list[Site] = Field(min_length=1, description="The study's sites.")
    timepoints: list[Timepoint] = Field(min_length=1, description="The data-collection waves, any ids and any number.")
    baseline: str | None = Field(default=None, description="Id of the reference timepoint; defaults to the earliest timepoint.")
    comparisons: list[tuple[str, str]] | None = Field(
        default=None,
        description="Pairs `[from, to]` of timepoint ids for paired change; defaults to the baseline against every later timepoint.",
    )
    instruments: list[str] = Field(default_factory=list, description="Ids of the instruments used (shipped, e.g. `wemwbs`, or defined in `instruments/*.yaml`).")
    missing_items_allowed: int = Field(default=1, ge=0, description="A subscale with more missing items than this is set to missing; otherwise it is prorated.")
    effect_size_sd: Literal["paired_baseline", "all_baseline"] = Field(
        default="paired_baseline",
        description="Denominator of the effect size: SD of the `from` scores of the same pairs (`paired_baseline`) or of every `from` respondent (`all_baseline`).",
    )
    change_direction: Literal["later_minus_earlier", "earlier_minus_later"] = Field(
        default="later_minus_earlier",
        description="Sign of every change in tables, figures and `results.json`: `later_minus_earlier` (a rise is positive) or `earlier_minus_later` (a fall is positive, as some textbooks print it).",
    )
    demographics: list[Demographic] = Field(default_factory=list, description="Socio-demographic columns of `participants.csv` summarised in Table 1.")
    interview_id_pattern: str = Field(
        default="S{site}-PW{participant}-{timepoint}",
        description="How transcript names encode site, participant and timepoint; placeholders `{site}`, `{participant}`, `{timepoint}`.",
    )
    norms: str | None = Field(default=None, description="Optional path (relative to the study folder) of a norms file; defaults to `norms.yaml` when present.")
    suppress_below: int | None = Field(default=None, ge=2, description="Disclosure control: counts from 1 to k-1 are shown as `<k` in service-use tables.")
    end_date: dt.date | None = Field(
        default=None,
        description="End of the study's observation period (YYYY-MM-DD): months in post and days available for absence of workers "
        "still in post run to it. Default: the latest date in the study's tables.",
    )
    speakers: list[str] | None = Field(
        default=None,
        description="Labels that open a speaker turn in the transcripts, e.g. `[Interviewer, Participant]` for lines starting `Interviewer:` or `Participant:`. Default: `Interviewer` and `PW`.",
    )
    turn_pattern: str | None = Field(
        default=None,
        description="Instead of `speakers`: a regular expression marking a turn at the start of a line, with a group named `speaker`.",
    )

    @field_validator("instruments")
    @classmethod
    def _instruments(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for inst in v:
            if inst in seen:
                raise ValueError(f"instrument {inst!r} is listed twice")
            seen.add(inst)
        return v

    @field_validator("turn_pattern")
    @classmethod
    def _turn_pattern(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            compiled = re.compile(v, re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"turn_pattern is not a regular expression: {exc}") from None
        if "speaker" not in compiled.groupindex:
            raise ValueError("turn_pattern needs a group named speaker, e.g. ^(?P<speaker>Interviewer|Participant):")
        return v

    @field_validator("speakers")
    @classmethod
    def _speakers(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            if not v or any(not s.strip() or ":" in s or "\n" in s for s in v):
                raise ValueError("speakers must be a non-empty list of labels without ':' (e.g. [Interviewer, Participant])")
            dupes = sorted({s for s in v if v.count(s) > 1})
            if dupes:
                raise ValueError(f"speaker label(s) listed twice: {', '.join(dupes)}")
        return v

    @field_validator("interview_id_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        for ph in ("{site}", "{participant}", "{timepoint}"):
            if v.count(ph) != 1:
                raise ValueError(f"interview_id_pattern must contain {ph} exactly once")
        leftovers = re.sub(r"\{(site|participant|timepoint)\}", "", v)
        if "{" in leftovers or "}" in leftovers:
            raise ValueError("interview_id_pattern may only use {site}, {participant} and {timepoint}")
        return v

    @model_validator(mode="after")
    def _cross(self) -> "StudyDefinition":
        for kind, items in (("site", self.sites), ("timepoint", self.timepoints)):
            ids = [x.id for x in items]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} id(s): {', '.join(dupes)}")
        cols = [d.column for d in self.demographics]
        dupes = sorted({c for c in cols if cols.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate demographic column(s): {', '.join(dupes)}")
        if self.speakers is not None and self.turn_pattern is not None:
            raise ValueError("set speakers or turn_pattern, not both")
        tp_ids = {t.id for t in self.timepoints}
        if self.baseline is not None and self.baseline not in tp_ids:
            raise ValueError(f"baseline {self.baseline!r} is not a declared timepoint")
        for a, b in self.comparisons or []:
            for t in (a, b):
                if t not in tp_ids:
                    raise ValueError(f"comparison [{a}, {b}] uses undeclared timepoint {t!r}")
            if a == b:
                raise ValueError(f"comparison [{a}, {b}] compares a timepoint with itself")
        return self

    # ------------------------------------------------------------------ derived
    @property
    def ordered_timepoints(self) -> list[Timepoint]:
        """Timepoints sorted by month (stable for ties)."""
        return sorted(self.timepoints, key=lambda t: t.month)

    @property
    def timepoint_ids(self) -> list[str]:
        return [t.id for t in self.ordered_timepoints]

    @property
    def site_ids(self) -> list[str]:
        return [s.id for s in self.sites]

    @property
    def baseline_id(self) -> str:
        return self.baseline or self.ordered_timepoints[0].id

    @property
    def comparison_pairs(self) -> list[tuple[str, str]]:
        if self.comparisons is not None:
            return [tuple(c) for c in self.comparisons]  # type: ignore[misc]
        base = self.baseline_id
        return [(base, t) for t in self.timepoint_ids if t != base]

    @property
    def format(self) -> int:
        """The study folder format version (1 when ``format_version`` is not given)."""
        return self.format_version or 1

    @property
    def turn_regex(self) -> str:
        """The regular expression of a speaker turn: ``turn_pattern``, or built from ``speakers``, or the default."""
        if self.turn_pattern is not None:
            return self.turn_pattern
        if self.speakers is not None:
            labels = "|".join(re.escape(s) for s in sorted(self.speakers, key=len, reverse=True))
            return rf"^(?P<speaker>{labels})[ \t]*:[ \t]*"
        return DEFAULT_TURN_PATTERN

    def timepoint(self, timepoint_id: str) -> Timepoint:
        for t in self.timepoints:
            if t.id == timepoint_id:
                return t
        raise KeyError(timepoint_id)

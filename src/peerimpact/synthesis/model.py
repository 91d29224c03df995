"""The synthesis file (``synthesis.yaml``): propositions and their evidence.

Parsing is strict: every key is known, every reference (outcome, timepoint,
comparison, theme, code, exemplar segment) is resolved against the study, and
every problem is reported at once as a :class:`~peerimpact.errors.Problem`
naming ``synthesis.yaml`` and the 1-based line of the offending key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import Problem, ProblemCollector, StudyValidationError
from ..study.stages import register_study_check
from ..study.yamlio import KeyPath, line_for, load_yaml_with_lines
from .references import StudyReferences

SYNTHESIS_FILE = "synthesis.yaml"
FITS = ("confirms", "expands", "discordant", "silent")

#: Statistics a proposition may show for one outcome at one timepoint
#: (columns of the ``descriptives`` results).
TIMEPOINT_STATISTICS = ("n", "mean", "sd", "min", "max", "norm")
#: Statistics a proposition may show for one outcome and one comparison
#: (columns of the ``change`` results; ``mean`` shows the means before and after).
COMPARISON_STATISTICS = ("n", "mean", "mean_change", "ci", "t", "p", "p_holm", "wilcoxon_p", "effect_size")
DEFAULT_TIMEPOINT_STATISTICS = ("n", "mean", "sd")
DEFAULT_COMPARISON_STATISTICS = ("mean_change", "ci", "p", "effect_size")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_TOP_KEYS = ("propositions",)
_PROP_KEYS = ("id", "statement", "quantitative", "qualitative", "fit", "interpretation")
_QUANT_KEYS = ("outcome", "timepoint", "comparison", "statistics")
_QUAL_KEYS = ("themes", "codes", "exemplars")


@dataclass(frozen=True)
class QuantEvidence:
    """One quantitative finding a proposition rests on.

    Exactly one of ``timepoint`` (a summary at one wave) or ``comparison``
    (paired change ``(from, to)``) is set.
    """

    outcome: str
    timepoint: str | None
    comparison: tuple[str, str] | None
    statistics: tuple[str, ...]
    line: int | None = None

    @property
    def kind(self) -> str:
        return "timepoint" if self.timepoint is not None else "comparison"


@dataclass(frozen=True)
class QualEvidence:
    """The qualitative evidence: theme ids, code ids and exemplar segment ids."""

    themes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    exemplars: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposition:
    """A synthesising proposition with its evidence and fit judgement."""

    id: str
    statement: str
    quantitative: tuple[QuantEvidence, ...]
    qualitative: QualEvidence
    fit: str
    interpretation: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Synthesis:
    """A validated synthesis file.

    ``warnings`` holds consistency remarks that do not stop the report (an
    exemplar not coded under any of its proposition's themes or codes).
    """

    propositions: tuple[Proposition, ...]
    file: str = SYNTHESIS_FILE
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def outcomes_by_theme(self, theme_codes: dict[str, list[str]]) -> dict[str, list[str]]:
        """Outcome ids linked to each theme through the propositions, in file order.

        A proposition links a theme when it names the theme or one of the
        theme's codes.
        """
        out: dict[str, list[str]] = {t: [] for t in theme_codes}
        for prop in self.propositions:
            linked = set(prop.qualitative.themes)
            for theme, codes in theme_codes.items():
                if set(codes) & set(prop.qualitative.codes):
                    linked.add(theme)
            for theme in theme_codes:
                if theme in linked:
                    for ev in prop.quantitative:
                        if ev.outcome not in out[theme]:
                            out[theme].append(ev.outcome)
        return out


# --------------------------------------------------------------------------- loading
def load_synthesis(study: Any) -> Synthesis | None:
    """Parse and validate the study's synthesis file.

    Reads ``study.root / "synthesis.yaml"`` with line numbers when the study
    came from a folder; otherwise validates ``study.synthesis`` (lines then
    unknown). Returns ``None`` when the study has no synthesis file.

    Raises
    ------
    StudyValidationError
        Listing every problem, each naming ``synthesis.yaml`` and its line.
    """
    parsed = getattr(getattr(study, "parts", None), "synthesis", None)
    if parsed is not None:
        return parsed
    root = getattr(study, "root", None)
    path = Path(root) / SYNTHESIS_FILE if root is not None else None
    if path is not None and path.is_file():
        data, lines = load_yaml_with_lines(path, SYNTHESIS_FILE)
    elif study.synthesis is not None:
        data, lines = study.synthesis, {}
    else:
        return None
    return parse_synthesis(data, StudyReferences.from_study(study), lines)


def parse_synthesis(
    data: Any, refs: StudyReferences, lines: dict[KeyPath, int] | None = None, file: str = SYNTHESIS_FILE
) -> Synthesis:
    """Validate raw synthesis data against the study's references.

    Parameters
    ----------
    data : Any
        The parsed YAML document.
    refs : StudyReferences
        What may be referenced (outcomes, timepoints, comparisons, themes,
        codes, segments).
    lines : dict, optional
        Key path -> 1-based line, from :func:`load_yaml_with_lines`.
    """
    p = _Parser(refs, lines or {}, file)
    synthesis = p.parse(data)
    p.problems.raise_if_any()
    return synthesis


class _Parser:
    def __init__(self, refs: StudyReferences, lines: dict[KeyPath, int], file: str):
        self.refs = refs
        self.lines = lines
        self.file = file
        self.problems = ProblemCollector()
        self.warnings: list[str] = []

    # -- helpers
    def err(self, path: KeyPath, message: str) -> None:
        column = ".".join(str(x) for x in path) or None
        self.problems.add(self.file, line_for(self.lines, path) if self.lines else None, column, message)

    def keys(self, mapping: dict, allowed: Iterable[str], path: KeyPath, what: str) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.err(path + (key,), f"unknown key {key!r} in {what}{_hint(str(key), allowed)}")

    def id_list(self, value: Any, path: KeyPath, what: str) -> list[tuple[int, str]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(path, f"{what} must be a list of ids")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                self.err(path + (i,), f"{what} must be a list of ids, found {item!r}")
                continue
            out.append((i, str(item)))
        return out

    # -- structure
    def parse(self, data: Any) -> Synthesis:
        if not isinstance(data, dict):
            self.err((), "must be a mapping with a 'propositions' list")
            return Synthesis(())
        self.keys(data, _TOP_KEYS, (), "the synthesis file")
        props = data.get("propositions")
        if not isinstance(props, list) or not props:
            self.err(("propositions",), "'propositions' must be a non-empty list")
            return Synthesis(())
        parsed: list[Proposition] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(props):
            prop = self.proposition(raw, ("propositions", i))
            if prop is None:
                continue
            if prop.id in seen:
                self.err(("propositions", i, "id"), f"proposition id {prop.id!r} is used twice (first at proposition {seen[prop.id] + 1})")
            else:
                seen[prop.id] = i
            parsed.append(prop)
        return Synthesis(tuple(parsed), self.file, tuple(self.warnings))

    def proposition(self, raw: Any, path: KeyPath) -> Proposition | None:
        if not isinstance(raw, dict):
            self.err(path, "each proposition must be a mapping with id, statement, quantitative, qualitative, fit and interpretation")
            return None
        self.keys(raw, _PROP_KEYS, path, "a proposition")
        pid = raw.get("id")
        if pid is None:
            self.err(path, "proposition has no 'id'")
            pid = f"#{path[-1] + 1}"
        else:
            pid = str(pid)
            if not _ID_RE.match(pid):
                self.err(path + ("id",), f"proposition id {pid!r} must start with a letter or digit and contain only letters, digits, '_', '.' and '-'")
        statement = raw.get("statement")
        if not isinstance(statement, str) or not statement.strip():
            self.err(path + ("statement",) if "statement" in raw else path, f"proposition {pid} needs a non-empty 'statement'")
            statement = ""
        fit = raw.get("fit")
        if fit not in FITS:
            where = path + ("fit",) if "fit" in raw else path
            self.err(where, f"proposition {pid}: fit must be one of {', '.join(FITS)} (found {fit!r})")
            fit = str(fit)
        interpretation = raw.get("interpretation", "")
        if interpretation is None:
            interpretation = ""
        if not isinstance(interpretation, str):
            self.err(path + ("interpretation",), f"proposition {pid}: 'interpretation' must be text")
            interpretation = ""
        quant = self.quantitative(raw.get("quantitative"), path + ("quantitative",), pid)
        qual = self.qualitative(raw.get("qualitative"), path + ("qualitative",), pid)
        raw_qual = raw.get("qualitative")
        if not isinstance(raw_qual, dict):
            raw_qual = {}
        if not raw.get("quantitative") and not any(raw_qual.get(k) for k in _QUAL_KEYS):
            self.err(path, f"proposition {pid} cites no quantitative or qualitative evidence")
        self.check_exemplars_fit(pid, qual)
        return Proposition(pid, statement.strip(), quant, qual, fit, interpretation.strip(), line_for(self.lines, path) if self.lines else None)

    def quantitative(self, raw: Any, path: KeyPath, pid: str) -> tuple[QuantEvidence, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.err(path, f"proposition {pid}: 'quantitative' must be a list of {{outcome, timepoint}} or {{outcome, comparison}} entries")
            return ()
        out = []
        for j, item in enumerate(raw):
            ev = self.evidence(item, path + (j,), pid)
            if ev is not None:
                out.append(ev)
        return tuple(out)

    def evidence(self, item: Any, path: KeyPath, pid: str) -> QuantEvidence | None:
        if not isinstance(item, dict):
            self.err(path, f"proposition {pid}: each quantitative entry must be a mapping with 'outcome' and 'timepoint' or 'comparison'")
            return None
        self.keys(item, _QUANT_KEYS, path, "a quantitative entry")
        ok = True
        outcome = item.get("outcome")
        if outcome is None:
            self.err(path, f"proposition {pid}: quantitative entry has no 'outcome'")
            ok = False
        else:
            outcome = str(outcome)
            if outcome not in self.refs.outcomes:
                self.err(path + ("outcome",), f"unknown outcome {outcome!r}{_hint(outcome, self.refs.outcomes)}")
                ok = False
        has_tp, has_cmp = "timepoint" in item, "comparison" in item
        timepoint = comparison = None
        if has_tp == has_cmp:
            self.err(path, f"proposition {pid}: a quantitative entry needs exactly one of 'timepoint' or 'comparison'")
            return None
        if has_tp:
            timepoint = str(item["timepoint"])
            if timepoint not in self.refs.timepoints:
                self.err(path + ("timepoint",), f"unknown timepoint {timepoint!r}; declared: {', '.join(self.refs.timepoints)}")
                ok = False
        else:
            raw_cmp = item["comparison"]
            if not (isinstance(raw_cmp, list) and len(raw_cmp) == 2):
                self.err(path + ("comparison",), "comparison must be a pair [from, to] of timepoint ids")
                return None
            comparison = (str(raw_cmp[0]), str(raw_cmp[1]))
            if comparison not in self.refs.comparisons:
                declared = ", ".join(f"[{a}, {b}]" for a, b in self.refs.comparisons) or "none"
                self.err(path + ("comparison",), f"comparison [{comparison[0]}, {comparison[1]}] is not one of the study's comparisons ({declared})")
                ok = False
        allowed = TIMEPOINT_STATISTICS if has_tp else COMPARISON_STATISTICS
        stats_raw = item.get("statistics")
        stats: tuple[str, ...]
        if stats_raw is None:
            stats = DEFAULT_TIMEPOINT_STATISTICS if has_tp else DEFAULT_COMPARISON_STATISTICS
        else:
            ids = self.id_list(stats_raw, path + ("statistics",), "statistics")
            stats = tuple(s for _, s in ids)
            for k, stat in ids:
                if stat not in allowed:
                    kind = "a timepoint" if has_tp else "a comparison"
                    self.err(path + ("statistics", k), f"statistic {stat!r} is not available for {kind}; choose from {', '.join(allowed)}")
                    ok = False
            if not stats and isinstance(stats_raw, list):
                self.err(path + ("statistics",), "statistics must not be empty")
                ok = False
        if not ok or outcome is None:
            return None
        return QuantEvidence(outcome, timepoint, comparison, stats, line_for(self.lines, path) if self.lines else None)

    def qualitative(self, raw: Any, path: KeyPath, pid: str) -> QualEvidence:
        if raw is None:
            return QualEvidence()
        if not isinstance(raw, dict):
            self.err(path, f"proposition {pid}: 'qualitative' must be a mapping with themes, codes and exemplars")
            return QualEvidence()
        self.keys(raw, _QUAL_KEYS, path, "the qualitative evidence")
        themes = self.resolve(raw.get("themes"), path + ("themes",), "theme", self.refs.themes, "qual/codebook.yaml")
        codes = self.resolve(raw.get("codes"), path + ("codes",), "code", self.refs.codes, "qual/codebook.yaml")
        exemplars = self.resolve(raw.get("exemplars"), path + ("exemplars",), "exemplar segment", self.refs.segments, "qual/codings.csv")
        return QualEvidence(tuple(themes), tuple(codes), tuple(exemplars))

    def resolve(self, raw: Any, path: KeyPath, what: str, known: Any, source: str) -> list[str]:
        out = []
        for k, ref in self.id_list(raw, path, f"{what}s"):
            if ref not in known:
                if not known:
                    self.err(path + (k,), f"unknown {what} {ref!r}: {source} defines none")
                elif what == "exemplar segment":
                    self.err(path + (k,), f"unknown {what} {ref!r}: no such segment_id in {source}")
                else:
                    self.err(path + (k,), f"unknown {what} {ref!r}{_hint(ref, known)}")
                continue
            out.append(ref)
        return out

    def check_exemplars_fit(self, pid: str, qual: QualEvidence) -> None:
        allowed: set[str] = set()
        for code in qual.codes:
            allowed.update(self.refs.codes.get(code, ()))
        for theme in qual.themes:
            allowed.update(self.refs.themes.get(theme, ()))
        if not allowed:
            return
        for seg in qual.exemplars:
            if not set(self.refs.segments.get(seg, ())) & allowed:
                self.warnings.append(
                    f"proposition {pid}: exemplar {seg} is not coded under any of the proposition's themes or codes"
                )


def _hint(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _load_stage(study: Any) -> tuple[list[Problem], dict[str, Synthesis]]:
    """The study loader's synthesis stage: problems, or the resolved synthesis for ``Study.parts``."""
    try:
        synthesis = load_synthesis(study)
    except StudyValidationError as exc:
        return list(exc.problems), {}
    return [], ({} if synthesis is None else {"synthesis": synthesis})


register_study_check("synthesis", _load_stage, order=30)

"""Table 5 (the synthesis grid) and the statistics-by-themes joint display, formatted.

The numbers come from :class:`~peerimpact.synthesis.SynthesisGrid` and
:class:`~peerimpact.synthesis.JointDisplay`, which read them from the
analysis results; this module only formats.
"""

from __future__ import annotations

from typing import Any

from ..synthesis.grid import GridRow, QualSummary, Quote, SynthesisGrid
from ..synthesis.joint_display import JointDisplay
from ..synthesis.segments import shorten
from . import fmt
from .labels import Labels
from .table_model import ReportTable

ARROW = "\u2192"
LQ, RQ = "\u201c", "\u201d"


def _p(label: str, p: float) -> str:
    text = fmt.p_value(p)
    return f"{label} {text}" if text.startswith("<") else f"{label} = {text}"


def _evidence_line(ev, values: dict[str, float], labels: Labels, dp: int) -> str:
    parts = []
    for stat in ev.statistics:
        if stat == "n":
            parts.append(f"n = {fmt.count(values['n'])}")
        elif stat == "mean" and ev.timepoint is not None:
            parts.append(f"mean {fmt.num(values['mean'], dp)}")
        elif stat == "mean":
            parts.append(f"mean {fmt.num(values['mean_from'], dp)} {ARROW} {fmt.num(values['mean_to'], dp)}")
        elif stat == "sd":
            parts.append(f"SD {fmt.num(values['sd'], dp)}")
        elif stat in ("min", "max"):
            parts.append(f"{stat} {fmt.num(values[stat], dp)}")
        elif stat == "norm":
            parts.append(f"norm {fmt.mean_sd(values['norm_mean'], values['norm_sd'], dp)}")
        elif stat == "mean_change":
            parts.append(f"mean change {fmt.num(values['mean_change'], dp)}")
        elif stat == "ci":
            parts.append(f"95% CI {fmt.ci(values['ci_low'], values['ci_high'], dp)}")
        elif stat == "t":
            parts.append(f"t({fmt.count(values['df'])}) = {fmt.num(values['t'], 2)}")
        elif stat == "p":
            parts.append(_p("p", values["p"]))
        elif stat == "p_holm":
            parts.append(_p("Holm p", values["p_holm"]))
        elif stat == "wilcoxon_p":
            parts.append(_p("Wilcoxon p", values["wilcoxon_p"]))
        elif stat == "effect_size":
            parts.append(f"effect size {fmt.num(values['effect_size'], 2)}")
    where = f"at {ev.timepoint}" if ev.timepoint is not None else f"{ev.comparison[0]} {ARROW} {ev.comparison[1]}"
    return f"{labels.outcome_long(ev.outcome)}, {where}: " + ", ".join(parts)


def _coverage_text(q: QualSummary) -> str:
    bits = [
        f"{r.timepoint} {r.n_coded}/{r.n_interviewed} ({fmt.pct(r.percent)}%)"
        for r in q.coverage.itertuples(index=False)
        if r.n_interviewed
    ]
    return f"{q.name} ({q.kind}), participants coded: {'; '.join(bits) if bits else 'no interviews'}"


def quote_text(q: Quote, max_chars: int = 240) -> str:
    return f"{LQ}{shorten(q.text, max_chars)}{RQ} ({q.interview_id})"


def _qual_cell(row: GridRow) -> str:
    lines = [_coverage_text(q) for q in row.qualitative]
    lines += [quote_text(q) for q in row.exemplars]
    return "\n".join(lines) if lines else fmt.MISSING


def table_synthesis_grid(grid: SynthesisGrid, study: Any, decimals: dict[str, int], labels: Labels | None = None) -> ReportTable:
    """Table 5: Proposition | Quantitative analysis | Qualitative analysis | Fit."""
    labels = labels or Labels(study)
    rows, ids = [], []
    for row in grid.rows:
        prop = row.proposition
        quant_lines = []
        for k, ev in enumerate(prop.quantitative):
            sub = row.evidence[row.evidence["evidence"] == k]
            values = dict(zip(sub["field"], sub["value"], strict=False))
            quant_lines.append(_evidence_line(ev, values, labels, decimals.get(ev.outcome, 2)))
        statement = f"{prop.id}. {prop.statement}"
        if prop.interpretation:
            statement += f"\nInterpretation: {prop.interpretation}"
        rows.append((statement, "\n".join(quant_lines) or fmt.MISSING, _qual_cell(row), prop.fit.capitalize()))
        ids.append(prop.id)
    return ReportTable(
        key="table5_synthesis_grid",
        title="Synthesis grid: propositions with the quantitative and qualitative findings they rest on",
        columns=("Proposition", "Quantitative analysis", "Qualitative analysis", "Fit"),
        rows=tuple(rows),
        notes=(
            "Numbers are read from the analysis results (as in the outcome and paired-change tables); participants coded = participants "
            "with at least one segment coded under the theme or code by any coder, of those interviewed at the timepoint.",
            "Fit: confirms = the strands agree; expands = one strand adds to the other; discordant = they disagree; "
            "silent = one strand has no evidence on the proposition.",
        ),
        row_ids=tuple(ids),
        row_id_name="proposition_id",
    )


def table_joint_display(display: JointDisplay, study: Any, decimals: dict[str, int], labels: Labels | None = None) -> ReportTable:
    """The statistics-by-themes joint display: rows = themes, columns = timepoints."""
    labels = labels or Labels(study)
    rows = []
    for theme in display.themes:
        cells = [display.theme_names.get(theme, theme)]
        for tp in display.timepoints:
            c = display.cells[(theme, tp)]
            lines = [f"Coded: {c.n_coded} of {c.n_interviewed} ({fmt.pct(c.percent)}%)" if c.n_interviewed else "No interviews"]
            for o in c.outcomes:
                dp = decimals.get(o.outcome, 2)
                line = f"{labels.outcome_long(o.outcome)}: {fmt.mean_sd(o.mean, o.sd, dp)}"
                if o.change_from is not None:
                    line += f"; change from {o.change_from} {fmt.num(o.mean_change, dp)} (95% CI {fmt.ci(o.ci_low, o.ci_high, dp)})"
                lines.append(line)
            lines += [quote_text(q, 160) for q in c.quotes]
            cells.append("\n".join(lines))
        rows.append(tuple(cells))
    linked = [
        f"{display.theme_names.get(t, t)}: {', '.join(labels.outcome_long(o) for o in outs)}"
        for t, outs in display.linked_outcomes.items()
        if outs
    ]
    notes = [
        "Coded: participants with at least one segment coded under the theme (any coder), of those interviewed at the "
        "timepoint. Outcomes: mean (SD) at the timepoint, and paired mean change into it with its 95% CI.",
    ]
    if linked:
        notes.append("Outcomes are linked to themes through the synthesis propositions: " + "; ".join(linked) + ".")
    return ReportTable(
        key="joint_display",
        title="Joint display: qualitative themes and linked outcome statistics by timepoint",
        columns=("Theme",) + tuple(labels.timepoint(tp) for tp in display.timepoints),
        rows=tuple(rows),
        notes=tuple(notes),
        row_ids=tuple(display.themes),
        row_id_name="theme",
    )

"""Put the report together: sections in order, tables and figures numbered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..synthesis.grid import SynthesisGrid
from ..synthesis.joint_display import JointDisplay
from . import empty, fmt
from .document import BulletList, Figure, MissingTable, Paragraph, ReportDocument, Section, number_blocks
from .inputs import ResultsView
from .labels import Labels
from .methods import methods_paragraphs
from .provenance import Provenance
from .table_model import ReportTable
from .tables_absence import absence_sections
from .tables_attrition import table_attrition_characteristics, table_attrition_scores, table_completion
from .tables_change import table_models, table_paired_change, table_reliable_change
from .tables_outcomes import outcome_decimals, table_norm_difference, table_outcomes_vs_norms, table_reliability
from .tables_qual_matrices import table_code_matrix
from .tables_sample import table_demographics, table_service_use, table_workforce, workforce_paragraph
from .tables_synthesis import table_joint_display, table_synthesis_grid


@dataclass
class ReportParts:
    """The computed pieces the document is assembled from."""

    study: Any
    results: ResultsView
    scores: pd.DataFrame | None
    segments: pd.DataFrame
    completion: pd.DataFrame
    code_matrix: pd.DataFrame | None = None
    agreement: ReportTable | None = None
    qual_matrices: tuple = ()
    grid: SynthesisGrid | None = None
    joint: JointDisplay | None = None
    suggest_eval: ReportTable | MissingTable | None = None
    suggest_eval_result: Any = None
    figures: dict[str, Figure] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


#: The seed study's five tables: number -> (key, title shown when the study lacks it).
PAPER_TABLES: dict[int, tuple[str, str]] = {
    1: ("table1_demographics", "Socio-demographic characteristics of the participants"),
    2: ("table2_service_use", "Use of services in the recall period before each timepoint"),
    3: ("table3_outcomes_vs_norms", "Outcomes at each timepoint compared with published norms"),
    4: ("table4_paired_change", "Paired change in outcomes between timepoints"),
    5: ("table5_synthesis_grid", "Synthesis grid: propositions with the quantitative and qualitative findings they rest on"),
}


def _blocks(*items: Any) -> tuple:
    return tuple(i for i in items if i is not None)


def paper_table(number: int, table: ReportTable | None, reason: str = "not collected in this study") -> ReportTable | MissingTable:
    """Table ``number`` of the seed study, numbered whatever comes before it; one sentence saying why when it has no data."""
    key, title = PAPER_TABLES[number]
    return empty.or_sentence(table, key, title, reason, str(number))


#: Tables beyond the seed study: key -> title shown with the reason when the study leaves the table empty.
OTHER_TABLES: dict[str, str] = {
    "norm_difference": "Standardised difference from the norm by timepoint",
    "models_mixed": "Linear mixed models",
    "reliable_change": "Reliable change between timepoints",
    "reliability": "Internal consistency (Cronbach's alpha and McDonald's omega)",
    "attrition_baseline_scores": "Baseline scores of participants with and without follow-up",
    "attrition_baseline_characteristics": "Baseline characteristics of participants with and without follow-up",
    "qual_agreement": "Agreement between coders",
}


def other_table(key: str, table: ReportTable | None, reason: str) -> ReportTable | MissingTable:
    return empty.or_sentence(table, key, OTHER_TABLES[key], reason)


def _counted(frame: pd.DataFrame | None, column: str) -> bool:
    """True when ``frame`` has a row whose ``column`` count is above zero (a table of zeros has no data)."""
    return frame is not None and len(frame) > 0 and column in frame and bool((pd.to_numeric(frame[column], errors="coerce") > 0).any())


def _with_pairs(change: pd.DataFrame | None) -> bool:
    return _counted(change, "n")


def _sample_sections(parts: ReportParts, labels: Labels) -> list[Section]:
    study, res, figs = parts.study, parts.results, parts.figures
    scored = empty.has_scores(res)
    traj = [f for k, f in figs.items() if k.startswith("trajectories_")] if scored else []
    paired = _with_pairs(res.change)
    has_demo = res.demographics is not None and len(res.demographics) > 0
    return [
        Section("methods", "Methods", tuple(Paragraph(p) for p in methods_paragraphs(study, res, parts.completion, parts.scores, parts.segments, labels, parts.suggest_eval_result))),
        Section(
            "participants",
            "Participants",
            _blocks(
                paper_table(1, table_demographics(res, study) if has_demo else None, empty.demographics(study)),
                Paragraph(workforce_paragraph(res)) if workforce_paragraph(res) else None,
                paper_table(2, table_service_use(res, study, labels) if res.service_use is not None else None, empty.service_use(study)),
                figs.get("completion"),
            ),
        ),
        Section("outcomes", "Outcomes against norms", _blocks(paper_table(3, table_outcomes_vs_norms(res, study, labels) if scored else None, empty.no_scores(study)), *traj)),
        Section(
            "change",
            "Change over time",
            _blocks(
                paper_table(4, table_paired_change(res, study, labels) if paired else None, empty.change(study, res)),
                figs.get("forest_effect_sizes") if paired else None,
            ),
        ),
    ]


def _synthesis_section(parts: ReportParts, labels: Labels, dps: dict[str, int]) -> Section:
    study = parts.study
    return Section(
        "synthesis",
        "Mixed-methods synthesis",
        _blocks(
            paper_table(5, table_synthesis_grid(parts.grid, study, dps, labels) if parts.grid is not None else None, empty.synthesis(study)),
            table_joint_display(parts.joint, study, dps, labels) if parts.joint is not None else None,
        ),
    )


def _beyond_section(parts: ReportParts, labels: Labels, dps: dict[str, int]) -> Section:
    study, res = parts.study, parts.results
    scored, paired = empty.has_scores(res), _with_pairs(res.change)
    models = table_models(res, study, dps, labels) if scored and _counted(res.models, "n_obs") else None
    reliability = table_reliability(res, study, labels) if scored and _counted(res.reliability, "n") else None
    blocks = _blocks(
        other_table("norm_difference", table_norm_difference(res, study, labels) if scored else None, empty.norm_difference(study, res)),
        other_table("models_mixed", models, empty.models(study, res)),
        other_table("reliable_change", table_reliable_change(res, study, dps, labels) if paired else None, empty.change(study, res)),
        other_table("reliability", reliability, empty.reliability(study, res)),
        table_completion(res, study, labels),
        other_table(
            "attrition_baseline_scores", table_attrition_scores(res, study, dps, labels) if scored else None, empty.attrition_scores(study, res)
        ),
        other_table("attrition_baseline_characteristics", table_attrition_characteristics(res, study), empty.attrition_characteristics(study, res)),
    )
    return Section("beyond", "Beyond the seed study: models, reliability, reliable change and attrition", blocks)


def _qualitative_section(parts: ReportParts, labels: Labels) -> Section | None:
    study = parts.study
    if (parts.segments is None or not len(parts.segments)) and parts.suggest_eval is None:
        return None
    blocks = _blocks(
        table_code_matrix(parts.code_matrix, study, labels) if parts.code_matrix is not None and len(parts.code_matrix) else None,
        parts.figures.get("code_timepoint_heatmap"),
        *parts.qual_matrices,
        other_table("qual_agreement", parts.agreement, empty.agreement(parts.segments)),
        parts.suggest_eval,
    )
    return Section("qualitative", "Qualitative analysis: matrices, memos and agreement", blocks)


def assemble(parts: ReportParts, provenance: Provenance) -> ReportDocument:
    """Build the :class:`ReportDocument` (tables numbered in document order)."""
    study, res = parts.study, parts.results
    labels = Labels(study)
    dps = outcome_decimals(res)
    sections = _sample_sections(parts, labels) + [_synthesis_section(parts, labels, dps)]
    wf = table_workforce(res, study)
    if wf is not None:
        sections.append(Section("workforce", "Workforce and contact log", (wf,)))
    sections += absence_sections(study)
    sections.append(_beyond_section(parts, labels, dps))
    qual = _qualitative_section(parts, labels)
    if qual is not None:
        sections.append(qual)
    warnings = list(res.warnings) + (list(parts.grid.warnings) if parts.grid is not None else []) + parts.warnings
    if warnings:
        sections.append(Section("warnings", "Warnings", (BulletList(tuple(dict.fromkeys(warnings)), kind="warning"),)))

    d = study.definition
    subtitle = (
        f"{fmt.plural(len(study.participants), 'participant')}, {fmt.plural(len(d.sites), 'site')}, timepoints {', '.join(d.timepoint_ids)}. "
        f"Generated {provenance.generated_at}."
    )
    return ReportDocument(
        title=study.title,
        synthetic=bool(study.synthetic),
        sections=tuple(number_blocks(sections)),
        provenance=provenance,
        subtitle=subtitle,
        warnings=tuple(dict.fromkeys(warnings)),
    )

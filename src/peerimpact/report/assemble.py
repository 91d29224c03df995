"""Put the report together: sections in order, tables and figures numbered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..synthesis.grid import SynthesisGrid
from ..synthesis.joint_display import JointDisplay
from .document import BulletList, Figure, MissingTable, Paragraph, ReportDocument, Section, number_blocks
from .inputs import ResultsView
from .labels import Labels
from .methods import methods_paragraphs
from .provenance import Provenance
from .table_model import ReportTable
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


def paper_table(number: int, table: ReportTable | None) -> ReportTable | MissingTable:
    """Table ``number`` of the seed study, numbered whatever comes before it; a placeholder when not collected."""
    key, title = PAPER_TABLES[number]
    if table is None or not table.rows:
        return MissingTable(key, str(number), title)
    return table.numbered(str(number))


def assemble(parts: ReportParts, provenance: Provenance) -> ReportDocument:
    """Build the :class:`ReportDocument` (tables numbered in document order)."""
    study, res = parts.study, parts.results
    labels = Labels(study)
    dps = outcome_decimals(res)
    figs = parts.figures
    traj = [f for k, f in figs.items() if k.startswith("trajectories_")]

    sections = [
        Section("methods", "Methods", tuple(Paragraph(p) for p in methods_paragraphs(study, res, parts.completion, parts.scores, parts.segments, labels))),
        Section(
            "participants",
            "Participants",
            _blocks(
                paper_table(1, table_demographics(res, study) if res.demographics is not None and len(res.demographics) else None),
                Paragraph(workforce_paragraph(res)) if workforce_paragraph(res) else None,
                paper_table(2, table_service_use(res, study, labels) if res.service_use is not None else None),
                figs.get("completion"),
            ),
        ),
        Section("outcomes", "Outcomes against norms", _blocks(paper_table(3, table_outcomes_vs_norms(res, study, labels)), *traj)),
        Section("change", "Change over time", _blocks(paper_table(4, table_paired_change(res, study, labels)), figs.get("forest_effect_sizes"))),
    ]
    sections.append(
        Section(
            "synthesis",
            "Mixed-methods synthesis",
            _blocks(
                paper_table(5, table_synthesis_grid(parts.grid, study, dps, labels) if parts.grid is not None else None),
                table_joint_display(parts.joint, study, dps, labels) if parts.joint is not None else None,
            ),
        )
    )
    wf = table_workforce(res, study)
    if wf is not None:
        sections.append(Section("workforce", "Workforce and contact log", (wf,)))
    beyond = _blocks(
        table_norm_difference(res, study, labels),
        table_models(res, study, dps, labels) if res.models is not None and len(res.models) else None,
        table_reliable_change(res, study, dps, labels),
        table_reliability(res, study, labels) if res.reliability is not None and len(res.reliability) else None,
        table_completion(res, study, labels),
        table_attrition_scores(res, study, dps, labels),
        table_attrition_characteristics(res, study),
    )
    if beyond:
        sections.append(Section("beyond", "Beyond the seed study: models, reliability, reliable change and attrition", beyond))
    qual = _blocks(
        table_code_matrix(parts.code_matrix, study, labels) if parts.code_matrix is not None and len(parts.code_matrix) else None,
        figs.get("code_timepoint_heatmap"),
        *parts.qual_matrices,
        parts.agreement,
    )
    if qual:
        sections.append(Section("qualitative", "Qualitative analysis: matrices, memos and agreement", qual))
    warnings = list(res.warnings) + (list(parts.grid.warnings) if parts.grid is not None else []) + parts.warnings
    if warnings:
        sections.append(Section("warnings", "Warnings", (BulletList(tuple(dict.fromkeys(warnings)), kind="warning"),)))

    d = study.definition
    subtitle = (
        f"{len(study.participants)} participants, {len(d.sites)} sites, timepoints {', '.join(d.timepoint_ids)}. "
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

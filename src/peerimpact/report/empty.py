"""Why a table has no data: one sentence for each table a study leaves empty.

A study being set up (participants only, no questionnaire rows, no
instruments, one timepoint, one coder) still gets a full report; every table
it cannot fill is replaced by ``<title>: <reason>.`` The reasons are read from
the study and the results, never assumed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .document import MissingTable
from .table_model import ReportTable


def _questionnaires(study: Any) -> list[str]:
    return [i for i, d in (study.instruments or {}).items() if getattr(d, "kind", "questionnaire") == "questionnaire"]


def no_scores(study: Any) -> str:
    """Why the study has no outcome scores."""
    if not _questionnaires(study):
        return "study.yaml lists no questionnaire instruments, so there are no scores"
    if not len(study.responses):
        return "responses.csv has no questionnaire rows yet"
    return "no outcome could be scored (every subscale score is missing)"


def has_scores(results: Any) -> bool:
    desc = results.descriptives
    return desc is not None and len(desc) > 0 and bool((pd.to_numeric(desc["n"], errors="coerce") > 0).any())


def demographics(study: Any) -> str:
    if not study.definition.demographics:
        return "study.yaml declares no demographic columns"
    if not len(study.participants):
        return "participants.csv has no participants yet"
    return "no participant answered any of the demographic questions"


def service_use(study: Any) -> str:
    if not len(study.service_use):
        return "the study has no service-use records (service_use.csv is absent or empty)"
    return "no service-use record falls at a declared timepoint"


def change(study: Any, results: Any) -> str:
    """Why paired change (and anything needing two timepoints) cannot be shown."""
    if not study.definition.comparison_pairs:
        return "the study has one timepoint, so there is no change to test"
    if not has_scores(results):
        return no_scores(study)
    return "no participant has scores at both timepoints of any comparison"


def synthesis(study: Any) -> str:
    return "the study has no synthesis.yaml" if study.synthesis is None else "synthesis.yaml lists no propositions"


def models(study: Any, results: Any) -> str:
    if not has_scores(results):
        return no_scores(study)
    return "no outcome has scores from enough participants and timepoints to fit a mixed model"


def norm_difference(study: Any, results: Any) -> str:
    return "no scored outcome has a published or supplied norm" if has_scores(results) else no_scores(study)


def reliability(study: Any, results: Any) -> str:
    if not has_scores(results):
        return no_scores(study)
    return "reliability needs item responses, and no outcome has its items answered in full by two or more participants"


def attrition_scores(study: Any, results: Any) -> str:
    if not study.definition.comparison_pairs and len(study.definition.timepoints) < 2:
        return "the study has one timepoint, so no one can be followed up"
    if not has_scores(results):
        return no_scores(study)
    return "no participant has a baseline score"


def attrition_characteristics(study: Any, results: Any) -> str:
    if not study.definition.demographics:
        return "study.yaml declares no demographic columns"
    return attrition_scores(study, results)


def agreement(segments: pd.DataFrame) -> str:
    coders = sorted(set(segments["coder"])) if segments is not None and len(segments) else []
    if len(coders) < 2:
        who = f"one coder ({coders[0]})" if coders else "no coder"
        return f"{who} coded the transcripts, so there is no second coder to agree with"
    return "no transcript was coded by two coders, so there is nothing to compare"


def or_sentence(table: ReportTable | None, key: str, title: str, reason: str, number: str | None = None) -> ReportTable | MissingTable:
    """``table`` when it has rows, otherwise one sentence saying why it is empty."""
    if table is None or not table.rows:
        return MissingTable(key, number, title, reason)
    return table.numbered(number) if number else table

"""Run the whole quantitative analysis and write it as one JSON document."""

from __future__ import annotations

import inspect
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import __version__
from ..fileio import write_text
from ..study.model import Study
from .attrition import attrition
from .change import paired_change
from .cube import SCORE_COLUMNS, build_cube
from .demographics import demographics
from .descriptives import descriptives
from .models import Engine, mixed_models
from .norms import norms_for
from .reliable_change import reliable_change
from .schema import RELIABILITY, SCHEMA_VERSION, TABLES, TableSpec, conventions
from .service_use import service_use
from .workforce import reference_date, workforce


@dataclass
class AnalysisResults:
    """Everything :func:`analyse` computed.

    Attributes
    ----------
    tables : dict
        Key (as in ``results.json``) -> DataFrame, or for ``attrition`` a
        dict of DataFrames.
    warnings : list of str
        Results that could not be computed or may be unreliable.
    metadata : dict
        The document's ``metadata`` object.
    participant_level : dict
        Tables kept out of the JSON document (one row per participant):
        ``reliable_change``.
    """

    tables: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    participant_level: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.tables[key]

    def to_json_dict(self) -> dict[str, Any]:
        """The results document as plain JSON-ready data (NaN -> None)."""
        doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "metadata": _plain(self.metadata),
                               "warnings": list(self.warnings)}
        for key, spec in TABLES.items():
            if isinstance(spec, dict):
                doc[key] = {sub: records(self.tables[key][sub], s) for sub, s in spec.items()}
            else:
                doc[key] = records(self.tables[key], spec)
        return doc


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if kind.startswith("integer"):
        return int(value)
    if kind.startswith("number"):
        value = float(value)
        return value if math.isfinite(value) else None
    if kind.startswith("boolean"):
        return bool(value)
    return str(value)


def records(frame: pd.DataFrame, spec: TableSpec) -> list[dict[str, Any]]:
    """A table as JSON records with exactly the fields of ``spec``, typed as declared.

    Raises
    ------
    ValueError
        When ``frame`` lacks or adds fields (a programming error: the schema
        and the code must agree).
    """
    if list(frame.columns) != spec.columns:
        raise ValueError(f"table {spec.key!r} has fields {list(frame.columns)}, the schema declares {spec.columns}")
    kinds = [f.type for f in spec.fields]
    columns = [frame[c].to_numpy(dtype=object) for c in spec.columns]
    return [
        {name: _cell(col[i], kind) for name, col, kind in zip(spec.columns, columns, kinds, strict=False)}
        for i in range(len(frame))
    ]


def write_results_json(results: AnalysisResults, path: str | Path) -> Path:
    """Write ``results.to_json_dict()`` to ``path`` atomically (UTF-8, indented, no NaN)."""
    text = json.dumps(results.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    return write_text(path, text + "\n")


def _reliability(study: Study, scores: pd.DataFrame, messages: list[str]) -> pd.DataFrame:
    empty = pd.DataFrame(columns=RELIABILITY.columns)
    try:
        from ..scoring.reliability import reliability as compute
    except ImportError:
        messages.append("reliability: the scoring stage's reliability function is not available")
        return empty
    params = inspect.signature(compute).parameters
    long = scores if "outcome" in scores.columns else None  # it selects outcomes from a long table
    table = compute(study, long) if len(params) >= 2 and long is not None else compute(study)
    lacking = [c for c in RELIABILITY.columns if c not in table.columns]
    if lacking:
        messages.append(f"reliability: table lacks field(s) {', '.join(lacking)}")
    return table.reindex(columns=RELIABILITY.columns)


def _metadata(study: Study) -> dict[str, Any]:
    d = study.definition
    ref = reference_date(study)
    return {
        "title": d.title,
        "synthetic": d.synthetic,
        "timepoints": [{"id": t.id, "label": t.label, "month": t.month} for t in d.ordered_timepoints],
        "baseline": d.baseline_id,
        "comparisons": [list(c) for c in d.comparison_pairs],
        "settings": {"missing_items_allowed": d.missing_items_allowed, "effect_size_sd": d.effect_size_sd,
                     "change_direction": d.change_direction, "suppress_below": d.suppress_below},
        "software": {"name": "peerimpact", "version": __version__},
        "conventions": conventions(d.change_direction),
        "reference_date": ref.date().isoformat() if ref is not None else None,
    }


def analyse(
    study: Study,
    scores: pd.DataFrame | None = None,
    *,
    engine: Engine = "profiled_reml",
    alphas: Mapping[str, float] | None = None,
) -> AnalysisResults:
    """Run every quantitative analysis of a study.

    Parameters
    ----------
    study : Study
        The loaded study.
    scores : pandas.DataFrame, optional
        Scores, long (:func:`peerimpact.scoring.score`) or wide
        (:func:`peerimpact.scoring.score_wide`); when omitted, the wide table
        is computed (the same numbers, far fewer rows to read).
    engine : {"profiled_reml", "statsmodels"}
        Mixed-model engine (see :func:`peerimpact.quant.models.mixed_models`).
    alphas : mapping, optional
        Outcome -> alpha for reliable change, overriding the reliability table.

    Returns
    -------
    AnalysisResults
        ``to_json_dict()`` gives the document described in
        ``docs/results-schema.md``; :func:`write_results_json` writes it.
    """
    if scores is None:
        from ..scoring import score_wide

        scores = score_wide(study)  # the same scores as score(study), one row per response row
        if len(scores.columns) <= 2:  # no outcome columns (a study without instruments): an empty long table
            scores = pd.DataFrame({c: pd.Series(dtype=object if c != "score" else float) for c in SCORE_COLUMNS})
    d = study.definition
    messages: list[str] = []
    cube = build_cube(scores, d)
    rel = _reliability(study, scores, messages)
    rc_counts, rc_people = reliable_change(scores, d, reliability=rel, alphas=alphas, instruments=study.instruments,
                                           cube=cube, warnings=messages)
    tables = {
        "demographics": demographics(study.participants, d),
        "workforce": workforce(study),
        "service_use": service_use(study.service_use, d, study.instruments, d.suppress_below),
        "descriptives": descriptives(scores, d, norms=norms_for(study), cube=cube),
        "change": paired_change(scores, d, cube=cube, warnings=messages),
        "models": mixed_models(scores, d, engine=engine, cube=cube, warnings=messages),
        "reliable_change": rc_counts,
        "attrition": attrition(scores, study.participants, d, cube=cube),
        "reliability": rel,
    }
    return AnalysisResults(tables=tables, warnings=messages, metadata=_metadata(study),
                           participant_level={"reliable_change": rc_people})

"""Everything a report is made from, computed once and passed to the writers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

RESULT_TABLES = ("demographics", "workforce", "service_use", "descriptives", "change", "models", "reliable_change", "reliability")


@dataclass(frozen=True)
class ResultsView:
    """The quantitative results as the report reads them.

    Built from :func:`peerimpact.quant.analyse`'s object with
    :meth:`from_results`; tests build it directly from small frames.
    """

    descriptives: pd.DataFrame
    change: pd.DataFrame
    demographics: pd.DataFrame | None = None
    workforce: pd.DataFrame | None = None
    service_use: pd.DataFrame | None = None
    models: pd.DataFrame | None = None
    reliable_change: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    attrition: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    document: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_results(cls, results: Any) -> "ResultsView":
        tables = getattr(results, "tables", None)

        def get(key: str) -> Any:
            value = getattr(results, key, None)
            if value is None and isinstance(tables, Mapping):
                value = tables.get(key)
            return value

        attrition = get("attrition")
        document = results.to_json_dict() if hasattr(results, "to_json_dict") else {}
        return cls(
            descriptives=get("descriptives"),
            change=get("change"),
            demographics=get("demographics"),
            workforce=get("workforce"),
            service_use=get("service_use"),
            models=get("models"),
            reliable_change=get("reliable_change"),
            reliability=get("reliability"),
            attrition=dict(attrition) if isinstance(attrition, Mapping) else {},
            warnings=tuple(str(w) for w in (get("warnings") or document.get("warnings") or ())),
            document=document,
        )


def json_safe(value: Any) -> Any:
    """Replace NaN/inf by ``None`` and numpy scalars by Python numbers, recursively."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT:
        return None
    return value


def completion_frame(study: Any, results: ResultsView) -> pd.DataFrame:
    """Per timepoint: ``enrolled``, ``questionnaires`` (completed), ``interviews`` (participants interviewed).

    Questionnaire completion is read from ``attrition.completion`` (site
    ``all``); without it, the largest n of any outcome at the timepoint.
    """
    tps = list(study.definition.timepoint_ids)
    enrolled = len(study.participants)
    comp = results.attrition.get("completion") if results.attrition else None
    if comp is not None and len(comp):
        allrows = comp[comp["site"] == "all"].set_index("timepoint")
        q = {t: float(allrows.at[t, "n_completed"]) if t in allrows.index else 0.0 for t in tps}
    else:
        q = results.descriptives.groupby("timepoint")["n"].max().reindex(tps).fillna(0).to_dict()
    interviewed: dict[str, set[str]] = {t: set() for t in tps}
    for tr in study.transcripts.values():
        interviewed.setdefault(tr.timepoint, set()).add(tr.participant_id)
    return pd.DataFrame(
        {
            "timepoint": tps,
            "enrolled": [enrolled] * len(tps),
            "questionnaires": [int(q.get(t, 0)) for t in tps],
            "interviews": [len(interviewed.get(t, ())) for t in tps],
        }
    )

"""Quantitative analysis: the seed study's Tables 1-4 and what it could not do.

Each module computes one concept and returns tidy DataFrames whose fields
are declared in :mod:`peerimpact.quant.schema` (and documented in
``docs/results-schema.md``):

* :mod:`~peerimpact.quant.demographics` - Table 1
* :mod:`~peerimpact.quant.workforce` - employment and contact log
* :mod:`~peerimpact.quant.service_use` - Table 2, with
  :mod:`~peerimpact.quant.disclosure` control
* :mod:`~peerimpact.quant.descriptives` - Table 3 against
  :mod:`~peerimpact.quant.norms`
* :mod:`~peerimpact.quant.change` - Table 4 (paired t, Wilcoxon, Holm, effect sizes)
* :mod:`~peerimpact.quant.models` - random-intercept mixed models (exact
  profiled REML in :mod:`~peerimpact.quant.reml`)
* :mod:`~peerimpact.quant.reliable_change` - Jacobson-Truax and fixed criteria
* :mod:`~peerimpact.quant.attrition` - completion and baseline differences
* :mod:`~peerimpact.quant.results` - :func:`analyse` and the JSON document
"""

from __future__ import annotations

from typing import Any

__all__ = ["AnalysisResults", "analyse", "write_results_json"]


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): importing quant.norms for its load stage must not pull in
    # scipy and statsmodels (`import peerimpact` registers every load stage).
    if name in __all__:
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

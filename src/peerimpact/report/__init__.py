"""The report: HTML and Word with Tables 1-5, figures, the joint display and provenance.

``build_report(study, out_dir)`` runs the pipeline and writes every output;
see :mod:`peerimpact.report.build`.
"""

from __future__ import annotations

from .build import STAGES, ReportPaths, build_report

__all__ = ["STAGES", "ReportPaths", "build_report"]

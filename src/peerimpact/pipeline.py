"""The whole pipeline in one call: study folder -> report folder.

Used by ``peerimpact demo``, ``peerimpact report`` and the web app's Report
page, so that all three produce the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .study import Study, load_study


def run_pipeline(study: Study | str | Path, out_dir: str | Path, progress: Callable[[str], None] | None = None):
    """Load (if given a path), score, analyse and write the full report into ``out_dir``.

    Returns the report builder's result (paths of ``report.html``, ``report.docx``,
    tables, figures and ``results.json``, with per-stage timings).
    """
    from .report import build_report

    if not isinstance(study, Study):
        if progress:
            progress("load")
        study = load_study(study)
    return build_report(study, Path(out_dir), progress=progress)

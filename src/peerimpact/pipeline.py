"""The whole pipeline in one call: study folder -> report folder.

Used by ``peerimpact demo``, ``peerimpact report`` and the web app's Report
page, so that all three produce the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .study import Study


def run_pipeline(study: Study | str | Path, out_dir: str | Path, progress: Callable[[str], None] | None = None, *,
                 suggest_eval: bool = False, grouped: bool = False):
    """Load (when given a folder), score, analyse, analyse the interviews and write the report.

    Parameters
    ----------
    study : Study or path
        A loaded study, or a study folder to load and validate first.
    out_dir : path
        Folder for ``report.html``, ``report.docx``, ``tables/``, ``figures/`` and ``results.json``.
    progress : callable, optional
        Called with each stage name (load, score, analyse, qualitative, figures, render).
    suggest_eval : bool
        Add the leave-one-interview-out agreement of code suggestions with the coders (off by default).
    grouped : bool
        Problems of a study folder grouped for humans (:func:`peerimpact.load_study`'s ``grouped``).

    Returns
    -------
    peerimpact.report.ReportPaths
        The files written, with per-stage timings and warnings.
    """
    from .report import build_report

    return build_report(study if isinstance(study, Study) else Path(study), Path(out_dir), progress=progress,
                        suggest_eval=suggest_eval, grouped=grouped)

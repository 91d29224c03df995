"""``build_report``: study -> scores -> results -> qualitative -> figures -> files.

Stages (names passed to the ``progress`` callback, timed in
:attr:`ReportPaths.timings`): ``load``, ``score``, ``analyse``,
``qualitative`` (codings, matrices, agreement, synthesis), ``figures``,
``render`` (HTML, Word, CSV, JSON). Every input problem is raised before any
file is written, and the outputs are written together: into a temporary sibling
folder that replaces ``out_dir`` whole only once every file is there
(:func:`peerimpact.fileio.build_folder`), so a failure half-way leaves the
previous report, or nothing, never a mix. The library never prints: the CLI turns the callback into a
progress display.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from ..errors import UserInputError
from ..fileio import build_folder
from ..study.model import Study
from .assemble import ReportParts, assemble
from .docx_writer import write_docx
from .html import render_html
from .inputs import ResultsView, completion_frame, json_safe
from .labels import Labels
from .provenance import build_provenance

STAGES = ("load", "score", "analyse", "qualitative", "figures", "render")
# What a report folder holds; a folder holding anything else is not replaced.
REPORT_ENTRIES = frozenset({"report.html", "report.docx", "results.json", "synthesis.json", "tables", "figures"})
Progress = Callable[[str], None]


@dataclass
class ReportPaths:
    """What :func:`build_report` wrote, and how long each stage took.

    ``timings`` are wall-clock seconds per stage; ``cpu_timings`` the CPU
    seconds of this process (the two differ when the machine is busy).
    """

    out_dir: Path
    html: Path
    docx: Path
    results_json: Path
    synthesis_json: Path | None
    tables: dict[str, Path] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


class _Timer:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


def _qualitative(study: Study, results: ResultsView, suggest_eval: bool = False) -> dict[str, Any]:
    from ..synthesis import build_grid, build_joint_display, load_synthesis
    from ..synthesis.segments import interviews, segment_table
    from .tables_agreement import agreement_table
    from .tables_qual_matrices import code_matrix, qual_matrix_blocks

    out: dict[str, Any] = {"warnings": []}
    synthesis = load_synthesis(study)  # validate first: a dangling reference stops the report
    segments = segment_table(study)
    out["segments"] = segments
    out["code_matrix"] = code_matrix(segments, interviews(study), study) if len(segments) else None
    out["matrices"] = qual_matrix_blocks(study) if len(segments) and study.codebook is not None else []
    out["agreement"], agreement_warnings = agreement_table(study, segments)
    out["warnings"] += agreement_warnings
    has_themes = bool((study.codebook or {}).get("themes"))
    out["grid"] = build_grid(study, synthesis, results, segments) if synthesis is not None else None
    out["joint"] = build_joint_display(study, results, synthesis, segments) if has_themes and len(segments) else None
    out["synthesis"] = synthesis
    out["suggest_eval"], out["suggest_eval_result"] = None, None
    if suggest_eval:
        from .tables_suggest import evaluate_suggestions, suggest_eval_block

        result, reason = evaluate_suggestions(study)
        out["suggest_eval"], out["suggest_eval_result"] = suggest_eval_block(study, result, reason), result
        out["warnings"] += [f"code suggestions: {w}" for w in (result.warnings if result is not None else [])]
    return out


def _figures(study: Study, results: ResultsView, completion: pd.DataFrame, code_matrix: pd.DataFrame | None) -> dict:
    from . import figures as fig  # imported here so that matplotlib's import is timed as part of this stage

    labels = Labels(study)
    figures = {}
    if len(completion):
        f = fig.completion_figure(completion, labels)
        figures[f.key] = f
    for f in fig.trajectory_figures(results, study, labels):
        figures[f.key] = f
    if len(results.change):
        f = fig.forest_figure(results, study, labels)
        figures[f.key] = f
    if code_matrix is not None and len(code_matrix):
        names = {}
        for c in (study.codebook or {}).get("codes") or []:
            names[str(c["id"])] = str(c.get("name", c["id"]))
        pct = code_matrix.pivot(index="code", columns="timepoint", values="percent")
        cnt = code_matrix.pivot(index="code", columns="timepoint", values="n_coded")
        order = list(dict.fromkeys(code_matrix["code"]))
        tps = [t for t in study.definition.timepoint_ids if t in pct.columns]
        pct, cnt = pct.loc[order, tps], cnt.loc[order, tps]
        f = fig.heatmap_figure(pct, cnt, [names.get(c, c) for c in order], labels)
        figures[f.key] = f
    return figures


def build_report(
    study: Study | str | Path,
    out_dir: str | Path,
    progress: Progress | None = None,
    *,
    generated_at: datetime | None = None,
    scores: pd.DataFrame | None = None,
    results: Any = None,
    suggest_eval: bool = False,
    grouped: bool = False,
) -> ReportPaths:
    """Build the full report of a study into ``out_dir``.

    Parameters
    ----------
    study : Study or path
        A loaded study, or a study folder to load.
    out_dir : path
        Receives ``report.html``, ``report.docx``, ``results.json``,
        ``synthesis.json``, ``tables/*.csv`` and ``figures/*.svg|png``. It is
        created, or replaced whole when it holds a previous report; a folder
        holding anything else is refused.
    progress : callable, optional
        Called with each stage name as it starts.
    generated_at : datetime, optional
        The time stamped in the provenance block (default: now). Fix it for
        reproducible output.
    scores, results : optional
        Precomputed scores (:func:`peerimpact.score`) and analysis results
        (:func:`peerimpact.analyse`), to skip those stages.
    suggest_eval : bool
        Add the table "Agreement of code suggestions with human coders
        (leave-one-interview-out)" (:func:`peerimpact.qual.suggest.suggest_eval`,
        the numbers ``peerimpact qual suggest-eval`` prints) and a methods
        sentence on it; off by default, when the report is unchanged.
    grouped : bool
        When ``study`` is a folder: its problems grouped for humans
        (:func:`peerimpact.load_study`'s ``grouped``), as ``peerimpact report``
        prints them unless ``--all-errors``.

    Returns
    -------
    ReportPaths
        Paths written and per-stage timings in seconds.

    Raises
    ------
    StudyValidationError
        When the study, its codings or ``synthesis.yaml`` are invalid (each
        problem with file and line); nothing is written then.
    UserInputError
        When ``out_dir`` is a file, or a folder holding files a report does not
        write (they would be lost when the folder is replaced).
    """
    out = Path(out_dir)
    _check_out(out)
    timer = _Timer(progress)
    with timer.stage("load"):
        if not isinstance(study, Study):
            from ..study.load import load_study

            study = load_study(study, grouped=grouped)
    with timer.stage("score"):
        if scores is None and results is None:
            from ..scoring import score

            scores = score(study)
    with timer.stage("analyse"):
        if results is None:
            from ..quant import analyse

            results = analyse(study, scores=scores)
        view = results if isinstance(results, ResultsView) else ResultsView.from_results(results)
    with timer.stage("qualitative"):
        qual = _qualitative(study, view, suggest_eval)
    with timer.stage("figures"):
        completion = completion_frame(study, view)
        figures = _figures(study, view, completion, qual["code_matrix"])
    with timer.stage("render"):
        provenance = build_provenance(study, generated_at)
        parts = ReportParts(
            study=study,
            results=view,
            scores=scores,
            segments=qual["segments"],
            completion=completion,
            code_matrix=qual["code_matrix"],
            agreement=qual["agreement"],
            qual_matrices=tuple(qual["matrices"]),
            grid=qual["grid"],
            joint=qual["joint"],
            suggest_eval=qual["suggest_eval"],
            suggest_eval_result=qual["suggest_eval_result"],
            figures=figures,
            warnings=qual["warnings"],
        )
        doc = assemble(parts, provenance)
        paths = _write(doc, view, qual, out)
    paths.timings = dict(timer.timings)
    paths.cpu_timings = dict(timer.cpu)
    paths.warnings = list(doc.warnings)
    return paths


def _check_out(out: Path) -> None:
    """Refuse an ``out`` that is a file or a folder holding more than a previous report."""
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out}: exists and is not a folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in REPORT_ENTRIES)
        if foreign:
            raise UserInputError(
                f"{out}: holds {', '.join(foreign)}, which a report does not write; the report replaces "
                "its folder whole, so choose a new or empty folder"
            )


def _write(doc, view: ResultsView, qual: dict, out: Path) -> ReportPaths:
    """Write every output into a temporary sibling of ``out`` and swap it in whole."""
    with build_folder(out) as tmp:
        written = _write_files(doc, view, qual, tmp)
    return _rebase(written, tmp, out)


def _rebase(paths: ReportPaths, tmp: Path, out: Path) -> ReportPaths:
    """``paths`` written under ``tmp``, as they are named now that ``tmp`` became ``out``."""

    def moved(p: Path) -> Path:
        return out / p.relative_to(tmp)

    return ReportPaths(
        out,
        moved(paths.html),
        moved(paths.docx),
        moved(paths.results_json),
        None if paths.synthesis_json is None else moved(paths.synthesis_json),
        {k: moved(p) for k, p in paths.tables.items()},
        [moved(p) for p in paths.figures],
    )


def _write_files(doc, view: ResultsView, qual: dict, out: Path) -> ReportPaths:
    tables_dir, figures_dir = out / "tables", out / "figures"
    tables_dir.mkdir()
    figures_dir.mkdir()
    table_paths = {t.key: t.write_csv(tables_dir) for t in doc.tables()}
    figure_paths = []
    for f in doc.figures():
        for ext, data in (("svg", f.svg), ("png", f.png)):
            p = figures_dir / f"{f.key}.{ext}"
            p.write_bytes(data)
            figure_paths.append(p)
    results_json = out / "results.json"
    results_json.write_text(json.dumps(json_safe(view.document), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    synthesis_json = None
    if qual.get("grid") is not None or qual.get("joint") is not None:
        synthesis_json = out / "synthesis.json"
        synthesis_json.write_text(json.dumps(json_safe(synthesis_document(qual)), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    html = out / "report.html"
    html.write_text(render_html(doc), encoding="utf-8")
    docx = write_docx(doc, out / "report.docx")
    return ReportPaths(out, html, docx, results_json, synthesis_json, table_paths, figure_paths)


def synthesis_document(qual: dict) -> dict:
    """The resolved synthesis as JSON: propositions, every cited number, the joint display."""
    out: dict[str, Any] = {}
    grid = qual.get("grid")
    if grid is not None:
        out["propositions"] = grid.to_frame().to_dict("records")
        out["evidence"] = grid.evidence.to_dict("records")
        out["warnings"] = list(grid.warnings)
    joint = qual.get("joint")
    if joint is not None:
        out["joint_display"] = {k: v.to_dict("records") for k, v in joint.to_frames().items()}
    return out

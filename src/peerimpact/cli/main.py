"""``peerimpact``: the command-line interface.

Each command builds library objects and prints them; all logic lives in the
library. Data go to stdout (or ``--out``), messages and progress to stderr;
bad input exits with code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .. import __version__
from .common import ALL_ERRORS, TableFormat, emit, frame_text, progress_bar, say, user_errors, warn

app = typer.Typer(
    name="peerimpact",
    help=(
        "Run a longitudinal mixed-methods study of a peer-worker workforce end to end: "
        "validate a study folder, score questionnaires, analyse change, analyse interviews, "
        "and write an HTML and Word report.\n\n"
        "New here? Try:  peerimpact demo --out demo-output"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

STUDY_ARG = typer.Argument(..., help="Study folder (see docs/study-format.md).", show_default=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peerimpact {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """PeerImpact command line."""


@app.command()
@user_errors
def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for the demo study (OUT/study) and its report (OUT/report)."),
    seed: Optional[int] = typer.Option(None, help="Random seed of the synthetic data (default: the documented demo seed)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT folder."),
) -> None:
    """Write the synthetic demo study and run the whole pipeline on it."""
    from ..demo import DEFAULT_SEED, write_study
    from ..pipeline import run_pipeline

    study_dir = out / "study"
    write_study(study_dir, seed=DEFAULT_SEED if seed is None else seed, overwrite=force)
    say(f"wrote the SYNTHETIC demo study to {study_dir}")
    with progress_bar("building the report") as step:
        result = run_pipeline(study_dir, out / "report", progress=step)
    say(f"report: {result.html}")
    typer.echo(str(result.html))


@app.command()
@user_errors
def validate(
    study: Path = STUDY_ARG,
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Check a study folder and list its problems as file:row:column: message."""
    from ..study import load_study

    loaded = load_study(study, grouped=not all_errors)
    label = " (synthetic data)" if loaded.synthetic else ""
    say(
        f"valid: {loaded.title}{label}: {len(loaded.participants)} participants, "
        f"{len(loaded.responses)} questionnaire rows, {len(loaded.transcripts)} transcripts"
    )


@app.command()
@user_errors
def score(
    study: Path = STUDY_ARG,
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here instead of stdout."),
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Score every instrument: one row per participant, timepoint and outcome."""
    from ..scoring import score as score_study
    from ..study import load_study

    emit(frame_text(score_study(load_study(study, grouped=not all_errors)), format), out)


@app.command()
@user_errors
def analyse(
    study: Path = STUDY_ARG,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the results JSON here instead of stdout."),
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Analyse the study: Tables 1-4, mixed models, reliability, reliable change, attrition (JSON)."""
    from ..quant import analyse as analyse_study
    from ..study import load_study

    with progress_bar("analysing") as step:
        step("load")
        loaded = load_study(study, grouped=not all_errors)
        step("score and analyse")
        results = analyse_study(loaded)
    for warning in results.warnings:
        warn(warning)
    document = json.dumps(results.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    emit(document + "\n", out)


@app.command()
@user_errors
def report(
    study: Path = STUDY_ARG,
    out: Path = typer.Option(..., "--out", "-o", help="Folder for report.html, report.docx, tables/, figures/ and results.json."),
    suggest_eval: bool = typer.Option(
        False, "--suggest-eval", help="Add the agreement of code suggestions with the coders (leave-one-interview-out; as qual suggest-eval)."
    ),
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Write the full report (HTML and Word, tables, figures, provenance)."""
    from ..pipeline import run_pipeline

    with progress_bar("building the report") as step:
        result = run_pipeline(study, out, progress=step, suggest_eval=suggest_eval, grouped=not all_errors)
    say(f"report: {result.html}")
    typer.echo(str(result.html))


def _register_subcommands() -> None:
    """Attach the sub-command groups: ``qual ...``, ``import`` and ``export``."""
    from . import formats, init, qual, web

    app.add_typer(qual.app, name="qual", help="Qualitative analysis: quotes, matrices, agreement, REFI-QDA exchange, search.")
    formats.register(app)
    web.register(app)
    init.register(app)


_register_subcommands()


def run() -> None:  # console-script entry point
    app()

"""``peerimpact import`` and ``peerimpact export``: thin wrappers over :mod:`peerimpact.formats`."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..fileio import write_text
from .common import ALL_ERRORS, say, user_errors


class ImportFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    spss = "spss"
    redcap = "redcap"
    mixed = "mixed"


class ExportFormat(str, Enum):
    spss = "spss"
    xlsx = "xlsx"
    csv = "csv"
    redcap = "redcap"


@user_errors
def import_command(
    format: ImportFormat = typer.Argument(
        ...,
        metavar="FORMAT",
        help="Format of the source files: csv, xlsx, spss, redcap, or mixed (CSV, Excel and SPSS files together, each read as what it is).",
        show_default=False,
    ),
    sources: List[Path] = typer.Argument(
        ...,
        metavar="SOURCE",
        help="The files to import. REDCap: the data dictionary, the record export and optionally the events CSV, in any order.",
        show_default=False,
    ),
    mapping: Path = typer.Option(..., "--mapping", "-m", help="mapping.yaml: how source columns become study columns (docs/mapping.md).", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="The study folder to create.", show_default=False),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the import report (rows, skipped rows, labels, REDCap form statuses) as JSON here."),
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Import CSV, Excel, SPSS or REDCap files into a new, validated study folder."""
    from ..formats import import_study
    from ..formats.heap import fix_mmap_threshold

    fix_mmap_threshold()  # process-wide, so here and not in the library: freed parse buffers go back (bench/README.md "Imports")
    paths: list[str | Path] = list(sources)
    result = import_study(format.value, paths, mapping, out, overwrite=overwrite, all_errors=all_errors)
    for line in result.lines():
        say(line)
    if report is not None:
        write_text(report, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    typer.echo(str(out))


@user_errors
def export_command(
    format: ExportFormat = typer.Argument(..., metavar="FORMAT", help="spss (.sav), xlsx, csv (folder or .zip) or redcap (folder or .zip).", show_default=False),
    study: Path = typer.Argument(..., metavar="STUDY", help="Study folder (see docs/study-format.md).", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="File (.sav, .xlsx) or folder / .zip (csv, redcap) to write.", show_default=False),
    scores: bool = typer.Option(True, "--scores/--no-scores", help="Include the scored outcomes."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
    all_errors: bool = ALL_ERRORS,
) -> None:
    """Export a study to SPSS, Excel, CSV or REDCap (with a mapping that imports it back)."""
    from ..formats import export_study
    from ..study import load_study

    written = export_study(format.value, load_study(study, grouped=not all_errors), out, scores=scores, overwrite=overwrite)
    for path in written:
        say(f"wrote {path}")
    typer.echo(str(out))


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the main CLI."""
    app.command("import")(import_command)
    app.command("export")(export_command)

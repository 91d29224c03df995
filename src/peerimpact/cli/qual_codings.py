"""``peerimpact qual import-codings``: codings kept in a spreadsheet, placed in the transcripts."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import say, user_errors, warn


@user_errors
def import_codings(
    file: Path = typer.Argument(..., help="Coding sheet (CSV or .xlsx): interview_id, quote (or quote_start and quote_end), code, coder, optional memo.", show_default=False),
    into: Path = typer.Option(..., "--into", help="Study folder to merge the codings into (qual/codings.csv, qual/memos.yaml; replaced files are backed up)."),
    accept_loss: bool = typer.Option(False, "--accept-loss", help="Write the rows that could be placed; list the others on stdout."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Worksheet of a workbook (default: the first)."),
) -> None:
    """Find each quote of a coding spreadsheet in its transcript and merge the codings into a study.

    Quotes are found exactly, then ignoring whitespace, quote marks and dashes.
    Rows not found or found more than once are reported with their row
    numbers, and nothing is written unless every row is placed (or --accept-loss).
    """
    from ..qual.spreadsheet import import_coding_sheet_into

    result = import_coding_sheet_into(file, into, accept_loss=accept_loss, sheet=sheet)
    placed = result.placed
    exact = int((placed["how"] == "exact").sum())
    new = int(placed["new"].sum())
    say(
        f"placed {len(placed)} row(s): {exact} exact, {len(placed) - exact} ignoring whitespace and quote marks; "
        f"{new} new coding(s), {len(placed) - new} already in the study; {result.new_memos} new memo(s)"
    )
    for rel in result.written:
        say(f"wrote {rel}")
    if result.backup is not None:
        say(f"replaced files backed up in {result.backup}")
    if result.not_placed:
        warn(f"{len(result.not_placed)} row(s) not placed (--accept-loss); listed on stdout")
        typer.echo("\n".join(str(p) for p in result.not_placed))

"""``peerimpact init RAW --out DRAFT``: draft study.yaml and mapping.yaml from a team's raw files."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import say, user_errors, warn


@user_errors
def init(
    raw: Path = typer.Argument(..., help="Folder of raw files: CSV, Excel (.xlsx), SPSS (.sav), interviews (.docx, .txt), in any mix.", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the draft study.yaml and mapping.yaml into (never overwritten).", show_default=False),
) -> None:
    """Sniff every file of RAW and write a commented draft study.yaml and mapping.yaml.

    Each guess (ids, sites, dates, timepoints, item columns such as Q1...Q14,
    the interview name pattern) is marked '# GUESS: confirm' for the team to
    check; what could not be guessed is marked '# TODO'. Then run peerimpact
    import with the mapping (docs/first-study.md).
    """
    from ..formats.draft import write_draft

    draft, written = write_draft(raw, out)
    for path in written:
        say(f"wrote {path}")
    say(f"read {len(draft.sources)} table(s) and {len(draft.transcripts)} interview(s); {draft.guesses} guess(es) to confirm")
    for note in draft.notes:
        warn(note)


def register(app: typer.Typer) -> None:
    """Add ``init`` to the main ``peerimpact`` app."""
    app.command("init")(init)

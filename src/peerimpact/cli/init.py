"""``peerimpact init RAW --out DRAFT`` (draft study.yaml and mapping.yaml from raw files) and ``peerimpact upgrade STUDY``."""

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


@user_errors
def upgrade(study: Path = typer.Argument(..., help="Study folder in format version 1.", show_default=False)) -> None:
    """Move a study folder to format version 2 (absence.csv: dated absence spells; sick_days derived from them).

    Validates first; adds format_version: 2 to study.yaml and an empty absence.csv.
    Existing sick_days totals have no dates, so they are kept as undated totals.
    """
    from ..study.upgrade import upgrade_study

    for rel in upgrade_study(study):
        say(f"wrote {study / rel}")


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``upgrade`` to the main ``peerimpact`` app."""
    app.command("init")(init)
    app.command("upgrade")(upgrade)

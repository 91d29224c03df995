"""``peerimpact serve`` and ``peerimpact db import-study / export-study / create-admin``.

Thin adapters over :mod:`peerimpact.web.commands`, the only web module the CLI
imports (ARCHITECTURE.md). Wired into the main CLI with ``register(app)``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer

from .common import say, user_errors

db_app = typer.Typer(help="The web app's database: import a study folder, export it back, create the first admin.", no_args_is_help=True)

DATA_DIR = typer.Option(None, "--data-dir", help="Folder of the SQLite database, secret key, backups and reports "
                        "(default: $PEERIMPACT_DATA_DIR or ~/.peerimpact; --demo: a new temporary folder). "
                        "Set DATABASE_URL=postgres://... to use PostgreSQL instead of SQLite.")


@user_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    data_dir: Optional[Path] = DATA_DIR,
    demo: bool = typer.Option(False, "--demo", help="Load the synthetic demo study and demo accounts (password demo-password); loopback only."),
    threads: int = typer.Option(8, "--threads", min=1, max=64, help="Worker threads of the WSGI server (of each worker process)."),
    workers: int = typer.Option(1, "--workers", min=1, max=32, help="Worker processes: 1 runs waitress in this process; "
                                "more run gunicorn (Linux), one process per core, e.g. --workers 2 --threads 2 on 2 cores."),
) -> None:
    """Run the web app with a production WSGI server (waitress, or gunicorn with --workers), migrating first (SQLite is backed up before)."""
    from ..web import commands as web

    if demo:
        web.check_demo_host(host)  # before creating the temporary data folder
    if demo and data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="peerimpact-demo-data-"))
    prepared = web.prepare(data_dir, demo=demo, host=host)
    if prepared.backup:
        say(f"backed up the database to {prepared.backup}")
    if prepared.applied:
        say(f"applied {len(prepared.applied)} migrations")
    for user, what in prepared.demo_accounts.items():
        say(f"demo account {user} / demo-password: {what}")
    shape = f"{workers} gunicorn workers x {threads} threads" if workers > 1 else f"waitress, {threads} threads"
    say(f"PeerImpact on http://{host}:{port}/  ({shape}; data in {prepared.data_dir}; Ctrl+C to stop)")
    web.serve(host, port, threads, workers)


@db_app.command("import-study")
@user_errors
def import_study(
    study: Path = typer.Argument(..., help="Study folder to import (validated first; nothing is stored if it has problems)."),
    data_dir: Optional[Path] = DATA_DIR,
) -> None:
    """Import a study folder into an empty database (lossless)."""
    from ..web import commands as web

    say(web.import_study(study, data_dir))


@db_app.command("export-study")
@user_errors
def export_study(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the study to."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a non-empty OUT folder."),
    data_dir: Optional[Path] = DATA_DIR,
) -> None:
    """Write the database's study as a study folder (validated before it is moved into place)."""
    from ..web import commands as web

    path = web.export_study(out, overwrite, data_dir)
    say(f"wrote {path}")
    typer.echo(str(path))


@db_app.command("create-admin")
@user_errors
def create_admin(
    username: str = typer.Argument(..., help="User name of the research admin.", show_default=False),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line of stdin instead of prompting."),
    data_dir: Optional[Path] = DATA_DIR,
) -> None:
    """Create a research admin account (set up the database first if needed); prompts for the password twice.

    The first admin is made here; everyone else is created by a research admin
    on the Accounts page. The password goes through the same validators.
    """
    import sys

    from ..errors import UserInputError
    from ..web import commands as web

    if password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise UserInputError("--password-stdin: no password on stdin")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    done = web.create_admin(username, password, data_dir)
    if done.backup:
        say(f"backed up the database to {done.backup}")
    if done.applied:
        say(f"set up the database: applied {len(done.applied)} migrations")
    folder = done.data_dir
    say(f"created research admin {username!r} in data folder {folder}; start the app with: peerimpact serve --data-dir {folder}")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``db`` group to the main ``peerimpact`` app."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")

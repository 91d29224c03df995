"""Start the web app: settings, a backup of the SQLite file, migrations, optional demo, waitress.

``peerimpact serve`` (see :mod:`peerimpact.cli.web`) calls :func:`prepare`
then :func:`serve`. Waitress is a production-grade pure-Python WSGI server;
docs/deploy.md describes gunicorn behind a reverse proxy for production.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserInputError
from . import DEFAULT_SETTINGS

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def configure(data_dir: Path | None, settings: str = DEFAULT_SETTINGS) -> Path:
    """Point Django at ``data_dir`` (created) and set it up; returns the data folder."""
    if data_dir is not None:
        os.environ["PEERIMPACT_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django
    from django.conf import settings as dj

    django.setup()
    folder = Path(dj.PEERIMPACT_DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def backup_sqlite(path: Path, folder: Path) -> Path | None:
    """Copy the SQLite database (consistently, with SQLite's backup API); None when there is none yet."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.sqlite3"
    src, dst = sqlite3.connect(path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


@dataclass(frozen=True)
class Prepared:
    data_dir: Path
    backup: Path | None
    applied: list[str]
    demo_accounts: dict[str, str]


def migrate(data_dir: Path) -> tuple[Path | None, list[str]]:
    """Back up the SQLite file if migrations are pending, then migrate."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    sqlite = connection.vendor == "sqlite"
    existed = sqlite and Path(db["NAME"]).is_file() and Path(db["NAME"]).stat().st_size > 0  # before connecting creates it
    pending = pending_migrations()
    backup = None
    if pending and existed:
        backup = backup_sqlite(Path(db["NAME"]), data_dir / "backups")
    if pending:
        call_command("migrate", verbosity=0, interactive=False)
    return backup, pending


def load_demo(data_dir: Path) -> dict[str, str]:
    """Write the synthetic demo study and import it with the demo accounts (once per database)."""
    from ..demo import write_study
    from .services.accounts import demo_accounts
    from .services.study_import import database_holds_study, import_study

    if database_holds_study():
        return {}
    with tempfile.TemporaryDirectory(prefix="peerimpact-demo-") as tmp:
        study_dir = write_study(Path(tmp) / "study")
        import_study(study_dir)
    return demo_accounts()


def check_demo_host(host: str) -> None:
    """Demo mode serves only on loopback."""
    if not is_loopback(host):
        raise UserInputError(f"demo mode serves only on loopback (127.0.0.1, ::1 or localhost), not {host!r}")


def prepare(data_dir: Path | None, demo: bool = False, host: str = "127.0.0.1") -> Prepared:
    if demo:
        check_demo_host(host)
    folder = configure(data_dir)
    backup, applied = migrate(folder)
    accounts = load_demo(folder) if demo else {}
    return Prepared(folder, backup, applied, accounts)


def serve(host: str, port: int, threads: int = 8, workers: int = 1) -> None:  # pragma: no cover - blocks; exercised by e2e and bench
    """Serve on ``host:port``: waitress in this process (``workers == 1``), else gunicorn with ``workers`` processes.

    One Python process runs one request's Python code at a time, so one process
    uses one core. Several workers (gunicorn, Linux and other POSIX systems)
    use several cores; SQLite writers then queue on the database's write lock
    (see :mod:`peerimpact.web.sqlite`).
    """
    _check_port_free(host, port)
    if workers <= 1:
        from waitress import serve as waitress_serve

        from .wsgi import application

        waitress_serve(application, host=host, port=port, threads=threads, ident="peerimpact", clear_untrusted_proxy_headers=True)
        return
    _gunicorn(host, port, threads, workers)


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port something already listens on: with SO_REUSEPORT, a second server would silently share it."""
    import socket

    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine; a listener is not
        try:
            probe.bind((bare, port))
        except OSError as exc:
            raise UserInputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _gunicorn(host: str, port: int, threads: int, workers: int) -> None:  # pragma: no cover - blocks
    if os.name != "posix":
        raise UserInputError("--workers above 1 needs gunicorn, which runs on Linux and other POSIX systems only")
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # no database connection may cross the fork into the workers

    class Gunicorn(BaseApplication):
        def load_config(self):
            bind = f"[{host.strip('[]')}]:{port}" if ":" in host.strip("[]") else f"{host}:{port}"
            options = {
                "bind": [bind], "workers": workers, "threads": threads, "worker_class": "gthread",
                "timeout": 300,  # the Report page runs the whole pipeline in the request
                "keepalive": 5, "proc_name": "peerimpact",
                # Each worker listens on its own SO_REUSEPORT socket, and the kernel shares new connections
                # out evenly between them. On one shared socket, whichever worker woke first took most of
                # the keep-alive connections (46 of 50 in one trial) and the other core stayed idle.
                "reuse_port": True,
                # Like waitress's clear_untrusted_proxy_headers: no client sets the scheme or the script name.
                "forwarded_allow_ips": "", "secure_scheme_headers": {},
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from .wsgi import application

            return application

    Gunicorn().run()

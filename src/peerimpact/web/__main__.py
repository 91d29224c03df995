"""``python -m peerimpact.web`` is this project's ``manage.py``.

Commands that read accounts or records (``shell``, ``createsuperuser`` ...)
first check that the database has been set up, so that a database that was
never migrated (often: a different data folder than the one ``peerimpact
serve`` used) gives one clear message instead of ``no such table: auth_user``.
"""

from __future__ import annotations

import os
import sys

from . import DEFAULT_SETTINGS

#: Commands that need a migrated database.
NEEDS_DATABASE = frozenset({"shell", "createsuperuser", "changepassword", "runserver", "dumpdata", "loaddata", "dbshell"})


def unprepared_database() -> str | None:
    """Why the configured database cannot be used yet, or None when it is migrated."""
    import django
    from django.conf import settings

    django.setup()
    from .server import pending_migrations

    pending = pending_migrations()
    if not pending:
        return None
    db = settings.DATABASES["default"]
    where = f"SQLite file {db['NAME']}" if "sqlite" in db["ENGINE"] else f"database {db.get('NAME')!r} on {db.get('HOST') or 'localhost'}"
    return (
        f"error: the database is not set up ({len(pending)} migrations not applied): {where}, "
        f"data folder {getattr(settings, 'PEERIMPACT_DATA_DIR', '?')}.\n"
        "Is PEERIMPACT_DATA_DIR the folder that `peerimpact serve --data-dir` uses? If so, set it up with "
        "`peerimpact db create-admin USERNAME` or `python -m peerimpact.web migrate`."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    if len(sys.argv) > 1 and sys.argv[1] in NEEDS_DATABASE:
        message = unprepared_database()
        if message:
            sys.stderr.write(message + "\n")
            sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

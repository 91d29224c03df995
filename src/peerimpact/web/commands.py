"""The web app's entry points for the command line: the only web module ``cli/`` imports.

``peerimpact serve`` and ``peerimpact db ...`` (``cli/web.py``) are thin
adapters over these functions, so the CLI knows nothing of Django, settings,
models or services (ARCHITECTURE.md; ``tests/test_architecture.py`` checks it).
Every function sets Django up first, raises
:class:`~peerimpact.errors.UserInputError` for bad input, and never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UserInputError
from . import server
from .server import Prepared

__all__ = ["AdminCreated", "Prepared", "check_demo_host", "create_admin", "export_study", "import_study", "prepare", "serve"]

check_demo_host = server.check_demo_host
prepare = server.prepare
serve = server.serve


def import_study(study: Path, data_dir: Path | None) -> str:
    """Import a study folder into the (empty) database; return the summary line."""
    server.prepare(data_dir)
    from .services.study_import import import_study as run

    return str(run(study))


def export_study(out: Path, overwrite: bool, data_dir: Path | None) -> Path:
    """Write the database's study as a validated study folder at ``out``."""
    server.prepare(data_dir)
    from .services.study_export import export_study as run

    return run(out, overwrite=overwrite)


@dataclass(frozen=True)
class AdminCreated:
    """What :func:`create_admin` did: the data folder, the backup made and migrations applied."""

    data_dir: Path
    backup: Path | None
    applied: list[str]


def create_admin(username: str, password: str, data_dir: Path | None) -> AdminCreated:
    """Create a research admin, setting the database up first if needed.

    Raises
    ------
    UserInputError
        When the password fails the validators or the account exists.
    """
    folder = server.configure(data_dir)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    try:
        validate_password(password, user_model(username=username))
    except ValidationError as exc:
        raise UserInputError("password not accepted: " + " ".join(exc.messages)) from None
    backup, applied = server.migrate(folder)
    from .records.models import Role
    from .services.accounts import make_user

    if user_model.objects.filter(username__iexact=username).exists():
        raise UserInputError(f"an account named {username!r} already exists (data folder {folder})")
    make_user(username, password, Role.ADMIN)
    return AdminCreated(folder, backup, applied)

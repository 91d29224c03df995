"""``python -m peerimpact.web`` is this project's ``manage.py``."""

from __future__ import annotations

import os
import sys

from . import DEFAULT_SETTINGS


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

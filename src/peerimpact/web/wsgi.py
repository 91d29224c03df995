"""WSGI entry point (``gunicorn peerimpact.web.wsgi``; waitress in ``peerimpact serve``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from . import DEFAULT_SETTINGS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
application = get_wsgi_application()

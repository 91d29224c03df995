"""Serves the package's own static files (a reverse proxy serves them in production)."""

from __future__ import annotations

from django.conf import settings
from django.views.static import serve


def serve_static(request, path: str):
    return serve(request, path, document_root=str(settings.STATICFILES_DIRS[0]))

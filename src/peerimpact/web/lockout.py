"""What a locked-out client sees (django-axes ``AXES_LOCKOUT_CALLABLE``)."""

from __future__ import annotations

from django.shortcuts import render

from .api.errors import error_response

LOCKED_MESSAGE = "too many failed sign-ins: try again in 15 minutes"


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return error_response(429, [(None, LOCKED_MESSAGE)])
    return render(request, "web/locked_out.html", {"message": LOCKED_MESSAGE}, status=429)

"""What every page shares: sign-in and role checks, and the study banner."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..access import require_role
from ..records.models import StudyConfig


def roles(*allowed: str):
    """Decorator: signed in (else redirect to sign-in) and one of ``allowed`` roles (else 403)."""

    def wrap(view):
        @login_required
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            request.membership = require_role(request.user, *allowed)
            return view(request, *args, **kwargs)

        return inner

    return wrap


def page(request, template: str, context: dict | None = None, status: int = 200):
    config = StudyConfig.objects.order_by("id").only("title", "definition").first()
    base = {
        "study_title": config.title if config else None,
        "synthetic": bool(config and config.definition.get("synthetic")),
    }
    return render(request, template, {**base, **(context or {})}, status=status)

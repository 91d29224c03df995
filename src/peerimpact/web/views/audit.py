"""The audit trail for research admins, on screen and as CSV."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from ..access import ADMIN
from ..services.audit import TABLES, audit_csv as to_csv, audit_events
from .common import page, roles

SHOWN = 300


def _tables(request) -> list[str] | None:
    table = request.GET.get("table", "")
    return [table] if table in TABLES else None


@roles(ADMIN)
def audit_list(request):
    events = audit_events(_tables(request))
    latest = list(reversed(events))[:SHOWN]
    return page(request, "web/audit.html", {"events": latest, "total": len(events), "tables": TABLES,
                                            "table": request.GET.get("table", ""), "shown": SHOWN})


@roles(ADMIN)
def audit_csv(request):
    response = HttpResponse(to_csv(audit_events(_tables(request))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M%S}.csv"'
    return response

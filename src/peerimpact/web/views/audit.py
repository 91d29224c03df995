"""The audit trail for research admins: paged, filtered by who, what and when, and as CSV (same filter)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone

from ..access import ADMIN
from ..services.audit import LABELS, TABLES, audit_events
from ..services.audit import audit_csv as to_csv
from .common import page, roles

PER_PAGE = 50
ACTIONS = ("create", "update", "delete")


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def audit_filter(params) -> dict:
    """The filter from query parameters: ``table``, ``action``, ``user``, ``from``, ``to`` (unknown values are ignored)."""
    return {
        "table": params.get("table", "") if params.get("table", "") in TABLES else "",
        "action": params.get("action", "") if params.get("action", "") in ACTIONS else "",
        "user": params.get("user", "").strip()[:150],
        "from": _date(params.get("from")),
        "to": _date(params.get("to")),
    }


def filtered_events(f: dict) -> list:
    events = audit_events([f["table"]] if f["table"] else None)
    tz = timezone.get_current_timezone()
    out = []
    for e in events:
        day = timezone.localtime(e.timestamp, tz).date() if timezone.is_aware(e.timestamp) else e.timestamp.date()
        if ((f["action"] and e.action != f["action"]) or (f["user"] and e.user != f["user"])
                or (f["from"] and day < f["from"]) or (f["to"] and day > f["to"])):
            continue
        out.append(e)
    return out


def _query(f: dict) -> str:
    return urlencode({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in f.items() if v})


@roles(ADMIN)
def audit_list(request):
    f = audit_filter(request.GET)
    events = filtered_events(f)
    events.reverse()  # newest first
    pager = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    users = sorted({e.user for e in audit_events() if e.user})
    return page(request, "web/audit.html", {"page": pager, "tables": [(t, LABELS.get(t, t)) for t in TABLES], "actions": ACTIONS, "users": users, "f": f,
                                            "query": _query(f)})


@roles(ADMIN)
def audit_csv(request):
    f = audit_filter(request.GET)
    response = HttpResponse(to_csv(filtered_events(f)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M%S}.csv"'
    return response

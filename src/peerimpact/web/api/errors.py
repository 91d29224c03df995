"""One JSON error shape for every API failure.

``{"status": <http status>, "errors": [{"field": <name or null>, "message": <text>}, ...]}``

Field names are the JSON field names of the request (``duration_minutes``,
``responses.3``); ``null`` when the problem is not about one field.
"""

from __future__ import annotations

import json
import logging

from django.http import JsonResponse

log = logging.getLogger("peerimpact.web.api")


def error_response(status: int, errors: list[tuple[str | None, str]]) -> JsonResponse:
    body = {"status": status, "errors": [{"field": f, "message": m} for f, m in errors]}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field(loc) -> str | None:
    parts = [str(p) for p in loc]
    # ninja locations look like ("body", "payload", "duration_minutes"): drop the wrapper parts
    while parts and parts[0] in ("body", "query", "path", "payload", "header"):
        parts.pop(0)
    return ".".join(parts) or None


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    return str(err.get("msg", "is invalid"))


def validation_errors(errors) -> list[tuple[str | None, str]]:
    out = []
    for err in errors:
        out.append((_field(err.get("loc", ())), _message(err)))
    return out


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)

"""``GET/POST /api/service-use``: rows of service_use.csv, same rules as the service-use page.

Research admins (any site) and site coordinators (their site's participants)
only: other roles get 403, a participant outside the user's scope 404.
Consent first; services are those of the study's declared service-use
instrument (csri); one row per participant x timepoint x service, changed in
place and audited (reason ``api``).
"""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Status

from ..access import ADMIN, COORDINATOR, participants_for, require_role
from ..records.models import ServiceUse
from ..services.errors import FieldErrors
from ..services.service_use import save_service_use
from .errors import error_response
from .schemas import ErrorOut, ServiceUseIn, ServiceUseOut, ServiceUsePage

router = Router(tags=["service use"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def row_dict(row: ServiceUse) -> dict:
    return {"participant_id": row.participant.participant_id, "timepoint": row.timepoint, "service": row.service,
            "used": row.used, "count": row.count}


def _api_field(field: str | None, service: str) -> str | None:
    """The service's form field names (``count__gp``, ``gp``) as this endpoint's JSON fields."""
    if field == f"count__{service}":
        return "count"
    if field == service:
        return "service"
    return field


@router.get("", response={200: ServiceUsePage, **ERRORS}, summary="Service use the token's user may see")
def list_service_use(request, participant_id: str | None = None, timepoint: str | None = None, limit: int = 100, offset: int = 0):
    require_role(request.auth, ADMIN, COORDINATOR)
    if not (1 <= limit <= 1000) or offset < 0:
        return error_response(422, [("limit", "must be 1-1000") if not (1 <= limit <= 1000) else ("offset", "must be 0 or more")])
    qs = ServiceUse.objects.select_related("participant").filter(participant__in=participants_for(request.auth))
    if participant_id is not None:
        qs = qs.filter(participant__participant_id=participant_id)
    if timepoint is not None:
        qs = qs.filter(timepoint=timepoint)
    qs = qs.order_by("participant__participant_id", "timepoint", "service", "id")
    return {"count": qs.count(), "items": [row_dict(r) for r in qs[offset : offset + limit]]}


@router.post("", response={201: ServiceUseOut, 200: ServiceUseOut, **ERRORS},
             summary="Store one participant x timepoint x service row (201 new, 200 changed or unchanged)")
def post_service_use(request, payload: ServiceUseIn):
    require_role(request.auth, ADMIN, COORDINATOR)
    participant = participants_for(request.auth).filter(participant_id=payload.participant_id).first()
    if participant is None:
        raise Http404
    key = {"participant": participant, "timepoint": payload.timepoint, "service": payload.service}
    existed = ServiceUse.objects.filter(**key).exists()
    try:
        save_service_use(request.auth, participant, payload.timepoint, {payload.service: (payload.used, payload.count)},
                         reason="api")
    except FieldErrors as exc:
        raise FieldErrors([(_api_field(f, payload.service), m) for f, m in exc.errors]) from None
    row = ServiceUse.objects.select_related("participant").get(**key)
    return Status(200 if existed else 201, row_dict(row))

"""The API: ``POST /api/token``, contacts CRUD, questionnaires, service use, and ``GET /api/me``."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ... import __version__
from ..access import contacts_for, role_of
from ..coding.api import router as coding_router
from ..services.contacts import contact_dict, create_contact, update_contact, writable_by
from ..services.errors import FieldErrors
from ..services.questionnaires import submit_questionnaire
from .errors import error_response, log, validation_errors
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactSaved,
    ErrorOut,
    MeOut,
    QuestionnaireIn,
    QuestionnaireOut,
    TokenIn,
    TokenOut,
)
from .service_use import router as service_use_router
from .tokens import TokenAuth, issue_token

api = NinjaAPI(
    title="PeerImpact API",
    version=__version__,
    description="Contact log, questionnaires and service use of a PeerImpact study. Field names follow the study-folder columns. "
    "Every error has the shape {status, errors: [{field, message}]}.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=TokenAuth(),
)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    return error_response(422, validation_errors(exc.errors))


@api.exception_handler(FieldErrors)
def _fields(request, exc: FieldErrors):
    return error_response(exc.status, exc.errors)


@api.exception_handler(AuthenticationError)
def _auth(request, exc):
    return error_response(401, [(None, "missing, invalid or expired token: POST /api/token first")])


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return error_response(403, [(None, str(exc) or "forbidden")])


@api.exception_handler(PermissionError)
def _denied_role(request, exc):
    return error_response(403, [(None, str(exc))])


@api.exception_handler(Http404)
def _missing(request, exc):
    return error_response(404, [(None, "not found")])


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, [(None, "the request body is too large")])


@api.exception_handler(HttpError)
def _http(request, exc: HttpError):
    return error_response(exc.status_code, [(None, str(exc))])


@api.exception_handler(Exception)
def _crash(request, exc):
    log.exception("API error")
    return error_response(500, [(None, "internal error (logged)")])


@api.post("/token", auth=None, response={200: TokenOut, **ERRORS}, summary="Exchange username and password for a bearer token")
def token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        from ..lockout import LOCKED_MESSAGE

        return error_response(429, [(None, LOCKED_MESSAGE)])
    if user is None or role_of(user) is None:
        return error_response(401, [(None, "wrong username or password")])
    if user.membership.must_change_password:
        return error_response(403, [("password", "this password was set by a research admin: "
                                                 "sign in on the web page and choose your own first")])
    key, expires = issue_token(user)
    return Status(200, {"token": key, "expires_at": expires.isoformat(), "role": role_of(user)})


api.add_router("/service-use", service_use_router)
api.add_router("/", coding_router)
api.add_router("/", __import__("peerimpact.web.coding.suggestions", fromlist=["router"]).router)  # GET /api/suggestions (issue 17)


@api.get("/me", response={200: MeOut, **ERRORS}, summary="Who the token belongs to (a trivial authenticated endpoint)")
def me(request):
    return {"username": request.auth.username, "role": role_of(request.auth)}


def _contact(request, contact_id: str):
    contact = contacts_for(request.auth).filter(contact_id=contact_id).first()
    if contact is None:
        raise Http404
    return contact


@api.get("/contacts", response={200: ContactPage, **ERRORS}, summary="The contact log the token's user may see")
def list_contacts(request, limit: int = 100, offset: int = 0):
    if not (1 <= limit <= 1000) or offset < 0:
        return error_response(422, [("limit", "must be 1-1000") if not (1 <= limit <= 1000) else ("offset", "must be 0 or more")])
    qs = contacts_for(request.auth).order_by("id")
    items = [contact_dict(c) for c in qs[offset : offset + limit]]
    return {"count": qs.count(), "items": items}


@api.post("/contacts", response={201: ContactSaved, **ERRORS}, summary="Record a contact (a peer worker's worker_id is implied)")
def post_contact(request, payload: ContactIn):
    saved = create_contact(request.auth, payload.model_dump(exclude_unset=True))
    return Status(201, {**contact_dict(saved.contact), "warnings": saved.warnings})


@api.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request, contact_id: str):
    return contact_dict(_contact(request, contact_id))


@api.patch("/contacts/{contact_id}", response={200: ContactSaved, **ERRORS})
def patch_contact(request, contact_id: str, payload: ContactPatch):
    writable_by(request.auth)
    saved = update_contact(request.auth, _contact(request, contact_id), payload.model_dump(exclude_unset=True))
    return {**contact_dict(saved.contact), "warnings": saved.warnings}


@api.delete("/contacts/{contact_id}", response={204: None, **ERRORS}, summary="Delete a contact (soft: it stays in the audit trail)")
def delete_contact(request, contact_id: str):
    writable_by(request.auth)
    _contact(request, contact_id).soft_delete(request.auth)
    return Status(204, None)


@api.post("/questionnaires", response={201: QuestionnaireOut, 200: QuestionnaireOut, **ERRORS},
          summary="Save (submit=false) or submit one participant x timepoint x instrument response")
def post_questionnaire(request, payload: QuestionnaireIn):
    result = submit_questionnaire(request.auth, payload.model_dump(), source="api")
    return Status(201 if result["status"] == "submitted" else 200, result)

"""Roles and object-level permissions, in one place.

Every page and API endpoint asks these functions. ``require_role`` guards a
whole page or endpoint (403). The ``*_for(user)`` functions return the
queryset a user may see; an object outside it answers 404, so that its
existence is not disclosed. The permission-matrix test
(``tests/web/test_web_permission_matrix.py``) walks role x URL x object.

===================  ==========================================================
role                 may see / change
===================  ==========================================================
research admin       everything (pseudonymised ids only), consent, audit, report
site coordinator     their site: workers' employment, hours, sickness absence,
                     allocations, caseloads, contacts (read), adherence
peer worker          their own contact log (read/write), own allocations and
                     the people allocated to them, own questionnaires
coder                transcripts and codings only: no participant tables; on a
                     blind transcript only their own codings (coding/visibility.py)
===================  ==========================================================
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .records.models import (
    Allocation,
    Contact,
    Employment,
    Membership,
    Participant,
    Person,
    QuestionnaireResponse,
    Role,
)

ADMIN, COORDINATOR, WORKER, CODER = Role.ADMIN.value, Role.COORDINATOR.value, Role.WORKER.value, Role.CODER.value


def membership(user) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    m = membership(user)
    return m.role if m is not None else None


def require_role(user, *roles: str) -> Membership:
    """The user's membership if their role is one of ``roles``; else PermissionDenied (403)."""
    m = membership(user)
    if m is None or m.role not in roles:
        raise PermissionDenied("your role does not give access to this")
    return m


def _scoped(qs: QuerySet, m: Membership | None, *, site: str | None, worker: str | None, roles=(ADMIN, COORDINATOR, WORKER)) -> QuerySet:
    """Filter ``qs`` by the membership's scope; ``site``/``worker`` are the lookups to use."""
    if m is None or m.role not in roles:
        return qs.none()
    if m.role == ADMIN:
        return qs
    if m.role == COORDINATOR and site is not None:
        return qs.filter(**{site: m.site_id})
    if m.role == WORKER and worker is not None:
        return qs.filter(**{worker: m.participant_id})
    return qs.none()


def participants_for(user) -> QuerySet:
    return _scoped(Participant.objects.all(), membership(user), site="site", worker="pk")


def workers_for(user) -> QuerySet:
    """Peer workers whose caseload and employment the user may see (not peer workers themselves)."""
    return _scoped(Participant.objects.all(), membership(user), site="site", worker=None)


def employment_for(user) -> QuerySet:
    return _scoped(Employment.objects.select_related("participant"), membership(user), site="participant__site", worker=None)


def contacts_for(user) -> QuerySet:
    return _scoped(Contact.objects.select_related("worker", "person"), membership(user), site="worker__site", worker="worker")


def deleted_contacts_for(user) -> QuerySet:
    """Soft-deleted contacts the user could see before they were deleted (to undo a delete)."""
    qs = Contact.all_objects.filter(deleted_at__isnull=False).select_related("worker", "person")
    return _scoped(qs, membership(user), site="worker__site", worker="worker")


def allocations_for(user) -> QuerySet:
    return _scoped(Allocation.objects.select_related("worker", "person"), membership(user), site="worker__site", worker="worker")


def persons_for(user) -> QuerySet:
    m = membership(user)
    if m is not None and m.role == WORKER:
        ids = Allocation.objects.filter(worker_id=m.participant_id).values("person_id")
        return Person.objects.filter(pk__in=ids)
    return _scoped(Person.objects.all(), m, site="site", worker=None)


def responses_for(user) -> QuerySet:
    return _scoped(QuestionnaireResponse.objects.select_related("participant"), membership(user), site=None,
                   worker="participant", roles=(ADMIN, WORKER))


# Transcripts and codings: peerimpact.web.coding.visibility (blind double coding decides what a coder sees).

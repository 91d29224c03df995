"""The contact log pages (a peer worker's own log; a coordinator reads their site's).

``/contacts/new/?allocation=<uid>`` opens the form pre-filled from one
allocation (person, today's date, and the phase from its discharge date):
the one-tap "record contact" of a peer worker's home page. Deleting asks to
confirm on its own page, and the list then offers to undo it.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import ADMIN, COORDINATOR, WORKER, allocations_for, contacts_for, deleted_contacts_for
from ..services.contacts import contact_problems, create_contact, today, update_contact
from ..services.errors import FieldErrors
from .common import page, roles
from .forms import ContactForm, apply_errors
from .wording import plain_error, plain_warning


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


@roles(ADMIN, COORDINATOR, WORKER)
def contact_list(request):
    qs = contacts_for(request.user).order_by("-date", "-id")
    pager = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_write = request.membership.role in (ADMIN, WORKER)
    deleted = None
    if can_write and (uid := _uuid(request.GET.get("deleted"))):
        deleted = deleted_contacts_for(request.user).filter(uid=uid).first()
    return page(request, "web/contacts.html", {"page": pager, "can_write": can_write, "deleted": deleted})


def _save(request, form: ContactForm, contact=None):
    try:
        if contact is None:
            saved = create_contact(request.user, form.data_for_service())
        else:
            data = form.data_for_service()
            data.pop("worker_id", None)
            saved = update_contact(request.user, contact, data)
    except FieldErrors as exc:
        apply_errors(form, exc)
        return None
    for warning in saved.warnings:
        messages.warning(request, plain_warning(warning))
    messages.success(request, f"Contact {saved.contact.contact_id} saved.")
    return redirect("contacts")


def prefill(user, allocation_uid) -> dict:
    """Initial values from one allocation the user may see: person, worker, today, and the phase by the discharge date."""
    allocation = allocations_for(user).filter(uid=allocation_uid).first() if allocation_uid else None
    if allocation is None:
        return {"date": today()}
    day = today()
    discharged = allocation.discharged_on
    phase = "post_discharge" if discharged is not None and day >= discharged else "pre_discharge"
    return {"worker_id": allocation.worker.participant_id, "person_id": allocation.person.person_id, "date": day, "phase": phase}


@roles(ADMIN, WORKER)
def contact_new(request):
    role = request.membership.role
    initial = prefill(request.user, _uuid(request.GET.get("allocation")))
    form = ContactForm(request.POST or None, initial=initial, user=request.user, role=role)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response:
            return response
    elif request.method == "POST":
        _add_service_problems(request, form)
    return page(request, "web/contact_form.html", {"form": form, "title": "Record a contact"})


def _add_service_problems(request, form: ContactForm) -> None:
    """The service's problems with what was typed, beside the form's own: every error in one round."""
    data = {k: (form.data.get(k) or None) for k in ("worker_id", "person_id", "date", "mode", "status", "phase")}
    try:
        data["duration_minutes"] = float(form.data.get("duration_minutes") or "nan")
        if data["duration_minutes"] != data["duration_minutes"]:
            data["duration_minutes"] = None
    except ValueError:
        data["duration_minutes"] = None
    if "worker_id" not in form.fields:
        data.pop("worker_id")
    for field, message in contact_problems(request.user, data):
        if field in form.fields and form.has_error(field):
            continue  # the form's own message for this field is already shown
        here = field in form.fields
        form.add_error(field if here else None, plain_error(field, message, shown_next_to_field=here))


@roles(ADMIN, WORKER)
def contact_edit(request, uid):
    contact = get_object_or_404(contacts_for(request.user), uid=uid)
    role = request.membership.role
    initial = {"worker_id": contact.worker.participant_id, "person_id": contact.person.person_id, "date": contact.date,
               "mode": contact.mode, "duration_minutes": contact.duration_minutes, "status": contact.status, "phase": contact.phase}
    form = ContactForm(request.POST or None, initial=initial, user=request.user, role=role)
    if "worker_id" in form.fields:
        form.fields["worker_id"].disabled = True
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, contact)
        if response:
            return response
    return page(request, "web/contact_form.html", {"form": form, "title": f"Edit contact {contact.contact_id}", "contact": contact})


@roles(ADMIN, WORKER)
def contact_delete(request, uid):
    """GET: ask to confirm; POST: soft-delete, then the list offers to undo."""
    contact = get_object_or_404(contacts_for(request.user), uid=uid)
    if request.method != "POST":
        return page(request, "web/contact_delete.html", {"contact": contact})
    contact.soft_delete(request.user)
    messages.success(request, f"Contact {contact.contact_id} deleted (kept in the audit trail).")
    return redirect(reverse("contacts") + f"?deleted={contact.uid}")


@require_POST
@roles(ADMIN, WORKER)
def contact_restore(request, uid):
    contact = get_object_or_404(deleted_contacts_for(request.user), uid=uid)
    contact.restore(request.user)
    messages.success(request, f"Contact {contact.contact_id} restored.")
    return redirect("contacts")

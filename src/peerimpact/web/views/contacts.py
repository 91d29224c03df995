"""The contact log pages (a peer worker's own log; a coordinator reads their site's)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from ..access import ADMIN, COORDINATOR, WORKER, contacts_for
from ..services.contacts import create_contact, update_contact
from ..services.errors import FieldErrors
from .common import page, roles
from .forms import ContactForm, apply_errors


@roles(ADMIN, COORDINATOR, WORKER)
def contact_list(request):
    qs = contacts_for(request.user).order_by("-date", "-id")
    pager = Paginator(qs, 50).get_page(request.GET.get("page"))
    return page(request, "web/contacts.html", {"page": pager, "can_write": request.membership.role in (ADMIN, WORKER)})


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
        messages.warning(request, warning)
    messages.success(request, f"Contact {saved.contact.contact_id} saved.")
    return redirect("contacts")


@roles(ADMIN, WORKER)
def contact_new(request):
    role = request.membership.role
    form = ContactForm(request.POST or None, user=request.user, role=role)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response:
            return response
    return page(request, "web/contact_form.html", {"form": form, "title": "Record a contact"})


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


@require_POST
@roles(ADMIN, WORKER)
def contact_delete(request, uid):
    contact = get_object_or_404(contacts_for(request.user), uid=uid)
    contact.soft_delete(request.user)
    messages.success(request, f"Contact {contact.contact_id} deleted (kept in the audit trail).")
    return redirect("contacts")

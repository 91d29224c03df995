"""The home page: links for the role, and for a peer worker the people due to be seen, with one-tap "record contact"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse

from ..access import ADMIN, CODER, COORDINATOR, WORKER, membership
from ..records.models import Policy, Role
from ..services.contacts import today
from ..services.due import due_list
from .caseload import adherence_rows
from .common import page

LINKS = {
    WORKER: [("contacts", "My contact log"), ("contact-new", "Record a contact"), ("adherence", "My people and their schedule"),
             ("questionnaires", "My questionnaires")],
    COORDINATOR: [("caseloads", "Caseloads and allocations"), ("adherence", "Schedule adherence and engagement"),
                  ("workforce", "Employment, hours and sickness absence"), ("contacts", "Contacts at my site"),
                  ("questionnaires", "Questionnaires at my site")],
    ADMIN: [("caseloads", "Caseloads"), ("adherence", "Schedule adherence"), ("workforce", "Workforce"), ("contacts", "Contact log"),
            ("consent", "Consent"), ("questionnaires", "Questionnaires"), ("transcripts", "Transcripts"), ("audit", "Audit trail"),
            ("report", "Report and study download")],
    CODER: [("transcripts", "Transcripts and coding")],
}


@login_required
def home(request):
    m = membership(request.user)
    scope = None
    due = None
    if m is not None and m.role == COORDINATOR:
        scope = f"site {m.site.site_id}"
    elif m is not None and m.role == WORKER:
        scope = f"participant {m.participant.participant_id}"
        day = today()
        due = due_list(adherence_rows(request.user, day, Policy.current()), day)
    links = [(reverse(name), label) for name, label in LINKS.get(m.role if m else None, [])]
    return page(request, "web/home.html", {
        "links": links, "scope": scope, "role_label": Role(m.role).label if m else "no role", "due": due,
    })

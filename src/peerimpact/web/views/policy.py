"""The peer-support policy (caseload cap, support schedule, questionnaire windows).

Research admins change it; site coordinators read it (the caseload and
adherence pages they use are computed from it). Every change is a new
version in the audit trail (django-simple-history), with who and when.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect

from ..access import ADMIN, COORDINATOR
from ..records.models import Policy
from .common import page, roles
from .forms import PolicyForm

# The page's sections: (heading, fields), in the order the form shows them.
SECTIONS = [
    ("Caseload cap", ("caseload_per_fte", "full_time_hours", "bank_fte")),
    ("Support schedule", ("pre_discharge_meetings", "weekly_weeks", "fortnightly_count", "engaged_sessions", "long_contact_minutes")),
    ("Questionnaire windows", ("window_weeks",)),
]


@roles(ADMIN, COORDINATOR)
def policy_page(request):
    editable = request.membership.role == ADMIN
    if request.method == "POST" and not editable:
        raise PermissionDenied("only a research admin may change the policy")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().order_by("id").first() if request.method == "POST" else Policy.current()
        policy = policy or Policy()
        form = PolicyForm(request.POST or None, instance=policy)
        if request.method == "POST" and form.is_valid():
            if form.has_changed() or policy.pk is None:
                policy = form.save(commit=False)
                policy._history_user = request.user
                policy._change_reason = "policy page"
                policy.save()
                changed = [str(form.fields[f].label) for f in form.changed_data] or ["defaults"]
                messages.success(request, "Policy saved: " + "; ".join(changed) + ".")
            else:
                messages.success(request, "Nothing changed.")
            return redirect("policy")
    sections = [(title, [form[f] for f in fields]) for title, fields in SECTIONS]
    return page(request, "web/policy.html", {"form": form, "sections": sections, "editable": editable, "policy": policy})

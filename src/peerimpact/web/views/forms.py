"""Django forms for the pages; the rules themselves live in ``services``."""

from __future__ import annotations

from django import forms

from ..access import ADMIN, persons_for, workers_for
from ..records.models.base import ID_REGEX
from ..records.models.operations import CONTACT_MODES, CONTACT_PHASES, CONTACT_STATUSES, Policy
from ..services.errors import FieldErrors
from .wording import plain_error

# ISO dates: a browser's date input accepts nothing else, and under ``en-gb`` Django would render
# 05/12/2026, which the input rejects, so an edit form would open with the date blank.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
CHOOSE = ("", "— choose —")


def apply_errors(form: forms.Form, exc: FieldErrors) -> None:
    """Every service error next to its field (or above the form), in plain words."""
    for field, message in exc.errors:
        here = field in form.fields
        form.add_error(field if here else None, plain_error(field, message, shown_next_to_field=here))


class PlainForm(forms.Form):
    """A form whose "required" errors say what to do ("Fill this in.", "Choose one."); the error summary names the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "Choose one." if isinstance(field, forms.ChoiceField) else "Fill this in."


class ContactForm(PlainForm):
    worker_id = forms.ChoiceField(label="Peer worker")
    person_id = forms.ChoiceField(label="Person supported")
    date = forms.DateField(widget=DATE)
    mode = forms.ChoiceField(choices=CONTACT_MODES, widget=forms.RadioSelect)
    duration_minutes = forms.FloatField(required=False, min_value=0, max_value=24 * 60, label="Duration (minutes)",
                                        widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
    status = forms.ChoiceField(choices=CONTACT_STATUSES, widget=forms.RadioSelect)
    phase = forms.ChoiceField(choices=CONTACT_PHASES, label="Before or after discharge", widget=forms.RadioSelect)

    def __init__(self, *args, user=None, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = persons_for(user).order_by("person_id").values_list("person_id", flat=True)
        # Nothing pre-selected: a default person or phase left untouched would be credited wrongly.
        self.fields["person_id"].choices = [CHOOSE] + [(p, p) for p in people]
        if role == ADMIN:
            workers = workers_for(user).order_by("participant_id").values_list("participant_id", flat=True)
            self.fields["worker_id"].choices = [CHOOSE] + [(w, w) for w in workers]
        else:
            del self.fields["worker_id"]

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["date"] = d["date"].isoformat()
        return d


class AllocationForm(PlainForm):
    worker_id = forms.ChoiceField(label="Peer worker")
    person_id = forms.RegexField(regex=ID_REGEX, max_length=64, label="Person id (pseudonymised)")
    allocated_on = forms.DateField(widget=DATE)
    discharged_on = forms.DateField(widget=DATE, required=False)
    confirm_over_cap = forms.BooleanField(required=False, label="Allocate above the caseload cap")
    over_cap_reason = forms.CharField(required=False, max_length=500, label="Reason for exceeding the cap")

    def __init__(self, *args, user=None, loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = workers_for(user).order_by("participant_id").values_list("participant_id", flat=True)
        loads = {r.worker.participant_id: r for r in (loads or [])}
        self.fields["worker_id"].choices = [CHOOSE] + [(w, _load_label(w, loads.get(w))) for w in workers]


def _load_label(worker_id: str, row) -> str:
    """``01 — supports 3 of a cap of 4`` (the worker's load today), or the id alone."""
    if row is None:
        return worker_id
    if row.cap is None:
        return f"{worker_id} — supports {row.active} (no cap: hours unknown)"
    return f"{worker_id} — supports {row.active} of a cap of {round(row.cap, 2):g}" + (" (over)" if row.over_cap else "")


class AllocationDatesForm(PlainForm):
    discharged_on = forms.DateField(widget=DATE, required=False, label="Discharged on")
    ended_on = forms.DateField(widget=DATE, required=False, label="Support ended on")


class EmploymentForm(PlainForm):
    contract = forms.ChoiceField(choices=[("contracted", "Contracted"), ("bank", "Bank")])
    hours_per_week = forms.FloatField(required=False, min_value=0, max_value=80)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, required=False)
    sick_days = forms.FloatField(required=False, min_value=0, max_value=366)

    def clean(self):
        data = super().clean()
        contract, hours = data.get("contract"), data.get("hours_per_week")
        if contract == "bank" and hours:
            self.add_error("hours_per_week", "Bank staff have no contracted hours: leave this empty or 0.")
        if contract == "contracted" and hours is None:
            self.add_error("hours_per_week", "Contracted staff need their contracted hours.")
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "The end date is before the start date.")
        return data


class AbsenceForm(PlainForm):
    start_date = forms.DateField(widget=DATE, label="First day absent")
    end_date = forms.DateField(widget=DATE, required=False, label="Last day absent (empty while it goes on)")
    reason = forms.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        from ..absence.models import AbsenceSpell

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [CHOOSE] + list(AbsenceSpell.REASONS)


class ConsentForm(PlainForm):
    consent_date = forms.DateField(widget=DATE)
    form_version = forms.CharField(max_length=50)


class PolicyForm(forms.ModelForm):
    """The policy's numbers; the model's validators (non-negative, hours >= 1) apply."""

    class Meta:
        model = Policy
        fields = ["caseload_per_fte", "full_time_hours", "bank_fte", "pre_discharge_meetings", "weekly_weeks",
                  "fortnightly_count", "engaged_sessions", "long_contact_minutes", "window_weeks"]
        labels = {
            "caseload_per_fte": "Caseload cap per FTE", "full_time_hours": "Hours of one FTE", "bank_fte": "FTE of bank staff",
            "pre_discharge_meetings": "Meetings before discharge", "weekly_weeks": "Weekly meetings after discharge (weeks)",
            "fortnightly_count": "Then fortnightly meetings", "engaged_sessions": "Completed sessions that count as engaged",
            "long_contact_minutes": "Warn about contacts longer than (minutes)",
            "window_weeks": "Questionnaire window (± weeks around the due date)",
        }


class AccountForm(PlainForm):
    """A new account; the rules (validators, role scope) are in ``services.accounts.create_account``."""

    username = forms.RegexField(regex=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$", max_length=150)
    password1 = forms.CharField(widget=forms.PasswordInput, max_length=200, label="Password", strip=False)
    password2 = forms.CharField(widget=forms.PasswordInput, max_length=200, label="Password again", strip=False)
    role = forms.ChoiceField(choices=[])
    site_id = forms.ChoiceField(required=False, label="Site (coordinators)")
    participant_id = forms.ChoiceField(required=False, label="Participant (peer workers)")

    def __init__(self, *args, **kwargs):
        from ..records.models import Membership, Participant, Role, Site

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["site_id"].choices = [("", "—")] + [(s, s) for s in Site.objects.order_by("site_id").values_list("site_id", flat=True)]
        linked = Membership.objects.filter(participant__isnull=False).values("participant_id")
        free = Participant.objects.exclude(pk__in=linked).order_by("participant_id").values_list("participant_id", flat=True)
        self.fields["participant_id"].choices = [("", "—")] + [(p, p) for p in free]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class DeactivateForm(PlainForm):
    username = forms.CharField(max_length=150)


class ParticipantForm(PlainForm):
    participant_id = forms.RegexField(regex=ID_REGEX, max_length=64, label="Participant id (pseudonymised)")
    site_id = forms.ChoiceField(label="Site")
    consent_date = forms.DateField(widget=DATE)
    form_version = forms.CharField(max_length=50, label="Consent form version")

    def __init__(self, *args, **kwargs):
        from ..records.models import Site

        super().__init__(*args, **kwargs)
        self.fields["site_id"].choices = [(s, s) for s in Site.objects.order_by("site_id").values_list("site_id", flat=True)]


class RoleChangeForm(PlainForm):
    """Another role (and site / participant link) for an account; the rules are in ``services.lifecycle.change_role``."""

    username = forms.ChoiceField(label="Account")
    role = forms.ChoiceField(choices=[])
    site_id = forms.ChoiceField(required=False, label="Site (coordinators)")
    participant_id = forms.ChoiceField(required=False, label="Participant (peer workers)")

    def __init__(self, *args, by=None, **kwargs):
        from django.contrib.auth import get_user_model

        from ..records.models import Participant, Role, Site

        super().__init__(*args, **kwargs)
        names = get_user_model().objects.filter(membership__isnull=False).order_by("username").values_list("username", flat=True)
        self.fields["username"].choices = [("", "—")] + [(u, u) for u in names if by is None or u != by.username]
        self.fields["role"].choices = Role.choices
        self.fields["site_id"].choices = [("", "—")] + [(s, s) for s in Site.objects.order_by("site_id").values_list("site_id", flat=True)]
        ids = Participant.objects.order_by("participant_id").values_list("participant_id", flat=True)
        self.fields["participant_id"].choices = [("", "—")] + [(p, p) for p in ids]


class OwnPasswordForm(PlainForm):
    old_password = forms.CharField(widget=forms.PasswordInput, max_length=200, label="Current password", strip=False)
    new_password1 = forms.CharField(widget=forms.PasswordInput, max_length=200, label="New password", strip=False)
    new_password2 = forms.CharField(widget=forms.PasswordInput, max_length=200, label="New password again", strip=False)

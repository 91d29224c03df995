"""Django forms for the pages; the rules themselves live in ``services``."""

from __future__ import annotations

from django import forms

from ..access import ADMIN, persons_for, workers_for
from ..records.models.operations import CONTACT_MODES, CONTACT_PHASES, CONTACT_STATUSES
from ..services.errors import FieldErrors

DATE = forms.DateInput(attrs={"type": "date"})


def apply_errors(form: forms.Form, exc: FieldErrors) -> None:
    for field, message in exc.errors:
        form.add_error(field if field in form.fields else None, f"{field}: {message}" if field and field not in form.fields else message)


class ContactForm(forms.Form):
    worker_id = forms.ChoiceField(label="Peer worker")
    person_id = forms.ChoiceField(label="Person supported")
    date = forms.DateField(widget=DATE)
    mode = forms.ChoiceField(choices=CONTACT_MODES)
    duration_minutes = forms.FloatField(required=False, min_value=0, max_value=24 * 60, label="Duration (minutes)")
    status = forms.ChoiceField(choices=CONTACT_STATUSES)
    phase = forms.ChoiceField(choices=CONTACT_PHASES, label="Before or after discharge")

    def __init__(self, *args, user=None, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = persons_for(user).order_by("person_id").values_list("person_id", flat=True)
        self.fields["person_id"].choices = [(p, p) for p in people]
        if role == ADMIN:
            workers = workers_for(user).order_by("participant_id").values_list("participant_id", flat=True)
            self.fields["worker_id"].choices = [(w, w) for w in workers]
        else:
            del self.fields["worker_id"]

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["date"] = d["date"].isoformat()
        return d


class AllocationForm(forms.Form):
    worker_id = forms.ChoiceField(label="Peer worker")
    person_id = forms.RegexField(regex=r"^[A-Za-z0-9][A-Za-z0-9_.]*$", max_length=64, label="Person id (pseudonymised)")
    allocated_on = forms.DateField(widget=DATE)
    discharged_on = forms.DateField(widget=DATE, required=False)
    confirm_over_cap = forms.BooleanField(required=False, label="Allocate above the caseload cap")
    over_cap_reason = forms.CharField(required=False, max_length=500, label="Reason for exceeding the cap")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = workers_for(user).order_by("participant_id").values_list("participant_id", flat=True)
        self.fields["worker_id"].choices = [(w, w) for w in workers]


class EmploymentForm(forms.Form):
    contract = forms.ChoiceField(choices=[("contracted", "Contracted"), ("bank", "Bank")])
    hours_per_week = forms.FloatField(required=False, min_value=0, max_value=80)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, required=False)
    sick_days = forms.FloatField(required=False, min_value=0, max_value=366)

    def clean(self):
        data = super().clean()
        contract, hours = data.get("contract"), data.get("hours_per_week")
        if contract == "bank" and hours:
            self.add_error("hours_per_week", "bank staff have no contracted hours: leave empty or 0")
        if contract == "contracted" and hours is None:
            self.add_error("hours_per_week", "contracted staff need their contracted hours")
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "is before the start date")
        return data


class ConsentForm(forms.Form):
    consent_date = forms.DateField(widget=DATE)
    form_version = forms.CharField(max_length=50)

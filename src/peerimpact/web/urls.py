"""URLs. No participant, person or contact id appears in a page URL: pages
address records by opaque UUIDs (the API's ``/api/contacts/{contact_id}`` is
the one documented exception, named by the issue)."""

from __future__ import annotations

from django.urls import path

from .api.routes import api
from .coding import pages as coding_pages
from .views import (
    absence,
    accounts,
    admin_accounts,
    audit,
    caseload,
    coding,
    consent,
    contacts,
    home,
    policy,
    questionnaires,
    report,
    service_use,
    static,
)

urlpatterns = [
    path("api/", api.urls),
    path("", home.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("contacts/", contacts.contact_list, name="contacts"),
    path("contacts/new/", contacts.contact_new, name="contact-new"),
    path("contacts/<uuid:uid>/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<uuid:uid>/delete/", contacts.contact_delete, name="contact-delete"),
    path("contacts/<uuid:uid>/restore/", contacts.contact_restore, name="contact-restore"),
    path("caseloads/", caseload.caseloads, name="caseloads"),
    path("allocations/new/", caseload.allocation_new, name="allocation-new"),
    path("allocations/<uuid:uid>/", caseload.allocation_edit, name="allocation-edit"),
    path("adherence/", caseload.adherence, name="adherence"),
    path("people/<uuid:uid>/", caseload.person_detail, name="person"),
    path("workforce/", caseload.workforce, name="workforce"),
    path("workforce/<uuid:uid>/", caseload.employment_edit, name="employment-edit"),
    path("workforce/<uuid:uid>/absence/", absence.absence_new, name="absence-new"),
    path("absence/<uuid:uid>/delete/", absence.absence_delete, name="absence-delete"),
    path("consent/", consent.consent_list, name="consent"),
    path("consent/<uuid:uid>/", consent.consent_record, name="consent-record"),
    path("policy/", policy.policy_page, name="policy"),
    path("users/", admin_accounts.account_list, name="accounts"),
    path("users/new/", admin_accounts.account_new, name="account-new"),
    path("users/deactivate/", admin_accounts.account_deactivate, name="account-deactivate"),
    path("users/change/", admin_accounts.account_change, name="account-change"),
    path("users/reactivate/", admin_accounts.account_reactivate, name="account-reactivate"),
    path("users/reset-password/", admin_accounts.account_reset_password, name="account-reset-password"),
    path("account/password/", admin_accounts.password_change, name="password-change"),
    path("participants/new/", admin_accounts.participant_new, name="participant-new"),
    path("service-use/", service_use.service_use_list, name="service-use"),
    path("service-use/<uuid:uid>/<str:timepoint>/", service_use.service_use_entry, name="service-use-entry"),
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaires"),
    path("questionnaires/<uuid:uid>/<str:timepoint>/<str:instrument>/", questionnaires.questionnaire_fill, name="questionnaire-fill"),
    path("questionnaires/<uuid:uid>/<str:timepoint>/<str:instrument>/reopen/", questionnaires.questionnaire_reopen,
         name="questionnaire-reopen"),
    path("transcripts/", coding.transcript_list, name="transcripts"),
    path("transcripts/<uuid:uid>/", coding.transcript_detail, name="transcript"),
    path("transcripts/<uuid:uid>/reconcile/", coding.transcript_reconcile, name="transcript-reconcile"),
    path("transcripts/<uuid:uid>/blind/", coding.transcript_blind, name="transcript-blind"),
    path("codebook/", coding_pages.codebook_page, name="codebook"),
    path("workshop/", coding_pages.workshop_page, name="workshop"),
    path("coding/counts/", coding_pages.counts_page, name="coding-counts"),
    path("coding/search/", coding_pages.search_page, name="coding-search"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit.csv", audit.audit_csv, name="audit-csv"),
    path("report/", report.report_page, name="report"),
    path("study-export.zip", report.study_zip, name="study-export"),
    path("report/<str:run>/<str:name>", report.report_file, name="report-file"),
    path("static/<path:path>", static.serve_static, name="static"),
]

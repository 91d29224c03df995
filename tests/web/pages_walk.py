"""Every page of the URL conf with arguments for a populated record of the demo study, per signed-in user.

A route that is neither here nor in ``NOT_PAGES`` fails the tests that walk the
pages, so a new page cannot be left out of the round-trip, phone and
accessibility checks.
"""

from __future__ import annotations

import uuid

from browser import Server, page_routes

# Routes that are not pages a person opens: POST actions, downloads, static files.
NOT_PAGES = {
    "logout": "POST: sign out", "contact-restore": "POST: undo a delete", "questionnaire-reopen": "POST: reopen",
    "account-deactivate": "POST", "account-reactivate": "POST", "account-reset-password": "POST",
    "audit-csv": "a CSV download", "study-export": "POST: a zip download", "report-file": "a file download",
    "static": "static files", "transcript-blind": "POST: blind or unblind coders",
}


def _worker_pk(server: Server, username: str) -> int | None:
    rows = server.rows("SELECT m.participant_id FROM records_membership m JOIN auth_user u ON u.id = m.user_id WHERE u.username = ?",
                       (username,))
    return rows[0][0] if rows and rows[0][0] is not None else None


def _site_pk(server: Server, username: str) -> int | None:
    rows = server.rows("SELECT m.site_id FROM records_membership m JOIN auth_user u ON u.id = m.user_id WHERE u.username = ?",
                       (username,))
    return rows[0][0] if rows and rows[0][0] is not None else None


def _participant(server: Server, username: str) -> str:
    """A participant the user may see: their own (peer worker), one of their site (coordinator), else the first."""
    own, site = _worker_pk(server, username), _site_pk(server, username)
    if own is not None:
        return server.uid("SELECT uid FROM records_participant WHERE id = ?", (own,))
    if site is not None:
        return server.uid("SELECT uid FROM records_participant WHERE site_id = ? AND deleted_at IS NULL ORDER BY id", (site,))
    return server.uid("SELECT uid FROM records_participant WHERE deleted_at IS NULL ORDER BY id")


def _contact(server: Server, username: str) -> str:
    own, site = _worker_pk(server, username), _site_pk(server, username)
    base = "SELECT c.uid FROM records_contact c JOIN records_participant w ON w.id = c.worker_id WHERE c.deleted_at IS NULL"
    if own is not None:
        return server.uid(base + " AND c.worker_id = ? ORDER BY c.id", (own,))
    if site is not None:
        return server.uid(base + " AND w.site_id = ? ORDER BY c.id", (site,))
    return server.uid(base + " ORDER BY c.id")


def _person(server: Server, username: str) -> str:
    own, site = _worker_pk(server, username), _site_pk(server, username)
    base = "SELECT p.uid FROM records_person p JOIN records_allocation a ON a.person_id = p.id WHERE a.deleted_at IS NULL"
    if own is not None:
        return server.uid(base + " AND a.worker_id = ? ORDER BY a.id", (own,))
    if site is not None:
        return server.uid(base + " AND p.site_id = ? ORDER BY a.id", (site,))
    return server.uid(base + " ORDER BY a.id")


def _allocation(server: Server, username: str) -> str:
    site = _site_pk(server, username)
    base = ("SELECT a.uid FROM records_allocation a JOIN records_participant w ON w.id = a.worker_id "
            "WHERE a.deleted_at IS NULL AND a.discharged_on IS NOT NULL AND a.ended_on IS NOT NULL")  # both dates to keep
    return server.uid(base + (" AND w.site_id = ?" if site is not None else "") + " ORDER BY a.id", (site,) if site is not None else ())


def _employment(server: Server, username: str) -> str:
    site = _site_pk(server, username)
    base = ("SELECT e.uid FROM records_employment e JOIN records_participant p ON p.id = e.participant_id "
            "WHERE e.deleted_at IS NULL AND e.end_date IS NOT NULL")  # one with an end date: the date that used to be erased
    rows = server.rows(base + (" AND p.site_id = ?" if site is not None else "") + " ORDER BY e.id", (site,) if site is not None else ())
    if rows:
        return str(uuid.UUID(str(rows[0][0])))
    base = base.replace(" AND e.end_date IS NOT NULL", "")
    return server.uid(base + (" AND p.site_id = ?" if site is not None else "") + " ORDER BY e.id", (site,) if site is not None else ())


def _spell(server: Server, username: str) -> str:
    site = _site_pk(server, username)
    base = ("SELECT a.uid FROM absence_absencespell a JOIN records_participant p ON p.id = a.participant_id "
            "WHERE a.deleted_at IS NULL")
    return server.uid(base + (" AND p.site_id = ?" if site is not None else "") + " ORDER BY a.id", (site,) if site is not None else ())


def _timepoint(server: Server) -> str:
    return server.rows("SELECT timepoint FROM records_questionnaireresponse WHERE deleted_at IS NULL ORDER BY id")[0][0]


def _questionnaire(server: Server, username: str) -> dict:
    """A stored WEMWBS response of a participant the user may see."""
    participant = _participant(server, username)
    rows = server.rows("SELECT r.timepoint FROM records_questionnaireresponse r JOIN records_participant p ON p.id = r.participant_id "
                       "WHERE r.deleted_at IS NULL AND r.instrument = 'wemwbs' AND p.uid = ? ORDER BY r.id",
                       (participant if server.sqlite is None else participant.replace("-", ""),))
    assert rows, f"no WEMWBS response of participant {participant}"
    return {"uid": participant, "timepoint": rows[0][0], "instrument": "wemwbs"}


def _transcript(server: Server, username: str) -> str:
    return server.uid("SELECT uid FROM records_transcript WHERE deleted_at IS NULL ORDER BY id")


ARGS = {
    "contact-edit": lambda s, u: {"uid": _contact(s, u)},
    "contact-delete": lambda s, u: {"uid": _contact(s, u)},
    "person": lambda s, u: {"uid": _person(s, u)},
    "employment-edit": lambda s, u: {"uid": _employment(s, u)},
    "absence-new": lambda s, u: {"uid": _employment(s, u)},
    "allocation-edit": lambda s, u: {"uid": _allocation(s, u)},
    "absence-delete": lambda s, u: {"uid": _spell(s, u)},
    "consent-record": lambda s, u: {"uid": _participant(s, u)},
    "service-use-entry": lambda s, u: {"uid": _participant(s, u), "timepoint": _timepoint(s)},
    "questionnaire-fill": lambda s, u: _questionnaire(s, u),
    "transcript": lambda s, u: {"uid": _transcript(s, u)},
    "transcript-reconcile": lambda s, u: {"uid": _transcript(s, u)},
}


def unclassified() -> list[str]:
    """Routes that take arguments but have no entry in ``ARGS`` or ``NOT_PAGES``."""
    return sorted(name for name, (route, conv) in page_routes().items() if conv and name not in ARGS and name not in NOT_PAGES)


def page_urls(server: Server, username: str) -> dict[str, str]:
    """``{route name: path}`` of every page, with arguments for a record ``username`` may see."""
    from django.urls import reverse

    out = {}
    for name, (_route, conv) in page_routes().items():
        if name in NOT_PAGES or (conv and name not in ARGS):
            continue  # not a page, or unclassified (test_every_route_is_classified fails for it)
        out[name] = reverse(name, kwargs=ARGS[name](server, username)) if conv else reverse(name)
    return out

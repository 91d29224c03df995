"""Tables an import derives when the user's files lack them, always said in the import report.

A contact log exported as it comes (one row per contact) has no allocations
table; the study needs one (every contact's person allocated to its worker).
:func:`derive_allocations` takes each worker–person pair's first contact as
``allocated_on`` and its last as ``ended_on``; ``discharged_on`` is the
discharge date a derived phase was read from (``phase: {discharge_date: ...}``)
when it is not before the first contact, and otherwise empty.
"""

from __future__ import annotations

from .build import BuiltTable, Origin
from .targets import TABLES


def derive_allocations(contacts: BuiltTable) -> BuiltTable:
    """One allocation per worker–person pair of the contacts, in order of first contact.

    Contacts whose worker, person or date was rejected (already reported) or
    is empty are left out: they cannot be placed.
    """
    pos = contacts.position
    pairs: dict[tuple[str, str], list] = {}
    for row, origin in zip(contacts.rows, contacts.origins):
        worker, person, date = row[pos["worker_id"]], row[pos["person_id"]], row[pos["date"]]
        if not (worker and person and date) or {"worker_id", "person_id", "date"} & set(origin.failed):
            continue
        pair = pairs.get((worker, person))
        if pair is None:
            pairs[(worker, person)] = [date, date, origin]
        else:
            pair[0], pair[1] = min(pair[0], date), max(pair[1], date)
    out = BuiltTable("allocations", TABLES["allocations"].column_names)
    for (worker, person), (first, last, origin) in pairs.items():
        row = out.new_row()
        discharged = contacts.discharges.get((worker, person), "")
        if discharged and discharged < first:
            discharged = ""  # discharged before the first contact: the allocation's start is unknown, so is its order
        for name, value in (("person_id", person), ("worker_id", worker), ("allocated_on", first),
                            ("discharged_on", discharged), ("ended_on", last)):
            row[out.position[name]] = value
        out.append(row)
        cols = {
            "person_id": origin.columns.get("person_id", "person_id"),
            "worker_id": origin.columns.get("worker_id", "worker_id"),
            "allocated_on": "the first contact's " + origin.columns.get("date", "date"),
            "ended_on": "the last contact's " + origin.columns.get("date", "date"),
            "discharged_on": origin.columns.get("phase", "the discharge date"),
        }
        out.origins.append(Origin(origin.label, origin.row, cols))
    return out

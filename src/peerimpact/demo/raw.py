"""A synthetic "team export": raw files as a research team has them, before any PeerImpact format.

:func:`write_raw_export` writes what the team of issue 18 brought: a staff sheet
(demographics and employment), a wellbeing survey workbook with a sheet per
wave, a contact log exported as CSV, interviews as Word documents named like
``Site A - PW01 - 6m.docx``, and a spreadsheet in which three interviews were
coded. ``peerimpact init`` drafts a study from such a folder, and
``docs/first-study.md`` walks from it to a report; the tests of both run on it.

Every value is synthetic (fixed, no randomness, no clock) and labelled so;
the survey items are numbers only (no questionnaire wording).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..errors import UserInputError
from ..fileio import build_folder

#: (id, site, consent, gender, age, contract, hours, start) of the six synthetic peer workers.
STAFF = [
    ("PW01", "A", dt.date(2023, 1, 9), "Woman", 34, "Permanent", 22.5, dt.date(2023, 1, 2)),
    ("PW02", "A", dt.date(2023, 1, 10), "Man", 51, "Permanent", 15, dt.date(2023, 1, 2)),
    ("PW03", "A", dt.date(2023, 1, 12), "Woman", 45, "Bank", None, dt.date(2023, 1, 9)),
    ("PW04", "B", dt.date(2023, 1, 16), "Prefer not to say", 29, "Permanent", 30, dt.date(2023, 1, 9)),
    ("PW05", "B", dt.date(2023, 1, 17), "Woman", 38, "Permanent", 22.5, dt.date(2023, 1, 16)),
    ("PW06", "B", dt.date(2023, 1, 18), "Man", 60, "Permanent", 18.75, dt.date(2023, 1, 16)),
]
WAVES = [("Baseline", 0, "baseline"), ("6 months", 6, "6m"), ("12 months", 12, "12m")]
#: Who answered the survey at each wave.
ANSWERED = {"Baseline": ["PW01", "PW02", "PW03", "PW04", "PW05", "PW06"], "6 months": ["PW01", "PW02", "PW04", "PW05"],
            "12 months": ["PW01", "PW02", "PW04", "PW06"]}
INTERVIEWED = ["PW01", "PW02", "PW04"]
#: (worker, person) pairs of the contact log, in turn.
CONTACT_PAIRS = [("PW01", "C001"), ("PW02", "C003"), ("PW04", "C004"), ("PW01", "C002"), ("PW05", "C006"), ("PW06", "C007"), ("PW04", "C005")]

_SENTENCES = {
    "baseline": ("The training was good and I feel ready to start on the ward.",
                 "My manager asked about my own recovery story and listened."),
    "6m": ("Supervision is patchy, it gets cancelled when the ward is busy.",
           "I feel part of the team now, more than at the start."),
    "12m": ("The people I support trust me because I have been there myself.",
            "Sometimes I felt like a token, wheeled out for meetings."),
}


def _items(person: int, wave: int) -> list[int]:
    """14 item answers (1-5), a fixed synthetic pattern."""
    return [1 + (person * 3 + wave * 2 + item * 5) % 5 for item in range(14)]


def interview_name(worker: str, tp_token: str) -> str:
    site = next(s for pid, s, *_ in STAFF if pid == worker)
    return f"Site {site} - {worker} - {tp_token}"


def interview_text(worker: str, tp_token: str) -> str:
    first, second = _SENTENCES[tp_token]
    return (
        "SYNTHETIC interview, not real data.\n"
        "Interviewer: How has the work been going?\n"
        f"Participant: {first}\n"
        "Interviewer: Can you say more about the team?\n"
        f"Participant: {second} I\u2019m still \u201clearning the ropes\u201d \u2013 {worker} at {tp_token}.\n"
    )


def coding_rows() -> list[list[str]]:
    """The team's coding sheet: three interviews coded, quotes as typed (straight quotes)."""
    pw01, pw02, pw04 = (interview_name(w, "6m") for w in INTERVIEWED)
    return [
        ["Interview", "Quote", "Code", "Coder", "Memo"],
        [pw01, "Supervision is patchy, it gets cancelled when the ward is busy.", "supervision", "coder_a", "Cancelled supervision recurs."],
        [pw01, "I feel part of the team now", "team_belonging", "coder_a", ""],
        [pw02, "I'm still \"learning the ropes\" - PW02 at 6m.", "role_learning", "coder_a", ""],
        [pw04, "Supervision is patchy", "supervision", "coder_b", ""],
    ]


def write_raw_export(folder: str | Path) -> Path:
    """Write the synthetic team export into ``folder`` (created; must be empty or absent).

    The files are built in a hidden sibling folder that is renamed to ``folder``
    only when complete (:func:`peerimpact.fileio.build_folder`), so a failure
    leaves no half-written export.

    Returns
    -------
    Path
        The folder, holding ``staff.xlsx``, ``wellbeing survey.xlsx``,
        ``contact log.csv``, ``coding.xlsx`` and ``interviews/*.docx``.

    Raises
    ------
    UserInputError
        When ``folder`` is a file or a folder that is not empty.
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        raise UserInputError(f"{out}: folder exists and is not empty")
    with build_folder(out) as tmp:
        _write_staff(tmp / "staff.xlsx")
        _write_survey(tmp / "wellbeing survey.xlsx")
        _write_contact_log(tmp / "contact log.csv")
        _write_interviews(tmp / "interviews")
        _write_coding_sheet(tmp / "coding.xlsx")
    return out


def _write_staff(path: Path) -> None:
    """The staff sheet: demographics and employment, one row per worker."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staff"
    ws.append(["PW ID", "Site", "Consent date", "Gender", "Age", "Contract", "Hours", "Start date"])
    for worker in STAFF:
        ws.append(list(worker))
    wb.save(path)


def _write_survey(path: Path) -> None:
    """The wellbeing survey: a sheet per wave, item answers Q1 ... Q14."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for w, (title, month, _) in enumerate(WAVES):
        ws = wb.create_sheet(title)
        ws.append(["PW ID", "Completed"] + [f"Q{i}" for i in range(1, 15)])
        for p, pid in enumerate(ANSWERED[title]):
            ws.append([pid, dt.date(2023, 2, 1) + dt.timedelta(days=30 * month + p)] + _items(p, w))
    wb.save(path)


def contact_log_rows() -> list[list[str]]:
    """The contact log's rows as the team's system exports it: a header, then one row per contact.

    Day-first dates, words for the contact type, no contact id, status,
    phase or allocation. Workers see their people several times; PW03 (bank)
    has no contacts.
    """
    rows = [["Date", "Worker", "Client", "Type", "Minutes"]]
    for n in range(20):
        worker, client = CONTACT_PAIRS[n % len(CONTACT_PAIRS)]
        day = dt.date(2023, 3, 1) + dt.timedelta(days=5 * n)
        rows.append([day.strftime("%d/%m/%Y"), worker, client, "Phone" if n % 3 == 0 else "Face to face", str(30 + 5 * (n % 7))])
    return rows


def _write_contact_log(path: Path) -> None:
    """The contact log as the team's system exports it (:func:`contact_log_rows`)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(contact_log_rows())


def _write_interviews(folder: Path) -> None:
    """One Word document per interview, named like ``Site A - PW01 - 6m.docx``."""
    import docx

    folder.mkdir()
    for worker in INTERVIEWED:
        for _, _, token in WAVES:
            document = docx.Document()
            for line in interview_text(worker, token).splitlines():
                document.add_paragraph(line)
            document.save(str(folder / f"{interview_name(worker, token)}.docx"))


def _write_coding_sheet(path: Path) -> None:
    """The spreadsheet in which the team coded three interviews."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Coding"
    for row in coding_rows():
        ws.append(row)
    wb.save(path)

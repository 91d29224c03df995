"""Interview ids: how transcript names encode site, participant and timepoint.

Ids may contain ``-`` (REDCap data access group records such as ``331-1``),
so a name like ``S3-PW331-1-T1`` can sometimes be split in more than one
way. :func:`parse_interview_id` lists every reading and, given the known
participants and timepoints, keeps the ones that name them; only a name that
still has two readings is ambiguous (:class:`AmbiguousInterviewId`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Mapping

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLACEHOLDERS = ("{site}", "{participant}", "{timepoint}")


@dataclass(frozen=True)
class InterviewRef:
    interview_id: str
    site: str
    participant_id: str
    timepoint: str


class AmbiguousInterviewId(ValueError):
    """An interview id that names two known participant/timepoint pairs."""

    def __init__(self, interview_id: str, readings: list[InterviewRef]):
        self.interview_id = interview_id
        self.readings = readings
        shown = " or ".join(f"participant {r.participant_id!r} at {r.timepoint!r} (site {r.site!r})" for r in readings[:2])
        super().__init__(f"interview id {interview_id!r} is ambiguous: it reads as {shown}; rename the transcript")


def interview_readings(interview_id: str, pattern: str) -> list[InterviewRef]:
    """Every way ``interview_id`` splits into site, participant and timepoint under ``pattern``."""
    pieces = re.split(r"(\{site\}|\{participant\}|\{timepoint\})", pattern)
    found: list[InterviewRef] = []

    def walk(i: int, pos: int, parts: dict[str, str]) -> None:
        if i == len(pieces):
            if pos == len(interview_id):
                found.append(InterviewRef(interview_id, parts["site"], parts["participant"], parts["timepoint"]))
            return
        piece = pieces[i]
        if piece not in _PLACEHOLDERS:
            if interview_id.startswith(piece, pos):
                walk(i + 1, pos + len(piece), parts)
            return
        for end in range(pos + 1, len(interview_id) + 1):
            value = interview_id[pos:end]
            if not _PART.match(value):
                break
            walk(i + 1, end, {**parts, piece[1:-1]: value})

    walk(0, 0, {})
    return found


def parse_interview_id(
    interview_id: str,
    pattern: str,
    participants: Mapping[str, str] | Collection[str] | None = None,
    timepoints: Collection[str] | None = None,
) -> InterviewRef | None:
    """Parse an interview id; ``None`` when it does not match ``pattern``.

    Parameters
    ----------
    interview_id, pattern : str
        The name and the study's ``interview_id_pattern``.
    participants : mapping or collection, optional
        Known participant ids (a mapping participant -> site also checks the site).
    timepoints : collection, optional
        Known timepoint ids.

    Returns
    -------
    InterviewRef or None
        The one reading naming a known participant and timepoint; when none
        does, the first reading (so that the caller can say what is unknown).

    Raises
    ------
    AmbiguousInterviewId
        When two readings name known participants and timepoints.
    """
    readings = interview_readings(interview_id, pattern)
    if not readings:
        return None
    if len(readings) == 1 or (participants is None and timepoints is None):
        return readings[0]
    known = [r for r in readings if _known(r, participants, timepoints)]
    if len(known) > 1:
        raise AmbiguousInterviewId(interview_id, known)
    return known[0] if known else readings[0]


def _known(ref: InterviewRef, participants, timepoints) -> bool:
    if participants is not None:
        if ref.participant_id not in participants:
            return False
        if isinstance(participants, Mapping) and participants[ref.participant_id] != ref.site:
            return False
    return timepoints is None or ref.timepoint in timepoints


def format_interview_id(pattern: str, site: str, participant_id: str, timepoint: str) -> str:
    return pattern.format(site=site, participant=participant_id, timepoint=timepoint)

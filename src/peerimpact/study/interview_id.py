"""Interview ids: how transcript names encode site, participant and timepoint."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = r"[A-Za-z0-9][A-Za-z0-9_.]*?"


@dataclass(frozen=True)
class InterviewRef:
    interview_id: str
    site: str
    participant_id: str
    timepoint: str


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn ``S{site}-PW{participant}-{timepoint}`` into an anchored regex."""
    out = []
    for piece in re.split(r"(\{site\}|\{participant\}|\{timepoint\})", pattern):
        if piece in ("{site}", "{participant}", "{timepoint}"):
            out.append(f"(?P<{piece[1:-1]}>{_PART})")
        else:
            out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "$")


def parse_interview_id(interview_id: str, pattern: str) -> InterviewRef | None:
    """Parse an interview id; ``None`` when it does not match ``pattern``."""
    m = compile_pattern(pattern).match(interview_id)
    if not m:
        return None
    return InterviewRef(interview_id, m["site"], m["participant"], m["timepoint"])


def format_interview_id(pattern: str, site: str, participant_id: str, timepoint: str) -> str:
    return pattern.format(site=site, participant=participant_id, timepoint=timepoint)

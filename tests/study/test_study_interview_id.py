"""Interview ids whose participant ids contain '-' (REDCap data access group records such as 331-1)."""

from __future__ import annotations

import pytest

from peerimpact.study.interview_id import AmbiguousInterviewId, InterviewRef, interview_readings, parse_interview_id

PATTERN = "S{site}-PW{participant}-{timepoint}"


@pytest.mark.parametrize(
    ("iid", "readings"),
    [
        ("S6-PW01-T1", [("6", "01", "T1")]),
        ("S3-PW331-1-T1", [("3", "331", "1-T1"), ("3", "331-1", "T1")]),
        ("S3-PW331-1-T-1", [("3", "331", "1-T-1"), ("3", "331-1", "T-1"), ("3", "331-1-T", "1")]),
        ("S6PW01-T1", []),
        ("S6-PW-T1", []),
    ],
    ids=["plain", "dag-id", "three-readings", "no-separator", "empty-participant"],
)
def test_every_reading_is_listed(iid, readings):
    assert [(r.site, r.participant_id, r.timepoint) for r in interview_readings(iid, PATTERN)] == readings


@pytest.mark.parametrize(
    ("iid", "participants", "timepoints", "expected"),
    [
        ("S3-PW331-1-T1", {"331-1": "3", "331-2": "3"}, ["T1", "T2"], ("3", "331-1", "T1")),
        ("S3-PW331-1-T1", {"331": "3"}, ["1-T1"], ("3", "331", "1-T1")),
        # nothing known: the first reading, so that the caller can say the participant is unknown
        ("S3-PW331-1-T1", {"999": "3"}, ["T1"], ("3", "331", "1-T1")),
        # the site must agree when participants are given with their sites
        ("S3-PW331-1-T1", {"331-1": "3", "331": "4"}, ["T1", "1-T1"], ("3", "331-1", "T1")),
        ("S6-PW01-T1", None, None, ("6", "01", "T1")),
    ],
    ids=["dag-id", "other-reading-known", "none-known", "site-decides", "no-knowledge"],
)
def test_known_participants_and_timepoints_decide(iid, participants, timepoints, expected):
    ref = parse_interview_id(iid, PATTERN, participants, timepoints)
    assert ref == InterviewRef(iid, *expected)


def test_a_truly_ambiguous_name_names_both_readings():
    with pytest.raises(AmbiguousInterviewId) as err:
        parse_interview_id("S3-PW331-1-T1", PATTERN, {"331": "3", "331-1": "3"}, ["T1", "1-T1"])
    assert str(err.value) == (
        "interview id 'S3-PW331-1-T1' is ambiguous: it reads as participant '331' at '1-T1' (site '3') "
        "or participant '331-1' at 'T1' (site '3'); rename the transcript"
    )

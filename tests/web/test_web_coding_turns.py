"""Speaker turns in the coding API (``GET /api/transcripts/{id}``, which the workbench draws by turn) follow the
study's own ``speakers`` or ``turn_pattern`` (``StudyDefinition.turn_regex``), not the default ``Interviewer:`` /
``PW:``. Synthetic transcripts of the workbench tests' coding study."""

from __future__ import annotations

import pytest

from test_web_coding_study import write_coding_study

pytestmark = pytest.mark.django_db

IID = "S1-PW02-T1"  # no codings: its text can change freely
PARTICIPANT = "Interviewer: What helps?\nParticipant: Sharing my story helps.\nInterviewer: And the team?\nParticipant: It listens now.\n"
QA = "Q: What helps?\nA: Sharing my story helps.\nQ: And the team?\nA: It listens now.\n"
PW = "Interviewer: What helps?\nPW: Sharing my story helps.\nInterviewer: And the team?\nPW: It listens now.\n"
TURNS = [("What helps?", 0), ("Sharing my story helps.", 1), ("And the team?", 0), ("It listens now.", 1)]  # (text, speaker)

CASES = {
    "speakers": ("speakers: [Interviewer, Participant]\n", PARTICIPANT, ("Interviewer", "Participant")),
    "turn-pattern": ("turn_pattern: '^(?P<speaker>Q|A):[ \\t]*'\n", QA, ("Q", "A")),
    "default": ("", PW, ("Interviewer", "PW")),
    # Without the setting the default pattern does not know Participant: the answers are the interviewer's.
    "participant-without-setting": ("", PARTICIPANT, [{"speaker": "Interviewer", "start": 0, "end": 62},
                                                      {"speaker": "Interviewer", "start": 62, "end": 118}]),
}


@pytest.fixture(params=list(CASES))
def case(request):
    return request.param


@pytest.fixture
def study(db, tmp_path, case):  # overrides conftest's: the coding study with this case's setting and transcript
    from peerimpact.web.services.study_import import import_study

    setting, text, _ = CASES[case]
    root = write_coding_study(tmp_path / "study")
    (root / "study.yaml").write_text((root / "study.yaml").read_text(encoding="utf-8") + setting, encoding="utf-8")
    (root / "transcripts" / f"{IID}.txt").write_text(text, encoding="utf-8")
    return import_study(root)


def expected_turns(text: str, speakers) -> list[dict]:
    """Each line of these transcripts is one turn, from its marker to the next line's (a list: the turns as written)."""
    if isinstance(speakers, list):
        return speakers
    out, at = [], 0
    for line, (_, who) in zip(text.splitlines(keepends=True), TURNS, strict=True):
        assert line.startswith(speakers[who] + ":")
        out.append({"speaker": speakers[who], "start": at, "end": at + len(line)})
        at += len(line)
    return out


def test_turns_follow_the_study_setting(client, token, case):
    _, text, speakers = CASES[case]
    r = client.get(f"/api/transcripts/{IID}", HTTP_AUTHORIZATION=token("coder"))
    assert r.status_code == 200, r.content
    assert r.json()["turns"] == expected_turns(text, speakers)

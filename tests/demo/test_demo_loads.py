"""The written demo study passes the study loader's validation with no problems."""

from __future__ import annotations

import peerimpact


def test_demo_study_loads_without_problems(demo_study_dir):
    study = peerimpact.load_study(demo_study_dir)  # raises StudyValidationError listing any problem
    assert study.synthetic
    assert study.timepoint_ids == ["T1", "T2", "T3"]
    assert len(study.transcripts) == 72
    assert set(study.codings.interview_id) <= set(study.transcripts)

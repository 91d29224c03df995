"""Helpers of the qualitative tests: fixture paths and a direct Study builder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from peerimpact.study.checks import empty_table, typed_table
from peerimpact.study.csvio import read_raw_csv
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.interview_id import parse_interview_id
from peerimpact.study.model import Study, StudySource, Transcript
from peerimpact.study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, SERVICE_USE
from peerimpact.study.text import normalise_text, text_sha256

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "qual"
MINI = FIXTURES / "mini_study"
REFI = FIXTURES / "refi"


def build_study(root: Path, **overrides) -> Study:
    """A Study read straight from a study folder (transcripts, codings and qual YAML only).

    Mirrors what ``peerimpact.load_study`` gives for these parts, without the
    questionnaire machinery, so that the qualitative tests stay fast and
    independent. ``overrides`` replace fields (e.g. ``codings=...``).
    """
    definition = StudyDefinition.model_validate(yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8")))
    transcripts = {}
    for path in sorted((root / "transcripts").glob("*.txt")):
        ref = parse_interview_id(path.stem, definition.interview_id_pattern)
        text = normalise_text(path.read_bytes().decode("utf-8"))
        transcripts[path.stem] = Transcript(path.stem, ref.site, ref.participant_id, ref.timepoint, text, text_sha256(text), f"transcripts/{path.name}")
    raw, problems = read_raw_csv(root / "qual" / "codings.csv", "qual/codings.csv")
    assert not problems
    participants, _ = read_raw_csv(root / "participants.csv", "participants.csv")

    def load_yaml(rel: str):
        p = root / rel
        return yaml.safe_load(p.read_text(encoding="utf-8")) if p.is_file() else None

    fields = dict(
        definition=definition,
        participants=typed_table(participants, PARTICIPANTS),
        responses=pd.DataFrame({"participant_id": pd.Series([], dtype=object), "timepoint": pd.Series([], dtype=object)}),
        service_use=empty_table(SERVICE_USE),
        employment=empty_table(EMPLOYMENT),
        allocations=empty_table(ALLOCATIONS),
        contacts=empty_table(CONTACTS),
        instruments={},
        transcripts=transcripts,
        codings=typed_table(raw, CODINGS),
        codebook=load_yaml("qual/codebook.yaml"),
        memos=load_yaml("qual/memos.yaml"),
        source=StudySource(root.resolve(), "folder", {}),
    )
    fields.update(overrides)
    return Study(**fields)




def tiny_study(texts: dict[str, str], rows: list[tuple], codebook=None) -> Study:
    """The mini study's definition with other transcripts and codings.

    ``rows`` are ``(segment_id, interview_id, start, end, code, coder)``.
    """
    transcripts = {}
    for iid, text in texts.items():
        ref = parse_interview_id(iid, "S{site}-PW{participant}-{timepoint}")
        transcripts[iid] = Transcript(iid, ref.site, ref.participant_id, ref.timepoint, text, text_sha256(text), f"transcripts/{iid}.txt")
    raw = pd.DataFrame([[str(v) for v in r] for r in rows], columns=["segment_id", "interview_id", "start", "end", "code", "coder"], dtype=object)
    if not rows:
        raw = pd.DataFrame({c: pd.Series([], dtype=object) for c in ["segment_id", "interview_id", "start", "end", "code", "coder"]})
    return build_study(MINI, transcripts=transcripts, codings=typed_table(raw, CODINGS), codebook=codebook, memos=None,
                       source=StudySource(None, "memory", {}))

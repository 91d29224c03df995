"""Export -> import gives the same codebook, codings and memos; importing into a study is all-or-nothing."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import peerimpact
from peerimpact.errors import StudyValidationError
from peerimpact.qual import export_qdpx, import_qdpx, import_qdpx_into, qual_data

ORDER = ["interview_id", "start", "end", "segment_id", "code", "coder"]
COLUMNS = ["segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp", "quote"]


def canonical(codings: pd.DataFrame) -> pd.DataFrame:
    return codings[COLUMNS].sort_values(ORDER, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("which", ["mini", "demo"])
def test_export_import_round_trip(which, mini_study, demo_study, tmp_path):
    study = mini_study if which == "mini" else demo_study
    path = export_qdpx(study, tmp_path / "p.qdpx")
    result = import_qdpx(path, study.definition.interview_id_pattern)
    data = qual_data(study)
    assert result.codebook == data.codebook
    assert result.memos == data.memos
    pd.testing.assert_frame_equal(canonical(result.codings), canonical(data.codings))
    assert result.transcripts == {i: t.text for i, t in study.transcripts.items()}
    assert result.report.items == []
    assert result.project_name == study.title


def test_import_into_a_study_round_trips_through_the_loader(mini_study, mini_study_dir, tmp_path):
    path = export_qdpx(mini_study, tmp_path / "p.qdpx")
    for rel in ("qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml", "transcripts/S1-PW02-T1.txt"):
        (mini_study_dir / rel).unlink()
    summary = import_qdpx_into(path, mini_study_dir)
    assert summary.written == ["qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml", "transcripts/S1-PW02-T1.txt"]
    assert summary.unchanged == ["transcripts/S1-PW01-T1.txt", "transcripts/S1-PW01-T2.txt", "transcripts/S2-PW03-T2.txt"]
    assert summary.backup is None  # nothing was replaced
    again = peerimpact.load_study(mini_study_dir)
    before, after = qual_data(mini_study), qual_data(again)
    assert after.codebook == before.codebook
    assert after.memos == before.memos
    pd.testing.assert_frame_equal(canonical(after.codings), canonical(before.codings))
    header = (mini_study_dir / "qual" / "codings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "segment_id,interview_id,start,end,code,coder,version,timestamp,quote"


def test_import_into_backs_up_what_it_replaces(mini_study, mini_study_dir, tmp_path):
    path = export_qdpx(mini_study, tmp_path / "p.qdpx")
    old = (mini_study_dir / "qual" / "codings.csv").read_bytes()
    summary = import_qdpx_into(path, mini_study_dir)
    assert summary.backup is not None and summary.backup.parent.name == ".peerimpact-backup"
    assert (summary.backup / "qual" / "codings.csv").read_bytes() == old
    peerimpact.load_study(mini_study_dir)  # the backup folder does not disturb the loader


def test_import_into_is_all_or_nothing(mini_study, mini_study_dir, tmp_path, monkeypatch):
    path = export_qdpx(mini_study, tmp_path / "p.qdpx")
    (mini_study_dir / "transcripts" / "S1-PW02-T1.txt").unlink()
    before = {p.relative_to(mini_study_dir): p.read_bytes() for p in mini_study_dir.rglob("*") if p.is_file()}
    import os  # the atomic writes of study/update.py (through fileio) end in os.replace

    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        import_qdpx_into(path, mini_study_dir)
    after = {p.relative_to(mini_study_dir): p.read_bytes() for p in mini_study_dir.rglob("*")
             if p.is_file() and ".peerimpact-backup" not in p.parts}
    assert after == before
    assert not [p for p in mini_study_dir.iterdir() if p.name.startswith(".peerimpact-import-")]


def test_import_refuses_a_transcript_that_differs(mini_study, mini_study_dir, tmp_path):
    path = export_qdpx(mini_study, tmp_path / "p.qdpx")
    (mini_study_dir / "transcripts" / "S1-PW01-T2.txt").write_text("PW: something else\n", encoding="utf-8")
    before = (mini_study_dir / "qual" / "codings.csv").read_bytes()
    with pytest.raises(StudyValidationError) as err:
        import_qdpx_into(path, mini_study_dir)
    assert [str(p) for p in err.value.problems] == [
        "transcripts/S1-PW01-T2.txt: differs from the transcript in the imported project; the coded spans would not fit (replace or rename one of them first)"
    ]
    assert (mini_study_dir / "qual" / "codings.csv").read_bytes() == before


def test_import_refuses_unknown_participants_and_timepoints(refi_dir, mini_study_dir):
    shutil.rmtree(mini_study_dir / "transcripts")
    (mini_study_dir / "transcripts").mkdir()
    (mini_study_dir / "participants.csv").write_text("participant_id,site,consent_date\n02,1,2019-09-02\n", encoding="utf-8")
    with pytest.raises(StudyValidationError) as err:
        import_qdpx_into(refi_dir / "utf16_crlf.qdpx", mini_study_dir)
    assert [str(p) for p in err.value.problems] == [
        "transcripts/S1-PW01-T1.txt: participant '01' of interview 'S1-PW01-T1' is not in participants.csv (add them first)",
        "transcripts/S1-PW01-T2.txt: participant '01' of interview 'S1-PW01-T2' is not in participants.csv (add them first)",
    ]


def test_foreign_project_imports_into_a_study(refi_dir, mini_study_dir):
    for rel in ("qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml"):
        (mini_study_dir / rel).unlink()
    summary = import_qdpx_into(refi_dir / "utf16_crlf.qdpx", mini_study_dir)
    study = peerimpact.load_study(mini_study_dir)
    data = qual_data(study)
    assert len(data.codings) == 8 and summary.report.items == []
    for rec in data.codings.to_dict("records"):
        assert rec["quote"] == study.transcripts[rec["interview_id"]].text[rec["start"]:rec["end"]]

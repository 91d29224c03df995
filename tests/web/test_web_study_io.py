"""import-study / export-study: lossless round trips, and nothing stored or written on bad input."""

from __future__ import annotations

import pandas as pd
import pytest

import peerimpact
from peerimpact.errors import StudyValidationError, UserInputError

TABLES = ["participants", "responses", "service_use", "employment", "allocations", "contacts", "codings"]


def assert_same_study(a, b) -> None:
    assert a.definition == b.definition
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert dict(a.transcripts) == dict(b.transcripts)
    assert dict(a.instruments) == dict(b.instruments)
    for doc in ("codebook", "memos", "synthesis", "norms"):
        assert getattr(a, doc) == getattr(b, doc), doc


@pytest.mark.django_db
def test_tiny_study_round_trip(tiny_study_dir, tmp_path):
    from peerimpact.web.services.study_export import build_study, export_study
    from peerimpact.web.services.study_import import import_study

    import_study(tiny_study_dir)
    original = peerimpact.load_study(tiny_study_dir)
    assert_same_study(original, build_study())
    out = export_study(tmp_path / "exported")
    assert_same_study(original, peerimpact.load_study(out))


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_study_round_trip(demo_study_dir, demo_study, tmp_path):
    """The whole synthetic demo study: every table, transcript, codebook, coding, memo and synthesis."""
    from peerimpact.web.services.study_export import export_study
    from peerimpact.web.services.study_import import import_study

    import_study(demo_study_dir)
    exported = peerimpact.load_study(export_study(tmp_path / "exported"))
    assert_same_study(demo_study, exported)
    assert demo_study.codebook is not None and demo_study.synthesis is not None and demo_study.memos is not None


@pytest.mark.django_db
def test_import_refuses_a_second_study(study, tiny_study_dir):
    from peerimpact.web.services.study_import import import_study

    with pytest.raises(UserInputError) as err:
        import_study(tiny_study_dir)
    assert str(err.value) == "the database already holds a study; export it and use a new database to import another"


@pytest.mark.django_db
def test_invalid_folder_stores_nothing(tiny_study_dir, tmp_path):
    import shutil

    from peerimpact.web.records.models import Contact, Participant, StudyConfig
    from peerimpact.web.services.study_import import import_study

    bad = shutil.copytree(tiny_study_dir, tmp_path / "bad")
    text = (bad / "contacts.csv").read_text().replace("C4,03,P003,2020-03-03", "C4,03,P003,2099-03-03")
    (bad / "contacts.csv").write_text(text)
    with pytest.raises(StudyValidationError) as err:
        import_study(bad)
    assert [str(p) for p in err.value.problems] == ["contacts.csv:5:date: 2099-03-03 is in the future"]
    assert (StudyConfig.objects.count(), Participant.objects.count(), Contact.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_export_refuses_a_non_empty_folder(study, tmp_path):
    from peerimpact.web.services.study_export import export_study

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(UserInputError) as err:
        export_study(tmp_path / "out")
    assert str(err.value) == f"{tmp_path / 'out'}: folder exists and is not empty (use --overwrite to replace it)"
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


@pytest.mark.django_db
def test_export_without_a_study():
    from peerimpact.web.services.study_export import build_study

    with pytest.raises(UserInputError, match="the database holds no study"):
        build_study()


@pytest.mark.django_db
def test_soft_deleted_contact_is_not_exported_but_kept(study, users, tmp_path):
    from peerimpact.web.records.models import Contact
    from peerimpact.web.services.study_export import export_study

    Contact.objects.get(contact_id="C2").soft_delete(users["worker01"])
    exported = peerimpact.load_study(export_study(tmp_path / "out"))
    assert sorted(exported.contacts["contact_id"]) == ["C1", "C3", "C4"]
    assert Contact.all_objects.filter(contact_id="C2").exists()


@pytest.mark.django_db
def test_import_records_audit_history(study):
    from peerimpact.web.records.models import Contact

    history = Contact.history.filter(contact_id="C1")
    assert [(h.history_type, h.history_change_reason) for h in history] == [("+", "import-study")]


# The export's reading of Transcript and Coding rows before study_transcripts/study_codings (model instances, joined
# objects), kept here as the oracle: the shared values_list readers must give exactly its transcripts and codings table.
def _orm_transcripts() -> dict:
    from peerimpact.study import Transcript
    from peerimpact.web.records.models import Transcript as TranscriptRow

    return {t.interview_id: Transcript(t.interview_id, t.site, t.participant.participant_id, t.timepoint, t.text, t.sha256, t.file)
            for t in TranscriptRow.objects.select_related("participant").order_by("interview_id")}


def _orm_codings(config) -> pd.DataFrame:
    from peerimpact.study.checks import empty_table, typed_table
    from peerimpact.study.tables import CODINGS
    from peerimpact.study.write import format_cell
    from peerimpact.web.records.models import Coding

    columns = list(config.coding_columns or CODINGS.column_names)
    rows = [{"segment_id": c.segment_id, "interview_id": c.transcript.interview_id, "start": c.start, "end": c.end,
             "code": c.code, "coder": c.coder, **c.extra} for c in Coding.objects.select_related("transcript").order_by("id")]
    for row in rows:
        columns += [k for k in row if k not in columns]
    if not rows:
        return empty_table(CODINGS)
    return typed_table(pd.DataFrame([[format_cell(r.get(c)) for c in columns] for r in rows], columns=columns, dtype=object), CODINGS)


def _code_in_the_browser(users) -> None:
    """Codings by three more coders (one accepted suggestion, one consensus), one removed, one with a column of its own."""
    from peerimpact.web.coding.codings import create_coding
    from peerimpact.web.records.models import Coding, Transcript

    create_coding(users["coder"], "S2-PW03-T1", 30, 38, "hope")  # after the emoji: code points
    create_coding(users["coder2"], "S1-PW02-T1", 29, 66, "peer_identity", origin="suggested", model_version="m-3")
    create_coding(users["admin"], "S1-PW02-T1", 29, 66, "peer_identity", consensus=True)
    removed, _ = create_coding(users["coder"], "S1-PW02-T2", 33, 43, "feeling_busy")
    removed.soft_delete(users["coder"])
    Coding.objects.create(segment_id="G9", transcript=Transcript.objects.get(interview_id="S1-PW01-T2"), start=29, end=57,
                          code="peer_identity", coder="coder_b", extra={"version": 1, "note": "second reading"})


def _delete_a_coded_transcript(users) -> None:
    """A removed transcript whose coding stays live (read as before: the coding is kept, the transcript is not)."""
    from peerimpact.web.records.models import Transcript

    Transcript.objects.get(interview_id="S1-PW01-T2").soft_delete(users["admin"])


def _forget_the_imported_columns(users) -> None:
    from peerimpact.web.records.models import StudyConfig

    StudyConfig.objects.update(coding_columns=[])


def _remove_every_coding(users) -> None:
    from peerimpact.web.records.models import Coding

    for coding in Coding.objects.all():
        coding.soft_delete(users["admin"])


@pytest.mark.django_db
@pytest.mark.parametrize("steps", [
    (),
    (_code_in_the_browser,),
    (_code_in_the_browser, _delete_a_coded_transcript),
    (_code_in_the_browser, _forget_the_imported_columns),
    (_code_in_the_browser, _remove_every_coding),
], ids=["imported", "browser-codings", "deleted-transcript", "no-imported-columns", "no-live-codings"])
def test_transcripts_and_codings_are_read_as_the_orm_reads_them(tmp_path, steps):
    """study_transcripts() and study_codings() (read by build_study and the suggestions' training_study) equal the
    model-instance reading they replaced: every transcript field, and every column of the codings (names, order,
    dtypes, cells), on the coding study (five transcripts, one with an emoji and a combining mark) and codings by
    coder_a (imported), two browser coders, consensus and coder_b, live, removed and accepted suggestions."""
    from peerimpact.web.records.models import Role, StudyConfig
    from peerimpact.web.services.accounts import make_user
    from peerimpact.web.services.study_export import build_study, study_codings, study_transcripts
    from peerimpact.web.services.study_import import import_study
    from test_web_coding_study import write_coding_study

    import_study(write_coding_study(tmp_path / "study"))
    users = {name: make_user(name, "a-long-test-password-1", role, validate_password=False)
             for name, role in (("admin", Role.ADMIN), ("coder", Role.CODER), ("coder2", Role.CODER))}
    for step in steps:
        step(users)
    config = StudyConfig.objects.get()
    expected_transcripts, expected_codings = _orm_transcripts(), _orm_codings(config)
    full = build_study()
    for transcripts in (study_transcripts(), full.transcripts):
        assert list(transcripts) == list(expected_transcripts)
        assert [vars(t) for t in transcripts.values()] == [vars(t) for t in expected_transcripts.values()]
    for codings in (study_codings(config), full.codings):
        pd.testing.assert_frame_equal(codings, expected_codings, check_exact=True)
    assert len(expected_transcripts) == (4 if _delete_a_coded_transcript in steps else 5)
    live = 0 if _remove_every_coding in steps else 2 + 4 * (_code_in_the_browser in steps)
    assert len(expected_codings) == live

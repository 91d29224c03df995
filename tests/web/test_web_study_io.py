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

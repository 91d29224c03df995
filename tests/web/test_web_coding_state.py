"""The coding change stamp (``web/coding/state.py``, issue 15): every write that changes the live human codings renews
it in its own transaction, nothing else does, and the suggestion model's cache follows it without reading codings."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from suggest_wait import forget_models, trained
from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = pytest.mark.django_db
NEEDLE = "Quieter \U0001F600, cafe\u0301 \U0001D11E"  # what the workbench browser test codes first
START = EMOJI_TEXT.index(NEEDLE)
END = START + len(NEEDLE)


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding-state") / "study")


@pytest.fixture
def study(db, coding_study_dir):  # overrides conftest's: the coding study (two human codings)
    from peerimpact.web.services.study_import import import_study

    forget_models()
    yield import_study(coding_study_dir)
    forget_models()


def _post(client, auth, origin="human", code="hope", start=START, end=END):
    body = {"interview_id": EMOJI_ID, "start": start, "end": end, "code": code, "origin": origin}
    if origin == "suggested":
        body["model_version"] = "tfidf-logreg-test"
    r = client.post("/api/codings", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def _delete(client, auth, uid):
    r = client.delete(f"/api/codings/{uid}", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 204, r.content


def human_created(client, users, auth):
    _post(client, auth)


def suggested_created(client, users, auth):
    _post(client, auth, origin="suggested")


def human_deleted(client, users, auth, setup=None):
    _delete(client, auth, setup)


def suggested_deleted(client, users, auth, setup=None):
    _delete(client, auth, setup)


def consensus_recorded(client, users, auth):
    from peerimpact.web.coding.codings import create_coding

    create_coding(users["admin"], EMOJI_ID, START, END, "hope", consensus=True)


def human_restored(client, users, auth, setup=None):
    from peerimpact.web.records.models import Coding

    Coding.all_objects.get(uid=setup).restore(users["coder"])


def human_edited(client, users, auth):
    from peerimpact.web.records.models import Coding

    coding = Coding.objects.exclude(coder="coder").order_by("id").first()
    coding.code = "quiet"
    coding.save()


def memo_written(client, users, auth):
    r = client.post("/api/memos", json.dumps({"target_type": "transcript", "target_id": EMOJI_ID, "kind": "analytic", "text": "A memo."}),
                    content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content


SETUPS = {  # what must exist before the write: a coding id passed as ``setup``
    human_deleted: lambda client, auth: _post(client, auth),
    suggested_deleted: lambda client, auth: _post(client, auth, origin="suggested"),
    human_restored: lambda client, auth: (uid := _post(client, auth), _delete(client, auth, uid))[0],
}


@pytest.mark.parametrize(
    "write, bumps",
    [
        (human_created, 1),
        (suggested_created, 0),  # accepting a suggestion: not learned from, no retrain (as before)
        (human_deleted, 1),
        (suggested_deleted, 0),
        (consensus_recorded, 1),  # reconciliation records a human coding by the coder "consensus"
        (human_restored, 1),
        (human_edited, 1),  # no page edits a coding in place (a change is remove + add), but save() is covered
        (memo_written, 0),
    ],
    ids=lambda v: v.__name__ if callable(v) else str(v),
)
def test_each_write_renews_the_stamp_exactly_when_human_codings_change(client, users, token, write, bumps):
    from peerimpact.web.coding.state import coding_changes, coding_stamp

    auth = token("coder")
    setup = SETUPS[write](client, auth) if write in SETUPS else None
    before = (coding_changes(), coding_stamp())
    write(client, users, auth, setup) if setup is not None else write(client, users, auth)
    after = (coding_changes(), coding_stamp())
    assert after[0] - before[0] == bumps
    assert (after[1] != before[1]) == bool(bumps)


def test_the_import_renews_it(coding_study_dir):
    """The study import writes its codings with bulk_create (no post_save): it renews the stamp itself."""
    from peerimpact.web.coding.state import coding_changes, coding_stamp
    from peerimpact.web.services.study_import import import_study

    assert (coding_changes(), coding_stamp()) == (0, "")  # migration 0003's row
    import_study(coding_study_dir)
    assert coding_changes() == 1 and len(coding_stamp()) == 32


def test_the_stamp_is_renewed_in_the_writes_transaction(study, users):
    """A coding written and rolled back leaves the stamp as it was (the bump is in the same transaction)."""
    from peerimpact.web.coding.codings import create_coding
    from peerimpact.web.coding.state import coding_changes, coding_stamp

    before = (coding_changes(), coding_stamp())
    with pytest.raises(RuntimeError), transaction.atomic():
        create_coding(users["coder"], EMOJI_ID, START, END, "hope")
        assert coding_changes() == before[0] + 1
        raise RuntimeError("rolled back")
    assert (coding_changes(), coding_stamp()) == before


def test_state_key_reads_no_coding_and_follows_the_stamp_and_the_codebook(study, users, client, token):
    from peerimpact.web.coding.codebook import current_codebook
    from peerimpact.web.coding.codebook_edit import change_codebook
    from peerimpact.web.coding.state import bump
    from peerimpact.web.coding.suggestions import state_key

    with CaptureQueriesContext(connection) as queries:
        key = state_key()
    assert queries.captured_queries and not [q for q in queries.captured_queries if "records_coding" in q["sql"]]
    assert state_key() == key  # nothing changed
    bump()
    assert state_key() != key
    key = state_key()
    change_codebook(users["admin"], current_codebook().version, "rename", "clearer name", {"code": "hope", "name": "Hopefulness"})
    assert state_key() != key


def test_a_new_stamp_makes_the_cached_model_stale(study, client, token):
    """Suggestions come from the cached model while the stamp stays; a new stamp makes it stale (a retrain starts)."""
    from peerimpact.web.coding import suggestions
    from peerimpact.web.coding.state import bump

    auth = token("coder")
    _post(client, auth)  # a third human coding: enough words in common to fit a model
    url = f"/suggestions?interview_id={EMOJI_ID}"
    first = trained(client, url, auth).json()
    assert first["model_state"] == "fresh"
    again = client.get("/api" + url, HTTP_AUTHORIZATION=auth).json()
    assert (again["model_state"], again["model_version"]) == ("fresh", first["model_version"])
    assert suggestions.training() is None  # nothing changed: no training
    bump()
    stale = client.get("/api" + url, HTTP_AUTHORIZATION=auth).json()
    assert (stale["model_state"], stale["model_version"]) == ("stale", first["model_version"])  # a retrain was started
    suggestions.wait_for_training(120)
    assert client.get("/api" + url, HTTP_AUTHORIZATION=auth).json()["model_state"] == "fresh"

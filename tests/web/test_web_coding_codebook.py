"""Codebook changes in the browser's API: each a version with its reason; codings migrate by the qual version rules;
split codes fill the "to recode" queue; stale edits are refused."""

from __future__ import annotations

import json

import pytest

from test_web_coding_study import EMOJI_ID, write_coding_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding-book") / "study")


@pytest.fixture
def study(db, coding_study_dir):
    from peerimpact.web.services.study_import import import_study

    return import_study(coding_study_dir)


def call(client, method, url, auth, body=None):
    kwargs = {"HTTP_AUTHORIZATION": auth}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)("/api" + url, **kwargs)


def change(client, auth, body, base=1):
    return call(client, "post", "/codebook/changes", auth, {"base_version": base, **body})


def codings(client, auth, iid=EMOJI_ID):
    return [(c["code"], c["code_before"], c["recode"]) for c in call(client, "get", f"/codings?interview_id={iid}", auth).json()["items"]]


def test_merge_makes_a_version_and_moves_codings(client, token, tmp_path):
    from peerimpact import load_study
    from peerimpact.web.services.study_export import export_study

    admin = token("admin")
    call(client, "post", "/codings", token("coder"), {"interview_id": EMOJI_ID, "start": 0, "end": 11, "code": "feeling_busy"})
    r = change(client, admin, {"action": "merge", "codes": ["quiet", "feeling_busy"], "into": "pace", "name": "Pace of work",
                               "reason": "workshop 2: busy and quiet are one idea"})
    assert r.status_code == 201, r.json()
    book = r.json()
    assert book["version"] == 2
    assert [c["id"] for c in book["codes"]] == ["peer_identity", "hope", "pace"]
    assert book["themes"] == [{"id": "workload", "name": "Workload", "codes": ["pace"]}]
    assert book["versions"][-1]["reason"] == "workshop 2: busy and quiet are one idea"
    assert book["versions"][-1]["changes"] == [{"action": "merged", "codes": ["quiet", "feeling_busy"], "into": "pace"}]
    assert sorted(codings(client, admin)) == [("pace", "feeling_busy", []), ("pace", "quiet", [])]
    out = export_study(tmp_path / "out")  # the exported codings (versions 1 and none) still validate
    study = load_study(out)
    from peerimpact.qual.codings import qual_data

    assert sorted(set(qual_data(study).current["code"])) == ["pace"]  # the core migrates them the same way


def test_split_sends_codings_to_their_coders_recode_queue(client, token, users):
    from peerimpact.web.api.tokens import issue_token
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user

    coder2 = "Bearer " + issue_token(make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False))[0]
    mine = call(client, "post", "/codings", token("coder"), {"interview_id": EMOJI_ID, "start": 30, "end": 37, "code": "hope"}).json()
    call(client, "post", "/codings", coder2, {"interview_id": EMOJI_ID, "start": 0, "end": 11, "code": "hope"})
    r = change(client, token("admin"), {"action": "split", "code": "hope", "reason": "hope was two ideas",
                                        "into": [{"id": "hope_self", "name": "Hope for self"}, {"id": "hope_others"}]})
    assert r.status_code == 201, r.json()
    queue = call(client, "get", "/recode", token("coder")).json()
    assert [(c["id"], c["code"], c["recode"]) for c in queue["items"]] == [(mine["id"], "hope", ["hope_self", "hope_others"])]
    assert {c["coder"] for c in call(client, "get", "/recode", token("admin")).json()["items"]} == {"coder", "coder2"}
    # recoding = coding the span with a new code and removing the old coding: the queue empties
    assert call(client, "post", "/codings", token("coder"),
                {"interview_id": EMOJI_ID, "start": 30, "end": 37, "code": "hope_self"}).status_code == 201
    assert call(client, "delete", f"/codings/{mine['id']}", token("coder")).status_code == 204
    assert call(client, "get", "/recode", token("coder")).json()["count"] == 0
    bad = call(client, "post", "/codings", token("coder"), {"interview_id": EMOJI_ID, "start": 0, "end": 3, "code": "hope"})
    assert bad.json()["errors"] == [{"field": "code", "message": "'hope' is not a code of codebook version 2"}]


def test_a_stale_edit_is_refused_and_nothing_is_stored(client, token):
    from peerimpact.web.records.models import StudyConfig

    admin = token("admin")
    assert change(client, admin, {"action": "add", "id": "belonging", "name": "Belonging", "reason": "new idea"}).status_code == 201
    before = StudyConfig.objects.get().codebook_yaml
    r = change(client, admin, {"action": "rename", "code": "hope", "name": "Hopefulness", "reason": "clearer"}, base=1)
    assert r.status_code == 409
    assert r.json()["errors"] == [{"field": "base_version", "message": "the codebook changed since you loaded it: version 2 is current, "
                                                                      "your change was made on version 1; reload and make it again"}]
    assert StudyConfig.objects.get().codebook_yaml == before
    assert change(client, admin, {"action": "rename", "code": "hope", "name": "Hopefulness", "reason": "clearer"}, base=2).status_code == 201


BAD = [
    ({"action": "merge", "codes": ["quiet"], "into": "quiet", "reason": "r"}, [("codes", "name two or more codes to merge")]),
    ({"action": "retire", "code": "nope", "reason": "r"}, [("code", "'nope' is not a code of codebook version 1")]),
    ({"action": "add", "id": "quiet", "reason": "r"}, [("id", "code 'quiet' already exists")]),
    ({"action": "add", "id": "fresh", "reason": " "}, [("reason", "say why the codebook changes (it is recorded with the version)")]),
    ({"action": "split", "code": "quiet", "into": [{"id": "a1"}], "reason": "r"}, [("into", "split into two or more new codes")]),
]


@pytest.mark.parametrize("body, errors", BAD, ids=["merge-one", "retire-unknown", "add-existing", "no-reason", "split-one"])
def test_bad_changes_are_refused_with_their_field(client, token, body, errors):
    r = change(client, token("admin"), body)
    assert r.status_code == 422
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == errors


def test_coders_change_the_codebook_only_where_the_study_allows(client, token):
    body = {"action": "add", "id": "emerging", "name": "Emerging", "reason": "workshop 1"}
    assert change(client, token("coder"), body).status_code == 403
    assert call(client, "put", "/coding-policy", token("coder"), {"coders_may_edit_codebook": True}).status_code == 403
    assert call(client, "put", "/coding-policy", token("admin"), {"coders_may_edit_codebook": True}).status_code == 200
    assert change(client, token("coder"), body).status_code == 201


def test_retire_and_theme(client, token):
    admin = token("admin")
    r = change(client, admin, {"action": "theme", "theme": "identity", "name": "Identity", "codes": ["peer_identity", "hope"],
                               "reason": "theme from workshop"})
    assert r.json()["themes"][-1] == {"id": "identity", "name": "Identity", "codes": ["peer_identity", "hope"]}
    r = change(client, admin, {"action": "retire", "code": "hope", "reason": "not used"}, base=2)
    assert [t["codes"] for t in r.json()["themes"]] == [["feeling_busy", "quiet"], ["peer_identity"]]
    assert "hope" not in [c["id"] for c in r.json()["codes"]]

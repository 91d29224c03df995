"""The audit trail lists every coding action: codings, memos, codebook versions, blind-coding assignments,
unblinding and the coding policy, on the page and in the CSV, with who and before/after, filtered by table."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding-audit") / "study")


@pytest.fixture
def study(db, coding_study_dir):  # overrides conftest's: the coding study
    from peerimpact.web.services.study_import import import_study

    return import_study(coding_study_dir)


@pytest.fixture
def coded(client, token, users):
    """Every kind of coding action, each by the API as a coder or a research admin would do it."""
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user

    make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False)
    coder, admin = token("coder"), token("admin")

    def call(method, url, auth, body=None):
        kwargs = {"HTTP_AUTHORIZATION": auth}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        r = getattr(client, method)("/api" + url, **kwargs)
        assert r.status_code in (200, 201, 204), (url, r.content)
        return r.json() if r.status_code != 204 else None

    start = EMOJI_TEXT.index("Quieter")
    coding = call("post", "/codings", coder, {"interview_id": EMOJI_ID, "start": start, "end": start + 7, "code": "quiet"})
    call("delete", f"/codings/{coding['id']}", coder)
    memo = call("post", "/memos", coder, {"target_type": "code", "target_id": "hope", "kind": "reflexive", "text": "Synthetic memo."})
    call("post", "/codebook/changes", admin, {"base_version": 1, "action": "add", "id": "belonging", "name": "Belonging",
                                              "reason": "new idea"})
    call("put", f"/transcripts/{EMOJI_ID}/assignments", admin, {"coders": ["coder", "coder2"]})
    call("put", f"/transcripts/{EMOJI_ID}/assignments", admin, {"coders": ["coder", "admin"]})
    call("post", f"/transcripts/{EMOJI_ID}/unblind", admin)
    call("put", "/coding-policy", admin, {"coders_may_edit_codebook": True})
    return {"segment": coding["segment_id"], "memo": memo["id"]}


def csv_rows(admin, query: str) -> list[dict]:
    r = admin.get(reverse("audit-csv") + query)
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def trail(rows: list[dict]) -> list[tuple]:
    return [(r["user"], r["action"], r["what"], r["record"], json.loads(r["before"]), json.loads(r["after"])) for r in rows]


def test_codings_are_listed_with_who_and_before_after(login, coded):
    admin = login("admin")
    rows = trail(csv_rows(admin, "?table=Coding&user=coder"))  # the imported study's codings have no user
    segment = coded["segment"]
    assert [r[:4] for r in rows if r[3] == segment] == [("coder", "create", "Coding (a coded passage)", segment),
                                                        ("coder", "delete", "Coding (a coded passage)", segment)]
    created = next(r for r in rows if r[3] == segment)[5]
    assert (created["code"], created["coder"], created["transcript_id"], created["start"], created["end"]) == (
        "quiet", "coder", EMOJI_ID, EMOJI_TEXT.index("Quieter"), EMOJI_TEXT.index("Quieter") + 7)
    assert list(rows[-1][5]) == ["deleted_at"] and rows[-1][4] == {"deleted_at": None}


def test_a_memo_is_listed_as_a_memo_with_its_text(login, coded):
    admin = login("admin")
    rows = trail(csv_rows(admin, "?table=Memo"))
    key = f"memos {coded['memo']}"
    assert [r[:4] for r in rows] == [("coder", "update", "Memo", key)]
    assert rows[0][4] == {}
    memo = rows[0][5][key]
    assert (memo["text"], memo["kind"], memo["author"], memo["target"]) == ("Synthetic memo.", "reflexive", "coder",
                                                                             {"type": "code", "id": "hope"})
    page = admin.get(reverse("audit") + "?table=Memo").content.decode()
    assert '<td data-label="What">Memo</td>' in page and "Synthetic memo." in page


def test_a_codebook_version_is_listed_with_the_codes_it_changed(login, coded):
    admin = login("admin")
    rows = trail(csv_rows(admin, "?table=Codebook&user=admin"))
    assert [r[:4] for r in rows] == [("admin", "update", "Codebook (codes, themes, versions)", "version 2")]
    before, after = rows[0][4], rows[0][5]
    assert before == {"version": 1}
    assert after["codes belonging"]["name"] == "Belonging" and after["version"] == 2
    assert after["versions 2"]["reason"] == "new idea"
    assert "codes hope" not in after  # unchanged codes are not repeated
    assert "version 2" in admin.get(reverse("audit") + "?table=Codebook").content.decode()


def test_assignments_unblinding_and_the_policy_are_listed(login, coded):
    admin = login("admin")
    rows = trail(csv_rows(admin, "?table=Assignment"))
    assert [r[:4] for r in rows] == [
        ("admin", "create", "Blind-coding assignment", f"{EMOJI_ID} / coder"),
        ("admin", "create", "Blind-coding assignment", f"{EMOJI_ID} / coder2"),
        ("admin", "delete", "Blind-coding assignment", f"{EMOJI_ID} / coder2"),
        ("admin", "create", "Blind-coding assignment", f"{EMOJI_ID} / admin"),
    ]
    assert rows[0][5]["transcript_id"] == EMOJI_ID and rows[0][5]["coder"] == "coder"
    unblind = trail(csv_rows(admin, "?table=Unblinding"))
    assert [(r[0], r[1], r[3], r[5]["by_id"], r[5]["transcript_id"]) for r in unblind] == [
        ("admin", "create", EMOJI_ID, "admin", EMOJI_ID)]
    policy = trail(csv_rows(admin, "?table=CodingPolicy&action=create"))
    assert [(r[0], r[2], r[3], r[5]["coders_may_edit_codebook"]) for r in policy] == [
        ("admin", "Coding policy", "the study's coding policy", True)]
    page = admin.get(reverse("audit") + "?table=Assignment&action=delete").content.decode()
    assert "1 events match" in page and f"{EMOJI_ID} / coder2" in page and "Blind-coding assignment" in page


@pytest.mark.parametrize("table, label", [("Assignment", "Blind-coding assignment"), ("Unblinding", "Unblinding of a transcript"),
                                          ("CodingPolicy", "Coding policy"), ("Codebook", "Codebook (codes, themes, versions)"),
                                          ("Memo", "Memo"), ("AbsenceSpell", "Absence spell")])
def test_the_what_filter_offers_every_audited_table_in_plain_words(login, table, label):
    page = login("admin").get(reverse("audit")).content.decode()
    assert f'<option value="{table}" >{label}</option>' in page


def test_unfiltered_page_and_csv_include_coding_events_and_the_user_filter_applies(login, coded):
    admin = login("admin")
    every = {r["table"] for r in csv_rows(admin, "")}
    assert {"Coding", "Memo", "Codebook", "Assignment", "Unblinding", "CodingPolicy"} <= every
    by_coder = {r["table"] for r in csv_rows(admin, "?user=coder")}
    assert by_coder == {"Coding", "Memo"}

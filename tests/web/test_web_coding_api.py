"""The coding API: apply and remove codes, blind double coding, agreement equal to ``peerimpact qual agreement``."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from test_web_coding_study import EMOJI_ID, EMOJI_TEXT, write_coding_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding") / "study")


@pytest.fixture
def study(db, coding_study_dir):  # overrides conftest's: the coding study
    from peerimpact.web.services.study_import import import_study

    return import_study(coding_study_dir)


@pytest.fixture
def coder2(users):
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user

    return make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False)


def api(client, method, url, auth, body=None):
    kwargs = {"HTTP_AUTHORIZATION": auth}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)("/api" + url, **kwargs)


def bearer(user):
    from peerimpact.web.api.tokens import issue_token

    return "Bearer " + issue_token(user)[0]


def code(client, auth, start, end, code_id, iid=EMOJI_ID):
    return api(client, "post", "/codings", auth, {"interview_id": iid, "start": start, "end": end, "code": code_id})


def cp(needle: str) -> tuple[int, int]:
    """Code-point span of ``needle`` in the emoji transcript (an independent route: Python str indices)."""
    start = EMOJI_TEXT.index(needle)
    return start, start + len(needle)


@pytest.mark.parametrize("needle", ["\U0001F600", "cafe\u0301", "\U0001D11E days", "Quieter \U0001F600, cafe\u0301 \U0001D11E"],
                         ids=["emoji", "combining", "non-bmp", "mixed"])
def test_a_coding_is_stored_in_code_points_with_its_quote(client, token, needle):
    s, e = cp(needle)
    r = code(client, token("coder"), s, e, "hope")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["start"], body["end"], body["quote"], body["coder"], body["version"], body["origin"]) == (s, e, needle, "coder", 1, "human")
    again = code(client, token("coder"), s, e, "hope")  # idempotent: the same coding, not a second one
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    listed = api(client, "get", f"/codings?interview_id={EMOJI_ID}", token("coder")).json()
    assert [c["quote"] for c in listed["items"] if c["code"] == "hope"] == [needle]


def test_export_writes_the_browser_coding_as_a_codings_csv_row(client, token, tmp_path):
    from peerimpact import load_study
    from peerimpact.web.services.study_export import export_study

    s, e = cp("Quieter \U0001F600, cafe\u0301")
    assert code(client, token("coder"), s, e, "peer_identity").status_code == 201
    out = export_study(tmp_path / "out")
    rows = pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)
    row = rows[rows["code"] == "peer_identity"].iloc[0]
    assert (row["interview_id"], int(row["start"]), int(row["end"]), row["coder"], row["version"]) == (EMOJI_ID, s, e, "coder", "1")
    assert row["quote"] == "Quieter \U0001F600, cafe\u0301"
    assert rows[rows["code"] == "feeling_busy"]["quote"].tolist() == [""]  # imported rows: no quote recorded, none invented
    loaded = load_study(out)  # the quote is checked against the span again
    assert loaded.transcripts[EMOJI_ID].text[s:e] == row["quote"]


BAD = [
    ({"start": 5, "end": 5, "code": "hope"}, [("end", "must be greater than start")]),
    ({"start": 2, "end": 1000, "code": "nope"},
     [("end", f"must be between 0 and {len(EMOJI_TEXT)} (code points of the normalised text)"),
      ("code", "'nope' is not a code of codebook version 1")]),
    ({"start": -1, "end": 3, "code": "hope"}, [("start", "Input should be greater than or equal to 0")]),
    ({"start": "1", "end": 3, "code": "hope"}, [("start", "Input should be a valid integer")]),
    ({"start": 1, "end": 3, "code": "hope", "coder": "someone"}, [("coder", "unknown field")]),
]


@pytest.mark.parametrize("body, errors", BAD, ids=["empty", "range-and-code", "negative", "string", "coder-is-the-caller"])
def test_bad_codings_are_refused_with_every_problem(client, token, body, errors):
    from peerimpact.web.records.models import Coding

    before = Coding.all_objects.count()
    r = api(client, "post", "/codings", token("coder"), {"interview_id": EMOJI_ID, **body})
    assert r.status_code == 422
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == errors
    assert Coding.all_objects.count() == before


def test_unknown_transcript_is_404(client, token):
    r = code(client, token("coder"), 0, 3, "hope", iid="nope")
    assert (r.status_code, r.json()) == (404, {"status": 404, "errors": [{"field": None, "message": "not found"}]})


def test_delete_removes_own_coding_only_and_keeps_it_in_the_audit_trail(client, token, coder2):
    from peerimpact.web.records.models import Coding

    mine = code(client, token("coder"), 0, 11, "hope").json()
    assert api(client, "delete", f"/codings/{mine['id']}", bearer(coder2)).status_code == 403
    assert api(client, "delete", f"/codings/{mine['id']}", token("coder")).status_code == 204
    assert api(client, "delete", f"/codings/{mine['id']}", token("coder")).status_code == 404
    row = Coding.all_objects.get(uid=mine["id"])
    assert row.deleted_at is not None
    assert [(h.history_type, h.history_user.username) for h in row.history.order_by("history_id")] == [("+", "coder"), ("~", "coder")]


def visible(client, auth, iid=EMOJI_ID):
    return sorted((c["coder"], c["code"]) for c in api(client, "get", f"/transcripts/{iid}", auth).json()["codings"])


def test_blind_until_unblinded(client, token, coder2):
    admin, c1, c2 = token("admin"), token("coder"), bearer(coder2)
    assert api(client, "put", f"/transcripts/{EMOJI_ID}/assignments", c1, {"coders": ["coder", "coder2"]}).status_code == 403
    r = api(client, "put", f"/transcripts/{EMOJI_ID}/assignments", admin, {"coders": ["coder", "coder2"]})
    assert r.json() == {"interview_id": EMOJI_ID, "assigned": ["coder", "coder2"], "blind": True}
    code(client, c1, *cp("Quieter"), "quiet")
    code(client, c2, *cp("Quieter \U0001F600"), "quiet")
    assert visible(client, c1) == [("coder", "quiet")]
    assert visible(client, c2) == [("coder2", "quiet")]
    assert visible(client, admin) == [("coder", "quiet"), ("coder2", "quiet"), ("coder_a", "quiet")]
    other = api(client, "get", f"/codings?interview_id={EMOJI_ID}", c1).json()["items"]
    assert {c["coder"] for c in other} == {"coder"}
    assert api(client, "get", f"/agreement?interview_id={EMOJI_ID}", c1).status_code == 403
    listed = {t["interview_id"]: t for t in api(client, "get", "/transcripts", c1).json()["items"]}
    assert (listed[EMOJI_ID]["blind"], listed[EMOJI_ID]["coders"], listed[EMOJI_ID]["n_codings"]) == (True, ["coder"], 1)
    assert api(client, "post", f"/transcripts/{EMOJI_ID}/unblind", c1).status_code == 403
    assert api(client, "post", f"/transcripts/{EMOJI_ID}/unblind", admin).json()["blind"] is False
    assert visible(client, c1) == visible(client, admin)
    assert api(client, "get", f"/agreement?interview_id={EMOJI_ID}", c1).status_code == 200


def test_agreement_equals_the_command_line_on_the_exported_study(client, token, coder2, tmp_path):
    from typer.testing import CliRunner

    from peerimpact.cli.main import app
    from peerimpact.web.services.study_export import export_study

    c1, c2 = token("coder"), bearer(coder2)
    iid = "S1-PW01-T1"
    for auth, spans in ((c1, [(34, 48, "feeling_busy"), (0, 12, "hope")]), (c2, [(38, 48, "feeling_busy"), (30, 33, "quiet")])):
        for s, e, c in spans:
            assert code(client, auth, s, e, c, iid=iid).status_code == 201
    web = api(client, "get", f"/agreement?interview_id={iid}", token("admin")).json()
    export_study(tmp_path / "out")
    result = CliRunner().invoke(app, ["qual", "agreement", str(tmp_path / "out"), "--coder", "coder", "--coder", "coder2",
                                      "--level", "character"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    assert web["coders"] == ["coder", "coder2", "coder_a"]
    pair = [r for r in web["pairs"] if (r["coder_a"], r["coder_b"]) == ("coder", "coder2")]
    assert pair == cli["pairs"]  # only S1-PW01-T1 is coded by both: every row, pooled ones too, is equal
    by_code = {r["code"]: r for r in pair if r["scope"] == "code"}
    # feeling_busy: 14 vs 10 characters, 10 shared, of len(text) = 49 -> 2x2 (10, 4, 0, 35)
    assert (by_code["feeling_busy"]["n_both"], by_code["feeling_busy"]["n_a_only"], by_code["feeling_busy"]["n_neither"]) == (10, 4, 35)
    po, pe = 45 / 49, (14 * 10 + 35 * 39) / 49**2
    assert by_code["feeling_busy"]["kappa"] == pytest.approx((po - pe) / (1 - pe))


@pytest.mark.parametrize("role", ["coord1", "worker01", "norole"])
def test_other_roles_cannot_use_the_coding_api(client, token, users, role):
    from peerimpact.web.api.tokens import issue_token

    auth = "Bearer " + issue_token(users[role])[0]
    for method, url in (("get", "/transcripts"), ("get", f"/transcripts/{EMOJI_ID}"), ("get", f"/codings?interview_id={EMOJI_ID}"),
                        ("get", "/codebook"), ("get", f"/agreement?interview_id={EMOJI_ID}")):
        assert api(client, method, url, auth).status_code == 403, url
    assert code(client, auth, 0, 3, "hope").status_code == 403


def test_the_page_session_needs_the_csrf_token(login, users):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["coder"], backend="django.contrib.auth.backends.ModelBackend")
    body = json.dumps({"interview_id": EMOJI_ID, "start": 0, "end": 3, "code": "hope"})
    assert c.get("/api/codebook").status_code == 200
    assert c.post("/api/codings", body, content_type="application/json").status_code in (401, 403)


def test_codebook_lists_codes_with_colours_and_themes(client, token):
    book = api(client, "get", "/codebook", token("coder")).json()
    assert book["version"] == 1
    assert [(c["id"], c["colour"], c["themes"]) for c in book["codes"]] == [
        ("feeling_busy", "#E69F00", ["workload"]), ("quiet", "#56B4E9", ["workload"]), ("peer_identity", "#009E73", []),
        ("hope", "#F0E442", [])]


def memo(client, auth, target_type, target_id, kind="analytic", text="Synthetic memo."):
    return api(client, "post", "/memos", auth, {"target_type": target_type, "target_id": target_id, "kind": kind, "text": text})


def test_memos_are_typed_authored_validated_and_exported(client, token, tmp_path):
    from peerimpact import load_study
    from peerimpact.web.services.study_export import export_study

    assert code(client, token("coder"), *cp("Quieter"), "hope").json()["segment_id"] == "G2"  # coder_a's segment, same span
    seg = code(client, token("coder"), *cp("cafe\u0301"), "hope").json()["segment_id"]
    for target_type, target_id, kind in (("segment", seg, "interpretive"), ("code", "hope", "analytic"),
                                         ("transcript", EMOJI_ID, "reflexive"), ("theme", "workload", "analytic")):
        r = memo(client, token("coder"), target_type, target_id, kind)
        assert r.status_code == 201, r.json()
        assert (r.json()["author"], r.json()["kind"], r.json()["target_id"]) == ("coder", kind, target_id)
    r = memo(client, token("coder"), "code", "nope")
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "target_id")
    assert "unknown code 'nope'" in r.json()["errors"][0]["message"]
    assert memo(client, token("coder"), "transcript", "nope").status_code == 404
    assert memo(client, token("coder"), "code", "hope", kind="musing").status_code == 422
    listed = api(client, "get", f"/memos?interview_id={EMOJI_ID}", token("coder")).json()["items"]
    assert sorted(m["target_type"] for m in listed) == ["code", "code", "segment", "theme", "transcript"]  # + the study's memo M1
    mine = next(c for c in api(client, "get", f"/codings?interview_id={EMOJI_ID}", token("coder")).json()["items"] if c["segment_id"] == seg)
    r = api(client, "delete", f"/codings/{mine['id']}", token("coder"))
    assert r.status_code == 409 and "has memos" in r.json()["errors"][0]["message"]
    study = load_study(export_study(tmp_path / "out"))
    assert sorted((m["target"]["type"], m["kind"]) for m in study.memos["memos"]) == [
        ("code", "analytic"), ("code", "analytic"), ("segment", "interpretive"), ("theme", "analytic"), ("transcript", "reflexive")]


def test_blind_coders_do_not_see_each_others_transcript_memos(client, token, coder2):
    api(client, "put", f"/transcripts/{EMOJI_ID}/assignments", token("admin"), {"coders": ["coder", "coder2"]})
    assert memo(client, bearer(coder2), "transcript", EMOJI_ID, text="coder2's thoughts").status_code == 201
    seen = [m["text"] for m in api(client, "get", f"/memos?interview_id={EMOJI_ID}", token("coder")).json()["items"]]
    assert "coder2's thoughts" not in seen
    seen = [m["text"] for m in api(client, "get", f"/memos?interview_id={EMOJI_ID}", token("admin")).json()["items"]]
    assert "coder2's thoughts" in seen


def test_browser_coding_reaches_the_refi_qda_export(client, token, tmp_path):
    """db export-study -> qual export-qdpx: the coding made through the API is a coded selection of the project."""
    import re
    import zipfile

    from typer.testing import CliRunner

    from peerimpact.cli.main import app
    from peerimpact.web.services.study_export import export_study

    needle = "cafe\u0301 \U0001D11E"
    s, e = cp(needle)
    assert code(client, token("coder"), s, e, "peer_identity").status_code == 201
    export_study(tmp_path / "out")
    result = CliRunner().invoke(app, ["qual", "export-qdpx", str(tmp_path / "out"), "--out", str(tmp_path / "p.qdpx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "p.qdpx") as z:
        project = z.read("project.qde").decode("utf-8")
    selections = re.findall(r'<PlainTextSelection [^>]*startPosition="(\d+)" endPosition="(\d+)"[^>]*>(.*?)</PlainTextSelection>', project, re.S)
    coded = [(int(a), int(b)) for a, b, body in selections if "Coder" in body or "CodeRef" in body]
    assert (s, e) in coded

"""The workbench pages without a browser: progress list, workbench shell, reconciliation (blind rules, agreement figures)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from test_web_coding_study import EMOJI_ID, write_coding_study

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def coding_study_dir(tmp_path_factory):
    return write_coding_study(tmp_path_factory.mktemp("coding-pages") / "study")


@pytest.fixture
def study(db, coding_study_dir):
    from peerimpact.web.services.study_import import import_study

    return import_study(coding_study_dir)


@pytest.fixture
def coder2(users):
    from peerimpact.web.records.models import Role
    from peerimpact.web.services.accounts import make_user

    return make_user("coder2", "a-long-test-password-1", Role.CODER, validate_password=False)


def post_coding(client, auth, iid, start, end, code):
    r = client.post("/api/codings", json.dumps({"interview_id": iid, "start": start, "end": end, "code": code}),
                    content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert r.status_code == 201, r.content


def bearer(user):
    from peerimpact.web.api.tokens import issue_token

    return "Bearer " + issue_token(user)[0]


def transcript(iid):
    from peerimpact.web.records.models import Transcript

    return Transcript.objects.get(interview_id=iid)


def cells(html: str, interview: str) -> list[str]:
    row = re.search(rf'<tr data-interview="{re.escape(interview)}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_progress_lists_site_participant_timepoint_and_how_far(login, client, token):
    post_coding(client, token("coder"), "S1-PW01-T1", 0, 49, "hope")  # the whole transcript (49 characters)
    html = login("coder").get(reverse("transcripts")).content.decode()
    assert cells(html, "S1-PW01-T1") == ["S1-PW01-T1", "1", "01", "T1", "49", "—", "coder: 1 coding, 100%coder_a: 1 coding, 29%"]  # 14 of 49
    assert cells(html, EMOJI_ID)[1:4] == ["2", "03", "T1"]


def test_workbench_page_is_a_shell_for_the_script_with_the_csp_kept(login):
    r = login("coder").get(reverse("transcript", args=[transcript(EMOJI_ID).uid]))
    html = r.content.decode()
    assert 'data-interview="S2-PW03-T1"' in html and 'src="/static/web/coding/workbench.js"' in html
    assert '<script type="module" src="/static/web/coding/suggest.js"></script>' in html  # the suggestions panel (issue 17)
    assert "<script>" not in html and "style=" not in html  # no inline script or style: the strict CSP holds
    assert "script-src 'self'" in r["Content-Security-Policy"]


def test_reconciliation_is_closed_while_blind_and_shows_the_core_kappa(login, client, token, coder2, users):
    from peerimpact.web.coding.agreement import transcript_agreement

    admin = token("admin")
    client.put(f"/api/transcripts/{EMOJI_ID}/assignments", json.dumps({"coders": ["coder", "coder2"]}),
               content_type="application/json", HTTP_AUTHORIZATION=admin)
    post_coding(client, token("coder"), EMOJI_ID, 30, 37, "quiet")
    post_coding(client, bearer(coder2), EMOJI_ID, 30, 40, "quiet")
    t = transcript(EMOJI_ID)
    url = reverse("transcript-reconcile", args=[t.uid])
    assert login("coder").get(url).status_code == 403
    assert "Reconcile" not in login("coder").get(reverse("transcript", args=[t.uid])).content.decode()
    html = login("admin").get(url).content.decode()
    expected = next(r for r in transcript_agreement(t)["pairs"]
                    if (r["coder_a"], r["coder_b"], r["scope"], r["code"]) == ("coder", "coder2", "code", "quiet"))
    shown = re.search(r'<tr data-code="quiet" data-pair="coder\|coder2">.*?class="kappa" data-value="([^"]*)"', html, re.S).group(1)
    assert float(shown) == expected["kappa"]
    assert "differs" in html
    uid = re.search(r'name="coding" value="([^"]+)"', html).group(1)
    assert login("coder").post(url, {"coding": uid}).status_code == 403  # blind: no consensus yet
    client.post(f"/api/transcripts/{EMOJI_ID}/unblind", HTTP_AUTHORIZATION=admin)
    assert login("coder").get(url).status_code == 200
    assert login("coder").post(url, {"coding": uid}).status_code == 302
    from peerimpact.web.records.models import Coding

    consensus = Coding.objects.get(coder="consensus")
    assert (consensus.start, consensus.end, consensus.code, consensus.history.first().history_user.username) == (30, 37, "quiet", "coder")
    again = next(r for r in transcript_agreement(t)["pairs"]
                 if (r["coder_a"], r["coder_b"], r["scope"], r["code"]) == ("coder", "coder2", "code", "quiet"))
    assert again == expected and "consensus" not in transcript_agreement(t)["alpha"][0]["coders"]


def test_codebook_page_merges_with_a_reason_and_refuses_a_stale_form(login):
    admin = login("admin")
    form = {"base_version": "1", "action": "merge", "codes": ["quiet", "feeling_busy"], "into": "pace", "name": "Pace",
            "reason": "one idea"}
    r = admin.post(reverse("codebook"), form, follow=True)
    html = r.content.decode()
    assert "Saved as codebook version 2." in html
    assert "Version 2" in html and "one idea" in html and "merged quiet + feeling_busy → pace" in html
    r = admin.post(reverse("codebook"), {**form, "codes": ["hope", "peer_identity"], "into": "hope"}, follow=True)  # made on version 1
    assert "the codebook changed since you loaded it: version 2 is current" in r.content.decode()
    assert "Change the codebook" not in login("coder").get(reverse("codebook")).content.decode()


def test_workshop_lays_out_codes_by_coder_and_merges_as_a_workshop_version(login, client, token, coder2):
    from peerimpact.web.coding.codebook import current_codebook

    post_coding(client, token("coder"), "S1-PW01-T1", 34, 38, "hope")
    post_coding(client, bearer(coder2), "S1-PW01-T1", 34, 48, "peer_identity")
    url = reverse("workshop") + "?interview=S1-PW01-T1"
    html = login("admin").get(url).content.decode()
    row = re.search(r'<tr data-code="hope">(.*?)</tr>', html, re.S).group(1)
    assert "<strong>coder</strong> × 1" in row and "“Busy”" in row and "(one person)" in row
    r = login("admin").post(reverse("workshop"), {"base_version": "1", "action": "merge", "codes": ["hope", "peer_identity"],
                                                 "into": "hope", "workshop": "Workshop 1", "reason": "same idea",
                                                 "interview": ["S1-PW01-T1"]})
    assert r.status_code == 302 and r["Location"].endswith("?interview=S1-PW01-T1")
    book = current_codebook()
    assert (book.version, book.versions[-1].reason) == (2, "Workshop 1: same idea")
    html = login("admin").get(url).content.decode()
    row = re.search(r'<tr data-code="hope">(.*?)</tr>', html, re.S).group(1)
    assert "<strong>coder</strong> × 1" in row and "<strong>coder2</strong> × 1" in row  # both now under the kept code


def test_counts_follow_the_core_code_matrix_and_hide_blind_codings(login, client, token, coder2):
    client.put(f"/api/transcripts/{EMOJI_ID}/assignments", json.dumps({"coders": ["coder", "coder2"]}),
               content_type="application/json", HTTP_AUTHORIZATION=token("admin"))
    post_coding(client, bearer(coder2), EMOJI_ID, 0, 11, "hope")
    post_coding(client, token("coder"), "S1-PW01-T1", 0, 11, "hope")

    def hope(html, by):
        table = re.search(rf'<table id="counts-{by}">(.*?)</table>', html, re.S).group(1)
        row = re.search(r'<tr data-code="hope">(.*?)</tr>', table, re.S).group(1)
        return [int(x) for x in re.findall(r"<td>(\d+)</td>", row)]

    coder_view = login("coder").get(reverse("coding-counts")).content.decode()
    admin_view = login("admin").get(reverse("coding-counts")).content.decode()
    assert hope(coder_view, "timepoint") == [1, 0, 1]  # T1, T2, total: coder2's blind coding is not counted
    assert hope(admin_view, "timepoint") == [2, 0, 2]
    assert hope(admin_view, "site") == [1, 1, 2]


def test_search_offers_code_this_passage(login, settings, tmp_path):
    settings.PEERIMPACT_DATA_DIR = str(tmp_path)
    html = login("coder").get(reverse("coding-search"), {"q": "Quieter"}).content.decode()
    t = transcript(EMOJI_ID)
    assert f'href="/transcripts/{t.uid}/?select=' in html and "Code this passage" in html


def test_admins_let_coders_change_the_codebook_on_the_codebook_page(login):
    url = reverse("codebook")
    assert "Change the codebook" not in login("coder").get(url).content.decode()
    assert login("coder").post(url, {"action": "policy", "coders_may_edit_codebook": "on"}).status_code == 403
    r = login("admin").post(url, {"action": "policy", "coders_may_edit_codebook": "on"}, follow=True)
    assert "Coders may now change the codebook." in r.content.decode()
    assert "Change the codebook" in login("coder").get(url).content.decode()
    r = login("coder").post(url, {"base_version": "1", "action": "add", "id": "emerging", "name": "Emerging", "reason": "workshop 1"},
                            follow=True)
    assert "Saved as codebook version 2." in r.content.decode()


def test_reconciliation_groups_codings_by_their_code_after_a_merge(login, client, token, coder2):
    post_coding(client, token("coder"), EMOJI_ID, 30, 37, "quiet")
    post_coding(client, bearer(coder2), EMOJI_ID, 30, 37, "feeling_busy")
    r = client.post("/api/codebook/changes", json.dumps({"base_version": 1, "action": "merge", "codes": ["quiet", "feeling_busy"],
                                                         "into": "pace", "reason": "one idea"}),
                    content_type="application/json", HTTP_AUTHORIZATION=token("admin"))
    assert r.status_code == 201
    url = reverse("transcript-reconcile", args=[transcript(EMOJI_ID).uid])
    html = login("admin").get(url).content.decode()
    kappa = re.search(r'<tr data-code="pace" data-pair="coder\|coder2">.*?data-value="([^"]*)"', html, re.S).group(1)
    assert float(kappa) == 1.0  # the same 7 characters, both now "pace"
    uid = re.search(r'name="coding" value="([^"]+)"', html).group(1)
    assert login("admin").post(url, {"coding": uid}).status_code == 302
    from peerimpact.web.records.models import Coding

    assert Coding.objects.get(coder="consensus").code == "pace"

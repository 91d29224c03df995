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
    client.post(f"/api/transcripts/{EMOJI_ID}/unblind", HTTP_AUTHORIZATION=admin)
    assert login("coder").get(url).status_code == 200

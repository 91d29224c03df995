"""The demo's codebook, codings and memos: well formed, meaningful and partly agreeing."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from demo_helpers import read_csv
from peerimpact.demo import bank


@pytest.fixture(scope="module")
def codebook(files):
    return yaml.safe_load(files["qual/codebook.yaml"])


@pytest.fixture(scope="module")
def codings(files):
    return read_csv(files, "qual/codings.csv")


def _text(files, interview_id):
    return files[f"transcripts/{interview_id}.txt"]


# ----------------------------------------------------------------- codebook
def test_codebook_has_18_codes_under_three_themes(codebook):
    codes = [c["id"] for c in codebook["codes"]]
    assert len(codes) == len(set(codes)) == 18
    assert [t["id"] for t in codebook["themes"]] == ["feeling_valued", "feeling_empowered", "feeling_connected"]
    in_themes = [c for t in codebook["themes"] for c in t["codes"]]
    assert sorted(in_themes) == sorted(codes)


def test_codebook_has_hierarchy_colours_and_both_origins(codebook):
    ids = {c["id"] for c in codebook["codes"]}
    parents = [c["parent"] for c in codebook["codes"] if c["parent"] is not None]
    assert len(parents) >= 3 and set(parents) <= ids
    colours = [c["colour"] for c in codebook["codes"]]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours) and len(set(colours)) == 18
    assert {c["origin"] for c in codebook["codes"]} == {"deductive", "inductive"}


def test_codebook_versions_replay_to_the_current_codes(codebook):
    assert codebook["version"] == 2
    assert [(v["version"], v["reason"]) for v in codebook["versions"]] == [
        (1, "first interpretive workshop"), (2, "second interpretive workshop")]
    active: set[str] = set()
    for v in codebook["versions"]:
        for ch in v["changes"]:
            if ch["action"] == "added":
                active.add(ch["code"])
            elif ch["action"] == "merged":
                active -= set(ch["codes"])
                active.add(ch["into"])
    assert active == {c["id"] for c in codebook["codes"]}
    actions = {ch["action"] for ch in codebook["versions"][1]["changes"]}
    assert {"renamed", "merged"} <= actions


def test_merged_away_codes_are_nowhere_in_use(codebook, codings):
    merged = [ch for v in codebook["versions"] for ch in v["changes"] if ch["action"] == "merged"]
    gone = {c for ch in merged for c in ch["codes"] if c != ch["into"]}
    assert gone
    assert not gone & {c["id"] for c in codebook["codes"]}
    assert not gone & set(codings.code)


# ------------------------------------------------------------------ codings
def test_every_span_lies_inside_its_transcript(files, codings):
    for r in codings.itertuples():
        assert 0 <= r.start < r.end <= len(_text(files, r.interview_id)), r.segment_id


def test_codes_are_current_codebook_codes(codebook, codings):
    assert set(codings.code) <= {c["id"] for c in codebook["codes"]}


def test_version_one_codings_use_codes_in_force_at_version_one(codebook, codings):
    v1 = {ch["code"] for ch in codebook["versions"][0]["changes"]}
    changed = {ch.get("code") for ch in codebook["versions"][1]["changes"]}
    old = codings[codings.version == 1]
    assert 1 <= len(old) <= 20
    assert set(old.code) <= v1 - changed
    assert set(codings.version) == {1, 2}


def test_segment_key_is_unique_and_shared_segments_share_the_span(codings):
    assert not codings.duplicated(["segment_id", "code", "coder"]).any()
    spans = codings.groupby("segment_id")[["interview_id", "start", "end"]].nunique()
    assert (spans == 1).all().all()


def test_timestamps_are_iso_datetimes(codings):
    parsed = pd.to_datetime(codings.timestamp, format="%Y-%m-%dT%H:%M:%S")
    assert parsed.notna().all()


def _line_pattern(code: str) -> str:
    parts = [re.escape(ln.text).replace(r"\{coordinator\}", r"\S+").replace(r"\{colleague\}", r"\S+")
             for ln in bank.LINES[code]]
    one = "(?:" + "|".join(parts) + ")"
    return one + "(?: " + one + ")*"


def test_coder_a_spans_cover_whole_sentences_written_for_their_code(files, codings):
    a = codings[codings.coder == "coder_a"]
    for r in a.itertuples():
        quote = _text(files, r.interview_id)[r.start:r.end]
        assert re.fullmatch(_line_pattern(r.code), quote), (r.segment_id, r.code, quote)


def test_coder_a_codes_every_transcript(files, codings):
    transcripts = {k[len("transcripts/"):-4] for k in files if k.startswith("transcripts/")}
    assert set(codings[codings.coder == "coder_a"].interview_id) == transcripts


def test_coder_b_double_codes_about_a_quarter(files, codings):
    n = sum(k.startswith("transcripts/") for k in files)
    share = codings[codings.coder == "coder_b"].interview_id.nunique() / n
    assert 0.2 <= share <= 0.3


def test_coders_partly_agree_on_spans_and_codes(codings):
    a = codings[codings.coder == "coder_a"].set_index("segment_id")
    b = codings[codings.coder == "coder_b"]
    same = b[b.segment_id.isin(a.index)]
    assert (same.code.values == a.loc[same.segment_id, "code"].values).any()  # agreements
    assert (same.code.values != a.loc[same.segment_id, "code"].values).any()  # different codes
    assert (~b.segment_id.isin(a.index)).any()  # spans of coder_b's own


def _kappa(files, codings) -> float:
    """Cohen's kappa over characters, pooled over codes and double-coded transcripts."""
    both = set(codings[codings.coder == "coder_b"].interview_id)
    table = np.zeros(4)
    for iid in sorted(both):
        length = len(_text(files, iid))
        rows = codings[codings.interview_id == iid]
        for code in sorted(set(rows.code)):
            marks = []
            for coder in ("coder_a", "coder_b"):
                m = np.zeros(length, dtype=bool)
                for r in rows[(rows.code == code) & (rows.coder == coder)].itertuples():
                    m[r.start:r.end] = True
                marks.append(m)
            x, y = marks
            table += [np.sum(x & y), np.sum(x & ~y), np.sum(~x & y), np.sum(~x & ~y)]
    n = table.sum()
    po = (table[0] + table[3]) / n
    pa, pb = (table[0] + table[1]) / n, (table[0] + table[2]) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return float((po - pe) / (1 - pe))


def test_agreement_is_substantial_but_not_perfect(files, codings):
    assert 0.6 <= _kappa(files, codings) <= 0.85


# -------------------------------------------------------------------- memos
def test_memos_are_authored_typed_and_attached_to_things_that_exist(files, codebook, codings):
    memos = yaml.safe_load(files["qual/memos.yaml"])["memos"]
    assert 18 <= len(memos) <= 22
    assert {m["kind"] for m in memos} == {"interpretive", "analytic", "reflexive"}
    assert {m["author"] for m in memos} == {"coder_a", "coder_b"}
    exists = {
        "code": {c["id"] for c in codebook["codes"]},
        "theme": {t["id"] for t in codebook["themes"]},
        "transcript": {k[len("transcripts/"):-4] for k in files if k.startswith("transcripts/")},
        "segment": set(codings.segment_id),
    }
    assert all(m["target"]["id"] in exists[m["target"]["type"]] for m in memos)
    assert len({m["id"] for m in memos}) == len(memos)

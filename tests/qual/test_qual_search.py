"""Full-text search: index on demand in the cache folder, quotes with ids and context, staleness."""

from __future__ import annotations

import dataclasses

import pytest

from peerimpact.errors import UserInputError
from peerimpact.qual import SearchIndex, search
from peerimpact.qual.search import Document, passages, study_documents
from peerimpact.study.text import text_sha256


def test_search_returns_passages_with_ids_and_context(mini_study, tmp_path):
    hits = search(mini_study, "token", cache_dir=tmp_path)
    assert hits[["interview_id", "participant_id", "site", "timepoint"]].values.tolist() == [["S1-PW01-T1", "01", "1", "T1"]]
    hit = hits.iloc[0]
    text = mini_study.transcripts["S1-PW01-T1"].text
    assert hit["quote"] == text[hit["start"]:hit["end"]] == "PW: The paperwork was a lot. Sometimes I felt like a token, wheeled out for meetings."
    assert "[token]" in hit["snippet"]
    assert hit["before"] == "Interviewer: Was there anything difficult?"
    assert hit["after"] == "PW: But the people I support trust me because I have been there myself."


@pytest.mark.parametrize(
    "query, kwargs, interviews",
    [
        ('"peer team"', {}, ["S2-PW03-T2"]),
        ("team", {"order": "document"}, ["S1-PW01-T1", "S1-PW01-T2", "S1-PW01-T2", "S2-PW03-T2"]),
        ("cafe OR clinicians", {}, ["S1-PW01-T2"]),
        ("supervis*", {}, ["S1-PW01-T2"]),
        ("lived experience", {"phrase": True}, ["S1-PW01-T2"]),
        ("team", {"limit": 1, "order": "document"}, ["S1-PW01-T1"]),
        ("nothingmatches", {}, []),
    ],
    ids=["phrase", "document-order", "or", "prefix", "literal-phrase", "limit", "none"],
)
def test_queries(mini_study, tmp_path, query, kwargs, interviews):
    assert search(mini_study, query, cache_dir=tmp_path, **kwargs)["interview_id"].tolist() == interviews


@pytest.mark.parametrize(
    "query, kwargs, message",
    [
        ("   ", {}, "the search query is empty"),
        ("S6-PW01", {}, "search query 'S6-PW01' is not valid: no such column: PW01 (put phrases and words with hyphens in double quotes)"),
        ("team", {"limit": 0}, "limit must be at least 1, not 0"),
        ("team", {"order": "best"}, "order must be rank or document, not 'best'"),
    ],
    ids=["empty", "hyphen", "limit", "order"],
)
def test_bad_queries(mini_study, tmp_path, query, kwargs, message):
    with pytest.raises(UserInputError) as err:
        search(mini_study, query, cache_dir=tmp_path, **kwargs)
    assert str(err.value) == message


def test_rank_order_scores_and_document_order_does_not(mini_study, tmp_path):
    ranked = search(mini_study, "team OR peer", cache_dir=tmp_path, order="rank")
    assert ranked["rank"].is_monotonic_increasing and ranked["rank"].notna().all()
    in_order = search(mini_study, "team OR peer", cache_dir=tmp_path)
    assert in_order["rank"].isna().all()
    assert sorted(map(tuple, ranked[["interview_id", "start"]].values)) == list(map(tuple, in_order[["interview_id", "start"]].values))


def test_default_cache_is_in_the_study_folder(mini_study_dir):
    import peerimpact

    study = peerimpact.load_study(mini_study_dir)
    assert len(search(study, "badge")) == 1
    assert (mini_study_dir / ".peerimpact-cache" / "search-v1.sqlite").is_file()
    peerimpact.load_study(mini_study_dir)  # the cache does not disturb the loader


def test_index_follows_changed_transcripts(mini_study, tmp_path):
    docs = study_documents(mini_study)
    with SearchIndex(tmp_path / "i.sqlite") as index:
        assert index.sync(docs) == 4
        assert index.sync(docs) == 0  # up to date: nothing re-indexed
        changed = dataclasses.replace(docs[0], text="PW: a brand new zebra sentence\n", sha256=text_sha256("PW: a brand new zebra sentence\n"))
        assert index.sync([changed] + docs[1:3]) == 1  # one changed, one dropped
        assert index.query("zebra")["interview_id"].tolist() == [docs[0].interview_id]
        assert index.query("token").empty
        assert index.query("wellbeing").empty  # S2-PW03-T2 was dropped


def test_passages_and_bulk_build(tmp_path):
    assert list(passages("a\n\n  \nb c\n")) == [(0, 1, "a"), (6, 9, "b c")]
    with SearchIndex(tmp_path / "b.sqlite") as index:
        n = index.bulk_add(Document(f"S1-PW0{i}-T1", str(i), f"PW: word{i} shared\n") for i in range(5))
        index.optimize()
        assert n == 5
        assert len(index.query("shared", limit=10)) == 5
        assert index.query("word3")["interview_id"].tolist() == ["S1-PW03-T1"]


def test_study_without_a_folder_needs_a_cache_dir(mini_study):
    study = dataclasses.replace(mini_study, source=dataclasses.replace(mini_study.source, root=None))
    with pytest.raises(UserInputError) as err:
        search(study, "team")
    assert str(err.value) == "this study has no folder: give a cache folder for the search index (--cache-dir)"

"""Codebook versions: the fate of codes and the migration of codings (mini study: rename, merge, split, retire)."""

from __future__ import annotations

import pandas as pd
import pytest

from peerimpact.qual import migrate_codings, qual_data
from peerimpact.qual.versions import Fate, active_codes, code_fate, infer_version


@pytest.fixture(scope="module")
def book(mini_study):
    return qual_data(mini_study).codebook


@pytest.mark.parametrize(
    "code, from_version, expected",
    [
        ("burden", 1, Fate("moved", "emotional_load", (), None, ("merged burden -> emotional_load in version 2",))),
        ("triggers", 1, Fate("moved", "emotional_load", (), None, ("merged triggers -> emotional_load in version 2",))),
        ("role", 1, Fate("split", "role", ("role_clarity", "role_boundaries"), 2)),
        ("paperwork", 1, Fate("retired", "paperwork", (), 2)),
        ("being_valued", 1, Fate("kept", "being_valued")),  # renamed by name only: the id stays
        ("emotional_load", 2, Fate("kept", "emotional_load")),
    ],
    ids=["merged-1", "merged-2", "split", "retired", "renamed-name", "current"],
)
def test_code_fate(book, code, from_version, expected):
    assert code_fate(book, code, from_version) == expected


def test_active_codes_per_version(book):
    active = active_codes(book)
    assert active[1] == {"lived_experience", "sharing_story", "being_valued", "tokenism", "supervision", "role",
                         "burden", "triggers", "team_belonging", "paperwork"}
    assert active[2] == set(book.code_ids)


def test_migration_of_the_mini_study(mini_study):
    m = qual_data(mini_study).migration
    moved = m.codings[m.codings["code"] != m.codings["code_before"]]
    assert sorted(zip(moved["segment_id"], moved["code_before"], moved["code"])) == [
        ("seg14", "burden", "emotional_load"),
        ("seg15", "triggers", "emotional_load"),
    ]
    assert m.log[["code_before", "code", "n_codings"]].values.tolist() == [
        ["burden", "emotional_load", 1], ["triggers", "emotional_load", 1]]
    assert m.needs_recoding.to_dict("records") == [
        {"segment_id": "seg11", "interview_id": "S1-PW02-T1", "code": "role", "coder": "coder_a", "version": 1,
         "split_in": 2, "candidates": "role_clarity;role_boundaries"}]
    assert m.retired[["segment_id", "code", "retired_in"]].values.tolist() == [["seg04", "paperwork", 2]]
    # migrated rows now carry the current version; rows needing a decision keep theirs
    versions = dict(zip(m.codings["segment_id"] + "/" + m.codings["code_before"], m.codings["version"]))
    assert versions["seg14/burden"] == 2 and versions["seg11/role"] == 1 and versions["seg04/paperwork"] == 1
    assert m.warnings == [
        "1 coding(s) use a code that was later split; they need recoding (see needs_recoding) and are kept under their old code meanwhile",
        "1 coding(s) use a retired code",
    ]


def test_codings_without_a_version_get_the_latest_version_their_code_existed(book):
    codings = pd.DataFrame(
        {"segment_id": ["x", "y"], "interview_id": ["i", "i"], "code": ["burden", "supervision"], "coder": ["a", "a"]}
    )
    assert infer_version(book, "burden") == 1 and infer_version(book, "supervision") == 2
    m = migrate_codings(codings, book)
    assert m.inferred_versions == 2
    assert m.codings["code"].tolist() == ["emotional_load", "supervision"]
    assert m.codings["version"].tolist() == [2, 2]
    assert list(codings.columns) == ["segment_id", "interview_id", "code", "coder"]  # input untouched


def test_rename_with_a_new_id_moves_codings(tmp_path):
    from peerimpact.qual import parse_codebook

    book = parse_codebook(
        {
            "version": 2,
            "codes": [{"id": "valued", "name": "Valued"}],
            "versions": [
                {"version": 1, "changes": [{"action": "added", "code": "recognition"}]},
                {"version": 2, "changes": [{"action": "renamed", "code": "valued", "from_code": "recognition", "from": "Recognition", "to": "Valued"}]},
            ],
        }
    )
    codings = pd.DataFrame({"segment_id": ["s"], "interview_id": ["i"], "code": ["recognition"], "coder": ["a"],
                            "version": pd.array([1], dtype="Int64")})
    m = migrate_codings(codings, book)
    assert m.codings["code"].tolist() == ["valued"]
    assert m.log["how"].tolist() == ["renamed recognition -> valued in version 2"]

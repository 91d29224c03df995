"""Queries on the mini study; expected values worked out by hand from make_fixtures.CODINGS."""

from __future__ import annotations

import pytest

from peerimpact.errors import UserInputError
from peerimpact.qual import code_matrix, cooccurrence, framework_matrix, framework_wide, quotes


def test_quotes_by_theme_and_timepoint(mini_study):
    q = quotes(mini_study, theme="feeling_valued", timepoint="T1")
    assert q[["interview_id", "segment_id", "code", "coders"]].values.tolist() == [
        ["S1-PW01-T1", "seg01", "being_valued", "coder_a;coder_b"],
        ["S1-PW01-T1", "seg05", "tokenism", "coder_a;coder_b"],  # a sub-code of a theme's code
    ]
    assert q["quote"].tolist()[0] == "I felt valued by the team from day one 😊."
    assert q["speaker"].tolist() == ["PW", "PW"]
    q2 = quotes(mini_study, theme="feeling_valued", timepoint="T2")
    assert q2[["interview_id", "segment_id", "code", "coders", "participant_id", "site"]].values.tolist() == [
        ["S1-PW01-T2", "seg10", "being_valued", "coder_b", "01", "1"]]


def test_quotes_of_merged_codes_use_the_current_code(mini_study):
    q = quotes(mini_study, code="emotional_load")
    assert q["segment_id"].tolist() == ["seg14", "seg15", "seg16"]
    assert set(q["code"]) == {"emotional_load"}


def test_quotes_filters_combine(mini_study):
    q = quotes(mini_study, code="lived_experience", coder="coder_b")  # includes the sub-code sharing_story
    assert q[["segment_id", "code"]].values.tolist() == [["seg03", "sharing_story"], ["seg09", "lived_experience"]]
    assert quotes(mini_study, site="2", participant_id="03")["segment_id"].tolist() == ["seg14", "seg15", "seg16", "seg16"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"theme": "nope"}, "unknown theme 'nope'; themes: feeling_valued, feeling_empowered, feeling_connected"),
        ({"code": "role"}, "unknown code 'role'; codes: lived_experience, sharing_story, being_valued, tokenism, supervision, role_clarity, role_boundaries, emotional_load, team_belonging"),
        ({"timepoint": "T9"}, "unknown timepoint 'T9'; timepoints: T1, T2, T3"),
        ({"site": "3"}, "unknown site '3'; sites: 1, 2"),
        ({"participant_id": "99"}, "unknown participant '99'; participants: 01, 02, 03"),
        ({"coder": "coder_c"}, "unknown coder 'coder_c'; coders: coder_a, coder_b"),
    ],
    ids=["theme", "code", "timepoint", "site", "participant", "coder"],
)
def test_quotes_unknown_filters(mini_study, kwargs, message):
    with pytest.raises(UserInputError) as err:
        quotes(mini_study, **kwargs)
    assert str(err.value) == message


def rows(frame, key):
    return {r[key]: [v for k, v in r.items() if k not in (key, "name")] for r in frame.to_dict("records")}


def test_code_by_timepoint_participants(mini_study):
    m = code_matrix(mini_study, by="timepoint", count="participants")
    assert list(m.columns) == ["code", "name", "T1", "T2", "T3", "total"]
    assert rows(m, "code") == {
        "lived_experience": [1, 1, 0, 1],
        "sharing_story": [1, 0, 0, 1],
        "being_valued": [1, 1, 0, 1],
        "tokenism": [1, 0, 0, 1],
        "supervision": [0, 1, 0, 1],
        "role_clarity": [1, 0, 0, 1],
        "role_boundaries": [0, 0, 0, 0],
        "emotional_load": [0, 1, 0, 1],
        "team_belonging": [2, 2, 0, 3],
    }


def test_code_by_timepoint_segments_and_by_site(mini_study):
    seg = rows(code_matrix(mini_study, count="segments"), "code")
    assert seg["team_belonging"] == [2, 2, 0, 4] and seg["emotional_load"] == [0, 3, 0, 3]
    site = rows(code_matrix(mini_study, by="site"), "code")
    assert site["team_belonging"] == [2, 1, 3] and site["emotional_load"] == [0, 1, 1]


def test_theme_matrix_and_coder_filter(mini_study):
    themes = rows(code_matrix(mini_study, level="theme"), "theme")
    assert themes == {"feeling_valued": [1, 1, 0, 1], "feeling_empowered": [2, 1, 0, 2], "feeling_connected": [2, 2, 0, 3]}
    a_only = rows(code_matrix(mini_study, count="segments", coder="coder_a"), "code")
    assert a_only["team_belonging"] == [1, 1, 0, 2]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"by": "month"}, "--by must be timepoint or site, not 'month'"),
     ({"count": "words"}, "--count must be participants or segments, not 'words'"),
     ({"level": "set"}, "--level must be code or theme, not 'set'")],
    ids=["by", "count", "level"],
)
def test_matrix_bad_options(mini_study, kwargs, message):
    with pytest.raises(UserInputError) as err:
        code_matrix(mini_study, **kwargs)
    assert str(err.value) == message


def test_cooccurrence(mini_study):
    co = cooccurrence(mini_study).set_index("code")
    assert co.loc["being_valued", "team_belonging"] == 2 == co.loc["team_belonging", "being_valued"]
    assert co.loc["emotional_load", "team_belonging"] == 1
    assert co.loc["team_belonging", "team_belonging"] == 4  # diagonal: segments with the code
    by_a = cooccurrence(mini_study, coder="coder_a").set_index("code")
    assert by_a.loc["being_valued", "team_belonging"] == 0
    by_interview = cooccurrence(mini_study, unit="interview").set_index("code")
    assert by_interview.loc["tokenism", "sharing_story"] == 1


def test_framework_matrix(mini_study):
    fw = framework_matrix(mini_study)
    assert len(fw) == 3 * 3  # every participant x theme, empty cells included
    cell = fw[(fw["participant_id"] == "01") & (fw["theme"] == "feeling_valued")].iloc[0]
    assert cell["segments"] == "S1-PW01-T1:seg01;S1-PW01-T1:seg05;S1-PW01-T2:seg10"
    assert (cell["n_segments"], cell["n_interviews"]) == (3, 2)
    empty = fw[(fw["participant_id"] == "03") & (fw["theme"] == "feeling_valued")].iloc[0]
    assert (empty["n_segments"], empty["segments"]) == (0, "")
    wide = framework_wide(fw)
    assert list(wide.columns) == ["participant_id", "site", "feeling_valued", "feeling_empowered", "feeling_connected"]
    t2 = framework_matrix(mini_study, timepoint="T2")
    assert t2[(t2["participant_id"] == "01") & (t2["theme"] == "feeling_valued")]["segments"].item() == "S1-PW01-T2:seg10"

"""Validation of qual/codings.csv against the codebook and transcripts (each problem names its row)."""

from __future__ import annotations

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.qual import coded_segments, qual_data, validate_qual
from peerimpact.study.checks import typed_table
from peerimpact.study.csvio import read_raw_csv
from peerimpact.study.tables import CODINGS
from qual_helpers import MINI, build_study


def study_with(edit):
    raw, _ = read_raw_csv(MINI / "qual" / "codings.csv", "qual/codings.csv")
    edit(raw)
    return build_study(MINI, codings=typed_table(raw, CODINGS))


def set_cell(row: int, column: str, value: str):
    """Edit spreadsheet row ``row`` (header = 1)."""

    def edit(raw):
        if column not in raw.columns:
            raw[column] = ""
        raw.at[row - 2, column] = value

    return edit


CASES = [
    ("version-not-a-number", set_cell(3, "version", "two"), "qual/codings.csv:3:version: 'two' is not a whole number"),
    ("version-unknown", set_cell(3, "version", "7"), "qual/codings.csv:3:version: version 7 is not a version of the codebook (1, 2)"),
    ("code-not-in-that-version", set_cell(7, "code", "emotional_load"), "qual/codings.csv:7:code: code 'emotional_load' is not in codebook version 1"),
    ("code-unknown", set_cell(2, "code", "made_up"), "qual/codings.csv:2:code: code 'made_up' is not in codebook version 2"),
    ("code-retired-used-in-v2", set_cell(7, "version", "2"), "qual/codings.csv:7:code: code 'paperwork' is not in codebook version 2"),
    ("quote-mismatch", set_cell(2, "quote", "something else"),
     "qual/codings.csv:2:quote: quote does not match the transcript text at [58, 99) (the transcript or the span changed)"),
    ("segment-span-differs", set_cell(3, "end", "98"),
     "qual/codings.csv:3:segment_id: segment 'seg01' is S1-PW01-T1 [58, 98) here but S1-PW01-T1 [58, 99) at row 2"),
    ("bad-timestamp", set_cell(2, "timestamp", "yesterday"), "qual/codings.csv:2:timestamp: 'yesterday' is not an ISO date-time (YYYY-MM-DDTHH:MM:SS)"),
]


@pytest.mark.parametrize("edit, expected", [(e, x) for _, e, x in CASES], ids=[c[0] for c in CASES])
def test_codings_problems(edit, expected):
    study = study_with(edit)
    with pytest.raises(StudyValidationError) as err:
        qual_data(study)
    assert [str(p) for p in err.value.problems] == [expected]


def test_quote_column_that_matches_is_accepted():
    def add_quotes(raw):
        raw["quote"] = ""
        raw.at[0, "quote"] = "I felt valued by the team from day one 😊."

    frame = coded_segments(study_with(add_quotes))
    assert frame.loc[0, "quote"] == "I felt valued by the team from day one 😊."


def test_segments_carry_transcript_attributes_and_quotes(mini_study):
    frame = qual_data(mini_study).codings
    row = frame[(frame["segment_id"] == "seg08")].iloc[0]
    assert (row["site"], row["participant_id"], row["timepoint"]) == ("1", "01", "T2")
    assert row["quote"] == "I use my lived experience every day, it opens doors 🚪 that stay shut for clinicians."
    assert frame["start"].dtype == "int64" and str(frame["version"].dtype) == "Int64"
    # the empty timestamp cell becomes None, the others are kept as written
    assert frame["timestamp"].isna().sum() == 1


def test_memos_on_unknown_targets_are_problems(mini_study):
    memos = {"memos": [{"id": "X1", "target": {"type": "segment", "id": "seg99"}, "kind": "analytic", "author": "a", "text": "t"}]}
    study = build_study(MINI, memos=memos)
    with pytest.raises(StudyValidationError) as err:
        qual_data(study)
    assert [str(p) for p in err.value.problems] == ["qual/memos.yaml:memos.0.target.id: memo 'X1' is on unknown segment 'seg99'"]


def test_validate_qual_collects_instead_of_raising(mini_study):
    assert validate_qual(mini_study) == []
    problems = validate_qual(study_with(set_cell(2, "code", "made_up")))
    assert [str(p) for p in problems] == ["qual/codings.csv:2:code: code 'made_up' is not in codebook version 2"]

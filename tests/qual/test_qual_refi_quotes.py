"""Quotes are data: a coded span whose text begins or ends with whitespace loads exactly.

The study CSV loader trims cells, except in the columns a table declares
``verbatim`` (``qual/codings.csv``: ``quote``). Expected values are slices of
the transcript text written literally in the test.
"""

from __future__ import annotations

import csv
import io

import pytest

import peerimpact
from peerimpact.errors import StudyValidationError
from peerimpact.qual.codings import qual_data
from peerimpact.study.csvio import read_raw_csv

HEADER = "segment_id,interview_id,start,end,code,coder,version,timestamp,quote\n"
# S1-PW01-T1.txt (BOM removed, LF): "... I felt valued by the team from day one 😊. ..."
CASES = [
    pytest.param(83, 92, " from day", id="leading-space"),
    pytest.param(88, 93, " day ", id="both-ends"),
    pytest.param(149, 159, "listened.\n", id="ends-with-line-end"),
    pytest.param(158, 160, "\nI", id="starts-with-line-end"),
]


def _add_row(study_dir, row: list[str]) -> None:
    """Append one coding with a ``quote`` column (empty for the existing rows) to ``qual/codings.csv``."""
    path = study_dir / "qual" / "codings.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = [rows[0] + ["quote"]] + [r + [""] for r in rows[1:]] + [row]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _text(study_dir):
    return (study_dir / "transcripts" / "S1-PW01-T1.txt").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")


@pytest.mark.parametrize(("start", "end", "expected"), CASES)
def test_quote_with_surrounding_whitespace_is_kept(mini_study_dir, start, end, expected):
    text = _text(mini_study_dir)
    quote = text[start:end]
    if expected is not None:
        assert quote == expected  # the literal pins the slice: the fixture did not move
        _add_row(mini_study_dir, ["ws1", "S1-PW01-T1", str(start), str(end), "being_valued", "coder_a", "2", "2020-06-20T10:00:00", quote])
    path = mini_study_dir / "qual" / "codings.csv"
    raw, problems = read_raw_csv(path, "qual/codings.csv")
    assert problems == []
    assert raw["quote"].iloc[-1] == quote
    study = peerimpact.load_study(mini_study_dir)
    got = qual_data(study).codings.set_index("segment_id").loc["ws1", "quote"]
    assert got == quote


def test_other_cells_are_still_trimmed(mini_study_dir):
    path = mini_study_dir / "qual" / "codings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = " seg01 , S1-PW01-T1 ," + ",".join(lines[1].split(",")[2:])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw, problems = read_raw_csv(path, "qual/codings.csv")
    assert problems == []
    assert (raw["segment_id"].iloc[0], raw["interview_id"].iloc[0]) == ("seg01", "S1-PW01-T1")


def test_a_wrong_quote_is_still_a_problem(mini_study_dir):
    _add_row(mini_study_dir, ["ws1", "S1-PW01-T1", "83", "92", "being_valued", "coder_a", "2", "2020-06-20T10:00:00", "from day"])
    with pytest.raises(StudyValidationError) as err:
        peerimpact.load_study(mini_study_dir)
    assert any(p.column == "quote" and "does not match" in p.message for p in err.value.problems)

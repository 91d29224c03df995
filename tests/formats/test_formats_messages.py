"""Messages that say what is wrong (issue 13 item 7): look-alike headers, implausible dates."""

from __future__ import annotations

import openpyxl
import pytest

from formats_helpers import write_files
from formats_mutations import CSV_MAPPING, PEOPLE, STUDY_YAML, csv_text, survey_rows
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study
from peerimpact.formats.plan import column_hint


@pytest.mark.parametrize(
    ("col", "columns", "hint"),
    [
        ("Age", ["age"], "; the file has 'age', which differs only in case: write the name exactly as in the file"),
        ("Q1 score", ["Q1  score"], "; the file has 'Q1  score', which differs only in spaces or line breaks: write the name exactly as in the file"),
        ("Q1 score", ["Q1\nscore"], "; the file has 'Q1\\nscore', which differs only in spaces or line breaks: write the name exactly as in the file"),
        ("Q1 Score", ["q1\tscore"], "; the file has 'q1\\tscore', which differs only in spaces or line breaks and case: write the name exactly as in the file"),
        ("Agee", ["Age"], "; did you mean 'Age'?"),
        ("Height", ["Age"], ""),
    ],
    ids=["case", "double-space", "line-break", "tab-and-case", "typo", "nothing-close"],
)
def test_column_hints(col, columns, hint):
    assert column_hint(col, columns) == hint


def test_a_header_with_a_line_break_is_shown_with_repr(tmp_path):
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING.replace("MJS_personal", "MJS personal")})
    (tmp_path / "people.csv").write_text(csv_text(PEOPLE), encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    rows = survey_rows()
    rows[0][-1] = "MJS\npersonal"  # a header cell typed with Alt+Enter in Excel
    for r in rows:
        ws.append(r)
    wb.save(tmp_path / "survey.xlsx")
    wb2 = openpyxl.Workbook()
    ws2 = wb2.active
    ws2.title = "people"
    for r in PEOPLE:
        ws2.append(r)
    wb2.save(tmp_path / "people.xlsx")
    with pytest.raises(StudyValidationError) as err:
        import_study("xlsx", [tmp_path / "people.xlsx", tmp_path / "survey.xlsx"], tmp_path / "mapping.yaml", tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [
        "mapping.yaml:16:tables.responses.columns.mjs.personal: column 'MJS personal' is not in survey.xlsx[survey]; "
        "the file has 'MJS\\npersonal', which differs only in spaces or line breaks: write the name exactly as in the file"
    ]


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ("1583-04-02", "people.csv:2:Consent: 1583-04-02 is out of range: dates must lie between 1900-01-01 and 2100-12-31"),
        ("2583-04-02", "people.csv:2:Consent: 2583-04-02 is out of range: dates must lie between 1900-01-01 and 2100-12-31"),
        ("2020-02-30", "people.csv:2:Consent: '2020-02-30' is not a real date"),
    ],
    ids=["1583", "2583", "not-a-date"],
)
def test_dates_outside_the_plausible_range_say_so(tmp_path, consent, expected):
    people = [list(r) for r in PEOPLE]
    people[1][2] = consent
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING})
    (tmp_path / "people.csv").write_text(csv_text(people), encoding="utf-8")
    (tmp_path / "survey.csv").write_text(csv_text(survey_rows()), encoding="utf-8")
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml", tmp_path / "study")
    assert [str(p) for p in err.value.problems] == [expected]

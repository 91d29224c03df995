"""Missing values per column (issue 18 item 6): "Prefer not to say" is missing for age but a category for gender."""

from __future__ import annotations

import textwrap

import pytest

import peerimpact
from formats_helpers import write_files
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study

STUDY = textwrap.dedent(
    """\
    title: Synthetic per-column missing values
    synthetic: true
    sites: [{id: "1", name: North}]
    timepoints: [{id: T1, label: First, month: 0}]
    instruments: [wemwbs]
    demographics:
      - {column: gender, label: Gender, type: categorical, categories: [Woman, Man, Prefer not to say]}
      - {column: age, label: Age, type: continuous}
    """
)

MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    missing_values: ["", "NA"]
    tables:
      participants:
        from: people
        columns:
          participant_id: ID
          site: {value: "1"}
          consent_date: {value: 2021-01-04}
          gender: Gender
          age: {column: Age, missing_values: ["Prefer not to say", "NA"]}
      responses:
        from: people
        timepoint: {value: T1}
        columns: {participant_id: ID}
        instruments: {wemwbs: {pattern: "W{item}", missing_values: [9]}}
    """
)

PEOPLE = (
    "ID,Gender,Age," + ",".join(f"W{i}" for i in range(1, 15)) + "\n"
    + "p1,Woman,34," + ",".join(["3"] * 14) + "\n"
    + "p2,Prefer not to say,Prefer not to say," + ",".join(["9"] + ["4"] * 13) + "\n"
    + "p3,Man,NA," + ",".join(["2"] * 14) + "\n"
)


def test_a_value_is_missing_in_one_column_and_a_category_in_another(tmp_path):
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": MAPPING, "people.csv": PEOPLE})
    import_study("csv", [tmp_path / "people.csv"], tmp_path / "mapping.yaml", tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.participants["gender"]) == ["Woman", "Prefer not to say", "Man"]
    assert study.participants["age"].tolist()[0] == 34.0
    assert study.participants["age"].isna().tolist() == [False, True, True]
    assert study.responses["wemwbs_1"].isna().tolist() == [False, True, False]  # 9 = not answered, for the items only
    assert int(study.responses["wemwbs_2"].iloc[1]) == 4


def test_without_the_column_list_the_value_is_not_a_number(tmp_path):
    mapping = MAPPING.replace('{column: Age, missing_values: ["Prefer not to say", "NA"]}', "Age")
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": mapping, "people.csv": PEOPLE})
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", [tmp_path / "people.csv"], tmp_path / "mapping.yaml", tmp_path / "study")
    assert [str(p) for p in err.value.problems] == ["people.csv:3:Age: 'Prefer not to say' is not a number"]

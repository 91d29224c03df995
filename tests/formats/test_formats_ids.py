"""Ids as they come (issue 13 item 4): the row number as an id, regular-expression replaces, zero-padded item names."""

from __future__ import annotations

import textwrap

import pandas as pd
import pyreadstat
import pytest

import peerimpact
from formats_helpers import write_files
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study

STUDY = textwrap.dedent(
    """\
    title: Synthetic SPSS survey without ids
    synthetic: true
    sites: [{id: "1", name: North}, {id: "2", name: South}]
    timepoints: [{id: T1, label: First, month: 0}]
    instruments: [wemwbs]
    """
)

MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    tables:
      participants:
        from: survey
        columns:
          participant_id: {template: "R{row}"}
          site: {column: Centre, replace: {"^Centre[ -]*0*": ""}}
          consent_date: {value: 2021-05-01}
      responses:
        from: survey
        timepoint: {value: T1}
        columns: {participant_id: {template: "R{row}"}}
        instruments: {wemwbs: "Question_{item:02d}"}
    """
)


def spss_without_ids(path, n=4):
    """Like textbook SPSS files: no id column, items named Question_01 .. Question_14, the centre as text."""
    frame = pd.DataFrame({"Centre": [f"Centre 0{1 + k % 2}" for k in range(n)]})
    for i in range(1, 15):
        frame[f"Question_{i:02d}"] = [float(1 + (i + k) % 5) for k in range(n)]
    pyreadstat.write_sav(frame, str(path))


def test_an_spss_file_without_ids_and_with_zero_padded_items(tmp_path):
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": MAPPING})
    spss_without_ids(tmp_path / "survey.sav")
    import_study("spss", [tmp_path / "survey.sav"], tmp_path / "mapping.yaml", tmp_path / "study")
    study = peerimpact.load_study(tmp_path / "study")
    assert list(study.participants["participant_id"]) == ["R1", "R2", "R3", "R4"]  # {row}: 1 = the first case
    assert list(study.participants["site"]) == ["1", "2", "1", "2"]  # "Centre 01" -> "1" by the replace
    assert list(study.responses["participant_id"]) == ["R1", "R2", "R3", "R4"]
    assert [int(study.responses[f"wemwbs_{i}"].iloc[2]) for i in range(1, 15)] == [1 + (i + 2) % 5 for i in range(1, 15)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"Question_{item:02d}"', '"Question_{item:03d}"',
         "mapping.yaml:13:tables.responses.instruments.wemwbs: column 'Question_001' is not in survey.sav; did you mean 'Question_01'?"),
        ('"Question_{item:02d}"', '"Question_{item:xx}"',
         "mapping.yaml:13:tables.responses.instruments.wemwbs: {item:xx}: 'xx' is not a number format (e.g. 02d)"),
        ('replace: {"^Centre[ -]*0*": ""}', 'replace: {"^Centre[": ""}',
         "mapping.yaml:7:tables.participants.columns.site.replace: replace: '^Centre[' is not a regular expression (unterminated character set at position 7)"),
    ],
    ids=["padding-too-wide", "bad-format", "bad-regex"],
)
def test_mapping_mistakes_are_named(tmp_path, old, new, expected):
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": MAPPING.replace(old, new)})
    spss_without_ids(tmp_path / "survey.sav")
    with pytest.raises(StudyValidationError) as err:
        import_study("spss", [tmp_path / "survey.sav"], tmp_path / "mapping.yaml", tmp_path / "study")
    assert str(err.value.problems[0]) == expected
    assert len(err.value.problems) == (14 if "Question_001" in expected else 1)  # one per item read through the pattern


def test_a_replace_that_leaves_no_valid_site_names_the_value(tmp_path):
    write_files(tmp_path, {"study.yaml": STUDY, "mapping.yaml": MAPPING.replace('"^Centre[ -]*0*": ""', '"^Centre ": ""')})
    spss_without_ids(tmp_path / "survey.sav", n=1)
    with pytest.raises(StudyValidationError) as err:
        import_study("spss", [tmp_path / "survey.sav"], tmp_path / "mapping.yaml", tmp_path / "study")
    assert [str(p) for p in err.value.problems] == ["survey.sav:2:Centre: unknown site '01' (study column participants.site)"]

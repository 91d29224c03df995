"""mapping.yaml: structure (unknown keys with hints) and meaning (targets, recodes, timepoints), with lines."""

from __future__ import annotations

import textwrap

import pytest

from peerimpact.errors import StudyValidationError, UserInputError
from peerimpact.formats.mapping_load import load_mapping
from peerimpact.formats.plan import Recode, plan_mapping
from peerimpact.instruments import load_instruments
from peerimpact.study.definition import StudyDefinition

STUDY = """\
title: Mapping test
sites: [{id: "1", name: North}, {id: "2", name: South}]
timepoints: [{id: T1, label: Start, month: 0}, {id: T2, label: Later, month: 6}]
instruments: [wemwbs, mjs, csri]
demographics:
  - {column: gender, label: Gender, type: categorical, categories: [woman, man]}
"""

GOOD = """\
study: study.yaml
recodes:
  agree: {"Strongly disagree": 1, "Strongly agree": 5}
tables:
  participants:
    from: people
    columns:
      participant_id: ID
      site: {column: Site, recode: {North: "1", South: "2"}}
      consent_date: Consent
      gender: Gender
  responses:
    from: survey
    timepoint: {column: Visit, values: {Start: T1, Later: T2}}
    columns: {participant_id: ID}
    instruments:
      wemwbs: {pattern: "W{item}", recode: agree}
      mjs: "MJS_{subscale}"
"""


def check(tmp_path, mapping: str, study: str = STUDY) -> list[str]:
    (tmp_path / "study.yaml").write_text(study, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(textwrap.dedent(mapping), encoding="utf-8")
    try:
        lm = load_mapping(tmp_path / "mapping.yaml")
    except StudyValidationError as exc:
        return [str(p) for p in exc.problems]
    _, problems = plan_mapping(lm, load_instruments(None))
    return [str(p) for p in problems]


def test_a_good_mapping_has_no_problems(tmp_path):
    assert check(tmp_path, GOOD) == []


def test_the_plan_expands_instrument_patterns(tmp_path):
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(GOOD, encoding="utf-8")
    plans, _ = plan_mapping(load_mapping(tmp_path / "mapping.yaml"), load_instruments(None))
    responses = [p for p in plans if p.table == "responses"][0]
    columns = {f.target.name: f.column for f in responses.fields}
    assert columns["wemwbs_14"] == "W14"
    assert columns["mjs.standards_of_care"] == "MJS_standards_of_care"
    assert len(columns) == 1 + 14 + 8


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    columns: {participant_id: ID}", "    colums: {participant_id: ID}",
         "mapping.yaml:15:tables.responses.colums: unknown key 'colums'; did you mean 'columns'?"),
        ("recodes:", "recode:",
         "mapping.yaml:2:recode: unknown key 'recode'; did you mean 'recodes'?"),
        ("      consent_date: Consent", "      consent_date: {column: Consent, format: x}",
         "mapping.yaml:10:tables.participants.columns.consent_date.format: unknown key 'format'; did you mean 'date_format'?"),
        ("      consent_date: Consent", "      consent_date: {column: Consent, value: 2}",
         "mapping.yaml:10:tables.participants.columns.consent_date: give exactly one of column, value or template"),
        ("    timepoint: {column: Visit, values: {Start: T1, Later: T2}}", "    timepoint: {column: Visit, value: T1}",
         "mapping.yaml:14:tables.responses.timepoint: give exactly one of column or value"),
        ("      mjs: \"MJS_{subscale}\"", "      mjs: \"MJS_personal\"",
         "mapping.yaml:18:tables.responses.instruments.mjs: pattern must contain exactly one of {item} (or {item:02d} for zero-padded numbers) or {subscale}"),
        ("study: study.yaml", "study: missing.yaml",
         "mapping.yaml:1:study: study definition 'missing.yaml' not found (relative to the mapping file)"),
        ("tables:", "tabels:",
         "mapping.yaml:4:tabels: unknown key 'tabels'; did you mean 'tables'?"),
    ],
    ids=["typo-columns", "typo-recodes", "unknown-column-key", "two-sources", "timepoint-both", "pattern", "study-missing", "typo-tables"],
)
def test_structure_problems(tmp_path, old, new, expected):
    assert old in GOOD
    assert expected in check(tmp_path, GOOD.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("      gender: Gender", "      gender: Gender\n      height: H",
         "mapping.yaml:12:tables.participants.columns.height: unknown participants column 'height'; add it to the study's demographics to import it"),
        ("      gender: Gender", "      gendr: Gender",
         "mapping.yaml:11:tables.participants.columns.gendr: unknown participants column 'gendr'; did you mean 'gender'?"),
        ('  agree: {"Strongly disagree": 1, "Strongly agree": 5}', '  agree: {"Strongly disagree": 1, "Strongly agree": 7}',
         "mapping.yaml:3:recodes.agree: recode value 7 is above the maximum 5 of wemwbs item 1 (used for wemwbs_1)"),
        ('  agree: {"Strongly disagree": 1, "Strongly agree": 5}', '  agree: {"Strongly disagree": 0.5, "Strongly agree": 5}',
         "mapping.yaml:3:recodes.agree: recode value 0.5 is not a whole number (used for wemwbs_1)"),
        ('recode: {North: "1", South: "2"}', 'recode: {North: "1", South: "3"}',
         "mapping.yaml:9:tables.participants.columns.site.recode: recode value '3' is not one of: 1, 2 (used for site)"),
        ("values: {Start: T1, Later: T2}", "values: {Start: T1, Later: T3}",
         "mapping.yaml:14:tables.responses.timepoint.values.Later: unknown timepoint 'T3' (study timepoints: T1, T2)"),
        ("recode: agree}", "recode: agreement}",
         "mapping.yaml:17:tables.responses.instruments.wemwbs.recode: unknown recode 'agreement' (recodes: agree)"),
        ("      mjs: \"MJS_{subscale}\"", "      mbi_hss: \"MBI{item}\"",
         "mapping.yaml:18:tables.responses.instruments.mbi_hss: instrument 'mbi_hss' is not declared in the study (instruments: wemwbs, mjs, csri)"),
        ("      mjs: \"MJS_{subscale}\"", "      mjs: \"MJS{item}\"",
         "mapping.yaml:18:tables.responses.instruments.mjs: mjs has no items (its subscales are pre-scored: use {subscale})"),
        ("      consent_date: Consent\n", "",
         "mapping.yaml:7:tables.participants.columns: participants needs 'consent_date': map it to a source column or a value"),
        ("      gender: Gender\n", "",
         "mapping.yaml:7:tables.participants.columns: the study's demographic column 'gender' (Gender) is not mapped"),
        ("    timepoint: {column: Visit, values: {Start: T1, Later: T2}}\n", "",
         "mapping.yaml:12:tables.responses: responses needs `timepoint` (long layout) or `timepoints` (wide layout)"),
        ("    columns: {participant_id: ID}", "    columns: {participant_id: \"ID_{timepoint}\"}",
         "mapping.yaml:15:tables.responses.columns.participant_id: {timepoint} is only meaningful in a wide layout (give `timepoints:`)"),
        ("    columns: {participant_id: ID}", "    columns: {participant_id: ID, timepoint: Visit}",
         "mapping.yaml:15:tables.responses.columns.timepoint: map the timepoint with the block's `timepoint:` or `timepoints:` key, not under columns"),
    ],
    ids=["unknown-demographic", "close-match", "recode-above-range", "recode-not-whole", "recode-unknown-site",
         "unknown-timepoint", "unknown-recode", "undeclared-instrument", "items-of-prescored", "required-column",
         "demographic-unmapped", "no-timepoint", "timepoint-placeholder-in-long", "timepoint-as-column"],
)
def test_meaning_problems(tmp_path, old, new, expected):
    assert old in GOOD
    assert expected in check(tmp_path, GOOD.replace(old, new))


def test_service_use_wide_and_its_problems(tmp_path):
    mapping = GOOD + (
        "  service_use:\n"
        "    from: csri\n"
        "    timepoints: {T1: t1, T2: t2}\n"
        "    columns: {participant_id: ID}\n"
        "    services:\n"
        '      gp: {used: "GP_{timepoint}", count: "GPn_{timepoint}"}\n'
        "      dentist: {used: D}\n"
    )
    assert check(tmp_path, mapping) == [
        "mapping.yaml:25:tables.service_use.services.dentist: unknown service 'dentist' "
        "(services of the study's schedule: psychiatric_inpatient, crisis_team, a_and_e, gp, cmht, psychological_therapy, outpatient, other)"
    ]


def test_inline_study_problems_point_into_the_mapping(tmp_path):
    mapping = GOOD.replace("study: study.yaml", "study:\n  title: Inline\n  sites: []\n  timepoints: [{id: T1, label: x, month: 0}]\n  colour: red")
    problems = check(tmp_path, mapping)
    assert "mapping.yaml:3:study.sites: List should have at least 1 item after validation, not 0" in problems
    keys = ", ".join(StudyDefinition.model_fields)  # the study keys are another module's; the message lists them all
    assert f"mapping.yaml:5:study.colour: unknown key 'colour'; allowed keys: {keys}" in problems


def test_problems_in_a_referenced_study_file_name_that_file(tmp_path):
    problems = check(tmp_path, GOOD, STUDY.replace("title: Mapping test", "title: Mapping test\ntitel: typo"))
    assert problems == ["study.yaml:2:titel: unknown key 'titel'; did you mean 'title'?"]


def test_a_missing_mapping_file(tmp_path):
    with pytest.raises(UserInputError, match="no such mapping file"):
        load_mapping(tmp_path / "nope.yaml")


def test_yaml_syntax_errors_name_the_line(tmp_path):
    assert check(tmp_path, "study: study.yaml\ntables: [\n") == ["mapping.yaml:3: is not valid YAML: expected the node content, but found '<stream end>'"]


@pytest.mark.parametrize(
    ("keys", "cell", "found", "value"),
    [
        ({"Strongly agree": 5}, "Strongly agree", True, 5),
        ({"Strongly agree": 5}, "strongly  AGREE", True, 5),
        ({1: "woman"}, "1", True, "woman"),
        ({1: "woman"}, "01", True, "woman"),
        ({"1.0": "x"}, "1", True, "x"),
        ({True: 1, False: 0}, "Yes", True, 1),
        ({True: 1, False: 0}, "no", True, 0),
        ({"Prefer not to say": None}, "Prefer not to say", True, None),
        ({"A": 1}, "B", False, None),
    ],
    ids=["exact", "case-and-spaces", "int-key", "leading-zero", "float-key", "yaml-yes", "yaml-no", "to-missing", "absent"],
)
def test_recode_matching(keys, cell, found, value):
    assert Recode(keys).lookup(cell) == (found, value)

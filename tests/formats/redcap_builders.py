"""Small synthetic REDCap projects shaped like the real exports of issue 13 (all data synthetic).

A data access group (DAG) project whose record ids are ``331-1``-style, a
survey-only classic project, and the labels export of the DAG project. Each
is built from a few Python literals so that a test states its input.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from formats_mutations import csv_text

DICT_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
]


def field(name: str, form: str, ftype: str, label: str, choices: str = "", validation: str = "") -> list[str]:
    row = [""] * len(DICT_HEADER)
    row[0], row[1], row[3], row[4], row[5], row[7] = name, form, ftype, label, choices, validation
    return row


DAG_DICTIONARY = [DICT_HEADER] + [
    field("record_id", "enrolment", "text", "Record ID"),
    field("consent", "enrolment", "text", "Consent date", validation="date_ymd"),
    field("sex", "enrolment", "radio", "Sex", "1, Woman | 2, Man"),
    field("age", "enrolment", "text", "Age", validation="number_1dp_comma_decimal"),
    field("lived", "enrolment", "yesno", "Lived experience"),
    field("employed", "enrolment", "truefalse", "Employed"),
    field("weight", "enrolment", "text", "Weight", validation="number_comma_decimal"),
] + [field(f"w{i}", "wellbeing", "radio", f"Item {i}", "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5") for i in range(1, 15)]

DAG_EVENTS = [
    ["event_name", "arm_num", "unique_event_name", "custom_event_label"],
    ["Baseline", "1", "baseline_arm_1", ""],
    ["Six months", "1", "six_months_arm_1", ""],
    ["Baseline", "2", "baseline_arm_2", ""],
]

DAG_HEADER = ["record_id", "redcap_event_name", "redcap_data_access_group", "consent", "sex", "age", "lived", "employed",
              "weight", "enrolment_complete"] + [f"w{i}" for i in range(1, 15)] + ["wellbeing_complete"]


def dag_records() -> list[list[str]]:
    """Three records in two DAGs; ``employed`` holds what Excel made of it (TRUE/FALSE/maybe): no mapping reads it."""
    rows = [DAG_HEADER]
    people = [("331-1", "site_331", "34,5", "1", "TRUE", "72,5"), ("331-2", "site_331", "41", "0", "maybe", ""),
              ("332-1", "site_332", "29,0", "", "FALSE", "60")]
    for n, (rid, dag, age, lived, employed, weight) in enumerate(people):
        items = [str(1 + (i + n) % 5) for i in range(1, 15)]
        rows.append([rid, "baseline_arm_1", dag, f"2020-01-1{n}", str(1 + n % 2), age, lived, employed, weight, "2"] + items + ["2"])
        rows.append([rid, "six_months_arm_1", dag, "", "", "", "", "", "", ""] + [str(1 + (i * n) % 5) for i in range(1, 15)] + ["1"])
    return rows


DAG_STUDY = textwrap.dedent(
    """\
    title: Synthetic REDCap DAG project
    synthetic: true
    sites: [{id: "331", name: Site 331}, {id: "332", name: Site 332}]
    timepoints:
      - {id: baseline, label: Baseline, month: 0}
      - {id: m6, label: Six months, month: 6}
    instruments: [wemwbs]
    interview_id_pattern: "S{site}-PW{participant}-{timepoint}"
    demographics:
      - {column: gender, label: Gender, type: categorical, categories: [Woman, Man]}
      - {column: age, label: Age, type: continuous}
      - {column: lived, label: Lived experience, type: categorical, categories: ["Yes", "No"]}
    """
)

DAG_MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    tables:
      participants:
        from: records
        where: {redcap_event_name: baseline_arm_1}
        columns:
          participant_id: record_id
          site: {column: redcap_data_access_group, replace: {"^site_": ""}}
          consent_date: consent
          gender: sex
          age: age
          lived: lived
      responses:
        from: records
        timepoint: {column: redcap_event_name, values: {baseline_arm_1: baseline, six_months_arm_1: m6}}
        require: [wellbeing_complete]
        columns: {participant_id: record_id}
        instruments: {wemwbs: "w{item}"}
    """
)


def write_redcap(folder: Path, dictionary, records, events=None, study: str = DAG_STUDY, mapping: str = DAG_MAPPING) -> tuple[list[Path], Path]:
    """Write the project's files; return (sources, mapping path)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(study, encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    paths = []
    for name, rows in (("dictionary.csv", dictionary), ("records.csv", records), ("events.csv", events)):
        if rows is None:
            continue
        # REDCap writes UTF-8 with a byte-order mark
        (folder / name).write_bytes(b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"))
        paths.append(folder / name)
    return paths, folder / "mapping.yaml"


def labels_export(records: list[list[str]]) -> list[list[str]]:
    """What REDCap's 'CSV (labels)' export makes of the DAG records: field labels as headers, choice labels as values."""
    header = ["Record ID", "Event Name", "Data Access Group", "Consent date", "Sex", "Age", "Lived experience", "Employed",
              "Weight", "Complete?"] + [f"Item {i}" for i in range(1, 15)] + ["Complete?"]
    out = [header]
    for r in records[1:]:
        out.append([r[0], "Baseline" if r[1].startswith("baseline") else "Six months"] + r[2:])
    return out


SURVEY_DICTIONARY = [DICT_HEADER] + [
    field("record_id", "consent_survey", "text", "Record ID"),
    field("site", "consent_survey", "dropdown", "Site", "1, North | 2, South"),
    field("consent_date", "consent_survey", "text", "Date", validation="date_dmy"),
    field("role", "consent_survey", "text", "Role"),
] + [field(f"q{i:02d}", "wellbeing", "radio", f"Question {i}", "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5") for i in range(1, 15)]

SURVEY_HEADER = ["record_id", "redcap_survey_identifier", "consent_survey_timestamp", "site", "consent_date", "role",
                 "consent_survey_complete"] + [f"q{i:02d}" for i in range(1, 15)] + ["wellbeing_timestamp", "wellbeing_complete"]

# A survey project being set up: people have consented, nobody has answered the questionnaire yet.
SURVEY_RECORDS = [SURVEY_HEADER] + [
    [str(n), "", f"2021-03-0{n} 10:1{n}:00", str(1 + n % 2), f"0{n}-03-2021", "peer worker", "2"] + [""] * 14 + ["[not completed]", "0"]
    for n in (1, 2, 3)
]

SURVEY_STUDY = textwrap.dedent(
    """\
    title: Synthetic REDCap survey project
    synthetic: true
    sites: [{id: "1", name: North}, {id: "2", name: South}]
    timepoints: [{id: T1, label: First, month: 0}]
    instruments: [wemwbs]
    """
)

SURVEY_MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    tables:
      participants:
        from: records
        columns:
          participant_id: {template: "P{record_id}"}
          site: site
          consent_date: {column: consent_date, date_format: "%d-%m-%Y"}
      responses:
        from: records
        timepoint: {value: T1}
        columns: {participant_id: {template: "P{record_id}"}}
        instruments: {wemwbs: "q{item:02d}"}
    """
)

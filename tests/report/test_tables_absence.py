"""The sickness-absence tables of the report (report/tables_absence.py) on a hand-counted study."""

from __future__ import annotations

import pytest

import peerimpact
from peerimpact.report.tables_absence import absence_sections, table_absence_rate, table_absence_reasons

FILES = {
    "study.yaml": (
        "format_version: 2\nend_date: 2020-06-10\ntitle: Absence table test (SYNTHETIC)\nsynthetic: true\n"
        "sites: [{id: '1', name: North}, {id: '2', name: South}]\ntimepoints: [{id: T1, label: Start, month: 0}]\ninstruments: []\n"
    ),
    "participants.csv": "participant_id,site,consent_date\n01,1,2020-01-10\n02,1,2020-01-11\n03,2,2020-02-02\n",
    "responses.csv": "participant_id,timepoint\n01,T1\n02,T1\n03,T1\n",
    "employment.csv": (
        "participant_id,contract,hours_per_week,start_date,end_date,sick_days\n"
        "01,contracted,20,2020-01-01,,\n02,bank,,2020-01-01,,\n03,contracted,37.5,2020-02-01,,0\n"
    ),
    "absence.csv": "participant_id,start_date,end_date,reason\n01,2020-03-02,2020-03-04,respiratory\n01,2020-06-01,,mental_health\n",
}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("absence")
    for rel, text in FILES.items():
        (root / rel).write_text(text, encoding="utf-8")
    return peerimpact.load_study(root)


def test_rate_table(study):
    # 01: 20/37.5 FTE; 2020-01-01..06-10 = 162 days; 3 + 10 days lost (open spell to end_date). 03: 1 FTE, 131 days, 0 lost.
    table = table_absence_rate(study)
    assert table.columns == ("Site", "Contracted workers", "With dated spells", "FTE", "FTE days lost", "FTE days available", "Absence rate (%)")
    assert table.rows == (
        ("All sites", "2", "1", "1.5", "6.9", "217", "3.2"),  # 6.933 / 217.4 = 3.19 %
        ("North", "1", "1", "0.5", "6.9", "86", "8.0"),  # 13 / 162 = 8.02 %
        ("South", "1", "0", "1.0", "0.0", "131", "0.0"),
    )
    assert "Days lost come from the dated spells of absence.csv." in table.notes[0]


def test_reasons_table(study):
    table = table_absence_reasons(study)
    assert table.rows == (
        ("Mental health (anxiety, stress, depression, other psychiatric)", "1", "10", "77"),
        ("Respiratory (cold, cough, flu and other)", "1", "3", "23"),
    )


def test_no_absence_data_no_section(study):
    import dataclasses

    from peerimpact.study.checks import empty_table
    from peerimpact.study.tables import ABSENCE, EMPLOYMENT

    bare = dataclasses.replace(study, employment=empty_table(EMPLOYMENT), absence=empty_table(ABSENCE))
    assert absence_sections(bare) == []
    assert [t.key for t in absence_sections(study)[0].blocks] == ["absence_rate", "absence_reasons"]


def test_rate_table_format_1_uses_sick_day_totals(tmp_path):
    # Format 1 has no absence.csv: 01's 13 recorded sick days (the same total as the dated spells above)
    # give the same hand-counted figures; no worker has dated spells.
    files = {k: v for k, v in FILES.items() if k != "absence.csv"}
    files["study.yaml"] = files["study.yaml"].replace("format_version: 2", "format_version: 1")
    files["employment.csv"] = files["employment.csv"].replace("01,contracted,20,2020-01-01,,\n", "01,contracted,20,2020-01-01,,13\n")
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    table = table_absence_rate(peerimpact.load_study(tmp_path))
    assert table.rows == (
        ("All sites", "2", "0", "1.5", "6.9", "217", "3.2"),
        ("North", "1", "0", "0.5", "6.9", "86", "8.0"),
        ("South", "1", "0", "1.0", "0.0", "131", "0.0"),
    )
    assert table.notes[0].endswith("Days lost are the recorded sick-day totals of employment.csv (format version 1: no dated spells).")

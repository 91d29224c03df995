"""Round trips add nothing (issue 13 item 8): any generated study -> every export format -> import -> the same tables.

Studies are generated with Hypothesis: one or two sites, one to three
timepoints, no instruments or some, participants only or with answers
(missing answers and rows with no answer at all included), ids with ``-``;
some workers with employment rows and, in format version 2, sickness-absence
spells (closed and open, every reason) beside undated ``sick_days`` totals.
Before the fix, a study without instruments came back from REDCap with one
empty response row per participant.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peerimpact
from formats_helpers import assert_same_study, write_files
from peerimpact.formats import export_study
from test_formats_roundtrip import import_back

TIMEPOINTS = [("baseline", 0), ("m6", 6), ("m12", 12)]
ITEMS = [f"wemwbs_{i}" for i in range(1, 15)]
PRESCORED = ["mjs.personal", "mjs.pay"]
REASONS = ["mental_health", "musculoskeletal", "respiratory", "gastrointestinal", "injury", "other", "unknown"]


def employment_and_absence(draw, ids: list[str]) -> tuple[list[str], list[str]]:
    """employment.csv and absence.csv rows: a spell set per worker that never overlaps and lies in post."""
    employment = ["participant_id,contract,hours_per_week,start_date,end_date,sick_days"]
    absence = ["participant_id,start_date,end_date,reason"]
    for pid in ids:
        if not draw(st.booleans()):
            continue
        left = draw(st.sampled_from(["", "2022-12-31"]))
        spells = [(s, e) for s, e in [("2021-02-01", "2021-02-03"), ("2021-04-10", "2021-04-10"), ("2021-06-01", left and "2021-06-30")]
                  if draw(st.booleans())]
        for start, end in spells:
            absence.append(f"{pid},{start},{end},{draw(st.sampled_from(REASONS))}")
        sick = "" if spells else draw(st.sampled_from(["", "0", "4.5"]))
        employment.append(f"{pid},contracted,30,2021-01-01,{left},{sick}")
    return employment, absence


@st.composite
def studies(draw) -> dict[str, str]:
    n_sites = draw(st.integers(1, 2))
    tps = TIMEPOINTS[: draw(st.integers(1, 3))]
    instruments = draw(st.sampled_from([[], ["wemwbs"], ["mjs"], ["wemwbs", "mjs"]]))
    ids = draw(st.lists(st.sampled_from(["p1", "p2", "331-1", "331-2", "A.7"]), min_size=1, max_size=4, unique=True))
    columns = (ITEMS if "wemwbs" in instruments else []) + (PRESCORED if "mjs" in instruments else [])
    participants = ["participant_id,site,consent_date,gender,age"]
    for n, pid in enumerate(ids):
        gender = draw(st.sampled_from(["woman", "man", ""]))
        age = draw(st.sampled_from(["", "34", "41.5"]))
        participants.append(f"{pid},s{1 + n % n_sites},2021-0{1 + n}-1{n},{gender},{age}")
    responses = [",".join(["participant_id", "timepoint"] + columns)]
    if columns:
        for pid in ids:
            for tp, _ in tps:
                if draw(st.booleans()):
                    values = [draw(st.sampled_from(["", "1", "3", "5"])) for _ in ITEMS if ITEMS[0] in columns]
                    values += [draw(st.sampled_from(["", "2.5", "4"])) for _ in PRESCORED if PRESCORED[0] in columns]
                    responses.append(",".join([pid, tp] + values))
    employment, absence = employment_and_absence(draw, ids)
    version2 = len(absence) > 1 or draw(st.booleans())
    study = ("format_version: 2\n" if version2 else "") + textwrap.dedent(
        f"""\
        title: Generated round-trip study
        synthetic: true
        sites: [{", ".join(f"{{id: s{i}, name: Site {i}}}" for i in range(1, n_sites + 1))}]
        timepoints: [{", ".join(f"{{id: {tp}, label: {tp}, month: {m}}}" for tp, m in tps)}]
        instruments: [{", ".join(instruments)}]
        demographics:
          - {{column: gender, label: Gender, type: categorical, categories: [woman, man]}}
          - {{column: age, label: Age, type: continuous}}
        """
    )
    files = {"study.yaml": study, "participants.csv": "\n".join(participants) + "\n", "responses.csv": "\n".join(responses) + "\n"}
    if len(employment) > 1:
        files["employment.csv"] = "\n".join(employment) + "\n"
    if version2:
        files["absence.csv"] = "\n".join(absence) + "\n"
    return files


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=studies(), fmt=st.sampled_from([("csv", "csv_out"), ("xlsx", "study.xlsx"), ("spss", "study.sav"), ("redcap", "redcap_out")]))
def test_every_generated_study_round_trips_exactly(files, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        original = peerimpact.load_study(write_files(tmp_path / "original", files))
        out = tmp_path / "export" / fmt[1]
        export_study(fmt[0], original, out)
        assert_same_study(original, import_back(fmt[0], out, tmp_path))


def test_a_study_without_instruments_gains_no_response_rows_through_redcap(tmp_path):
    files = {
        "study.yaml": "title: No instruments\nsynthetic: true\nsites: [{id: s1, name: One}]\n"
                      "timepoints: [{id: baseline, label: B, month: 0}]\ninstruments: []\n",
        "participants.csv": "participant_id,site,consent_date\np1,s1,2021-01-01\np2,s1,2021-01-02\np3,s1,2021-01-03\n",
        "responses.csv": "participant_id,timepoint\n",
    }
    original = peerimpact.load_study(write_files(tmp_path / "original", files))
    export_study("redcap", original, tmp_path / "export" / "rc")
    back = import_back("redcap", tmp_path / "export" / "rc", tmp_path)
    assert len(back.responses) == 0
    assert_same_study(original, back)

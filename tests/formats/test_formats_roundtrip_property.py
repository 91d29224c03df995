"""Round trips add nothing (issue 13 item 8): any generated study -> every export format -> import -> the same tables.

Studies are generated with Hypothesis: one or two sites, one to three
timepoints, no instruments or some, participants only or with answers
(missing answers and rows with no answer at all included), ids with ``-``.
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
    study = textwrap.dedent(
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
    return {"study.yaml": study, "participants.csv": "\n".join(participants) + "\n", "responses.csv": "\n".join(responses) + "\n"}


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

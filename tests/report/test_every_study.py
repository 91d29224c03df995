"""Every study that validates also analyses and reports (issue 13 item 1).

Synthetic study folders are generated from small parts: one to three
timepoints, no participants to four, no instruments or WEMWBS, no
questionnaire rows to every pair, optionally a demographic column, a
single-coder or two-coder set of codings that never overlap, and no
employment and contact records, their headers only, or a few rows. Each is run
through ``peerimpact validate``, ``analyse`` and ``report`` with typer's
CliRunner: exit 0, or exit 2 with a message, never a traceback.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from peerimpact.cli.main import app

SITES = ("1", "2")
TIMEPOINTS = (("T1", "Start", 0), ("T2", "Six months", 6), ("T3", "Twelve months", 12))
PEOPLE = ("01", "02", "03", "04")
TEXT = "Interviewer: How has it been?\nPW: I use what I went through every day.\nPW: Nobody checks in on me.\n"
CODEBOOK = """\
version: 1
codes:
  - {id: lived, name: Drawing on lived experience}
  - {id: lived_daily, name: Every day, parent: lived}
  - {id: alone, name: Working alone}
themes:
  - {id: valued, name: Feeling valued, codes: [lived]}
"""


def write_study(root: Path, spec: dict) -> Path:
    """Write a synthetic study folder from ``spec`` (see :func:`studies`)."""
    root.mkdir(parents=True)
    tps = TIMEPOINTS[: spec["n_timepoints"]]
    lines = ["title: Generated study (synthetic)", "synthetic: true", "sites:"]
    lines += [f"  - {{id: '{s}', name: Site {s}}}" for s in SITES]
    lines += ["timepoints:"] + [f"  - {{id: {t}, label: {label}, month: {m}}}" for t, label, m in tps]
    if spec["wemwbs"]:
        lines.append("instruments: [wemwbs]")
    if spec["gender"]:
        lines += ["demographics:", "  - {column: gender, label: Gender, type: categorical}"]
    (root / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    people = PEOPLE[: spec["n_people"]]
    with (root / "participants.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["participant_id", "site", "consent_date"] + (["gender"] if spec["gender"] else []))
        for i, p in enumerate(people):
            w.writerow([p, SITES[i % 2], "2024-01-01"] + (["Woman" if i % 2 else ""] if spec["gender"] else []))
    items = [f"wemwbs_{i}" for i in range(1, 15)] if spec["wemwbs"] else []
    with (root / "responses.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["participant_id", "timepoint"] + items)
        for k, (i, j) in enumerate(sorted(spec["responses"])):
            if i < len(people) and j < len(tps) and items:
                answers = ["" if spec.get("blank") else str((k + n + spec["shift"] * j) % 5 + 1) for n in range(len(items))]
                w.writerow([people[i], tps[j][0]] + answers)
    _write_workforce(root, people, spec)
    if spec["coders"] and people:
        (root / "transcripts").mkdir()
        (root / "qual").mkdir()
        (root / "qual" / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
        rows = ["segment_id,interview_id,start,end,code,coder"]
        start = TEXT.index("I use")
        for n, p in enumerate(people[:2]):
            iid = f"S{SITES[PEOPLE.index(p) % 2]}-PW{p}-{tps[0][0]}"
            (root / "transcripts" / f"{iid}.txt").write_text(TEXT, encoding="utf-8")
            code = "lived_daily" if n == 0 else "alone"
            rows.append(f"seg{n},{iid},{start},{start + 10},{code},{'AB'[n % spec['coders']]}")
        (root / "qual" / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def _write_workforce(root: Path, people: tuple[str, ...], spec: dict) -> None:
    """employment.csv, allocations.csv and contacts.csv: absent, header only, or a few rows."""
    kind = spec.get("workforce", "none")
    if kind == "none":
        return
    rows = kind == "rows"
    employment = ["participant_id,contract,hours_per_week,start_date,end_date,sick_days"]
    allocations = ["person_id,worker_id,allocated_on,discharged_on,ended_on"]
    contacts = ["contact_id,worker_id,person_id,date,mode,duration_minutes,status,phase"]
    for i, p in enumerate(people if rows else ()):
        employment.append(f"{p},contracted,30,2024-01-01,,{i}" if i % 2 == 0 else f"{p},bank,,2024-02-01,2024-10-01,")
        if i == 0:  # one worker with contacts, the others without
            allocations.append(f"X1,{p},2024-03-01,2024-03-10,")
            contacts += [f"C1,{p},X1,2024-03-05,face_to_face,30,completed,pre_discharge",
                         f"C2,{p},X1,2024-03-20,telephone,,attempted,post_discharge"]
    for name, lines in (("employment", employment), ("allocations", allocations), ("contacts", contacts)):
        (root / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


studies = st.fixed_dictionaries(
    {
        "n_timepoints": st.integers(1, 3),
        "n_people": st.integers(0, 4),
        "wemwbs": st.booleans(),
        "gender": st.booleans(),
        "responses": st.sets(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=12),
        "shift": st.integers(0, 2),
        "coders": st.sampled_from([0, 1, 2]),
        "workforce": st.sampled_from(["none", "header", "rows"]),
        "blank": st.booleans(),
    }
)


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"peerimpact {' '.join(args)} raised {result.exception!r}\n{result.output}") from result.exception
    return result


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(spec=studies)
def test_every_valid_study_validates_analyses_and_reports(spec):
    tmp = Path(tempfile.mkdtemp(prefix="every-study-"))
    try:
        study = write_study(tmp / "study", spec)
        validated = run("validate", str(study))
        assert validated.exit_code in (0, 2), validated.output
        if validated.exit_code == 2:  # the generator only writes valid studies
            raise AssertionError(f"generated study refused: {validated.output}")
        analysed = run("analyse", str(study), "--out", str(tmp / "results.json"))
        assert analysed.exit_code == 0, analysed.output
        assert "schema_version" in json.loads((tmp / "results.json").read_text(encoding="utf-8"))
        reported = run("report", str(study), "--out", str(tmp / "report"))
        assert reported.exit_code == 0, reported.output
        assert (tmp / "report" / "report.html").is_file() and (tmp / "report" / "report.docx").is_file()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


EMPTY = {"n_timepoints": 2, "n_people": 2, "wemwbs": True, "gender": False, "responses": set(), "shift": 0, "coders": 0}


def _sentences(html: str) -> list[str]:
    import html as markup
    import re

    return [markup.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(r'<p class="table-missing"[^>]*>(.*?)</p>', html)]


@pytest.mark.parametrize(
    "changes,expected",
    [
        (
            {},
            [
                "Table 1. Socio-demographic characteristics of the participants: study.yaml declares no demographic columns.",
                "Table 3. Outcomes at each timepoint compared with published norms: responses.csv has no questionnaire rows yet.",
                "Table 4. Paired change in outcomes between timepoints: responses.csv has no questionnaire rows yet.",
                "Linear mixed models: responses.csv has no questionnaire rows yet.",
            ],
        ),
        (
            {"wemwbs": False},
            [
                "Table 3. Outcomes at each timepoint compared with published norms: study.yaml lists no questionnaire "
                "instruments, so there are no scores.",
            ],
        ),
        (
            {"n_timepoints": 1, "responses": {(0, 0), (1, 0)}},
            ["Table 4. Paired change in outcomes between timepoints: the study has one timepoint, so there is no change to test."],
        ),
        (
            {"responses": {(0, 0), (1, 1)}},
            [
                "Table 4. Paired change in outcomes between timepoints: no participant has scores at both timepoints of "
                "any comparison."
            ],
        ),
        (
            {"coders": 1},
            ["Agreement between coders: one coder (A) coded the transcripts, so there is no second coder to agree with."],
        ),
        (
            {"coders": 2},
            ["Agreement between coders: no transcript was coded by two coders, so there is nothing to compare."],
        ),
        (
            {"responses": {(0, 0), (0, 1), (1, 0)}, "blank": True},
            [
                "Table 3. Outcomes at each timepoint compared with published norms: no outcome could be scored "
                "(every subscale score is missing).",
                "Reliable change between timepoints: no outcome could be scored (every subscale score is missing).",
                "Internal consistency (Cronbach's alpha and McDonald's omega): no outcome could be scored (every "
                "subscale score is missing).",
            ],
        ),
    ],
    ids=["no-rows", "no-instruments", "one-timepoint", "no-pairs", "one-coder", "two-coders-no-overlap", "every-item-blank"],
)
def test_a_table_without_data_is_one_sentence_saying_why(tmp_path, changes, expected):
    study = write_study(tmp_path / "study", {**EMPTY, **changes})
    result = run("report", str(study), "--out", str(tmp_path / "report"))
    assert result.exit_code == 0, result.output
    shown = _sentences((tmp_path / "report" / "report.html").read_text(encoding="utf-8"))
    for sentence in expected:
        assert sentence in shown
    assert "Table 5. Synthesis grid: propositions with the quantitative and qualitative findings they rest on: the study has no synthesis.yaml." in shown


def test_a_sub_code_is_under_its_parents_theme_in_every_table(tmp_path):
    study = write_study(tmp_path / "study", {**EMPTY, "coders": 2})
    assert run("report", str(study), "--out", str(tmp_path / "report")).exit_code == 0
    for key in ("qual_code_timepoint", "qual_code_site"):
        rows = list(csv.DictReader((tmp_path / "report" / "tables" / f"{key}.csv").read_text(encoding="utf-8").splitlines()))
        assert {r["code"]: r["section"] for r in rows} == {"lived": "Feeling valued", "lived_daily": "Feeling valued", "alone": "No theme"}, key


def test_counts_of_zero_read_as_words_in_the_methods(tmp_path):
    study = write_study(tmp_path / "study", {**EMPTY, "n_people": 1})
    assert run("report", str(study), "--out", str(tmp_path / "report")).exit_code == 0
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "1 participant was enrolled at 1 site. No questionnaires have been returned yet." in html
    assert " 0 at " not in html and "1 participants" not in html


@pytest.mark.parametrize(
    "n_people,sentence",
    [
        (1, "Every peer worker recorded at least one contact. The 1 worker with contacts was allocated"),
        (3, "2 workers recorded no contacts. The 1 worker with contacts was allocated"),
    ],
    ids=["every-worker", "two-without"],
)
def test_the_workforce_paragraph_never_says_zero_workers(tmp_path, n_people, sentence):
    study = write_study(tmp_path / "study", {**EMPTY, "n_people": n_people, "workforce": "rows"})
    assert run("report", str(study), "--out", str(tmp_path / "report")).exit_code == 0
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert sentence in html and "0 workers" not in html

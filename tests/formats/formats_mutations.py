"""Valid seed inputs and mutations of them, shared by the Hypothesis test and bench/fuzz_import.py.

Every mutation takes a ``random.Random``-like chooser so that Hypothesis
(``st.randoms()``) and the benchmark (``random.Random(seed)``) drive the same
code. A case is one (format, files, mapping) triple written to a folder.
"""

from __future__ import annotations

import csv
import io
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

STUDY_YAML = textwrap.dedent(
    """\
    title: Fuzz seed study
    synthetic: true
    sites: [{id: "1", name: North}, {id: "2", name: South}]
    timepoints:
      - {id: baseline, label: Baseline, month: 0}
      - {id: m6, label: Six months, month: 6}
    instruments: [wemwbs, mjs]
    demographics:
      - {column: gender, label: Gender, type: categorical, categories: [woman, man]}
      - {column: age, label: Age, type: continuous}
    """
)

PEOPLE = [
    ["ID", "Site", "Consent", "Sex", "Age"],
    ["01", "North", "2020-01-15", "F", "34"],
    ["02", "South", "2020-01-20", "M", "41.5"],
    ["03", "North", "2020-02-01", "F", "29"],
]
ANSWERS = ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"]


def survey_rows() -> list[list[str]]:
    rows = [["ID", "Visit"] + [f"WEM{i}" for i in range(1, 15)] + ["MJS_personal"]]
    k = 0
    for pid in ("01", "02", "03"):
        for visit in ("Baseline", "6 months"):
            rows.append([pid, visit] + [ANSWERS[(k + i) % 5] for i in range(14)] + [f"{2 + (k % 3) * 0.5}"])
            k += 1
    return rows


def csv_mapping(*, words: bool = True) -> str:
    """The people + survey mapping; ``words=False`` reads WEMWBS answers as numbers and has no MJS column."""
    recodes = '\nrecodes:\n  wemwbs_words: {"None of the time": 1, "Rarely": 2, "Some of the time": 3, "Often": 4, "All of the time": 5}' if words else ""
    responses = "participant_id: ID, mjs.personal: MJS_personal" if words else "participant_id: ID"
    wemwbs = '{pattern: "WEM{item}", recode: wemwbs_words}' if words else '"WEM{item}"'
    return textwrap.dedent(
        """\
        study: study.yaml{recodes}
        tables:
          participants:
            from: people
            columns:
              participant_id: ID
              site: {{column: Site, recode: {{North: "1", South: "2"}}}}
              consent_date: Consent
              gender: {{column: Sex, recode: {{F: woman, M: man}}}}
              age: Age
          responses:
            from: survey
            timepoint: {{column: Visit, values: {{Baseline: baseline, "6 months": m6}}}}
            columns: {{{responses}}}
            instruments:
              wemwbs: {wemwbs}
        """
    ).format(recodes=recodes, responses=responses, wemwbs=wemwbs)


CSV_MAPPING = csv_mapping()

REDCAP_DICTIONARY = [
    ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
     "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
     "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
     "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
     "Field Annotation"],
    ["record_id", "enrolment", "", "text", "Record ID", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["consent", "enrolment", "", "text", "Consent date", "", "", "date_ymd", "", "", "", "", "", "", "", "", "", ""],
    ["sex", "enrolment", "", "radio", "Sex", "1, Woman | 2, Man", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["age", "enrolment", "", "text", "Age", "", "", "number", "", "", "", "", "", "", "", "", "", ""],
    ["roles", "enrolment", "", "checkbox", "Roles, past and present", "1, Ward | 2, Community | 3, Crisis", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["notes", "enrolment", "", "notes", "Notes", "", "", "", "", "", "", "", "", "", "", "", "", ""],
] + [
    [f"w{i}", "wellbeing", "", "radio", f"Item {i}", "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5", "", "", "", "", "", "", "", "", "", "", "", ""]
    for i in range(1, 15)
] + [
    ["c_person", "contact_log", "", "text", "Person", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["c_date", "contact_log", "", "text", "Date", "", "", "date_ymd", "", "", "", "", "", "", "", "", "", ""],
    ["c_mode", "contact_log", "", "radio", "Mode", "1, Face to face | 2, Telephone | 3, Other", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["c_minutes", "contact_log", "", "text", "Minutes", "", "", "number", "", "", "", "", "", "", "", "", "", ""],
    ["a_person", "allocation", "", "text", "Person", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["a_date", "allocation", "", "text", "Allocated on", "", "", "date_ymd", "", "", "", "", "", "", "", "", "", ""],
]

REDCAP_EVENTS = [
    ["event_name", "arm_num", "unique_event_name", "custom_event_label"],
    ["Baseline", "1", "baseline_arm_1", ""],
    ["Six months", "1", "six_months_arm_1", ""],
]


def redcap_records() -> list[list[str]]:
    header = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group",
              "consent", "sex", "age", "roles___1", "roles___2", "roles___3", "notes", "enrolment_complete"]
    header += [f"w{i}" for i in range(1, 15)] + ["wellbeing_complete"]
    header += ["c_person", "c_date", "c_mode", "c_minutes", "contact_log_complete", "a_person", "a_date", "allocation_complete"]
    rows = [header]
    width = len(header)
    pos = {h: i for i, h in enumerate(header)}

    def row(**cells: str) -> list[str]:
        r = [""] * width
        for k, v in cells.items():
            r[pos[k]] = v
        return r

    for n, (rid, dag) in enumerate((("01", "north"), ("02", "south"), ("03", "north"))):
        base = row(record_id=rid, redcap_event_name="baseline_arm_1", redcap_data_access_group=dag, consent=f"2020-01-1{n}",
                   sex=str(1 + n % 2), age=str(30 + n), roles___1="1", roles___2=str(n % 2), roles___3="0",
                   notes=f"Said: \"it helps, mostly\",\nthen left (record {rid})", enrolment_complete="2",
                   wellbeing_complete="2", **{f"w{i}": str(1 + (i + n) % 5) for i in range(1, 15)})
        rows.append(base)
        rows.append(row(record_id=rid, redcap_event_name="baseline_arm_1", redcap_repeat_instrument="allocation",
                        redcap_repeat_instance="1", redcap_data_access_group=dag, a_person=f"P{n}01", a_date="2020-02-01",
                        allocation_complete="2"))
        for k in (1, 2):
            rows.append(row(record_id=rid, redcap_event_name="baseline_arm_1", redcap_repeat_instrument="contact_log",
                            redcap_repeat_instance=str(k), redcap_data_access_group=dag, c_person=f"P{n}01",
                            c_date=f"2020-03-0{k}", c_mode=str(k), c_minutes=str(20 * k), contact_log_complete="2"))
        rows.append(row(record_id=rid, redcap_event_name="six_months_arm_1", redcap_data_access_group=dag,
                        wellbeing_complete="1", **{f"w{i}": str(1 + (i * n) % 5) for i in range(1, 15)}))
    return rows


REDCAP_STUDY = STUDY_YAML.replace("instruments: [wemwbs, mjs]", "instruments: [wemwbs]")

REDCAP_MAPPING = textwrap.dedent(
    """\
    study: study.yaml
    tables:
      participants:
        from: records
        where: {redcap_event_name: baseline_arm_1}
        columns:
          participant_id: record_id
          site: {column: redcap_data_access_group, recode: {north: "1", south: "2"}}
          consent_date: consent
          gender: {column: sex, recode: {Woman: woman, Man: man}}
          age: age
      responses:
        from: records
        timepoint: {column: redcap_event_name, values: {baseline_arm_1: baseline, six_months_arm_1: m6}}
        require: [wellbeing_complete]
        columns: {participant_id: record_id}
        instruments: {wemwbs: "w{item}"}
      allocations:
        from: allocation
        columns: {person_id: a_person, worker_id: record_id, allocated_on: a_date}
      contacts:
        from: contact_log
        columns:
          contact_id: {template: "C{record_id}_{redcap_repeat_instance}"}
          worker_id: record_id
          person_id: c_person
          date: c_date
          mode: {column: c_mode, recode: {1: face_to_face, 2: telephone, 3: other}}
          duration_minutes: c_minutes
          status: {value: completed}
          phase: {value: post_discharge}
    """
)


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


@dataclass
class Case:
    fmt: str
    files: list[Path]
    mapping: Path


# ----------------------------------------------------------------- mutations
TOKENS = ["", " ", "NA", "abc", "99", "-1", "0", "3,5", "3.5", "1e308", "nan", "inf", "2020-13-45", "2020-02-30",
          "15/01/2020", '"', "'", "\x00", "é", "\u2028", "Often", "Rarely", "North", "baseline_arm_1", "x" * 300,
          "=1+1", "01", "1", "2", "\r\n", ",", ";", "\t"]


def mutate_rows(rows: list[list[str]], rnd, n: int) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for _ in range(n):
        op = rnd.randrange(9)
        if not rows:
            break
        r = rnd.randrange(len(rows))
        if op <= 3 and rows[r]:  # replace a cell (most common)
            rows[r][rnd.randrange(len(rows[r]))] = rnd.choice(TOKENS)
        elif op == 4:  # duplicate a row
            rows.insert(r, list(rows[r]))
        elif op == 5 and len(rows) > 1:  # drop a row
            del rows[r]
        elif op == 6 and rows[r]:  # drop a cell (ragged row)
            del rows[r][rnd.randrange(len(rows[r]))]
        elif op == 7:  # add a cell
            rows[r].append(rnd.choice(TOKENS))
        elif op == 8 and rows[0]:  # rename a header cell
            rows[0][rnd.randrange(len(rows[0]))] = rnd.choice(TOKENS + [rows[0][0]])
    return rows


def mutate_bytes(data: bytes, rnd, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        if not b:
            break
        op = rnd.randrange(5)
        i = rnd.randrange(len(b))
        if op == 0:
            del b[i : i + rnd.randrange(1, 64)]
        elif op == 1:
            b[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 8)))
        elif op == 2:
            b[i] = rnd.randrange(256)
        elif op == 3:
            b = b[: max(1, i)]  # truncate
        else:
            j = rnd.randrange(len(b))
            b[i:i] = b[j : j + rnd.randrange(1, 32)]
    return bytes(b)


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def make_csv_case(folder: Path, rnd) -> Case:
    """Seed CSV files, mutated at the cell or the byte level, in a random encoding and delimiter."""
    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (folder / "mapping.yaml").write_text(CSV_MAPPING, encoding="utf-8")
    files = []
    for name, rows in (("people", PEOPLE), ("survey", survey_rows())):
        level = rnd.randrange(4)
        if level >= 1:
            rows = mutate_rows(rows, rnd, rnd.randrange(1, 4))
        delimiter = rnd.choice([",", ",", ";", "\t"])
        data = _encode(csv_text(rows, delimiter), rnd.choice(ENCODINGS))
        if level == 3:
            data = mutate_bytes(data, rnd, rnd.randrange(1, 3))
        path = folder / f"{name}.csv"
        path.write_bytes(data)
        files.append(path)
    return Case("csv", files, folder / "mapping.yaml")


def make_xlsx_case(folder: Path, rnd) -> Case:
    """A workbook with the seed sheets, mutated cell by cell, structurally (merges) or byte by byte."""
    import openpyxl

    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (folder / "mapping.yaml").write_text(CSV_MAPPING, encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    level = rnd.randrange(4)
    for name, rows in (("people", PEOPLE), ("survey", survey_rows())):
        ws = wb.create_sheet(name)
        if level >= 1:
            rows = mutate_rows(rows, rnd, rnd.randrange(1, 4))
        for r in rows:
            ws.append([_xlsx_cell(v, rnd) for v in r])
        if level == 2 and rnd.random() < 0.3:
            ws.merge_cells("A1:B1")
    path = folder / "data.xlsx"
    wb.save(path)
    if level == 3:
        path.write_bytes(mutate_bytes(path.read_bytes(), rnd, rnd.randrange(1, 3)))
    return Case("xlsx", [path], folder / "mapping.yaml")


def _xlsx_cell(value: str, rnd):
    import datetime as dt

    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)

    if value and value[:4].isdigit() and value[4:5] == "-" and rnd.random() < 0.5:
        try:
            d = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return d if rnd.random() < 0.5 else (d - dt.date(1899, 12, 30)).days  # a date cell or an Excel serial
    if rnd.random() < 0.3:  # store numbers as numbers when that loses nothing
        try:
            number = float(value) if "." in value else int(value)
        except ValueError:
            return value
        return number if str(number) == value else value
    return value


def make_redcap_case(folder: Path, rnd) -> Case:
    """The seed REDCap dictionary, events and records, one of them mutated."""
    (folder / "study.yaml").write_text(REDCAP_STUDY, encoding="utf-8")
    (folder / "mapping.yaml").write_text(REDCAP_MAPPING, encoding="utf-8")
    parts = {"dictionary": REDCAP_DICTIONARY, "events": REDCAP_EVENTS, "records": redcap_records()}
    target = rnd.choice(["records", "records", "records", "dictionary", "events"])
    level = rnd.randrange(4)  # 0: the seed as it is
    files = []
    for name, rows in parts.items():
        if name == target and level in (1, 2):
            rows = mutate_rows(rows, rnd, rnd.randrange(1, 4))
        data = csv_text(rows).encode("utf-8")
        if name == target and level == 3:
            data = mutate_bytes(data, rnd, rnd.randrange(1, 3))
        path = folder / f"{name}.csv"
        path.write_bytes(data)
        files.append(path)
    return Case("redcap", files, folder / "mapping.yaml")


def make_spss_case(folder: Path, rnd) -> Case:
    """The seed tables as .sav files: values mutated (the header kept: SPSS names are checked when written), or bytes damaged."""
    import pandas as pd
    import pyreadstat

    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (folder / "mapping.yaml").write_text(CSV_MAPPING, encoding="utf-8")
    files = []
    for name, rows in (("people", PEOPLE), ("survey", survey_rows())):
        level = rnd.randrange(4)
        header = rows[0]
        body = [list(r) for r in rows[1:]]
        if level >= 1:
            body = mutate_rows(body, rnd, rnd.randrange(1, 4))
        body = [(r + [""] * len(header))[: len(header)] for r in body]
        frame = pd.DataFrame(body, columns=header).replace({"\x00": "", "\u2028": " "}, regex=True)
        for col in [c for c in frame.columns if c != "ID"]:  # numeric variables where every value reads as a number, as SPSS users store them
            numbers = pd.to_numeric(frame[col].where(frame[col] != ""), errors="coerce")
            if rnd.random() < 0.5 and numbers.notna().sum() == (frame[col] != "").sum() and numbers.abs().max() < 1e15:
                frame[col] = numbers
        path = folder / f"{name}.sav"
        pyreadstat.write_sav(frame, str(path))
        if level == 3:
            path.write_bytes(mutate_bytes(path.read_bytes(), rnd, rnd.randrange(1, 3)))
        files.append(path)
    return Case("spss", files, folder / "mapping.yaml")


def make_mixed_case(folder: Path, rnd) -> Case:
    """``import mixed``: the people as a workbook, CSV or .sav file, the survey as another, each possibly mutated."""
    makers = [make_csv_case, make_xlsx_case, make_spss_case]
    files = []
    for name in ("people", "survey"):
        sub = folder / name
        sub.mkdir()
        case = rnd.choice(makers)(sub, rnd)
        picked = [p for p in case.files if p.stem == name] or case.files[:1]
        target = folder / (name + picked[0].suffix)
        picked[0].replace(target)
        files.append(target)
    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (folder / "mapping.yaml").write_text(CSV_MAPPING + "sources:\n  people: {sheet: people}\n  survey: {sheet: survey}\n", encoding="utf-8")
    return Case("mixed", files, folder / "mapping.yaml")


MAKERS = {"csv": make_csv_case, "xlsx": make_xlsx_case, "spss": make_spss_case, "redcap": make_redcap_case, "mixed": make_mixed_case}


def run_cli(args: list[str]) -> Outcome:
    """Run one ``peerimpact`` command in process: exit 0 or 2 is fine, a traceback is a crash."""
    from typer.testing import CliRunner

    from peerimpact.cli.main import app

    result = CliRunner().invoke(app, args)
    if result.exit_code in (0, 2) and result.exception is None or isinstance(result.exception, SystemExit) and result.exit_code in (0, 2):
        return Outcome("valid" if result.exit_code == 0 else "user_error")
    import traceback

    detail = "".join(traceback.format_exception(result.exception)) if result.exception else result.output
    return Outcome("crash", f"peerimpact {' '.join(args[:1])} exit {result.exit_code}:\n{detail[-2000:]}")


@dataclass
class Outcome:
    kind: str  # valid | user_error | crash
    detail: str = ""


def run_case(case: Case, out: Path, reload: bool = True, commands: bool = False) -> Outcome:
    """Import one case; check the no-partial-output rule; classify the result.

    With ``reload`` a valid import is loaded again with ``load_study``;
    without it, the folder is only checked to hold its files. With
    ``commands`` a valid import must also pass ``peerimpact validate`` and
    run ``peerimpact analyse`` without a traceback.
    """
    from peerimpact import load_study
    from peerimpact.errors import UserInputError
    from peerimpact.formats import import_study

    try:
        import_study(case.fmt, case.files, case.mapping, out)
    except UserInputError as exc:
        leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
        if out.exists() or leftovers:
            return Outcome("crash", f"partial output after a user error: {out.exists()=} {leftovers=}")
        if not str(exc).strip():
            return Outcome("crash", "user error without a message")
        return Outcome("user_error", str(exc).splitlines()[0])
    except Exception as exc:  # noqa: BLE001 - the point is to catch anything unexpected
        import traceback

        return Outcome("crash", "".join(traceback.format_exception(exc))[-2000:])
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    if leftovers:
        return Outcome("crash", f"temporary folders left behind: {leftovers}")
    if commands:
        for args in (["validate", str(out)], ["analyse", str(out)]):
            ran = run_cli(args)
            if ran.kind != "valid":
                return Outcome("crash", ran.detail or f"peerimpact {args[0]} refused an imported study")
    if reload:
        try:
            load_study(out)
        except UserInputError as exc:
            return Outcome("crash", f"imported folder does not load: {exc}")
    else:
        missing = [f for f in ("study.yaml", "participants.csv", "responses.csv") if not (out / f).is_file()]
        if missing:
            return Outcome("crash", f"imported folder lacks {missing}")
    shutil.rmtree(out)
    return Outcome("valid")

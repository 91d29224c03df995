"""check_study_folder: load_study's checks without raising (the import goes through their problems one by one)."""

from __future__ import annotations

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.study.load import check_study_folder, load_study
from study_fixtures import FILES, ROW, write_files

CORRUPT = {
    "valid": {},
    "bad site and item": {
        "participants.csv": FILES["participants.csv"].replace("03,2,", "03,9,"),
        "responses.csv": FILES["responses.csv"].replace("01,T2,3,", "01,T2,7,"),
    },
    "study.yaml not a study": {"study.yaml": "title: 3\n"},
    "no responses": {"responses.csv": None},
    "many unknown ids": {  # one rule on eight rows: grouped into one line
        "responses.csv": FILES["responses.csv"] + "".join(f"X{i},T1,{','.join(['3'] * 14)}\n" for i in range(8)),
    },
    "cross-table": {  # every rule of study/references.py once
        "study.yaml": FILES["study.yaml"].replace("type: categorical}", "type: categorical, categories: [woman, man]}"),
        "participants.csv": FILES["participants.csv"].replace("03,2,2020-01-12,woman,51", "03,7,,other,151"),
        "responses.csv": FILES["responses.csv"].replace("02,T1,", "09,T9,").replace("03,T1,", "03,T1,"),
        "employment.csv": FILES["employment.csv"].replace("2020-01-01,2021-01-01", "2021-01-01,2020-01-01").replace("01,contracted", "08,contracted"),
        "service_use.csv": FILES["service_use.csv"].replace("01,T1,gp", "07,T1,gp"),
        "allocations.csv": FILES["allocations.csv"].replace("P001,01,2020-02-01,2020-02-10", "P001,06,2020-02-01,2020-01-10"),
        "contacts.csv": FILES["contacts.csv"].replace("C2,01,P001,2020-02-17", "C2,05,P002,2020-02-17"),
    },
}


@pytest.mark.parametrize("case", list(CORRUPT), ids=list(CORRUPT))
def test_the_problems_are_those_load_study_raises(tmp_path, case):
    files = dict(FILES)
    for rel, text in CORRUPT[case].items():
        if text is None:
            del files[rel]
        else:
            files[rel] = text
    root = write_files(tmp_path, files)
    study, problems = check_study_folder(root)
    if case == "valid":
        assert problems == [] and study is not None
        assert study.responses.equals(load_study(root).responses)
        return
    assert problems
    with pytest.raises(StudyValidationError) as err:
        load_study(root)
    assert err.value.problems == StudyValidationError(problems).problems
    if case == "bad site and item":
        assert {p.file for p in problems} == {"participants.csv", "responses.csv"}


def test_unreadable_yaml_raises_as_load_study_does(tmp_path):
    root = write_files(tmp_path, dict(FILES, **{"study.yaml": "title: [unclosed\n"}))
    with pytest.raises(StudyValidationError) as err:
        check_study_folder(root)
    with pytest.raises(StudyValidationError) as raised:
        load_study(root)
    assert err.value.problems == raised.value.problems


def test_the_problems_come_in_the_tables_order_whatever_file_is_read_first(tmp_path):
    """The largest file is read first (memory); its problems still come after those of the tables before it."""
    files = dict(FILES)
    files["participants.csv"] = FILES["participants.csv"].replace(",2020-", ",2020-13-", 1)  # a bad date: found on reading
    lines = FILES["responses.csv"].splitlines()
    files["responses.csv"] = "\n".join(lines + [lines[-1]] * 400) + "\n"  # duplicate rows, far the largest file
    root = write_files(tmp_path, files)
    assert (root / "responses.csv").stat().st_size > 10 * (root / "participants.csv").stat().st_size
    _, problems = check_study_folder(root)
    tables = [p.file for p in problems]
    assert tables[0] == "participants.csv" and tables[1:401] == ["responses.csv"] * 400
    assert "not a valid date" in problems[0].message and "duplicate row" in problems[1].message


def test_every_cross_table_rule_reaches_a_sink(tmp_path):
    """Each rule of study/references.py, streamed to a sink as listed (every other rule: test_study_validate's table)."""
    root = write_files(tmp_path, dict(FILES, **CORRUPT["cross-table"]))
    _, listed = check_study_folder(root, keep_study=False)
    streamed: list = []
    check_study_folder(root, keep_study=False, sink=streamed.append)
    assert streamed == listed
    rules = "\n".join(str(p) for p in listed)
    for found in ("unknown site '7'", "151 is above the maximum", "'other' is not one of the declared categories",
                  "unknown participant '09'", "unknown timepoint 'T9'", "has no consent date",
                  "unknown participant '08'", "unknown participant '07'", "is before start_date",
                  "is before allocated_on", "unknown worker (not a participant) '06'",
                  "unknown worker (not a participant) '05'", "person 'P002' is not allocated to worker '05'"):
        assert found in rules, found


@pytest.mark.parametrize("case", list(CORRUPT), ids=list(CORRUPT))
def test_grouped_loading_raises_the_problems_grouped(tmp_path, case):
    """``load_study(grouped=True)``: the same study, or the same problems as grouping the full list afterwards."""
    from peerimpact.study.grouping import group_problems
    from peerimpact.study.load import _column_numbers

    files = {rel: text for rel, text in dict(FILES, **CORRUPT[case]).items() if text is not None}
    root = write_files(tmp_path, files)
    if case == "valid":
        assert load_study(root, grouped=True).responses.equals(load_study(root).responses)
        return
    with pytest.raises(StudyValidationError) as every:
        load_study(root)
    with pytest.raises(StudyValidationError) as grouped:
        load_study(root, grouped=True)
    assert grouped.value.problems == StudyValidationError(group_problems(every.value.problems, _column_numbers(root))).problems
    if case == "many unknown ids":
        assert len(every.value.problems) == 8 and len(grouped.value.problems) == 1


@pytest.mark.parametrize(("text", "column", "numbers"), [
    ("a,b\n1,2,\n3,4,\n", "a", [1, 3]),  # trailing empty cells: the first column is not taken as an index
    (" wemwbs_1 ,x\n0,1\n4,2\n", "wemwbs_1", [0, 4]),  # header names compared stripped, as the loader reads them
    ("\ufeffwemwbs_1,x\n0,1\nx,2\n", "wemwbs_1", [0]),  # a byte-order mark; text is not a number
    ("x\n1\n", "wemwbs_1", None),  # no such column
    ("wemwbs_1,wemwbs_1\n1,2\n", "wemwbs_1", [1]),  # twice (a problem of its own): the first, as pandas names it
    ("wemwbs_1\n,\n", "wemwbs_1", None),  # nothing answered
], ids=["trailing-cells", "spaces", "bom", "absent", "twice", "empty"])
def test_the_range_hint_reads_the_column_as_the_loader_names_it(tmp_path, monkeypatch, text, column, numbers):
    import pandas as pd

    from peerimpact.study import load as load_module

    (tmp_path / "responses.csv").write_text(text, encoding="utf-8")
    reads: list[str] = []
    real = pd.read_csv
    monkeypatch.setattr(load_module.pd, "read_csv", lambda *a, **k: (reads.append(str(a[0])), real(*a, **k))[1])
    values_of = load_module._column_numbers(tmp_path)
    assert values_of("responses.csv", column) == numbers
    assert values_of("responses.csv", column) == numbers and len(reads) == 1  # read once for every problem asking
    assert values_of("absent.csv", column) is None


@pytest.mark.parametrize("module", ["peerimpact.study.references", "peerimpact.scoring.validate"], ids=["ids", "answers"])
def test_problems_on_every_row_reach_the_sink_one_at_a_time(tmp_path, monkeypatch, module):
    """Unknown ids (cross-table) and answers out of range (the instruments' table check) are made as the sink takes them."""
    import importlib

    checks = importlib.import_module(module)
    bad = "".join(f"X{i},T1,{ROW}\n" for i in range(300)) if module.endswith("references") else ""
    responses = FILES["responses.csv"] + bad
    if not bad:  # every wemwbs_1 answer 0, on 300 more rows of known participants at a timepoint of their own
        responses = FILES["responses.csv"].replace("\n01,T1,3,", "\n01,T1,0,")
        responses += "".join(f"0{1 + i % 3},T1,0,{','.join(['3'] * 13)}\n" for i in range(300))
    root = write_files(tmp_path, dict(FILES, **{"responses.csv": responses}))
    made: list[int] = []
    real = checks.Problem
    monkeypatch.setattr(checks, "Problem", lambda *args: (made.append(1), real(*args))[1])
    ahead: list[int] = []  # problems made by the module but not yet taken, as each reaches the sink
    taken = [0]

    def sink(p):
        if p.message.startswith("unknown participant 'X") or p.message.startswith("value 0 is outside"):
            taken[0] += 1
            ahead.append(len(made) - taken[0])

    check_study_folder(root, keep_study=False, sink=sink)
    assert len(ahead) >= 300 and max(ahead) == 0

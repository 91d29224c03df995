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


@pytest.mark.parametrize("case", [c for c in CORRUPT if c != "study.yaml not a study"], ids=lambda c: c)
def test_a_sink_gets_the_same_problems_in_the_same_order(tmp_path, case):
    """With ``sink=``, each problem goes to the sink as found, and the list returned is empty."""
    files = {rel: text for rel, text in dict(FILES, **CORRUPT[case]).items() if text is not None}
    root = write_files(tmp_path, files)
    _, listed = check_study_folder(root, keep_study=False)
    streamed: list = []
    study, returned = check_study_folder(root, keep_study=False, sink=streamed.append)
    assert streamed == listed and returned == [] and study is None
    if case == "cross-table":
        rules = "\n".join(str(p) for p in listed)
        for found in ("unknown site '7'", "151 is above the maximum", "'other' is not one of the declared categories",
                      "unknown participant '09'", "unknown timepoint 'T9'", "has no consent date",
                      "unknown participant '08'", "unknown participant '07'", "is before start_date",
                      "is before allocated_on", "unknown worker (not a participant) '06'",
                      "unknown worker (not a participant) '05'", "person 'P002' is not allocated to worker '05'"):
            assert found in rules, found


def test_unknown_ids_reach_the_sink_one_at_a_time(tmp_path, monkeypatch):
    """Each unknown-id problem is made as the sink takes it, not all first (memory: a problem a row)."""
    import peerimpact.study.references as refs

    rows = "".join(f"X{i},T1,{ROW}\n" for i in range(500))
    root = write_files(tmp_path, dict(FILES, **{"responses.csv": FILES["responses.csv"] + rows}))
    made: list[int] = []
    real = refs.Problem
    monkeypatch.setattr(refs, "Problem", lambda *args: (made.append(1), real(*args))[1])
    ahead: list[int] = []  # problems made but not yet taken, as each unknown id reaches the sink

    def sink(p):
        if p.message.startswith("unknown participant 'X"):
            ahead.append(len(made) - len(ahead) - 1)

    check_study_folder(root, keep_study=False, sink=sink)
    assert len(ahead) == 500 and max(ahead) == 0


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

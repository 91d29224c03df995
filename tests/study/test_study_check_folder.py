"""check_study_folder: load_study's checks without raising (the import goes through their problems one by one)."""

from __future__ import annotations

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.study.load import check_study_folder, load_study
from study_fixtures import FILES, write_files

CORRUPT = {
    "valid": {},
    "bad site and item": {
        "participants.csv": FILES["participants.csv"].replace("03,2,", "03,9,"),
        "responses.csv": FILES["responses.csv"].replace("01,T2,3,", "01,T2,7,"),
    },
    "study.yaml not a study": {"study.yaml": "title: 3\n"},
    "no responses": {"responses.csv": None},
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

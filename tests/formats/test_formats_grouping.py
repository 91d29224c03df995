"""Errors grouped for humans through an import (issue 13 item 6); the grouping itself: tests/study/test_study_grouping.py."""

from __future__ import annotations

import pytest

from formats_helpers import write_files
from formats_mutations import PEOPLE, REDCAP_STUDY, csv_mapping, csv_text
from peerimpact.errors import StudyValidationError
from peerimpact.formats import import_study

MAPPING = csv_mapping(words=False)


def zero_to_four_survey(n_people: int = 3) -> list[list[str]]:
    """Every wemwbs answer coded 0-4 (the instrument is 1-5)."""
    rows = [["ID", "Visit"] + [f"WEM{i}" for i in range(1, 15)]]
    for k in range(n_people):
        for visit in ("Baseline", "6 months"):
            rows.append([PEOPLE[1 + k % 3][0] if k < 3 else f"x{k}", visit] + [str((i + k + len(rows)) % 5) for i in range(1, 15)])
    return rows


def seed(tmp_path, n_people=3):
    write_files(tmp_path, {"study.yaml": REDCAP_STUDY, "mapping.yaml": MAPPING})
    people = PEOPLE + [[f"x{k}", "North", "2020-03-01", "F", "30"] for k in range(3, n_people)]
    (tmp_path / "people.csv").write_text(csv_text(people), encoding="utf-8")
    (tmp_path / "survey.csv").write_text(csv_text(zero_to_four_survey(n_people)), encoding="utf-8")
    return [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml"


def zero_cells(rows: list[list[str]]) -> tuple[int, int]:
    """(item columns holding a 0, cells holding a 0), counted from the survey itself."""
    cols = [j for j in range(2, len(rows[0])) if any(r[j] == "0" for r in rows[1:])]
    return len(cols), sum(r[j] == "0" for r in rows[1:] for j in range(2, len(rows[0])))


@pytest.mark.parametrize("coded", [False, True], ids=["rows", "kept-as-codes"])
def test_a_zero_to_four_scale_gives_one_line_per_item_with_the_hint(tmp_path, monkeypatch, coded):
    if coded:  # the files read by the fast path, their rows kept as codes (as a large file's are)
        from peerimpact.formats import csv_source

        monkeypatch.setattr(csv_source, "FAST_MIN_CHARS", 0)
    sources, mapping = seed(tmp_path, n_people=40)
    columns, cells = zero_cells(zero_to_four_survey(40))
    assert (columns, cells) == (14, 224)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study")
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 14  # one per item column, not one per cell
    hint = "all values lie in 0–4 but the instrument expects 1–5: is it coded from 0? see `recode` in docs/mapping.md"
    survey = zero_to_four_survey(40)
    rows_of_zero = [n for n, r in enumerate(survey[1:], start=2) if r[2] == "0"]  # WEM1, spreadsheet rows
    first = ", ".join(map(str, rows_of_zero[:5]))
    assert (
        f"survey.csv:{rows_of_zero[0]}:WEM1: value 0 is outside the range 1–5 of wemwbs (study column responses.wemwbs_1) "
        f"[{len(rows_of_zero)} rows break this rule: {first}, ...; --all-errors lists each]; {hint}"
    ) in lines
    assert all(line.endswith(hint) for line in lines)
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study", all_errors=True)
    assert len(err.value.problems) == cells


def test_the_cli_groups_unless_asked_for_every_error(tmp_path):
    import typer
    from typer.testing import CliRunner

    from peerimpact.cli import formats

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    formats.register(app)
    sources, mapping = seed(tmp_path, n_people=40)
    args = ["import", "csv", *map(str, sources), "--mapping", str(mapping), "--out", str(tmp_path / "study")]
    grouped = CliRunner().invoke(app, args)
    every = CliRunner().invoke(app, args + ["--all-errors"])
    assert (grouped.exit_code, every.exit_code) == (2, 2)
    columns, cells = zero_cells(zero_to_four_survey(40))
    assert grouped.stderr.splitlines()[-1] == f"{columns} problems found; nothing was written."
    assert every.stderr.splitlines()[-1] == f"{cells} problems found; nothing was written."
    assert cells > columns
    assert not (tmp_path / "study").exists()


# ------------------------------------------------- grouped as they stream
@pytest.mark.parametrize("coded", [False, True], ids=["rows", "kept-as-codes"])
@pytest.mark.parametrize("all_errors", [True, False], ids=["every-error", "grouped"])
def test_answers_checked_while_mapping_give_the_study_checks_problems(tmp_path, monkeypatch, all_errors, coded):
    """Answers are checked as the study checks check them (memory): the same problems as when only the study checks see them.

    Kept as codes (a large file), a block whose only rejected values are answers is still built as codes.
    """
    import peerimpact.scoring.columns as columns
    from peerimpact.formats import build, csv_source

    if coded:
        monkeypatch.setattr(csv_source, "FAST_MIN_CHARS", 0)
        used: list[bool] = []
        real = build._clean_coded_block
        monkeypatch.setattr(build, "_clean_coded_block", lambda *args: used.append(real(*args)) or used[-1])

    sources, mapping = seed(tmp_path, n_people=40)
    survey = zero_to_four_survey(40)
    for i, bad in enumerate(["x", "2.5", "7", "3.0", "05", "-1", "1e1", "4"]):  # not numbers, not whole, out of range, valid
        survey[2 + 3 * i][3 + i] = bad
    (tmp_path / "survey.csv").write_text(csv_text(survey), encoding="utf-8")

    def problems() -> list[str]:
        with pytest.raises(StudyValidationError) as err:
            import_study("csv", sources, mapping, tmp_path / "study", all_errors=all_errors)
        return [str(p) for p in err.value.problems]

    checked = problems()
    if coded:
        assert used and all(used)  # every block built as codes, rejected answers included
    monkeypatch.setattr(columns, "declared_roles", lambda *args: {})  # only the study checks see the answers
    assert checked == problems()
    assert "survey.csv:3:WEM2: 'x' is not a number" in checked  # a rule the mapping's answers check found, as the study checks say it


@pytest.mark.parametrize("all_errors", [False, True], ids=["grouped", "every-error"])
def test_unknown_ids_found_by_the_study_checks_are_one_line(tmp_path, all_errors):
    """Unknown participants are a ``load_study`` rule, streamed to the collector: one line counting the user's rows."""
    sources, mapping = seed(tmp_path, n_people=40)
    (tmp_path / "people.csv").write_text(csv_text(PEOPLE), encoding="utf-8")  # x3 ... x39 are no longer known: two survey rows each
    with pytest.raises(StudyValidationError) as err:
        import_study("csv", sources, mapping, tmp_path / "study", all_errors=all_errors)
    unknown = [str(p) for p in err.value.problems if "unknown participant" in p.message]
    if all_errors:
        assert len(unknown) == 74 and unknown[0].startswith("survey.csv:")
        return
    (line,) = unknown
    assert "unknown participant 'x3'" in line and "[74 rows break this rule:" in line, line

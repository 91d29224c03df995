"""build_tables: the whole-block path for clean blocks gives exactly what the row-by-row path gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from formats_helpers import write_files
from formats_mutations import CSV_MAPPING, PEOPLE, STUDY_YAML, csv_text, survey_rows
from peerimpact.formats import build
from peerimpact.formats.mapping_load import load_mapping
from peerimpact.formats.plan import plan_mapping
from peerimpact.formats.readers import read_sources
from peerimpact.instruments import load_instruments

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from import_speed import write_inputs  # noqa: E402


def _survey_with_empty_rows() -> list[list[str]]:
    rows = survey_rows()
    rows.append(["03", "6 months"] + [""] * 15)  # every mapped value empty: skipped
    rows.append(["01", "Baseline"] + ["NA"] * 15)  # missing values only: skipped too
    return rows


def _csv_case(tmp_path: Path) -> tuple[list[Path], Path]:
    write_files(tmp_path, {"study.yaml": STUDY_YAML, "mapping.yaml": CSV_MAPPING})
    (tmp_path / "people.csv").write_text(csv_text(PEOPLE), encoding="utf-8")
    (tmp_path / "survey.csv").write_text(csv_text(_survey_with_empty_rows()), encoding="utf-8")
    return [tmp_path / "people.csv", tmp_path / "survey.csv"], tmp_path / "mapping.yaml"


def _bench_case(tmp_path: Path) -> tuple[list[Path], Path]:
    return write_inputs(tmp_path, 300), tmp_path / "mapping.yaml"


def _built(sources, mapping, tmp_path):
    lm = load_mapping(mapping)
    plans, problems = plan_mapping(lm, load_instruments(tmp_path / "none"))
    assert problems == []
    read = read_sources("csv", sources, lm.mapping, {p.source for p in plans})
    assert read.problems == []
    return build.build_tables(plans, read.sources, lm.mapping.missing_values)


@pytest.mark.parametrize("case", [_csv_case, _bench_case], ids=["survey-with-empty-rows", "benchmark-survey"])
def test_the_clean_block_path_equals_the_row_path(tmp_path, monkeypatch, case):
    sources, mapping = case(tmp_path)
    fast = _built(sources, mapping, tmp_path)
    used: list[bool] = []
    real = build._clean_block

    def spy(*args):
        done = real(*args)
        used.append(done)
        return done

    monkeypatch.setattr(build, "_clean_block", spy)
    _built(sources, mapping, tmp_path)
    assert all(used) and used  # the clean path did build every block here
    monkeypatch.setattr(build, "_clean_block", lambda *args: False)
    slow = _built(sources, mapping, tmp_path)
    assert fast.skipped == slow.skipped and fast.problems == slow.problems == []
    if case is _csv_case:
        assert fast.skipped == {"survey.csv: empty responses rows (every mapped value empty)": 2}
    for name, table in slow.tables.items():
        assert fast.tables[name].columns == table.columns
        assert [list(r) for r in fast.tables[name].rows] == [list(r) for r in table.rows]
        assert fast.tables[name].origins == table.origins


_A = build.Origin("a.csv", 2, {"x": "X"}, ("x",))
_B = build.Origin("b.csv", 9, {"y": "Y"})


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([("run", "s.csv", [2, 3, 5], {"t": "T"})], [build.Origin("s.csv", 2, {"t": "T"}), build.Origin("s.csv", 3, {"t": "T"}), build.Origin("s.csv", 5, {"t": "T"})]),
        ([("one", _A), ("run", "s.csv", [7], {}), ("one", _B), ("one", _A)], [_A, build.Origin("s.csv", 7, {}), _B, _A]),
        ([("run", "s.csv", [], {}), ("one", _B)], [_B]),
        ([], []),
    ],
)
def test_origins_index_and_iterate_like_a_list(steps, expected):
    origins = build.Origins()
    for step in steps:
        if step[0] == "one":
            origins.append(step[1])
        else:
            origins.add_run(*step[1:])
    assert list(origins) == expected
    assert [origins[i] for i in range(len(origins))] == expected
    assert origins == expected
    assert [i for i, _ in origins.failed()] == [i for i, o in enumerate(expected) if o.failed]
    with pytest.raises(IndexError):
        origins[len(expected)]

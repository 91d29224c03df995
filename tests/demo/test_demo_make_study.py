"""make_study is deterministic and complete; write_study writes atomically and refuses to clobber."""

from __future__ import annotations

import pytest
import yaml

from peerimpact.demo import DEFAULT_SEED, make_study, write_study
from peerimpact.errors import UserInputError

EXPECTED_FILES = [
    "study.yaml", "participants.csv", "responses.csv", "service_use.csv", "employment.csv", "allocations.csv",
    "contacts.csv", "qual/codebook.yaml", "qual/codings.csv", "qual/memos.yaml", "synthesis.yaml",
]


def test_same_seed_gives_identical_text(files):
    assert make_study(DEFAULT_SEED) == files


def test_different_seeds_give_different_data(files):
    other = make_study(DEFAULT_SEED + 1)
    assert other.keys() != files.keys() or any(other[k] != files[k] for k in files)
    assert other["responses.csv"] != files["responses.csv"]
    assert other["study.yaml"] == files["study.yaml"]  # the design does not depend on the seed


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_every_file_is_present(files, name):
    assert files[name].strip()


def test_study_yaml_says_synthetic(files):
    study = yaml.safe_load(files["study.yaml"])
    assert study["synthetic"] is True
    assert "synthetic" in study["title"].lower()
    assert [s["name"] for s in study["sites"]] == [f"Site {i} (synthetic)" for i in range(1, 8)]
    assert [(t["id"], t["month"], t["label"]) for t in study["timepoints"]] == [
        ("T1", 0, "After training"), ("T2", 4, "4 months in post"), ("T3", 12, "12 months in post")]
    assert study["comparisons"] == [["T1", "T2"], ["T1", "T3"]]
    assert study["instruments"] == ["wemwbs", "swemwbs", "mbi_hss", "mjs", "itpps", "csri"]


def test_consent_precedes_the_post(files):
    import io

    import pandas as pd

    p = pd.read_csv(io.StringIO(files["participants.csv"]), dtype=str)
    e = pd.read_csv(io.StringIO(files["employment.csv"]), dtype=str)
    m = p.merge(e, on="participant_id")
    assert (pd.to_datetime(m.consent_date) < pd.to_datetime(m.start_date) + pd.Timedelta(days=21)).all()


@pytest.mark.parametrize("seed, message", [
    (-1, "seed must be a non-negative whole number, not -1"),
    (1.5, "seed must be a non-negative whole number, not 1.5"),
    (True, "seed must be a non-negative whole number, not True"),
])
def test_bad_seed_is_a_user_error(seed, message):
    with pytest.raises(UserInputError) as exc:
        make_study(seed)
    assert str(exc.value) == message


def test_write_study_writes_every_file(tmp_path, files):
    out = write_study(tmp_path / "study")
    written = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    assert written == files
    assert [p.name for p in tmp_path.iterdir()] == ["study"]  # no temporary folder left behind


def test_write_study_refuses_a_non_empty_folder(tmp_path):
    out = tmp_path / "study"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(UserInputError) as exc:
        write_study(out)
    assert str(exc.value) == f"{out}: folder exists and is not empty (use overwrite to replace it)"
    assert (out / "keep.txt").read_text(encoding="utf-8") == "precious"


def test_write_study_into_an_empty_folder_and_with_overwrite(tmp_path):
    out = tmp_path / "study"
    out.mkdir()
    write_study(out, seed=1)
    (out / "stale.txt").write_text("old", encoding="utf-8")
    write_study(out, seed=2, overwrite=True)
    assert not (out / "stale.txt").exists()
    assert (out / "responses.csv").read_text(encoding="utf-8") == make_study(2)["responses.csv"]


def test_write_study_refuses_a_file(tmp_path):
    target = tmp_path / "study"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UserInputError) as exc:
        write_study(target)
    assert str(exc.value) == f"{target}: exists and is not a folder"

"""The synthetic team export (demo/raw.py): every file, written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerimpact.demo import raw
from peerimpact.errors import UserInputError

EXPECTED = sorted(
    ["coding.xlsx", "contact log.csv", "staff.xlsx", "wellbeing survey.xlsx"]
    + [f"interviews/Site {site} - {pw} - {tp}.docx" for site, pw in (("A", "PW01"), ("A", "PW02"), ("B", "PW04")) for tp in ("baseline", "6m", "12m")]
)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("existing", ["absent", "empty"])
def test_writes_every_file(tmp_path: Path, existing: str):
    out = tmp_path / "team"
    if existing == "empty":
        out.mkdir()
    assert raw.write_raw_export(out) == out
    assert _files(out) == EXPECTED
    assert [p.name for p in tmp_path.iterdir()] == ["team"]  # no temporary sibling left
    assert (out / "contact log.csv").read_text(encoding="utf-8").splitlines()[:2] == [
        "Date,Worker,Client,Type,Minutes", "01/03/2023,PW01,C001,Phone,30"]


def test_failure_half_way_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(folder: Path) -> None:
        folder.mkdir()
        (folder / "half.docx").write_bytes(b"")
        raise OSError("disk full")

    monkeypatch.setattr(raw, "_write_interviews", broken)
    with pytest.raises(OSError, match="disk full"):
        raw.write_raw_export(tmp_path / "team")
    assert list(tmp_path.iterdir()) == []  # neither the export nor its temporary folder


@pytest.mark.parametrize(
    "make, message",
    [(lambda p: (p.mkdir(), (p / "keep.txt").write_text("x")), "folder exists and is not empty"),
     (lambda p: p.write_text("x"), "exists and is not a folder")],
    ids=["not-empty", "a-file"],
)
def test_refuses_to_overwrite(tmp_path: Path, make, message):
    out = tmp_path / "team"
    make(out)
    before = _files(tmp_path)
    with pytest.raises(UserInputError, match=message):
        raw.write_raw_export(out)
    assert _files(tmp_path) == before

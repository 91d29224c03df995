"""A report build lands whole or not at all (issue 16): a failure between the HTML and the Word
file leaves the previous report byte for byte, or nothing, and no temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerimpact.errors import UserInputError
from peerimpact.report import build as build_module
from peerimpact.report import build_report
from report_helpers import FIXED_TIME


class Interrupted(Exception):
    pass


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fail_after_html(monkeypatch) -> list[Path]:
    """Make the Word writer fail; record that report.html had already been written by then."""
    seen: list[Path] = []

    def failing_docx(doc, path: Path) -> Path:
        html = path.with_name("report.html")
        assert html.is_file()  # the failure really falls between the HTML and the Word file
        seen.append(html)
        raise Interrupted("disk full while writing report.docx")

    monkeypatch.setattr(build_module, "write_docx", failing_docx)
    return seen


@pytest.fixture
def small_study(tmp_path) -> Path:
    from synthesis_helpers import write_small_study

    return write_small_study(tmp_path / "study")


def test_a_failure_between_html_and_word_keeps_the_previous_report(small_study, tmp_path, monkeypatch):
    out = tmp_path / "reports" / "report"
    build_report(small_study, out, generated_at=FIXED_TIME)
    before = _snapshot(out)
    assert {"report.html", "report.docx", "results.json"} <= set(before)
    assert any(k.startswith("tables/") for k in before) and any(k.startswith("figures/") for k in before)

    seen = _fail_after_html(monkeypatch)
    with pytest.raises(Interrupted):
        build_report(small_study, out, generated_at=FIXED_TIME.replace(year=FIXED_TIME.year + 1))
    assert seen, "the injected failure did not run"
    assert _snapshot(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["report"]  # no temporary left beside it


def test_a_failed_first_build_writes_nothing(small_study, tmp_path, monkeypatch):
    out = tmp_path / "reports" / "report"
    out.parent.mkdir()
    seen = _fail_after_html(monkeypatch)
    with pytest.raises(Interrupted):
        build_report(small_study, out, generated_at=FIXED_TIME)
    assert seen
    assert list(out.parent.iterdir()) == []


def test_a_rebuild_replaces_the_whole_previous_report(small_study, tmp_path):
    out = tmp_path / "report"
    build_report(small_study, out, generated_at=FIXED_TIME)
    stale = out / "tables" / "table_from_an_older_version.csv"
    stale.write_text("old\n", encoding="utf-8")
    paths = build_report(small_study, out, generated_at=FIXED_TIME)
    assert not stale.exists()
    assert paths.out_dir == out and paths.html == out / "report.html" and paths.html.is_file()
    assert all(p.parent == out / "tables" and p.is_file() for p in paths.tables.values())
    assert all(p.parent == out / "figures" and p.is_file() for p in paths.figures)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda out: out.write_text("x", encoding="utf-8"), "report: exists and is not a folder"),
        (lambda out: (out.mkdir(), (out / "notes.txt").write_text("mine", encoding="utf-8")),
         "report: holds notes.txt, which a report does not write; the report replaces its folder whole, so choose a new or empty folder"),
    ],
    ids=["a-file", "a-folder-with-other-files"],
)
def test_an_out_folder_holding_other_things_is_refused_before_any_work(small_study, tmp_path, make, message):
    out = tmp_path / "report"
    make(out)
    before = _snapshot(tmp_path / "report") if out.is_dir() else out.read_bytes()
    with pytest.raises(UserInputError) as info:
        build_report(small_study, out, generated_at=FIXED_TIME)
    assert str(info.value).endswith(message)
    assert (_snapshot(out) if out.is_dir() else out.read_bytes()) == before

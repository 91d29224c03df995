"""peerimpact.fileio: files and folders land whole or not at all, and no temporary is left behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from peerimpact import fileio


class Boom(Exception):
    pass


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    "write, expected",
    [
        (lambda p: fileio.write_text(p, "a\nb\r\n"), b"a\nb\r\n"),
        (lambda p: fileio.write_bytes(p, b"\x00\xff"), b"\x00\xff"),
        (lambda p: fileio.write_text(p, "é", encoding="latin-1"), b"\xe9"),
    ],
    ids=["text-line-ends-kept", "bytes", "encoding"],
)
def test_writes_replace_the_file_and_leave_nothing_else(tmp_path, write, expected):
    target = tmp_path / "sub" / "f.txt"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert write(target) == target
    assert target.read_bytes() == expected
    assert _entries(target.parent) == ["f.txt"]


def test_a_failed_file_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Boom):
        with fileio.open_atomic(target) as fh:
            fh.write("half of the new")
            raise Boom
    assert target.read_text(encoding="utf-8") == "old"
    assert _entries(tmp_path) == ["f.txt"]


def test_a_failed_first_write_leaves_nothing(tmp_path):
    with pytest.raises(Boom):
        with fileio.open_atomic(tmp_path / "new.bin", "wb") as fh:
            fh.write(b"x")
            raise Boom
    assert _entries(tmp_path) == []


def test_open_atomic_rejects_read_or_append_modes(tmp_path):
    with pytest.raises(ValueError, match="'a'"):
        with fileio.open_atomic(tmp_path / "x", "a"):
            pass


def test_concurrent_writers_never_share_a_temporary(tmp_path):
    target = tmp_path / "f.txt"
    inside = threading.Barrier(2)
    names: list[str] = []

    def writer(text: str) -> None:
        with fileio.open_atomic(target) as fh:
            names.append(fh.name)
            inside.wait(timeout=10)  # both temporaries exist at once
            fh.write(text * 1000)

    threads = [threading.Thread(target=writer, args=(c,)) for c in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(names)) == 2
    assert target.read_text(encoding="utf-8") in ("a" * 1000, "b" * 1000)
    assert _entries(tmp_path) == ["f.txt"]


def test_build_file_for_writers_that_take_a_path(tmp_path):
    target = tmp_path / "doc.bin"
    target.write_bytes(b"old")
    with fileio.build_file(target) as tmp:
        assert tmp.parent == tmp_path and not tmp.exists()
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # not yet replaced
    assert target.read_bytes() == b"new"
    assert _entries(tmp_path) == ["doc.bin"]


@pytest.mark.parametrize("create_half", [True, False], ids=["half-written", "never-created"])
def test_build_file_failure_keeps_the_old_file(tmp_path, create_half):
    target = tmp_path / "doc.bin"
    target.write_bytes(b"old")
    with pytest.raises((Boom, FileNotFoundError)):
        with fileio.build_file(target) as tmp:
            if create_half:
                tmp.write_bytes(b"ha")
                raise Boom
    assert target.read_bytes() == b"old"
    assert _entries(tmp_path) == ["doc.bin"]


def test_build_folder_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale.csv").write_text("old", encoding="utf-8")
    with fileio.build_folder(target) as tmp:
        (tmp / "tables").mkdir()
        (tmp / "tables" / "t1.csv").write_text("new", encoding="utf-8")
        assert _entries(target) == ["stale.csv"]  # untouched until the block ends
    assert _entries(target) == ["tables"]
    assert (target / "tables" / "t1.csv").read_text(encoding="utf-8") == "new"
    assert _entries(tmp_path) == ["out"]


@pytest.mark.parametrize("existing", [True, False], ids=["replacing", "first-write"])
def test_a_failed_folder_build_leaves_the_previous_folder_or_nothing(tmp_path, existing):
    target = tmp_path / "out"
    if existing:
        target.mkdir()
        (target / "report.html").write_text("previous", encoding="utf-8")
    with pytest.raises(Boom):
        with fileio.build_folder(target) as tmp:
            (tmp / "report.html").write_text("new", encoding="utf-8")
            raise Boom
    if existing:
        assert _entries(target) == ["report.html"]
        assert (target / "report.html").read_text(encoding="utf-8") == "previous"
        assert _entries(tmp_path) == ["out"]
    else:
        assert _entries(tmp_path) == []


def test_the_old_folder_is_restored_when_the_new_one_cannot_be_moved_in(tmp_path, monkeypatch):
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("previous", encoding="utf-8")
    built = tmp_path / "built"
    built.mkdir()
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src) == built:
            raise OSError("simulated failure of the second rename")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    with pytest.raises(OSError, match="second rename"):
        fileio.replace_folder(built, target)
    assert (target / "keep.txt").read_text(encoding="utf-8") == "previous"
    assert _entries(tmp_path) == ["built", "out"]


def test_a_folder_never_replaces_a_file(tmp_path):
    target = tmp_path / "out"
    target.write_text("a file", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="out: exists and is not a folder"):
        with fileio.build_folder(target):
            pass
    assert target.read_text(encoding="utf-8") == "a file"
    assert _entries(tmp_path) == ["out"]


def test_a_file_never_replaces_a_folder(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IsADirectoryError, match="out: exists and is a folder"):
        with fileio.build_file(target) as tmp:
            tmp.write_bytes(b"new")
    assert (target / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert _entries(tmp_path) == ["out"]

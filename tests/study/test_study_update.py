"""study/update.py: changing some files of a study folder is validated as a whole, then all or nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.study import update


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    from peerimpact.demo import write_study

    out = tmp_path / "study"
    write_study(out)
    return out


def test_a_change_the_loader_rejects_is_refused_and_nothing_is_touched(study_dir: Path):
    before = _hashes(study_dir)
    bad = b"participant_id,site_id\n"  # the participants table without its other required columns
    with pytest.raises(StudyValidationError) as caught:
        update.validate_update(study_dir, {"participants.csv": bad})
    assert any(p.file == "participants.csv" for p in caught.value.problems)
    assert _hashes(study_dir) == before
    assert sorted(p.name for p in study_dir.parent.iterdir()) == ["study"]  # no staging copy left


def test_a_valid_change_is_written_with_a_backup_of_what_it_replaced(study_dir: Path):
    old = (study_dir / "qual" / "memos.yaml").read_bytes()
    new = old + b"\n"
    update.validate_update(study_dir, {"qual/memos.yaml": new, "qual/imports/note.txt": b"x"})
    backup = update.commit_update(study_dir, {"qual/memos.yaml": new, "qual/imports/note.txt": b"x"})
    assert (study_dir / "qual" / "memos.yaml").read_bytes() == new
    assert (study_dir / "qual" / "imports" / "note.txt").read_bytes() == b"x"
    assert backup is not None and (backup / "qual" / "memos.yaml").read_bytes() == old
    assert not (backup / "qual" / "imports" / "note.txt").exists()


def test_a_failed_write_puts_back_what_was_already_written(study_dir: Path, monkeypatch):
    before = _hashes(study_dir)
    real = update.write_bytes
    calls = []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(update, "write_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        update.commit_update(study_dir, {"qual/memos.yaml": b"memos: []\n", "qual/codings.csv": b"segment_id\n"})
    monkeypatch.setattr(update, "write_bytes", real)
    after = {k: v for k, v in _hashes(study_dir).items() if not k.startswith(update.BACKUP_DIR)}
    assert after == before

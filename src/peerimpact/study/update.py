"""Change some files of an existing study folder: all of them or none.

The importers that add to a study (``qual import-qdpx``, ``qual import-qdc``,
``qual import-codings``) build the new files in memory, then:

1. :func:`validate_update` loads the whole study as it would be with those
   files written, in a staging copy beside it (hard links, so it is cheap),
   and raises every problem ``load_study`` finds; the study is not touched;
2. :func:`commit_update` copies each file it will replace to
   ``STUDY/.peerimpact-backup/<UTC time>/``, writes each file atomically
   (:mod:`peerimpact.fileio`) and, if a write fails, puts back the files
   already written, so the study is never left half-changed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

from ..fileio import write_bytes

BACKUP_DIR = ".peerimpact-backup"


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link a file into the staging copy (cheap for large studies); copy where links are not possible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def validate_update(root: Path, files: dict[str, bytes]) -> None:
    """Load the whole study as it would be with ``files`` written, in a staging copy; raise on any problem.

    Parameters
    ----------
    root : Path
        The study folder.
    files : dict
        Path relative to ``root`` -> the file's new bytes.

    Raises
    ------
    StudyValidationError
        Whatever :func:`peerimpact.study.load.load_study` reports for the changed study.

    Notes
    -----
    The copy hard-links the study's files; a file that ``files`` replaces is
    unlinked in the copy before it is written, so the study itself is never touched.
    """
    from .load import load_study

    stage = root.parent / f".{root.name}.peerimpact-check-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copytree(root, stage, ignore=shutil.ignore_patterns(BACKUP_DIR, ".peerimpact-*"), symlinks=True,
                        copy_function=_link_or_copy)
        for rel, payload in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # never write through a hard link into the study
            target.write_bytes(payload)
        load_study(stage)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def commit_update(root: Path, files: dict[str, bytes]) -> Path | None:
    """Back up what ``files`` replace, write each atomically; undo all on failure.

    Returns
    -------
    Path or None
        The backup folder, or None when no existing file was replaced.
    """
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    backup = root / BACKUP_DIR / stamp
    done: list[tuple[Path, Path | None]] = []  # (target, its backup or None)
    try:
        for rel in files:
            target = root / rel
            if target.exists():
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, saved)
        for rel, payload in files.items():
            target = root / rel
            saved = backup / rel
            write_bytes(target, payload)
            done.append((target, saved if saved.exists() else None))
    except BaseException:
        for target, kept in reversed(done):
            if kept is not None:
                write_bytes(target, kept.read_bytes())
            else:
                target.unlink(missing_ok=True)
        raise
    return backup if backup.exists() else None

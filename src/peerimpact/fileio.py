"""One atomic writer for files and folders.

Every file or folder PeerImpact writes lands whole or not at all:

- a **file** is written to a unique temporary sibling (same folder, so the
  same file system), flushed and ``fsync``-ed, then moved over the target with
  :func:`os.replace`, which is atomic on POSIX and Windows. A reader sees the
  old content or the new, never a mix; a failure leaves the old file (or
  nothing) and removes the temporary one.
- a **folder** is built in a unique temporary sibling folder. Only when it is
  complete is it swapped in: the old folder is first renamed aside, the new one
  renamed into place, and only then is the old one deleted. If the second
  rename fails, the old folder is put back.

Temporary names start with a dot and hold a random part, so two writers never
share one, and a half-built result is never mistaken for a finished one.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_text(root / "a.txt", "hello\\n")
>>> (root / "a.txt").read_text()
'hello\\n'
>>> with build_folder(root / "out") as tmp:
...     _ = write_text(tmp / "x.csv", "a,b\\n")
>>> sorted(p.name for p in (root / "out").iterdir())
['x.csv']
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "build_file",
    "build_folder",
    "open_atomic",
    "replace_file",
    "replace_folder",
    "temp_sibling",
    "write_bytes",
    "write_text",
]


def temp_sibling(path: str | Path, kind: str = "tmp") -> Path:
    """A unique hidden name beside ``path`` (nothing is created).

    Parameters
    ----------
    path : path
        The final file or folder.
    kind : str
        A word in the name saying what the sibling is for (``tmp``, ``old``).
    """
    path = Path(path)
    return path.with_name(f".{path.name}.{kind}-{uuid.uuid4().hex[:12]}")


def _fsync_dir(folder: Path) -> None:
    """Persist a rename in ``folder`` (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """``fsync`` every file and folder under ``folder`` (before it is renamed into place)."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(root))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


@contextmanager
def open_atomic(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; it replaces ``path`` when the block ends.

    Parameters
    ----------
    path : path
        The final file. Its folder is created when missing.
    mode : {"w", "wb"}
        Text or binary.
    encoding, newline : str, optional
        As for :func:`open` (text mode only).

    Yields
    ------
    file object
        Write to it; on a clean exit it is flushed, ``fsync``-ed and moved over
        ``path``. On an exception the temporary file is removed and ``path`` is
        left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"open_atomic mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(path.parent)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``."""
    with open_atomic(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8", newline: str | None = "\n") -> Path:
    """Write ``text`` to ``path`` atomically and return ``path``.

    ``newline="\\n"`` (the default) writes line ends exactly as they are in
    ``text`` on every platform.
    """
    with open_atomic(path, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
    return Path(path)


def replace_file(built: str | Path, target: str | Path) -> Path:
    """Move the finished file ``built`` over ``target`` (``fsync``, then :func:`os.replace`).

    ``built`` must be on the same file system (normally a :func:`temp_sibling`).
    A ``target`` that is a folder is an error: a file never silently replaces a folder.
    """
    built, target = Path(built), Path(target)
    if target.is_dir() and not target.is_symlink():
        raise IsADirectoryError(f"{target}: exists and is a folder")
    with built.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(built, target)
    _fsync_dir(target.parent)
    return target


@contextmanager
def build_file(path: str | Path) -> Iterator[Path]:
    """A temporary sibling path for a library that writes by file name; it replaces ``path`` at the end.

    For writers that take a path rather than a file object (python-docx,
    matplotlib, pyreadstat, zipfile). The yielded path does not exist yet.

    Yields
    ------
    Path
        Write the file there. On a clean exit it is ``fsync``-ed and moved over
        ``path``; on an exception it is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(path)
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"{tmp}: the writer did not create the file for {path}")
        replace_file(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def replace_folder(built: str | Path, target: str | Path) -> Path:
    """Move the complete folder ``built`` to ``target``, replacing ``target`` if it exists.

    The old ``target`` is renamed aside first and deleted only once ``built`` is
    in its place; if that second rename fails the old folder is restored. A
    ``target`` that is a file is an error (a folder never silently replaces a file).

    Parameters
    ----------
    built : path
        A finished folder on the same file system (normally a :func:`temp_sibling`).
    target : path
        The final folder.

    Returns
    -------
    Path
        ``target``.
    """
    built, target = Path(built), Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target}: exists and is not a folder")
    _fsync_tree(built)
    if not target.exists():
        os.replace(built, target)
        _fsync_dir(target.parent)
        return target
    old = temp_sibling(target, "old")
    os.replace(target, old)
    try:
        os.replace(built, target)
    except BaseException:
        os.replace(old, target)
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)
    return target


@contextmanager
def build_folder(target: str | Path) -> Iterator[Path]:
    """A fresh temporary sibling folder that replaces ``target`` when the block ends without error.

    Yields
    ------
    Path
        An empty folder beside ``target``. Fill it; on a clean exit it is
        swapped in with :func:`replace_folder`. On an exception it is deleted
        and ``target`` (if any) is left exactly as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(target)
    tmp.mkdir()
    try:
        yield tmp
        replace_folder(tmp, target)
    except BaseException:
        _remove(tmp)
        raise

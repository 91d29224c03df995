"""Replaying a codebook's version history: the codes in force at each version.

Used by :func:`peerimpact.qual.codebook.parse_codebook` (the history must leave
exactly the listed codes in force) and by :mod:`peerimpact.qual.versions`
(what became of a code). It needs only the codebook's shape, not its module,
so the codebook and its versions import it without importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ._problems import Lines, at

if TYPE_CHECKING:  # pragma: no cover - types only
    from .codebook import Change, Codebook


def _apply(active: set[str], ch: "Change", where: tuple[Any, ...], file: str, lines: Lines | None, problems: list[Problem]) -> None:
    """Apply one change to the set of codes in force, noting what it cannot apply."""
    def missing(code: str, what: str) -> None:
        if code not in active:
            problems.append(at(file, lines, where, f"{what} code {code!r} does not exist at this version"))

    a, code = ch.action, ch.code_id
    if a == "added":
        if code in active:
            problems.append(at(file, lines, where, f"code {code!r} is added but already exists"))
        active.add(code)
    elif a == "renamed":
        _apply_rename(active, ch, where, file, lines, problems)
    elif a == "merged":
        for c in ch.merged_codes:
            missing(c, "merged")
        active.difference_update(ch.merged_codes)
        active.add(ch.merged_into)
    elif a == "split":
        missing(code, "split")
        active.discard(code)
        active.update(ch.into_list)
    elif a == "retired":
        missing(code, "retired")
        active.discard(code)


def _apply_rename(active: set[str], ch: "Change", where: tuple[Any, ...], file: str, lines: Lines | None, problems: list[Problem]) -> None:
    code = ch.code_id
    if ch.from_code is None or ch.from_code == code:  # a new name, the same id
        if code not in active:
            problems.append(at(file, lines, where, f"renamed code {code!r} does not exist at this version"))
        return
    if ch.from_code not in active:
        problems.append(at(file, lines, where, f"renamed code {ch.from_code!r} does not exist at this version"))
    if code in active:
        problems.append(at(file, lines, where, f"code {code!r} already exists; rename to a new id"))
    active.discard(ch.from_code)
    active.add(code)


def active_codes(book: Codebook) -> dict[int, set[str]]:
    """The code ids in force at each version (replaying the history)."""
    active: set[str] = set()
    out: dict[int, set[str]] = {}
    for v in book.versions:
        for ch in v.changes:
            _apply(active, ch, (), "", None, [])
        out[v.version] = set(active)
    if not book.versions:
        out[book.version] = set(book.code_ids)
    return out


def replay_problems(book: Codebook, file: str, lines: Lines | None) -> list[Problem]:
    """Problems found replaying the version history against the listed codes."""
    if not book.versions:
        return []
    problems: list[Problem] = []
    active: set[str] = set()
    for i, v in enumerate(book.versions):
        for j, ch in enumerate(v.changes):
            _apply(active, ch, ("versions", i, "changes", j), file, lines, problems)
    listed = book.code_ids
    for i, code_id in enumerate(listed):
        if code_id not in active:
            problems.append(
                at(file, lines, ("codes", i, "id"),
                   f"code {code_id!r} is listed but the version history does not leave it in force "
                   "(add it with {action: added} or remove it)")
            )
    for code_id in sorted(active - set(listed)):
        problems.append(
            at(file, lines, ("versions",),
               f"the version history leaves code {code_id!r} in force but it is not listed under codes")
        )
    return problems

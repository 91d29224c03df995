"""Codebook versions: replaying the history and migrating codings.

Each version lists what changed since the previous one. Replaying the
changes from an empty framework must give exactly the codes listed in the
codebook. Codings remember the version they were made under (column
``version`` of ``qual/codings.csv``); :func:`migrate_codings` brings them to
the current version:

* ``renamed`` keeps the code id (names only) unless ``from_code`` gives the
  old id, in which case codings move to the new id;
* ``merged`` moves codings of every merged code to ``into``;
* ``split`` cannot be decided by a machine: the codings are kept under the old
  code and reported in ``needs_recoding`` with the candidate codes;
* ``retired`` codings are kept and reported in ``retired``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from .codebook import Codebook
from .replay import active_codes, replay_problems

__all__ = [
    "Fate", "MigrationResult", "active_codes", "code_fate", "infer_version", "known_codes", "migrate_codings", "replay_problems",
]

FateKind = Literal["kept", "moved", "split", "retired", "unknown"]


@dataclass(frozen=True)
class Fate:
    """What became of a code between two versions."""

    kind: FateKind
    code: str  # the code now (for ``moved``: the new id; otherwise the original)
    into: tuple[str, ...] = ()  # candidate codes of a split
    version: int | None = None  # the version where the split / retirement happened
    path: tuple[str, ...] = ()  # "merged in v2", ... for the log


def known_codes(book: Codebook) -> set[str]:
    """Every code id that exists at some version."""
    out = set(book.code_ids)
    for codes in active_codes(book).values():
        out |= codes
    return out


def code_fate(book: Codebook, code: str, from_version: int, to_version: int | None = None) -> Fate:
    """Follow ``code`` (as used under ``from_version``) to ``to_version`` (default: current)."""
    to_version = book.version if to_version is None else to_version
    current = code
    path: list[str] = []
    for v in book.versions:
        if v.version <= from_version or v.version > to_version:
            continue
        for ch in v.changes:
            if ch.action == "renamed" and ch.from_code == current and ch.code_id != current:
                path.append(f"renamed {current} -> {ch.code_id} in version {v.version}")
                current = ch.code_id
            elif ch.action == "merged" and current in ch.merged_codes and ch.merged_into != current:
                path.append(f"merged {current} -> {ch.merged_into} in version {v.version}")
                current = ch.merged_into
            elif ch.action == "split" and ch.code == current:
                return Fate("split", code, tuple(ch.into_list), v.version, tuple(path))
            elif ch.action == "retired" and ch.code == current:
                return Fate("retired", code, (), v.version, tuple(path))
    return Fate("moved" if current != code else "kept", current, (), None, tuple(path))


def infer_version(book: Codebook, code: str) -> int | None:
    """The latest version at which ``code`` was in force (for codings without a version)."""
    for version, codes in sorted(active_codes(book).items(), reverse=True):
        if code in codes:
            return version
    return None


@dataclass
class MigrationResult:
    """Codings brought to one codebook version.

    Attributes
    ----------
    codings : DataFrame
        Every input row; ``code`` migrated where a rename or merge applies,
        ``version`` set to the target for migrated and kept rows, and
        ``code_before`` holding the code as coded.
    needs_recoding : DataFrame
        Rows whose code was split: ``segment_id, interview_id, code, coder,
        version, split_in, candidates`` (``;``-separated candidate codes).
    retired : DataFrame
        Rows whose code was retired: ``segment_id, interview_id, code, coder,
        version, retired_in``.
    log : DataFrame
        ``code_before, code, n_codings, how`` for every code that moved.
    inferred_versions : int
        Rows without a recorded version, given the latest version at which
        their code was in force.
    """

    codings: pd.DataFrame
    needs_recoding: pd.DataFrame
    retired: pd.DataFrame
    log: pd.DataFrame
    inferred_versions: int = 0
    warnings: list[str] = field(default_factory=list)


def migrate_codings(codings: pd.DataFrame, book: Codebook, to_version: int | None = None) -> MigrationResult:
    """Bring codings made under earlier codebook versions to ``to_version``.

    ``codings`` needs ``segment_id, interview_id, code, coder`` and an integer
    (nullable) ``version`` column; rows without a version get the latest
    version at which their code was in force. The input is not modified.
    """
    target = book.version if to_version is None else to_version
    out = codings.copy()
    if "version" not in out.columns:
        out["version"] = pd.array([pd.NA] * len(out), dtype="Int64")
    versions = out["version"].astype("Int64")
    inferred = 0
    new_codes, new_versions, recode_rows, retired_rows = [], [], [], []
    moves: dict[tuple[str, str], list[Any]] = {}
    for idx, code, ver in zip(out.index, out["code"], versions):
        if pd.isna(ver):
            inferred += 1
            ver = infer_version(book, code)
            if ver is None:
                ver = target
        fate = code_fate(book, code, int(ver), target)
        if fate.kind == "moved":
            moves.setdefault((code, fate.code), [0, "; ".join(fate.path)])[0] += 1
        if fate.kind == "split":
            recode_rows.append((idx, fate))
        if fate.kind == "retired":
            retired_rows.append((idx, fate))
        new_codes.append(fate.code)
        kept = fate.kind in ("kept", "moved") and int(ver) <= target
        new_versions.append(target if kept else int(ver))
    out["code_before"] = out["code"]
    out["code"] = new_codes
    out["version"] = pd.array(new_versions, dtype="Int64")
    base_cols = ["segment_id", "interview_id", "code", "coder"]
    recode = pd.DataFrame(
        [[*out.loc[i, ["segment_id", "interview_id", "code_before", "coder"]], int(out.at[i, "version"]), f.version, ";".join(f.into)]
         for i, f in recode_rows],
        columns=base_cols + ["version", "split_in", "candidates"],
    )
    retired = pd.DataFrame(
        [[*out.loc[i, ["segment_id", "interview_id", "code_before", "coder"]], int(out.at[i, "version"]), f.version]
         for i, f in retired_rows],
        columns=base_cols + ["version", "retired_in"],
    )
    log = pd.DataFrame(
        [[a, b, n, how] for (a, b), (n, how) in sorted(moves.items())],
        columns=["code_before", "code", "n_codings", "how"],
    )
    warnings = []
    if len(recode):
        warnings.append(
            f"{len(recode)} coding(s) use a code that was later split; they need recoding "
            "(see needs_recoding) and are kept under their old code meanwhile"
        )
    if len(retired):
        warnings.append(f"{len(retired)} coding(s) use a retired code")
    return MigrationResult(out, recode, retired, log, inferred, warnings)

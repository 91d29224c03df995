"""Merging imported qualitative data into what a study already has (``--mode merge``).

Nothing is wiped: codes, themes, codings and memos already in the study stay;
imported ones are added beside them. An imported coding identical to one in the
study (same interview, span, code and coder) is not added twice. Codes new to
the study are recorded as a new codebook version (``added`` changes), so the
history keeps saying which codes were in force when.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..codebook import Change, Codebook, Version, codebook_to_dict, parse_codebook
from ..memos import Memos
from .common import CODING_COLUMNS

SPAN_KEY = ["interview_id", "start", "end", "code", "coder"]


def merge_codebooks(existing: Codebook | None, incoming: Codebook, reason: str) -> tuple[Codebook, list[str], dict[str, str]]:
    """``existing`` plus the codes and themes of ``incoming`` it lacks, as a new version.

    Codes are matched by GUID, then by id; a matched code keeps the study's
    definition. Returns the codebook, the ids of the codes added, and the
    imported code ids that are known in the study under another id.
    """
    if existing is None or not (existing.codes or existing.themes):
        return incoming, [c.id for c in incoming.codes], {}
    guids = {c.guid for c in existing.codes}
    ids = set(existing.code_ids)
    renamed: dict[str, str] = {}
    added = []
    for code in incoming.codes:
        if code.guid in guids or code.id in ids:
            match = next(c for c in existing.codes if c.guid == code.guid or c.id == code.id)
            renamed[code.id] = match.id
        else:
            added.append(code)
    new_codes = [c.model_copy(update={"parent": renamed.get(c.parent, c.parent)}) for c in added]
    themes = list(existing.themes) + _new_themes(existing, incoming, renamed)
    if not new_codes and len(themes) == len(existing.themes):
        return existing, [], renamed
    versions = list(existing.versions) or [
        Version(version=existing.version, reason="codebook before the import", changes=[Change(action="added", code=c) for c in existing.code_ids])
    ]
    new = versions[-1].version + 1
    versions.append(Version(version=new, date=dt.date.today(), reason=reason, changes=[Change(action="added", code=c.id) for c in new_codes]))
    book = Codebook(version=new, codes=list(existing.codes) + new_codes, themes=themes, versions=versions)
    return parse_codebook(codebook_to_dict(book), None, "qual/codebook.yaml"), [c.id for c in new_codes], renamed


def _new_themes(existing: Codebook, incoming: Codebook, renamed: dict[str, str]) -> list:
    """The imported themes the study lacks (matched by GUID, or by id with the same name and codes).

    An imported theme whose id the study already uses for another theme
    gets ``<id>_imported`` (then ``_2`` ...), so no set is dropped.
    """
    guids = {t.guid for t in existing.themes if t.guid}
    by_id = {t.id: t for t in existing.themes}
    taken = set(by_id)
    out = []
    for theme in incoming.themes:
        theme = theme.model_copy(update={"codes": [renamed.get(c, c) for c in theme.codes]})
        same = by_id.get(theme.id)
        if theme.guid in guids or (same is not None and (same.name, same.codes) == (theme.name, theme.codes)):
            continue
        if theme.id in taken:
            new, k = f"{theme.id}_imported", 2
            while new in taken:
                new, k = f"{theme.id}_imported_{k}", k + 1
            theme = theme.model_copy(update={"id": new})
        taken.add(theme.id)
        out.append(theme)
    return out


def merge_codings(existing: pd.DataFrame | None, incoming: pd.DataFrame, code_ids: dict[str, str] | None = None) -> tuple[pd.DataFrame, int]:
    """Existing codings plus the imported ones not already there; returns the table and how many were duplicates.

    An imported segment id already used by the study for another span is
    renamed (``<id>_imported``, then ``_2`` ...).
    """
    incoming = incoming.copy()
    if code_ids:
        incoming["code"] = incoming["code"].map(lambda c: code_ids.get(c, c))
    if existing is None or existing.empty:
        return incoming, 0
    existing = existing.copy()
    for col in CODING_COLUMNS:
        if col not in existing.columns:
            existing[col] = None
    keys = set(map(tuple, existing[SPAN_KEY].astype(str).itertuples(index=False, name=None)))
    dup = incoming[SPAN_KEY].astype(str).apply(tuple, axis=1).isin(keys)
    fresh = incoming[~dup].copy()
    spans = existing.groupby("segment_id")[["interview_id", "start", "end"]].first()
    taken = set(existing["segment_id"])
    rename: dict[str, str] = {}
    for seg, grp in fresh.groupby("segment_id", sort=False):
        first = grp.iloc[0]
        if seg in spans.index and tuple(map(str, spans.loc[seg])) != (str(first["interview_id"]), str(first["start"]), str(first["end"])):
            new, k = f"{seg}_imported", 2
            while new in taken:
                new, k = f"{seg}_imported_{k}", k + 1
            rename[seg] = new
            taken.add(new)
    fresh["segment_id"] = fresh["segment_id"].map(lambda s: rename.get(s, s))
    out = pd.concat([existing, fresh[CODING_COLUMNS]], ignore_index=True)  # the study's own extra columns are kept
    return out, int(dup.sum())


def merge_memos(existing: Memos | None, incoming: Memos) -> Memos:
    """Existing memos plus imported ones; an identical memo is kept once, a clashing id gets ``_imported``."""
    if existing is None:
        return incoming
    out = list(existing.memos)
    ids = {m.id for m in out}
    for memo in incoming.memos:
        if memo in out:
            continue
        if memo.id in ids:
            new, k = f"{memo.id}_imported", 2
            while new in ids:
                new, k = f"{memo.id}_imported_{k}", k + 1
            memo = memo.model_copy(update={"id": new})
        ids.add(memo.id)
        out.append(memo)
    return Memos(memos=out)

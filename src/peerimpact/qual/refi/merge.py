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


def merge_codebooks(
    existing: Codebook | None, incoming: Codebook, reason: str,
) -> tuple[Codebook, list[str], dict[str, str], dict[str, str]]:
    """``existing`` plus the codes and themes of ``incoming`` it lacks, as a new version.

    Codes are matched by GUID, then by id; a matched code keeps the study's
    definition. Returns the codebook, the ids of the codes added, the
    imported code ids that are known in the study (under the same or another
    id), and the imported theme ids that are known in the study or were
    renamed (so that memos follow them).
    """
    if existing is None or not (existing.codes or existing.themes):
        return incoming, [c.id for c in incoming.codes], {}, {}
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
    new_codes = [c.model_copy(update={"parent": c.parent if c.parent is None else renamed.get(c.parent, c.parent)}) for c in added]
    fresh_themes, theme_ids = _new_themes(existing, incoming, renamed)
    themes = list(existing.themes) + fresh_themes
    if not new_codes and len(themes) == len(existing.themes):
        return existing, [], renamed, theme_ids
    versions = list(existing.versions) or [
        Version(version=existing.version, reason="codebook before the import", changes=[Change(action="added", code=c) for c in existing.code_ids])
    ]
    new = versions[-1].version + 1
    versions.append(Version(version=new, date=dt.date.today(), reason=reason, changes=[Change(action="added", code=c.id) for c in new_codes]))
    book = Codebook(version=new, codes=list(existing.codes) + new_codes, themes=themes, versions=versions)
    return parse_codebook(codebook_to_dict(book), None, "qual/codebook.yaml"), [c.id for c in new_codes], renamed, theme_ids


def _new_themes(existing: Codebook, incoming: Codebook, renamed: dict[str, str]) -> tuple[list, dict[str, str]]:
    """The imported themes the study lacks (matched by GUID, or by id with the same name and codes), and where each imported id went.

    An imported theme whose id the study already uses for another theme
    gets ``<id>_imported`` (then ``_2`` ...), so no set is dropped.
    """
    guids = {t.guid: t.id for t in existing.themes if t.guid}
    by_id = {t.id: t for t in existing.themes}
    taken = set(by_id)
    out, moved = [], {}
    for theme in incoming.themes:
        theme = theme.model_copy(update={"codes": [renamed.get(c, c) for c in theme.codes]})
        same = by_id.get(theme.id)
        if theme.guid in guids:
            moved[theme.id] = guids[theme.guid]
            continue
        if same is not None and (same.name, same.codes) == (theme.name, theme.codes):
            continue
        if theme.id in taken:
            new, k = f"{theme.id}_imported", 2
            while new in taken:
                new, k = f"{theme.id}_imported_{k}", k + 1
            moved[theme.id] = new
            theme = theme.model_copy(update={"id": new})
        taken.add(theme.id)
        out.append(theme)
    return out, moved


def merge_codings(
    existing: pd.DataFrame | None, incoming: pd.DataFrame, code_ids: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, int, dict[str, str]]:
    """Existing codings plus the imported ones not already there.

    An imported segment id already used by the study for another span is
    renamed (``<id>_imported``, then ``_2`` ...). Returns the table, how many
    imported codings were duplicates, and where imported segment ids went
    (renamed, or, for a segment all of whose codings the study already has,
    the study's segment), so that memos on segments follow them.
    """
    incoming = incoming.copy()
    if code_ids:
        incoming["code"] = incoming["code"].map(lambda c: code_ids.get(c, c))
    if existing is None or existing.empty:
        return incoming, 0, {}
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
    out = pd.concat([existing, fresh], ignore_index=True)  # the study's and the import's optional columns are both kept
    kept = set(incoming.loc[~dup, "segment_id"])
    study_segment = dict(zip(map(tuple, existing[SPAN_KEY].astype(str).itertuples(index=False, name=None)), existing["segment_id"]))
    for seg, key in zip(incoming.loc[dup, "segment_id"], incoming.loc[dup, SPAN_KEY].astype(str).itertuples(index=False, name=None)):
        if seg not in kept and seg not in rename:
            rename[seg] = study_segment[tuple(key)]
    return out, int(dup.sum()), rename


def merge_memos(existing: Memos | None, incoming: Memos, moved: dict[str, dict[str, str]] | None = None) -> Memos:
    """Existing memos plus imported ones; an identical memo is kept once, a clashing id gets ``_imported``.

    ``moved`` maps a target type (``code``, ``theme``, ``segment``) to where
    the merge put imported ids, so that an imported memo stays on what it was
    written about.
    """
    moved = moved or {}
    incoming = Memos(memos=[
        m.model_copy(update={"target": m.target.model_copy(update={"id": moved.get(m.target.type, {}).get(m.target.id, m.target.id)})})
        for m in incoming.memos
    ])
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

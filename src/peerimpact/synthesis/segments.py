"""Coded segments joined to their transcripts: quotes, participants and timepoints.

The synthesis displays need, for each coded segment, who said it, when, and
the quoted text. Spans are ``[start, end)`` in Unicode code points of the
normalised transcript text, so slicing the Python ``str`` gives the quote.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

import pandas as pd

SEGMENT_COLUMNS = ["segment_id", "interview_id", "participant_id", "timepoint", "site", "start", "end", "code", "coder", "text"]


def segment_table(study: Any) -> pd.DataFrame:
    """One row per coding (migrated to the current codebook version) with its quote.

    Reads :func:`peerimpact.qual.codings.qual_data` (which validates the
    codings and migrates merged or renamed codes), so counts here agree with
    ``peerimpact qual matrix``.

    Returns
    -------
    DataFrame
        ``segment_id``, ``interview_id``, ``participant_id``, ``timepoint``,
        ``site``, ``start``, ``end``, ``code``, ``coder``, ``text``.
    """
    if study.codings is None or study.codings.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SEGMENT_COLUMNS})
    from ..qual.codings import qual_data

    frame = qual_data(study).current
    return frame.rename(columns={"quote": "text"})[SEGMENT_COLUMNS].reset_index(drop=True)


def interviews(study: Any) -> pd.DataFrame:
    """Interviews held: ``interview_id``, ``participant_id``, ``timepoint``, ``site``."""
    rows = [(t.interview_id, t.participant_id, t.timepoint, t.site) for t in study.transcripts.values()]
    return pd.DataFrame(rows, columns=["interview_id", "participant_id", "timepoint", "site"]).sort_values(
        "interview_id", kind="stable", ignore_index=True
    )


def coverage(segments: pd.DataFrame, interviewed: pd.DataFrame, groups: Mapping[str, tuple[str, ...]], timepoints: list[str]) -> pd.DataFrame:
    """Participants coded under each group of codes (a theme or a single code) per timepoint.

    A participant counts once per timepoint when any coder applied any code of
    the group to any segment of their interview at that timepoint. The
    denominator is the number of participants interviewed at the timepoint.

    Returns
    -------
    DataFrame
        ``group``, ``timepoint``, ``n_coded``, ``n_segments``, ``n_interviewed``,
        ``percent`` (``100 * n_coded / n_interviewed``; NaN when nobody was
        interviewed).
    """
    n_int = interviewed.groupby("timepoint")["participant_id"].nunique()
    rows = []
    for group, codes in groups.items():
        sel = segments[segments["code"].isin(list(codes))]
        for tp in timepoints:
            at = sel[sel["timepoint"] == tp]
            n_coded = int(at["participant_id"].nunique())
            denom = int(n_int.get(tp, 0))
            rows.append((group, tp, n_coded, int(at["segment_id"].nunique()), denom, 100.0 * n_coded / denom if denom else float("nan")))
    return pd.DataFrame(rows, columns=["group", "timepoint", "n_coded", "n_segments", "n_interviewed", "percent"])


def pick_quotes(segments: pd.DataFrame, codes: tuple[str, ...], timepoint: str | None, preferred: tuple[str, ...] = (), limit: int = 2) -> pd.DataFrame:
    """Up to ``limit`` segments coded under ``codes`` (at ``timepoint`` if given).

    Preferred segment ids (a proposition's chosen exemplars) come first, in
    their given order. The rest are ranked by the number of coders who applied
    a code of the group (agreed segments first), then by a hash of the
    segment id, which is deterministic but does not favour the first site or
    participant; segments from participants not yet quoted are taken before a
    second quote from the same person.
    """
    sel = segments[segments["code"].isin(list(codes))]
    if timepoint is not None:
        sel = sel[sel["timepoint"] == timepoint]
    if sel.empty:
        return sel.iloc[0:0]
    n_coders = sel.groupby("segment_id")["coder"].nunique().rename("n_coders")
    first = sel.drop_duplicates("segment_id").set_index("segment_id").join(n_coders).reset_index()
    rank = {seg: i for i, seg in enumerate(preferred)}
    first["pref_rank"] = first["segment_id"].map(rank).fillna(len(rank)).astype(int)
    first["hash_key"] = first["segment_id"].map(lambda x: hashlib.sha256(str(x).encode("utf-8")).hexdigest())
    first = first.sort_values(["pref_rank", "n_coders", "hash_key"], ascending=[True, False, True], kind="stable")
    chosen: list[int] = []
    people: set[str] = set()
    for distinct in (True, False):
        for i, r in zip(first.index, first.itertuples(index=False)):
            if len(chosen) >= limit:
                break
            if i in chosen or (distinct and r.pref_rank == len(rank) and r.participant_id in people):
                continue
            chosen.append(i)
            people.add(r.participant_id)
    return first.loc[chosen].drop(columns=["pref_rank", "hash_key"]).reset_index(drop=True)


def shorten(text: str, max_chars: int = 280) -> str:
    """Collapse whitespace and cut a quote at a word boundary, marking the cut with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    cut = flat[:max_chars].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"

"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

Two levels of unit:

``character``
    Every character (Unicode code point of the normalised text) of a
    transcript is a unit; for each code, each coder either coded it or not.
    The total is the whole transcript, including the characters neither coder
    coded. (QualCoder's kappa instead divides by the characters coded by
    either coder and multiplies the "yes" and "no" chance terms; its value
    differs — see ``docs/qual.md`` and ``tests/qual/test_agreement.py``.)
``segment``
    Every segment (``segment_id``) that either coder coded in the transcript
    is a unit; for each code, each coder either applied it to the segment or
    not. Meaningful when coders code shared segments.

A pair of coders is compared on the transcripts both coded (any code), for
the codes either of them used there. Rows per code × transcript are given
where at least one of the two coders used the code in that transcript; pooled
rows (per code, and over all codes) sum the 2×2 tables over every shared
transcript. Alpha uses every coder:
a coder who did not code a transcript is missing there.

Codings are compared after migration to the current codebook version.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from ..errors import UserInputError
from ..study.model import Study
from .alpha import alpha_nominal, kappa_2x2, percent_agreement
from .codings import qual_data

Interval = tuple[int, int]
LEVELS = ("character", "segment")
PAIR_COLUMNS = [
    "coder_a", "coder_b", "level", "scope", "code", "interview_id", "n_units",
    "n_both", "n_a_only", "n_b_only", "n_neither", "percent_agreement", "kappa", "warning",
]
ALPHA_COLUMNS = ["level", "scope", "code", "coders", "n_coders", "n_units", "n_pairable", "alpha", "warning"]


def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Union of half-open spans as sorted, disjoint spans.

    >>> merge_intervals([(5, 10), (0, 3), (2, 6), (12, 12)])
    [(0, 10)]
    """
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def covered(spans: list[Interval]) -> int:
    return sum(e - s for s, e in spans)


def overlap(a: list[Interval], b: list[Interval]) -> int:
    """Characters in both unions (inputs merged)."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def depth_lengths(unions: list[list[Interval]], length: int) -> dict[int, int]:
    """How many characters are covered by exactly k of the given unions, for each k."""
    events: dict[int, int] = {}
    for spans in unions:
        for s, e in spans:
            events[s] = events.get(s, 0) + 1
            events[e] = events.get(e, 0) - 1
    out: dict[int, int] = {}
    depth, pos = 0, 0
    for x in sorted(events):
        if x > pos:
            out[depth] = out.get(depth, 0) + (x - pos)
        depth += events[x]
        pos = x
    if length > pos:
        out[depth] = out.get(depth, 0) + (length - pos)
    return out


@dataclass
class AgreementResult:
    """Agreement tables.

    Attributes
    ----------
    pairs : DataFrame
        Columns :data:`PAIR_COLUMNS`. ``scope`` is ``code_interview``,
        ``code`` (pooled over transcripts) or ``all`` (pooled over codes and
        transcripts). ``n_both`` .. ``n_neither`` are the 2×2 table;
        ``percent_agreement`` is 0–100; ``kappa`` is Cohen's kappa (NaN when
        undefined, with the reason in ``warning``).
    alpha : DataFrame
        Columns :data:`ALPHA_COLUMNS`: Krippendorff's alpha (nominal) over
        every coder, per code and pooled (``scope`` ``code`` or ``all``).
    warnings : list of str
    """

    pairs: pd.DataFrame
    alpha: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in frame.to_dict("records"):
                out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
            return out

        return {"pairs": records(self.pairs), "alpha": records(self.alpha), "warnings": list(self.warnings)}


def _table_row(a: str, b: str, level: str, scope: str, code, iid, t: list[int]) -> dict[str, Any]:
    n11, n10, n01, n00 = t
    k = kappa_2x2(n11, n10, n01, n00)
    warning = None
    if math.isnan(k):
        warning = "kappa undefined: both coders gave every unit the same value"
    return {
        "coder_a": a, "coder_b": b, "level": level, "scope": scope, "code": code, "interview_id": iid,
        "n_units": n11 + n10 + n01 + n00, "n_both": n11, "n_a_only": n10, "n_b_only": n01, "n_neither": n00,
        "percent_agreement": percent_agreement(n11, n10, n01, n00), "kappa": k, "warning": warning,
    }


def agreement(
    study: Study,
    coders: list[str] | None = None,
    levels: tuple[str, ...] = LEVELS,
    interviews: list[str] | None = None,
    include_suggested: bool = True,
) -> AgreementResult:
    """Agreement between coders, per code × transcript and pooled.

    Parameters
    ----------
    study : Study
    coders : list of str, optional
        Coders to compare (default: every coder in ``qual/codings.csv``).
    levels : tuple of {"character", "segment"}
    interviews : list of str, optional
        Restrict to these interview ids (default: every transcript coded by
        the coders being compared).
    include_suggested : bool
        Count codings whose ``origin`` is ``suggested`` (accepted code
        suggestions, see :mod:`peerimpact.qual.suggest`); ``False`` compares
        the coders' own codings only.

    Returns
    -------
    AgreementResult

    Notes
    -----
    Character level: for coders A and B, code c and transcript t of n
    characters, ``n_both`` = characters inside both A's and B's c-spans,
    ``n_neither`` = characters inside neither; ``percent_agreement =
    100 (n_both + n_neither) / n``; kappa from that 2×2 table. Checked
    against a base-R implementation and ``psych::cohen.kappa``
    (``tests/oracle/qual_agreement.R``), the PyPI ``krippendorff`` package
    (alpha), and hand-worked tables.
    """
    for level in levels:
        if level not in LEVELS:
            raise UserInputError(f"unknown agreement level {level!r}; levels: {', '.join(LEVELS)}")
    data = qual_data(study)
    frame = data.current
    if not include_suggested and "origin" in frame.columns:
        frame = frame[frame["origin"].ne("suggested")]
    all_coders = sorted(set(frame["coder"]))
    coders = sorted(set(coders)) if coders else all_coders
    for c in coders:
        if c not in all_coders:
            raise UserInputError(f"unknown coder {c!r}; coders: {', '.join(all_coders) or '(none)'}")
    if interviews is not None:
        for iid in interviews:
            if iid not in study.transcripts:
                raise UserInputError(f"unknown interview {iid!r}")
        frame = frame[frame["interview_id"].isin(interviews)]
    frame = frame[frame["coder"].isin(coders)]
    warnings: list[str] = []
    if len(coders) < 2:
        warnings.append(f"agreement needs at least two coders; found {len(coders)}")
        return AgreementResult(pd.DataFrame(columns=PAIR_COLUMNS), pd.DataFrame(columns=ALPHA_COLUMNS), warnings)

    codes = [c for c in data.codebook.code_ids if c in set(frame["code"])]
    codes += sorted(set(frame["code"]) - set(codes))
    spans: dict[tuple[str, str, str], list[Interval]] = {}
    segs: dict[tuple[str, str, str], set[str]] = {}
    for iid, code, coder, seg, s, e in frame[["interview_id", "code", "coder", "segment_id", "start", "end"]].itertuples(index=False):
        spans.setdefault((iid, code, coder), []).append((int(s), int(e)))
        segs.setdefault((iid, code, coder), set()).add(seg)
    unions = {k: merge_intervals(v) for k, v in spans.items()}
    coded_by: dict[str, set[str]] = {}
    segments_in: dict[str, set[str]] = {}
    for iid, coder, seg in frame[["interview_id", "coder", "segment_id"]].itertuples(index=False):
        coded_by.setdefault(iid, set()).add(coder)
        segments_in.setdefault(iid, set()).add(seg)
    lengths = {iid: len(study.transcripts[iid].text) for iid in coded_by}

    rows: list[dict[str, Any]] = []
    for a, b in itertools.combinations(coders, 2):
        shared = sorted(i for i, cs in coded_by.items() if a in cs and b in cs)
        if not shared:
            warnings.append(f"coders {a} and {b} coded no transcript in common")
            continue
        shared_set = set(shared)
        used = {c for (iid, c, coder) in spans if iid in shared_set and coder in (a, b)}
        for level in levels:
            total = [0, 0, 0, 0]
            for code in (c for c in codes if c in used):
                pooled = [0, 0, 0, 0]
                for iid in shared:
                    if level == "character":
                        ua, ub = unions.get((iid, code, a), []), unions.get((iid, code, b), [])
                        both = overlap(ua, ub)
                        t = [both, covered(ua) - both, covered(ub) - both, 0]
                        t[3] = lengths[iid] - t[0] - t[1] - t[2]
                    else:
                        sa, sb = segs.get((iid, code, a), set()), segs.get((iid, code, b), set())
                        units = segments_in[iid]
                        both = len(sa & sb)
                        t = [both, len(sa) - both, len(sb) - both, len(units) - len(sa | sb)]
                    if t[0] + t[1] + t[2]:
                        rows.append(_table_row(a, b, level, "code_interview", code, iid, t))
                    pooled = [x + y for x, y in zip(pooled, t)]
                rows.append(_table_row(a, b, level, "code", code, None, pooled))
                total = [x + y for x, y in zip(total, pooled)]
            rows.append(_table_row(a, b, level, "all", None, None, total))
            if level == "segment":
                shared_segments = sum(
                    1 for iid in shared for s in segments_in[iid]
                    if any(s in segs.get((iid, c, a), ()) for c in codes) and any(s in segs.get((iid, c, b), ()) for c in codes)
                )
                if shared_segments == 0:
                    warnings.append(
                        f"coders {a} and {b} share no segment: segment-level agreement compares their own segmentations "
                        "and is not meaningful; use the character level"
                    )
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    alpha = _alpha_table(coders, codes, levels, unions, segs, coded_by, segments_in, lengths, warnings)
    return AgreementResult(pairs, alpha, warnings)


def _alpha_table(coders, codes, levels, unions, segs, coded_by, segments_in, lengths, warnings) -> pd.DataFrame:
    rows = []
    multi = sorted(i for i, cs in coded_by.items() if len(cs & set(coders)) >= 2)
    multi_set = set(multi)
    used = {c for (iid, c, _) in unions if iid in multi_set}
    for level in levels:
        every: list[tuple[int, list[int]]] = []
        for code in (c for c in codes if c in used):
            patterns: list[tuple[int, list[int]]] = []
            for iid in multi:
                present = sorted(coded_by[iid] & set(coders))
                m = len(present)
                if level == "character":
                    depth = depth_lengths([unions.get((iid, code, c), []) for c in present], lengths[iid])
                    patterns += [(w, [m - k, k]) for k, w in depth.items()]
                else:
                    for s in segments_in[iid]:
                        k = sum(1 for c in present if s in segs.get((iid, code, c), ()))
                        patterns.append((1, [m - k, k]))
            rows.append(_alpha_row(level, "code", code, coders, patterns))
            every += patterns
        rows.append(_alpha_row(level, "all", None, coders, every))
    return pd.DataFrame(rows, columns=ALPHA_COLUMNS)


def _alpha_row(level, scope, code, coders, patterns) -> dict[str, Any]:
    value, pairable = alpha_nominal(patterns)
    units = sum(w for w, counts in patterns if sum(counts) >= 2)
    warning = None
    if math.isnan(value):
        warning = "alpha undefined: fewer than two pairable values or no variation in the values"
    return {
        "level": level, "scope": scope, "code": code, "coders": ";".join(coders), "n_coders": len(coders),
        "n_units": units, "n_pairable": pairable, "alpha": value, "warning": warning,
    }

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
    _check_levels(levels)
    data = qual_data(study)
    frame, coders = _selected_codings(study, data.current, coders, interviews, include_suggested)
    warnings: list[str] = []
    if len(coders) < 2:
        warnings.append(f"agreement needs at least two coders; found {len(coders)}")
        return AgreementResult(pd.DataFrame(columns=PAIR_COLUMNS), pd.DataFrame(columns=ALPHA_COLUMNS), warnings)
    units = _Units.build(frame, study, data.codebook.code_ids)
    rows: list[dict[str, Any]] = []
    for a, b in itertools.combinations(coders, 2):
        rows += _pair_rows(units, a, b, levels, warnings)
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    alpha = _alpha_table(units, coders, levels)
    return AgreementResult(pairs, alpha, warnings)


def _check_levels(levels: Iterable[str]) -> None:
    for level in levels:
        if level not in LEVELS:
            raise UserInputError(f"unknown agreement level {level!r}; levels: {', '.join(LEVELS)}")


def _selected_codings(
    study: Study, frame: pd.DataFrame, coders: list[str] | None, interviews: list[str] | None, include_suggested: bool
) -> tuple[pd.DataFrame, list[str]]:
    """The codings compared (current codebook version) and the coders, checked against the study."""
    if not include_suggested and "origin" in frame.columns:
        frame = frame[frame["origin"].ne("suggested")]
    all_coders = sorted(set(frame["coder"]))
    chosen = sorted(set(coders)) if coders else all_coders
    for c in chosen:
        if c not in all_coders:
            raise UserInputError(f"unknown coder {c!r}; coders: {', '.join(all_coders) or '(none)'}")
    if interviews is not None:
        for iid in interviews:
            if iid not in study.transcripts:
                raise UserInputError(f"unknown interview {iid!r}")
        frame = frame[frame["interview_id"].isin(interviews)]
    return frame[frame["coder"].isin(chosen)], chosen


Key = tuple[str, str, str]  # (interview_id, code, coder)


@dataclass(frozen=True)
class _Units:
    """The codings compared, indexed by (interview, code, coder): merged spans and segment ids."""

    codes: list[str]  # codebook order, then codes the codebook does not list
    unions: dict[Key, list[Interval]]
    segs: dict[Key, set[str]]
    coded_by: dict[str, set[str]]  # interview -> coders who coded it
    segments_in: dict[str, set[str]]  # interview -> its segment ids
    lengths: dict[str, int]  # interview -> characters

    @classmethod
    def build(cls, frame: pd.DataFrame, study: Study, code_ids: list[str]) -> "_Units":
        present = set(frame["code"])
        codes = [c for c in code_ids if c in present] + sorted(present - set(code_ids))
        spans: dict[Key, list[Interval]] = {}
        segs: dict[Key, set[str]] = {}
        coded_by: dict[str, set[str]] = {}
        segments_in: dict[str, set[str]] = {}
        for iid, code, coder, seg, s, e in frame[["interview_id", "code", "coder", "segment_id", "start", "end"]].itertuples(index=False):
            spans.setdefault((iid, code, coder), []).append((int(s), int(e)))
            segs.setdefault((iid, code, coder), set()).add(seg)
            coded_by.setdefault(iid, set()).add(coder)
            segments_in.setdefault(iid, set()).add(seg)
        unions = {k: merge_intervals(v) for k, v in spans.items()}
        lengths = {iid: len(study.transcripts[iid].text) for iid in coded_by}
        return cls(codes, unions, segs, coded_by, segments_in, lengths)

    def table(self, level: str, iid: str, code: str, a: str, b: str) -> list[int]:
        """The 2x2 table ``[n_both, n_a_only, n_b_only, n_neither]`` of coders a and b."""
        if level == "character":
            ua, ub = self.unions.get((iid, code, a), []), self.unions.get((iid, code, b), [])
            both = overlap(ua, ub)
            only_a, only_b = covered(ua) - both, covered(ub) - both
            return [both, only_a, only_b, self.lengths[iid] - both - only_a - only_b]
        sa, sb = self.segs.get((iid, code, a), set()), self.segs.get((iid, code, b), set())
        both = len(sa & sb)
        return [both, len(sa) - both, len(sb) - both, len(self.segments_in[iid]) - len(sa | sb)]

    def share_a_segment(self, shared: list[str], a: str, b: str) -> bool:
        """Whether coders a and b coded at least one segment id in common."""
        def coded(iid: str, seg: str, coder: str) -> bool:
            return any(seg in self.segs.get((iid, c, coder), ()) for c in self.codes)

        return any(coded(iid, s, a) and coded(iid, s, b) for iid in shared for s in self.segments_in[iid])


def _add(x: list[int], y: list[int]) -> list[int]:
    return [p + q for p, q in zip(x, y)]


def _pair_rows(units: _Units, a: str, b: str, levels: tuple[str, ...], warnings: list[str]) -> list[dict[str, Any]]:
    """Every row of coders a and b: per code x transcript, per code, and over all codes."""
    shared = sorted(i for i, cs in units.coded_by.items() if a in cs and b in cs)
    if not shared:
        warnings.append(f"coders {a} and {b} coded no transcript in common")
        return []
    shared_set = set(shared)
    used = {c for (iid, c, coder) in units.unions if iid in shared_set and coder in (a, b)}
    rows: list[dict[str, Any]] = []
    for level in levels:
        total = [0, 0, 0, 0]
        for code in (c for c in units.codes if c in used):
            pooled = [0, 0, 0, 0]
            for iid in shared:
                t = units.table(level, iid, code, a, b)
                if t[0] + t[1] + t[2]:
                    rows.append(_table_row(a, b, level, "code_interview", code, iid, t))
                pooled = _add(pooled, t)
            rows.append(_table_row(a, b, level, "code", code, None, pooled))
            total = _add(total, pooled)
        rows.append(_table_row(a, b, level, "all", None, None, total))
        if level == "segment" and not units.share_a_segment(shared, a, b):
            warnings.append(
                f"coders {a} and {b} share no segment: segment-level agreement compares their own segmentations "
                "and is not meaningful; use the character level"
            )
    return rows


def _alpha_table(units: _Units, coders: list[str], levels: tuple[str, ...]) -> pd.DataFrame:
    """Krippendorff's alpha over every coder, per code and over all codes."""
    multi = sorted(i for i, cs in units.coded_by.items() if len(cs & set(coders)) >= 2)
    multi_set = set(multi)
    used = {c for (iid, c, _) in units.unions if iid in multi_set}
    rows = []
    for level in levels:
        every: list[tuple[int, list[int]]] = []
        for code in (c for c in units.codes if c in used):
            patterns = [p for iid in multi for p in _alpha_patterns(units, level, iid, code, coders)]
            rows.append(_alpha_row(level, "code", code, coders, patterns))
            every += patterns
        rows.append(_alpha_row(level, "all", None, coders, every))
    return pd.DataFrame(rows, columns=ALPHA_COLUMNS)


def _alpha_patterns(units: _Units, level: str, iid: str, code: str, coders: list[str]) -> list[tuple[int, list[int]]]:
    """(weight, [coders saying no, coders saying yes]) for each unit of one transcript."""
    present = sorted(units.coded_by[iid] & set(coders))
    m = len(present)
    if level == "character":
        depth = depth_lengths([units.unions.get((iid, code, c), []) for c in present], units.lengths[iid])
        return [(w, [m - k, k]) for k, w in depth.items()]
    return [
        (1, [m - k, k])
        for k in (sum(1 for c in present if s in units.segs.get((iid, code, c), ())) for s in units.segments_in[iid])
    ]


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

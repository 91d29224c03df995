"""Re-anchoring imported selections on their quoted text.

REFI-QDA says positions are Unicode code points from 0, but tools differ:
some count UTF-16 code units (a character outside the Basic Multilingual
Plane such as an emoji counts 2), some count CRLF line ends as 2, some count
a leading BOM. We try every convention, keep for each source the one that
puts the most selections exactly on their quoted text, and map positions to
code points of the normalised text (no BOM, LF). A selection is never moved
silently: it is either placed where its convention says and its quote (when
it has one) matches, or relocated to the only place its quote occurs and
reported, or not imported and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ...study.text import normalise_text
from .common import xml_safe

Unit = Literal["code point", "UTF-16 code unit", "UTF-8 byte"]
MIN_RELOCATE = 12  # a quote shorter than this is never searched for elsewhere


@dataclass(frozen=True)
class Convention:
    """How a producing tool counted positions."""

    unit: Unit = "code point"
    crlf: int = 1  # a line end counts 1 or 2
    bom: bool = False  # a (possibly invisible) BOM counts as the first character
    end_inclusive: bool = False

    def describe(self) -> str:
        parts = [f"{self.unit}s", f"line ends counted as {self.crlf}", "BOM counted" if self.bom else "no BOM counted"]
        if self.end_inclusive:
            parts.append("end position inclusive")
        return ", ".join(parts)


STANDARD = Convention()
CONVENTIONS: tuple[Convention, ...] = tuple(
    Convention(unit, crlf, bom, incl)
    for incl in (False, True)
    for bom in (False, True)
    for unit in ("code point", "UTF-16 code unit", "UTF-8 byte")
    for crlf in (1, 2)
)


class PositionMap:
    """Map positions counted under a convention to code points of the normalised text."""

    def __init__(self, text: str, conv: Convention):
        self.conv = conv
        n = len(text)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4") if n else np.zeros(0, dtype="<u4")
        width = np.ones(n, dtype=np.int64)
        if conv.unit == "UTF-16 code unit":
            width += codes >= 0x10000
        elif conv.unit == "UTF-8 byte":
            width = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
            width = width.astype(np.int64)
        if conv.crlf == 2:
            width += codes == 0x0A
        bom = (3 if conv.unit == "UTF-8 byte" else 1) if conv.bom else 0
        self.offsets = np.concatenate([[0], np.cumsum(width)]).astype(np.int64) + bom
        self.n = n

    def to_code_point(self, pos: int) -> int | None:
        """Code point index of unit position ``pos``; None when it falls inside a character or outside."""
        out = self.to_code_points(np.array([pos], dtype=np.int64))[0]
        return None if out < 0 else int(out)

    def to_code_points(self, pos: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`to_code_point`; -1 where a position does not map."""
        i = np.searchsorted(self.offsets, pos)
        ok = (i <= self.n) & (self.offsets[np.minimum(i, self.n)] == pos)
        return np.where(ok, i, -1)

    def spans(self, starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int] | None]:
        """Code-point spans of many selections (None where one does not map)."""
        s = self.to_code_points(starts)
        e = self.to_code_points(ends)
        if self.conv.end_inclusive:
            e = np.where((e >= 0) & (e < self.n), e + 1, -1)
        return [None if a < 0 or b < 0 or b <= a else (int(a), int(b)) for a, b in zip(s, e)]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        return self.spans(np.array([start], dtype=np.int64), np.array([end], dtype=np.int64))[0]


_WS = re.compile(r"\s+")


def _loose(text: str) -> str:
    return _WS.sub(" ", xml_safe(normalise_text(text))).strip()


def quote_matches(candidate: str, quote: str) -> bool:
    """Does ``candidate`` (text at a span) match a selection's quoted ``quote``?

    Exact after line-end normalisation, else equal with whitespace runs
    collapsed; a quote ending in ``…`` or ``...`` matches a candidate it
    begins.
    """
    return _Quote(quote).matches(candidate)


class _Quote:
    """A selection's name, prepared once for comparison with many candidate spans."""

    def __init__(self, quote: str):
        self.exact = xml_safe(normalise_text(quote))
        self.loose = _loose(quote)
        self.prefix = None
        for ell in ("…", "..."):
            if self.loose.endswith(ell) and len(self.loose) > len(ell) + 3:
                self.prefix = self.loose[: -len(ell)].rstrip()
                break

    def matches(self, candidate: str) -> bool:
        if xml_safe(candidate) == self.exact:
            return True
        if self.prefix is None and len(candidate) < len(self.loose):
            return False  # collapsing whitespace never lengthens a text
        lc = _loose(candidate)
        if lc == self.loose:
            return True
        return self.prefix is not None and lc.startswith(self.prefix)


@dataclass(frozen=True)
class Placement:
    """Where one selection landed."""

    status: Literal["anchored", "placed", "relocated", "unanchored"]
    start: int | None = None
    end: int | None = None
    convention: Convention | None = None
    reason: str = ""


@dataclass(frozen=True)
class SourceAnchoring:
    convention: Convention
    evidence: int  # selections whose quote matched under it
    placements: tuple[Placement, ...]
    why: str = ""  # why this convention was chosen for the source
    decided: bool = True  # False when no convention could be established (nothing to place, or ambiguous)

    def describe(self) -> str:
        """The convention and the reason for it, for the import report."""
        if not self.decided:
            return f"unknown ({self.why})"
        return f"{self.convention.describe()} ({self.why})"


def anchor_source(
    text: str,
    selections: list[tuple[int, int, str | None]],
    had_bom: bool = False,
    had_crlf: bool = True,
    default: Convention | None = None,
    crlf_ends: np.ndarray | None = None,
) -> SourceAnchoring:
    """Place a source's selections ``(start, end, quote)`` on its normalised ``text``.

    The convention is decided per source from evidence: selections whose quote
    (name) matches the text at their position under a convention; for
    selections without a quote, which conventions are plausible at all (CRLF
    counted as two only when the file had CRLF line ends, a counted BOM only
    when it had one) and under which of them every position falls on a
    character boundary inside the text (a position past the code-point length
    rules code points out). When that leaves a choice that matters, the
    producer's ``default`` is used; without one, nothing is guessed. A
    default that fits every position but one selection's (or one in 50) is
    kept: a single odd selection (an end between CR and LF, or one past the
    end) does not move all the others; that one is not imported and says why.

    ``crlf_ends``, one boolean per line end of ``text``, says which were CRLF
    in the file: under "line ends counted as 2" only those count two (a lone
    LF or CR counts one, as the producer counted the file). Without it every
    line end counts two under that convention.

    ``status`` of each placement:

    ``anchored``
        The quote matches the text at the position under the source's
        convention (or, for a stray selection, another convention).
    ``placed``
        No usable quote (the name is empty or a label, not text: see
        :func:`looks_like_quote`); placed with the source's convention.
    ``relocated``
        The quote does not match at its position under any convention but
        occurs exactly once in the text (and is at least 12 characters): moved
        there and reported.
    ``unanchored``
        Not imported; ``reason`` says why.
    """
    starts_ends, matches = _candidates(text, selections, crlf_ends)
    S, E, totals = starts_ends
    score = np.zeros(len(CONVENTIONS), dtype=np.int64)
    for ok in matches:
        for c in ok:
            score[c] += 1
    best_i = int(np.argmax(score))  # ties: the first convention, the standard before the others
    best = CONVENTIONS[best_i]
    evidence = int(score[best_i])
    quoted = [_is_quoted(text, q, ok) for (_, _, q), ok in zip(selections, matches)]
    labels = np.array([k for k, q in enumerate(quoted) if not q], dtype=np.int64)
    plausible = [i for i, c in enumerate(CONVENTIONS) if not c.end_inclusive and (had_bom or not c.bom) and (had_crlf or c.crlf == 1)]
    label_i: int | None
    if evidence > 0:
        label_i, why = best_i, f"{evidence} of {len(selections)} selection(s) matched their quoted text under it"
    else:
        default = default if had_crlf or default is None else Convention(default.unit, 1, default.bom)
        label_i, why = _label_convention(plausible, S, E, labels, default, text)
    placements = []
    for k, ((start, end, quote), ok, is_quoted) in enumerate(zip(selections, matches, quoted)):
        if ok:
            c = best_i if best_i in ok else min(ok)
            conv = CONVENTIONS[c]
            note = "" if c == best_i else f"counted as {conv.describe()}, unlike the rest of the source"
            placements.append(Placement("anchored", int(S[c, k]), int(E[c, k]), conv, note))
        elif is_quoted:
            placements.append(_place_quote(text, start, end, quote or ""))  # quoted: a name that is text
        elif label_i is not None and S[label_i, k] >= 0:
            placements.append(Placement("placed", int(S[label_i, k]), int(E[label_i, k]), CONVENTIONS[label_i]))
        elif label_i is not None:
            where = "is past the end of the text" if max(start, end) > totals[label_i] else "falls inside a character or a line end"
            placements.append(Placement(
                "unanchored", reason=f"no quoted text, and its position {where} under the source's convention ({CONVENTIONS[label_i].describe()})"))
        else:
            placements.append(Placement("unanchored", reason="no quoted text, and the position convention could not be established"))
    label_conv = None if label_i is None else CONVENTIONS[label_i]
    return SourceAnchoring(label_conv or best, evidence, tuple(placements), why, label_conv is not None)


def _span_matrix(
    text: str, starts: np.ndarray, ends: np.ndarray, crlf_ends: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code-point starts and ends of every selection under every convention, shape (conventions, selections); -1 where one does not map.

    Also the length of the text counted under each convention (BOM included where it counts).
    """
    n, m = len(text), len(starts)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4") if n else np.zeros(0, dtype="<u4")
    is_lf = codes == 0x0A
    lf = is_lf.astype(np.int64)
    if crlf_ends is not None and len(crlf_ends) == int(lf.sum()):
        lf[is_lf] = np.asarray(crlf_ends, dtype=np.int64)  # only the line ends that were CRLF count two
    widths = {
        "code point": np.ones(n, dtype=np.int64),
        "UTF-16 code unit": 1 + (codes >= 0x10000).astype(np.int64),
        "UTF-8 byte": (1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)).astype(np.int64),
    }
    mapped: dict[tuple[str, int, bool], tuple[np.ndarray, np.ndarray]] = {}
    lengths: dict[tuple[str, int, bool], int] = {}
    for unit, width in widths.items():
        bom = 3 if unit == "UTF-8 byte" else 1
        for crlf in (1, 2):
            offsets = np.concatenate([[0], np.cumsum(width + lf if crlf == 2 else width)])
            pos = np.concatenate([starts, ends, starts - bom, ends - bom])  # a counted BOM shifts every position
            cp = _to_code_points(offsets, n, pos)
            mapped[(unit, crlf, False)] = (cp[:m], cp[m:2 * m])
            mapped[(unit, crlf, True)] = (cp[2 * m:3 * m], cp[3 * m:])
            lengths[(unit, crlf, False)], lengths[(unit, crlf, True)] = int(offsets[-1]), int(offsets[-1]) + bom
    S = np.full((len(CONVENTIONS), m), -1, dtype=np.int64)
    E = S.copy()
    totals = np.array([lengths[(c.unit, c.crlf, c.bom)] for c in CONVENTIONS], dtype=np.int64)
    for i, conv in enumerate(CONVENTIONS):
        s, e = mapped[(conv.unit, conv.crlf, conv.bom)]
        if conv.end_inclusive:
            e = np.where((e >= 0) & (e < n), e + 1, -1)
        ok = (s >= 0) & (e > s)
        S[i] = np.where(ok, s, -1)
        E[i] = np.where(ok, e, -1)
    return S, E, totals


def _to_code_points(offsets: np.ndarray, n: int, pos: np.ndarray) -> np.ndarray:
    i = np.searchsorted(offsets, pos)
    ok = (i <= n) & (offsets[np.minimum(i, n)] == pos)
    return np.where(ok, i, -1)


def _candidates(text: str, selections, crlf_ends: np.ndarray | None = None) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[set[int]]]:
    """Spans under every convention (and the text's length under each), and per selection the conventions (indices) where its quote matches."""
    starts = np.array([s for s, _, _ in selections], dtype=np.int64)
    ends = np.array([e for _, e, _ in selections], dtype=np.int64)
    S, E, totals = _span_matrix(text, starts, ends, crlf_ends)
    matches: list[set[int]] = []
    for k, (_, _, quote) in enumerate(selections):
        if not quote:
            matches.append(set())
            continue
        prepared = _Quote(quote)
        spans = {c: (int(S[c, k]), int(E[c, k])) for c in range(len(CONVENTIONS)) if S[c, k] >= 0}
        distinct = set(spans.values())
        verdict = {sp: prepared.exact == xml_safe(text[sp[0]:sp[1]]) for sp in distinct}
        if not any(verdict.values()):  # whitespace-insensitive only when nothing matches exactly
            verdict = {sp: prepared.matches(text[sp[0]:sp[1]]) for sp in distinct}
        matches.append({c for c, sp in spans.items() if verdict[sp]})
    return (S, E, totals), matches


def _is_quoted(text: str, quote: str | None, ok: set[int]) -> bool:
    """Does a selection carry its text in its name (so that it is checked, not placed blind)?"""
    return bool(ok) or bool(quote and (_occurrences(text, quote, 1) or looks_like_quote(quote)))


def _label_convention(
    plausible: list[int], S: np.ndarray, E: np.ndarray, labels: np.ndarray, default: Convention | None, text: str,
) -> tuple[int | None, str]:
    """The convention (index) for selections without quoted text, when no quote established one, and why."""
    if not len(labels):
        return None, "no selections to place"
    viable = [c for c in plausible if (S[c, labels] >= 0).all()]
    facts = _facts(text)
    default_i = CONVENTIONS.index(default) if default is not None else None
    if default_i is not None and default_i in plausible and default_i not in viable:
        misfits = int((S[default_i, labels] < 0).sum())
        if misfits <= max(1, len(labels) // 50):
            return default_i, (f"no quoted text; the producer's default, which fits every position but {misfits} "
                               f"of {len(labels)} selection(s) (those are not imported) ({facts})")
    if not viable:
        return None, "no plausible convention puts every selection on character boundaries inside the text"
    if len(viable) == 1:
        also = ", and the producer's default" if viable[0] == default_i else ""
        return viable[0], f"no quoted text; the only convention consistent with every position{also} ({facts})"
    sub_s, sub_e = S[viable][:, labels], E[viable][:, labels]
    if (sub_s == sub_s[0]).all() and (sub_e == sub_e[0]).all():
        return (0 if 0 in viable else viable[0]), "no quoted text; every plausible convention gives the same spans"
    if default_i is not None and default_i in viable:
        return default_i, f"no quoted text; the producer's default, consistent with every position ({facts})"
    return None, f"no quoted text and {len(viable)} conventions fit the positions; no producer default ({facts})"


def _facts(text: str) -> str:
    astral = len(re.findall("[\U00010000-\U0010FFFF]", text))
    return f"{astral} character(s) outside the BMP"


def _place_quote(text: str, start: int, end: int, quote: str) -> Placement:
    """A quoted selection that matched nowhere by position: relocate it when safe, else say why not."""
    hits = _occurrences(text, quote, 2)
    q = normalise_text(quote)
    if len(hits) == 1 and len(q) >= MIN_RELOCATE:
        s = hits[0]
        return Placement("relocated", s, s + len(q), None, f"quote not found at [{start}, {end}) under any convention; found once at [{s}, {s + len(q)})")
    if len(hits) > 1:
        return Placement("unanchored", reason=f"quote not found at [{start}, {end}) and occurs more than once elsewhere")
    if hits:
        return Placement("unanchored", reason=f"quote not found at [{start}, {end}) and too short to search for safely")
    return Placement("unanchored", reason=f"quoted text {quote[:40]!r} is not in the source")


def looks_like_quote(name: str) -> bool:
    """A selection name that reads like text (3+ words, 20+ characters) rather than a label such as ``Quotation 1:3``."""
    loose = _loose(name)
    return len(loose) >= 20 and len(loose.split(" ")) >= 3


def _occurrences(text: str, quote: str, limit: int) -> list[int]:
    """Up to ``limit`` start positions of ``quote`` (line ends normalised) in ``text``."""
    q = normalise_text(quote)
    out: list[int] = []
    i = text.find(q)
    while i != -1 and len(out) < limit:
        out.append(i)
        i = text.find(q, i + 1)
    return out

"""The demo's codings (``qual/codings.csv``) by two fictional coders who partly agree.

``coder_a`` codes every transcript: each run of bank sentences gets the code
it was written for. ``coder_b`` double-codes about a quarter of the
transcripts: mostly the same span and code (sharing the segment id), sometimes
a shorter or longer span (a new segment id), sometimes a related code, and
sometimes nothing. Spans are ``[start, end)`` in code points of the normalised
transcript text. A handful of early codings were made under codebook version 1
with codes that are unchanged since then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from . import bank, design
from .codebook import STABLE_V1
from .transcripts import Interview, Run

CODERS = ("coder_a", "coder_b")
DOUBLE_CODED_SHARE = 0.25
V1_TRANSCRIPTS = 3  # the first transcripts coded before the second workshop
START_V1 = datetime(2019, 10, 1, 9, 30)
START_V2 = {"coder_a": datetime(2020, 3, 2, 9, 0), "coder_b": datetime(2020, 4, 6, 10, 0)}


@dataclass(frozen=True)
class Coding:
    segment_id: str
    interview_id: str
    start: int
    end: int
    code: str
    coder: str
    version: int
    timestamp: datetime


def _alternative_span(run: Run, text: str) -> tuple[int, int] | None:
    """A span overlapping ``run`` but not equal to it, as a second coder might mark it."""
    if len(run.sentences) >= 2:
        return run.start, run.sentences[-2][1]  # stops one sentence early
    if run.start > run.turn_start:
        return run.turn_start, run.end  # takes in the filler before it
    cut = text.find(",", run.start, run.end)
    if cut > run.start:
        return run.start, cut  # first clause only
    return None


def make_codings(rng: np.random.Generator, interviews: list[Interview]) -> list[Coding]:
    """Every coding, in transcript order: coder_a for all, coder_b for a stratified quarter."""
    double: set[int] = set()
    for wave in design.WAVES:
        idx = [i for i, iv in enumerate(interviews) if iv.wave == wave.id]
        k = int(round(DOUBLE_CODED_SHARE * len(idx)))
        double.update(int(i) for i in rng.choice(idx, size=k, replace=False))
    out: list[Coding] = []
    seq = 0
    clock = {c: START_V2[c] for c in CODERS}

    def new_id() -> str:
        nonlocal seq
        seq += 1
        return f"seg{seq:05d}"

    def stamp(coder: str) -> datetime:
        clock[coder] += timedelta(minutes=int(rng.integers(2, 9)))
        return clock[coder]

    v1_clock = START_V1
    for t, iv in enumerate(interviews):
        for coder in CODERS:
            clock[coder] = clock[coder].replace(hour=9, minute=0) + timedelta(days=1)
        for run in iv.runs:
            seg = new_id()
            if t < V1_TRANSCRIPTS and run.code in STABLE_V1:
                v1_clock += timedelta(minutes=int(rng.integers(3, 10)))
                out.append(Coding(seg, iv.interview_id, run.start, run.end, run.code, "coder_a", 1, v1_clock))
            else:
                out.append(Coding(seg, iv.interview_id, run.start, run.end, run.code, "coder_a", 2, stamp("coder_a")))
            if t not in double:
                continue
            u = rng.random()
            related = bank.RELATED[run.code]
            if u < 0.68:
                out.append(Coding(seg, iv.interview_id, run.start, run.end, run.code, "coder_b", 2, stamp("coder_b")))
            elif u < 0.80:
                span = _alternative_span(run, iv.text)
                sid, (s, e) = (new_id(), span) if span else (seg, (run.start, run.end))
                out.append(Coding(sid, iv.interview_id, s, e, run.code, "coder_b", 2, stamp("coder_b")))
            elif u < 0.90:
                out.append(Coding(seg, iv.interview_id, run.start, run.end, related, "coder_b", 2, stamp("coder_b")))
            else:
                continue  # coder_b left this passage uncoded
            if rng.random() < 0.12 and related != run.code:
                out.append(Coding(seg, iv.interview_id, run.start, run.end, related, "coder_b", 2, stamp("coder_b")))
    return _dedupe(out)


def _dedupe(codings: list[Coding]) -> list[Coding]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for c in codings:
        key = (c.segment_id, c.code, c.coder)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def codings_rows(codings: list[Coding]) -> list[list[object]]:
    rows: list[list[object]] = [["segment_id", "interview_id", "start", "end", "code", "coder", "version", "timestamp"]]
    for c in codings:
        rows.append([c.segment_id, c.interview_id, c.start, c.end, c.code, c.coder, c.version,
                     c.timestamp.isoformat(timespec="seconds")])
    return rows

"""Compose the demo's interview transcripts from the sentence bank.

Each transcript is a sequence of question-and-answer exchanges; the answers
are drawn from the bank lines of one code (sometimes followed by a line of a
related code) in the tone of the wave. The composer records where each code's
sentences landed, as ``[start, end)`` offsets in Unicode code points of the
final text, so the codings are meaningful and always inside their transcript.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import bank, design

WORDS = (430, 760)  # target words before the closing exchange


@dataclass(frozen=True)
class Run:
    """Consecutive sentences of one code inside one answer."""

    code: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]  # span of each sentence
    turn_start: int  # where the answer's text begins (after "PW: ")


@dataclass
class Interview:
    interview_id: str
    participant_id: str
    site: str
    wave: str
    text: str = ""
    runs: list[Run] = field(default_factory=list)

    @property
    def words(self) -> int:
        return len(self.text.split())


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.offset
        self.parts.append(text)
        self.offset += len(text)  # code points: Python str indices
        return start, self.offset

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _fill(text: str, site: str, rng: np.random.Generator) -> str:
    if "{colleague}" in text:
        text = text.replace("{colleague}", str(rng.choice(bank.COLLEAGUES)))
    return text.replace("{coordinator}", bank.COORDINATORS[site])


def _available(code: str, tone: str, used: set[str]) -> list[bank.Line]:
    return [ln for ln in bank.LINES[code] if ln.tone in (tone, "any") and ln.text not in used]


def _pick(rng, code, tone, used, k) -> list[bank.Line]:
    pool = _available(code, tone, used)
    if not pool:
        return []
    chosen = [pool[int(i)] for i in sorted(rng.choice(len(pool), size=min(k, len(pool)), replace=False))]
    used.update(ln.text for ln in chosen)
    return chosen


def _answer(w: _Writer, rng, site: str, groups: list[list[bank.Line]], filler: str | None) -> list[Run]:
    """Write ``PW: [filler] sentences...`` and return one run per group of lines."""
    w.add("PW: ")
    turn_start = w.offset
    if filler:
        w.add(filler + " ")
    runs = []
    for g, lines in enumerate(groups):
        spans = []
        for k, ln in enumerate(lines):
            if g or k:
                w.add(" ")
            spans.append(w.add(_fill(ln.text, site, rng)))
        runs.append(Run(lines[0].code, spans[0][0], spans[-1][1], tuple(spans), turn_start))
    w.add("\n\n")
    return runs


def compose(rng: np.random.Generator, interview: Interview, wave: design.Wave, emoji: bool = False) -> Interview:
    """Write one transcript and record its coded runs."""
    tone = wave.tone
    w = _Writer()
    w.add(f"{design.SYNTHETIC_HEADER}\nInterview {interview.interview_id} – {wave.label}\n\n")
    question, reply = bank.OPENERS[tone][int(rng.integers(len(bank.OPENERS[tone])))]
    w.add(f"Interviewer: {question}\nPW: {bank.EMOJI_REPLY if emoji else reply}\n\n")
    codes = [c for c in bank.LINES if len(_available(c, tone, set())) >= 2]
    weights = np.array([1.0 + bank.EMPHASIS[tone].get(c, 0) for c in codes])
    order = [codes[int(i)] for i in rng.choice(len(codes), size=len(codes), replace=False, p=weights / weights.sum())]
    target = int(rng.integers(*WORDS))
    used: set[str] = set()
    runs: list[Run] = []
    for code in order:
        if len(w.text.split()) >= target:
            break
        q = bank.QUESTIONS[code][int(rng.integers(len(bank.QUESTIONS[code])))]
        w.add(f"Interviewer: {q}\n")
        groups = [_pick(rng, code, tone, used, int(rng.integers(2, 4)))]
        if rng.random() < 0.3:
            extra = _pick(rng, bank.RELATED[code], tone, used, 1)
            if extra:
                groups.append(extra)
        filler = bank.FILLERS[int(rng.integers(len(bank.FILLERS)))] if rng.random() < 0.35 else None
        runs += _answer(w, rng, interview.site, groups, filler)
        if rng.random() < 0.25:
            more = _pick(rng, code, tone, used, 1)
            if more:
                w.add(f"Interviewer: {bank.FOLLOW_UPS[int(rng.integers(len(bank.FOLLOW_UPS)))]}\n")
                runs += _answer(w, rng, interview.site, [more], None)
    question, reply = bank.CLOSERS[int(rng.integers(len(bank.CLOSERS)))]
    w.add(f"Interviewer: {question}\nPW: {reply}\n")
    interview.text, interview.runs = w.text, runs
    return interview


def make_interviews(rng: np.random.Generator, people) -> list[Interview]:
    """Every interview held, in wave then participant order; one later interview carries an emoji."""
    waves = {w.id: w for w in design.WAVES}
    held = [
        Interview(f"S{p.site}-PW{p.participant_id}-{wid}", p.participant_id, p.site, wid)
        for wid in waves for p in people if wid in p.interviews
    ]
    later = [i for i, iv in enumerate(held) if iv.wave != design.BASELINE]
    emoji_at = int(later[int(rng.integers(len(later)))])
    return [compose(rng, iv, waves[iv.wave], emoji=(i == emoji_at)) for i, iv in enumerate(held)]

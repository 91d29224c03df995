"""Dated sickness-absence spells of the demo's peer workers (study format version 2).

Each contracted worker's published-calibrated total of sick days
(:mod:`peerimpact.demo.employment`) is laid out as spells inside their time in
post, deterministically (no random draw, so no other part of the demo moves):
up to 5 days is one spell, up to 20 days two, more three; the longest spell is
recorded as a mental-health absence (the leading reason in NHS sickness
absence), the others rotate through the other categories. The derived
``sick_days`` therefore equal the calibrated totals exactly.
"""

from __future__ import annotations

from datetime import timedelta

OTHER_REASONS = ("respiratory", "musculoskeletal", "gastrointestinal", "other", "injury")


def split_days(total: int) -> list[int]:
    """Spell lengths adding up to ``total``, longest first.

    >>> split_days(3), split_days(11), split_days(55)
    ([3], [6, 5], [19, 18, 18])
    """
    n = 1 if total <= 5 else 2 if total <= 20 else 3
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def absence_rows(people) -> list[list[object]]:
    """``absence.csv`` rows: spells spread evenly through each worker's time in post."""
    rows: list[list[object]] = [["participant_id", "start_date", "end_date", "reason"]]
    k = 0
    for p in people:
        job = p.job
        if job.contract != "contracted" or not job.sick_days:
            continue
        lengths = split_days(int(job.sick_days))
        span = (job.end - job.start).days
        gap = (span - sum(lengths)) // (len(lengths) + 1)
        day = job.start
        spells = []
        for length in lengths:
            day = day + timedelta(days=gap)
            spells.append((day, day + timedelta(days=length - 1)))
            day = day + timedelta(days=length)
        for i, (first, last) in enumerate(sorted(spells)):
            longest = lengths.index(max(lengths)) == i
            reason = "mental_health" if longest else OTHER_REASONS[k % len(OTHER_REASONS)]
            k += 0 if longest else 1
            rows.append([p.participant_id, first.isoformat(), last.isoformat(), reason])
    return rows

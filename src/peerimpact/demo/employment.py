"""Employment of the demo's peer workers: contracts, hours, time in post, sickness.

Calibrated to ``docs/facts.md``: 2 bank staff (no contracted hours, no recorded
sickness); the 30 contracted work 10-30 hours a week, mean 17.8; 12 of them
had no sick days, the other 18 a median of 5 and a maximum of 55, giving a
mean of 7.7 over the 30; time in post averages 17.7 months (6.1-31.6).
Every post ends when its site's peer support service closes (the posts were
funded for the trial), so time in post is ``end_date - start_date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from . import design
from .calibrate import calibrate, integers_with, round_to_total

DAYS_PER_MONTH = 30.4375
MONTHS = {"mean": 17.7, "sd": 6.8, "min": 6.1, "max": 31.6}
N_SHORT_STAYS = 8  # at most this many leave before 12 months
N_BANK = 2
HOURS = {"min": 10.0, "max": 30.0, "mean": 17.8}
N_NO_SICKNESS = 12
SICK = {"median": 5, "max": 55}  # sick days: whole numbers
SICK_MEAN_OVER_CONTRACTED = 7.7
FIRST_CLOSE = date(2019, 1, 14)  # the earliest site closes on this date
INDUCTION_DAYS = 21  # training and induction before the first allocation


@dataclass
class Employment:
    contract: str  # contracted | bank
    hours: float | None
    start: date
    end: date
    sick_days: int | None
    consent: date

    @property
    def months(self) -> float:
        return (self.end - self.start).days / DAYS_PER_MONTH

    @property
    def first_allocation(self) -> date:
        return self.start + timedelta(days=INDUCTION_DAYS)


def months_in_post(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` durations with the published mean, minimum and maximum; few under 12 months."""
    raw = rng.normal(0.0, 1.0, n)
    order = np.argsort(raw)
    lower = np.full(n, 12.5)
    lower[order[:N_SHORT_STAYS]] = MONTHS["min"]
    fixed = {int(order[0]): MONTHS["min"], int(order[-1]): MONTHS["max"]}
    return calibrate(raw, mean=MONTHS["mean"], sd=MONTHS["sd"], lower=lower, upper=MONTHS["max"], fixed=fixed)


def _sick_days(rng: np.random.Generator) -> np.ndarray:
    """18 positive day counts: median 5, maximum 55, and the total that gives the published mean."""
    n_sick = 30 - N_NO_SICKNESS
    total = int(round(SICK_MEAN_OVER_CONTRACTED * 30))
    lower_half = np.sort(rng.integers(1, SICK["median"] + 1, n_sick // 2 - 1))
    upper_total = total - SICK["max"] - 2 * SICK["median"] - int(lower_half.sum())
    shape = rng.lognormal(0.0, 0.7, n_sick // 2 - 2)
    upper = round_to_total(shape / shape.sum() * upper_total, upper_total, SICK["median"], SICK["max"] - 1)
    return np.concatenate([lower_half, [SICK["median"], SICK["median"]], upper, [SICK["max"]]])


def make_employment(rng: np.random.Generator, sites: list[str]) -> list[Employment]:
    n = len(sites)
    months = months_in_post(rng, n)
    # The longest-serving worker of each site started when its service opened.
    ranked = list(np.argsort(-months, kind="stable"))
    site_order = list(dict.fromkeys(design.site_ids()))
    members = {s: [i for i in range(n) if sites[i] == s] for s in site_order}
    assigned = np.empty(n)
    leads = [int(v) for v in rng.permutation(len(site_order))]
    for rank, s_index in enumerate(leads):
        s = site_order[s_index]
        first = members[s][0]
        assigned[first] = months[ranked[rank]]
    rest_values = [months[i] for i in ranked[len(site_order):]]
    rest_people = [i for s in site_order for i in members[s][1:]]
    for i, v in zip(rest_people, (rest_values[j] for j in rng.permutation(len(rest_values)))):
        assigned[i] = v
    closes = {s: FIRST_CLOSE + timedelta(days=int(rng.integers(0, 160))) for s in site_order}
    opens = {s: closes[s] - timedelta(days=round(max(assigned[i] for i in members[s]) * DAYS_PER_MONTH)) for s in site_order}

    contracts = ["contracted"] * n
    for i in rng.choice(n, size=N_BANK, replace=False):
        contracts[int(i)] = "bank"
    contracted = [i for i in range(n) if contracts[i] == "contracted"]
    half_hours = integers_with(rng, len(contracted), int(2 * HOURS["min"]), int(2 * HOURS["max"]),
                               int(round(2 * HOURS["mean"] * len(contracted))), sigma=0.35)
    sick = np.zeros(len(contracted), dtype=int)
    sick[rng.permutation(len(contracted))[N_NO_SICKNESS:]] = _sick_days(rng)

    jobs: list[Employment] = []
    k = 0
    for i in range(n):
        s = sites[i]
        days = round(assigned[i] * DAYS_PER_MONTH)
        lag = int(rng.integers(0, 15))
        if i == members[s][0]:
            start, end = opens[s], closes[s]
        elif rng.random() < 0.5 and opens[s] + timedelta(days=lag + days) <= closes[s]:
            start = opens[s] + timedelta(days=lag)  # started with the first cohort, left early
            end = start + timedelta(days=days)
        else:
            end = closes[s]  # joined later as a replacement, stayed to the end
            start = end - timedelta(days=days)
        consent = start + timedelta(days=int(rng.integers(1, 8)))
        if contracts[i] == "bank":
            jobs.append(Employment("bank", None, start, end, None, consent))
        else:
            jobs.append(Employment("contracted", half_hours[k] / 2.0, start, end, int(sick[k]), consent))
            k += 1
    return jobs


def employment_rows(people) -> list[list[object]]:
    rows: list[list[object]] = [["participant_id", "contract", "hours_per_week", "start_date", "end_date", "sick_days"]]
    for p in people:
        j = p.job
        hours = "" if j.hours is None else (f"{j.hours:g}")
        # Format version 2: a positive total is derived from the dated spells of absence.csv (demo/absence.py).
        sick = "" if j.sick_days is None or j.sick_days > 0 else j.sick_days
        rows.append([p.participant_id, j.contract, hours, j.start.isoformat(), j.end.isoformat(), sick])
    return rows

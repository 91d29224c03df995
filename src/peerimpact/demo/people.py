"""The demo's peer workers: sites, demographics, and who took part at each wave.

Calibrated exactly to the seed study's published figures (``docs/facts.md``):
32 peer workers in 7 sites of 2-5; 21 women; age mean 42.9 (SD 9.0), range
26-59; 25 of 30 reporting white; 8 of 25 graduates; 7 of 25 in a relationship;
questionnaires from 32, 20 and 21 people; interviews with 31 at the first wave.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import design
from .calibrate import calibrate, round_to_total
from .employment import Employment, make_employment

N_WOMEN = 21
AGE = {"mean": 42.9, "sd": 9.0}
AGE_MIN, AGE_MAX = 26, 59  # whole years
ETHNICITY_COUNTS = {"White": 25, "Black": 2, "Asian": 2, "Mixed": 1}  # 30 reporting, 2 missing
N_EDUCATION_ANSWERED, N_GRADUATES = 25, 8
N_RELATIONSHIP_ANSWERED, N_IN_RELATIONSHIP = 25, 7
QUESTIONNAIRES = {"T1": 32, "T2": 20, "T3": 21}
INTERVIEWS_AT_BASELINE = 31
MIN_MONTHS_FOR = {"T1": 0.0, "T2": 4.0, "T3": 12.0}


@dataclass
class Person:
    participant_id: str
    site: str
    gender: str
    age: int
    ethnicity: str  # "" when not reported
    education: str
    relationship: str
    job: Employment
    waves: list[str] = field(default_factory=list)  # questionnaires returned
    interviews: list[str] = field(default_factory=list)  # interviews held

    @property
    def months_in_post(self) -> float:
        return self.job.months


def site_sizes(rng: np.random.Generator) -> list[int]:
    """Seven team sizes between 2 and 5 that sum to 32."""
    sizes = [2] * design.N_SITES
    for _ in range(design.N_PARTICIPANTS - sum(sizes)):
        open_sites = [i for i, s in enumerate(sizes) if s < 5]
        sizes[int(rng.choice(open_sites))] += 1
    return sizes


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.normal(0.0, 1.0, n)
    lo_i, hi_i = int(np.argmin(raw)), int(np.argmax(raw))
    cont = calibrate(raw, mean=AGE["mean"], sd=AGE["sd"], lower=AGE_MIN, upper=AGE_MAX,
                     fixed={lo_i: AGE_MIN, hi_i: AGE_MAX})
    others = [i for i in range(n) if i not in (lo_i, hi_i)]
    total = int(round(AGE["mean"] * n))
    ages = np.empty(n, dtype=int)
    ages[lo_i], ages[hi_i] = AGE_MIN, AGE_MAX
    ages[others] = round_to_total(cont[others], total - AGE_MIN - AGE_MAX, AGE_MIN + 1, AGE_MAX - 1)
    return ages


def _spread(rng: np.random.Generator, n: int, counts: dict[str, int]) -> list[str]:
    values = [k for k, c in counts.items() for _ in range(c)]
    values += [""] * (n - len(values))
    return [values[i] for i in rng.permutation(n)]


def _answers(rng: np.random.Generator, answered: np.ndarray, yes: int, labels: list[str]) -> list[str]:
    out = [""] * answered.size
    idx = [int(i) for i in np.flatnonzero(answered)]
    chosen = set(int(i) for i in rng.choice(idx, size=yes, replace=False))
    for i in idx:
        out[i] = labels[0] if i in chosen else labels[1]
    return out


def make_people(rng: np.random.Generator) -> list[Person]:
    """The 32 peer workers with demographics, employment and participation."""
    n = design.N_PARTICIPANTS
    sizes = site_sizes(rng)
    sites = [sid for sid, k in zip(design.site_ids(), sizes) for _ in range(k)]
    genders = [design.GENDERS[0] if i < N_WOMEN else design.GENDERS[1] for i in rng.permutation(n)]
    ages = _ages(rng, n)
    ethnicity = _spread(rng, n, ETHNICITY_COUNTS)
    # The same people tend to leave both of the later personal questions blank.
    skip = rng.permutation(n)
    edu_answered = np.ones(n, dtype=bool)
    edu_answered[skip[: n - N_EDUCATION_ANSWERED]] = False
    rel_answered = np.ones(n, dtype=bool)
    rel_answered[skip[2 : 2 + n - N_RELATIONSHIP_ANSWERED]] = False
    education = _answers(rng, edu_answered, N_GRADUATES, design.EDUCATION)
    relationship = _answers(rng, rel_answered, N_IN_RELATIONSHIP, design.RELATIONSHIP)
    jobs = make_employment(rng, sites)
    people = [
        Person(f"{i + 1:02d}", sites[i], genders[i], int(ages[i]), ethnicity[i], education[i], relationship[i], jobs[i])
        for i in range(n)
    ]
    _assign_participation(rng, people)
    return people


def _assign_participation(rng: np.random.Generator, people: list[Person]) -> None:
    """Questionnaires at each wave (only while in post long enough) and interviews held."""
    n = len(people)
    for wave in design.WAVES:
        eligible = [i for i, p in enumerate(people) if p.months_in_post >= MIN_MONTHS_FOR[wave.id]]
        k = QUESTIONNAIRES[wave.id]
        chosen = sorted(int(i) for i in rng.choice(eligible, size=k, replace=False)) if k < len(eligible) else eligible
        for i in chosen:
            people[i].waves.append(wave.id)
    not_interviewed = {int(i) for i in rng.choice(n, size=n - INTERVIEWS_AT_BASELINE, replace=False)}
    for i, p in enumerate(people):
        for wave in design.WAVES:
            if wave.id == design.BASELINE:
                if i not in not_interviewed:
                    p.interviews.append(wave.id)
            elif wave.id in p.waves:
                p.interviews.append(wave.id)


def participants_rows(people: list[Person]) -> list[list[object]]:
    header: list[object] = ["participant_id", "site", "consent_date"] + [d["column"] for d in design.DEMOGRAPHICS]
    rows: list[list[object]] = [header]
    for p in people:
        rows.append([p.participant_id, p.site, p.job.consent.isoformat(), p.gender, p.age, p.ethnicity,
                     p.education, p.relationship])
    return rows

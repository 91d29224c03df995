"""Calibration targets for the demo's questionnaire outcomes.

Means, SDs and ns are the seed study's Table 3 (``docs/facts.md``) where it was
legible; the printed T2 wellbeing SD "9017" is read as 9.17. The burnout rows
and the team-effectiveness row could not be read, so their values here are
plausible choices made for the demo and are marked as such.

``change`` is the paired mean change from the baseline wave that the demo
builds in for each follow-up (follow-up minus baseline): the published pattern
is a fall in wellbeing of nearly 4 points at 4 months that is not sustained at
12 months, rising depersonalisation, and falls in satisfaction with prospects
and training by 12 months. ``r`` is the correlation between a person's
baseline and follow-up scores (higher for the job-satisfaction subscales whose
published changes were significant, so that they are significant here too).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    outcome: str
    n: dict[str, int]
    mean: dict[str, float]
    sd: dict[str, float]
    change: dict[str, float]  # follow-up wave -> paired mean change from baseline
    r: float
    lower: float
    upper: float
    published: bool = True


def _t(outcome, ns, means, sds, change, r=0.65, lower=1.0, upper=5.0, published=True) -> Target:
    waves = ("T1", "T2", "T3")
    return Target(outcome, dict(zip(waves, ns)), dict(zip(waves, means)), dict(zip(waves, sds)),
                  dict(zip(waves[1:], change)), r, lower, upper, published)


WEMWBS = _t("wemwbs.total", (32, 20, 21), (49.8, 47.7, 48.7), (9.07, 9.17, 11.73), (-3.9, -1.0), r=0.72,
            lower=14, upper=70)

# Burnout: not legible in the published table; demo choices on the MBI-HSS ranges.
MBI = [
    _t("mbi_hss.emotional_exhaustion", (31, 20, 20), (17.0, 19.5, 18.5), (9.5, 10.5, 11.0), (2.0, 1.0),
       r=0.65, lower=0, upper=54, published=False),
    _t("mbi_hss.depersonalisation", (32, 20, 21), (4.0, 6.0, 6.2), (3.8, 4.5, 4.8), (2.0, 2.2),
       r=0.7, lower=0, upper=30, published=False),
    _t("mbi_hss.personal_accomplishment", (31, 19, 21), (38.0, 37.0, 37.5), (6.0, 6.5, 6.8), (-1.0, -0.5),
       r=0.6, lower=0, upper=48, published=False),
]

PRESCORED = [
    _t("mjs.personal", (29, 17, 19), (4.3, 4.2, 4.2), (0.72, 0.51, 0.64), (-0.30, -0.15), r=0.75),
    _t("mjs.workload", (30, 17, 19), (3.9, 3.8, 3.8), (0.76, 0.62, 0.78), (-0.25, -0.10), r=0.75),
    _t("mjs.professional_support", (31, 17, 19), (4.5, 4.5, 4.4), (0.53, 0.58, 0.82), (0.0, -0.10)),
    _t("mjs.training", (29, 17, 19), (3.9, 3.8, 3.6), (0.74, 0.92, 0.86), (-0.10, -0.38), r=0.8),
    _t("mjs.pay", (30, 17, 20), (3.5, 3.4, 3.5), (1.14, 1.23, 1.10), (-0.10, 0.0)),
    _t("mjs.prospects", (30, 17, 19), (3.5, 3.5, 3.1), (0.92, 1.00, 1.10), (-0.30, -0.45), r=0.75),
    _t("mjs.standards_of_care", (29, 17, 19), (4.0, 4.0, 3.9), (0.62, 0.65, 0.89), (0.0, -0.10)),
    _t("mjs.overall", (30, 17, 20), (3.9, 3.9, 3.7), (0.66, 0.60, 0.74), (-0.10, -0.20)),
    _t("itpps.leadership", (31, 20, 21), (4.2, 4.4, 4.1), (0.66, 0.47, 0.62), (0.15, -0.10), r=0.5),
    _t("itpps.communication", (31, 20, 21), (4.1, 4.0, 3.8), (0.57, 0.60, 0.93), (-0.20, -0.30), r=0.5),
    _t("itpps.coordination", (31, 20, 21), (4.2, 4.2, 4.1), (0.66, 0.61, 0.86), (0.0, -0.10), r=0.5),
    _t("itpps.conflict_management", (27, 20, 20), (3.8, 3.8, 3.7), (0.49, 0.35, 0.45), (0.0, -0.10), r=0.5),
    _t("itpps.team_cohesion", (32, 20, 21), (4.3, 4.3, 4.2), (0.84, 0.47, 0.93), (0.0, -0.10), r=0.5),
    # Team effectiveness: only "26; 4.0" was legible; the rest are demo choices.
    _t("itpps.team_effectiveness", (26, 20, 21), (4.0, 4.0, 3.9), (0.60, 0.55, 0.70), (0.0, -0.10), r=0.5,
       published=False),
]

#: Which latent trait drives each outcome, and in which direction (+1: higher is better wellbeing).
DIRECTION = {"wemwbs.total": 1, "mbi_hss.emotional_exhaustion": -1, "mbi_hss.depersonalisation": -1,
             "mbi_hss.personal_accomplishment": 1}

WEMWBS_ITEMS = list(range(1, 15))
SWEMWBS_ITEMS = [1, 2, 3, 6, 7, 9, 11]
MBI_ITEMS = {
    "mbi_hss.emotional_exhaustion": [1, 2, 3, 6, 8, 13, 14, 16, 20],
    "mbi_hss.depersonalisation": [5, 10, 11, 15, 22],
    "mbi_hss.personal_accomplishment": [4, 7, 9, 12, 17, 18, 19, 21],
}
#: Subscale cells with exactly one item left blank (prorated when scored), per wave.
ONE_MISSING = {"wemwbs.total": {"T1": 3, "T2": 2, "T3": 2},
               "mbi_hss.emotional_exhaustion": {"T1": 1, "T2": 1, "T3": 0},
               "mbi_hss.depersonalisation": {"T1": 1, "T2": 0, "T3": 1},
               "mbi_hss.personal_accomplishment": {"T1": 1, "T2": 1, "T3": 1}}

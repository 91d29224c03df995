"""The demo's synthesis (``synthesis.yaml``): five propositions linking both strands.

Statements and interpretations were written fresh for the demo. Exemplars are
segments of ``qual/codings.csv`` coded (by coder_a) with one of the
proposition's codes, preferably at the wave the proposition is about.
"""

from __future__ import annotations

import numpy as np

from . import design
from .qual import Coding
from .textio import yaml_text

BASE, MID, LATE = (w.id for w in design.WAVES)
CHANGE = ["mean", "mean_change", "ci", "p", "effect_size"]

#: (id, statement, quantitative, themes, codes, exemplar wishes [(code, wave)], fit, interpretation)
PROPOSITIONS = [
    ("P1",
     "Wellbeing dipped in the first months in post and had largely recovered by a year, as workers learned to pace "
     "themselves and lean on their team.",
     [{"outcome": "wemwbs.total", "comparison": [BASE, MID], "statistics": CHANGE},
      {"outcome": "wemwbs.total", "comparison": [BASE, LATE], "statistics": ["mean_change", "ci", "p"]}],
     ["feeling_connected"], ["own_wellbeing", "team_support", "supervision"],
     [("own_wellbeing", MID), ("own_wellbeing", MID), ("own_wellbeing", LATE)],
     "confirms",
     "Interviews place the strain at three to four months, the same point at which scores fell; the recovery they "
     "describe (pacing, peers, supervision) offers one reading of why the change by 12 months is small."),
    ("P2",
     "Depersonalisation scores rose, while workers described the distance they kept as a learned way of carrying on "
     "rather than a loss of care.",
     [{"outcome": "mbi_hss.depersonalisation", "comparison": [BASE, MID], "statistics": CHANGE},
      {"outcome": "mbi_hss.depersonalisation", "comparison": [BASE, LATE], "statistics": CHANGE}],
     ["feeling_empowered"], ["boundaries", "endings"],
     [("boundaries", LATE), ("endings", LATE)],
     "discordant",
     "The burnout scale reads distance as detachment; the workers present the same distance as a skill. The strands "
     "agree that something changed and disagree about what it means."),
    ("P3",
     "Fixed-term posts with no visible next step wore down satisfaction with prospects over the year.",
     [{"outcome": "mjs.prospects", "comparison": [BASE, LATE], "statistics": CHANGE},
      {"outcome": "mjs.pay", "comparison": [BASE, LATE], "statistics": ["mean_change", "ci", "p"]}],
     ["feeling_valued"], ["job_security", "pay_and_prospects"],
     [("job_security", LATE), ("pay_and_prospects", LATE)],
     "confirms",
     "Worry about contracts grows across the interviews and peaks as the posts approach their end, in step with the "
     "fall in satisfaction with prospects; satisfaction with pay, by contrast, barely moves."),
    ("P4",
     "Training gave workers the values of peer support but not all the practical know-how the job asked of them, and "
     "little followed it once they were in post.",
     [{"outcome": "mjs.training", "comparison": [BASE, LATE], "statistics": CHANGE}],
     ["feeling_empowered"], ["training"],
     [("training", MID), ("training", LATE)],
     "expands",
     "The questionnaire shows satisfaction with training falling by 12 months; the interviews locate the problem in "
     "what came after induction: refreshers, practical systems, and courses closed to temporary staff."),
    ("P5",
     "Where clinical colleagues understood and included the peer role, workers felt part of one team; where they did "
     "not, communication felt patchy and the work lonely.",
     [{"outcome": "itpps.communication", "comparison": [BASE, LATE], "statistics": CHANGE},
      {"outcome": "itpps.team_cohesion", "timepoint": LATE, "statistics": ["n", "mean", "sd", "norm"]}],
     ["feeling_valued", "feeling_connected"], ["valued_by_staff", "role_understanding", "isolation"],
     [("valued_by_staff", MID), ("role_understanding", LATE), ("isolation", MID)],
     "expands",
     "Team survey averages change little, but accounts differ sharply between wards; an average can hide the teams in "
     "which the peer worker stayed an outsider."),
]


def _exemplars(rng: np.random.Generator, codings: list[Coding], wishes: list[tuple[str, str]]) -> list[str]:
    chosen: list[str] = []
    for code, wave in wishes:
        pool = [c.segment_id for c in codings
                if c.coder == "coder_a" and c.code == code and c.interview_id.endswith(f"-{wave}") and c.segment_id not in chosen]
        if not pool:
            pool = [c.segment_id for c in codings if c.coder == "coder_a" and c.code == code and c.segment_id not in chosen]
        if pool:
            chosen.append(pool[int(rng.integers(len(pool)))])
    return chosen


def synthesis(rng: np.random.Generator, codings: list[Coding]) -> dict:
    props = []
    for pid, statement, quant, themes, codes, wishes, fit, interpretation in PROPOSITIONS:
        props.append({
            "id": pid,
            "statement": statement,
            "quantitative": quant,
            "qualitative": {"themes": themes, "codes": codes, "exemplars": _exemplars(rng, codings, wishes)},
            "fit": fit,
            "interpretation": interpretation,
        })
    return {"propositions": props}


def synthesis_yaml(rng: np.random.Generator, codings: list[Coding]) -> str:
    return yaml_text(synthesis(rng, codings),
                     "Synthesis of the SYNTHETIC PeerImpact demo study: propositions written for the demo.",
                     flow_leaves=True)

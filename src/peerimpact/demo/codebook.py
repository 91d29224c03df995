"""The demo's codebook (``qual/codebook.yaml``): 18 codes under three themes.

Built over two (fictional) interpretive workshops: version 1 added the
deductive framework and early inductive codes; version 2 renamed one code,
merged a reflective-practice code into supervision, and added three inductive
codes. The merged-away id (``reflective_practice``) is not a current code and
no coding uses it.
"""

from __future__ import annotations

from datetime import date

from .bank import CODE_THEME
from .textio import yaml_text

V1_DATE = date(2019, 9, 12)
V2_DATE = date(2020, 2, 20)
OLD_PAY_NAME = "Pay and grading"

#: id -> (name, description, inclusion, exclusion, colour, origin, parent)
CODES = {
    "lived_experience": ("Using lived experience", "Drawing on one's own experience of mental distress and services in the work.",
                         "Sharing or holding back one's story; experience shaping how support is offered.",
                         "Experience of the job itself (use confidence_growth).", "#1b9e77", "deductive", None),
    "valued_by_staff": ("Valued by clinical colleagues", "How clinical staff treat, include or overlook peer workers.",
                        "Inclusion in meetings, being asked for a view, being talked over.",
                        "Feedback from people supported (use recognition).", "#66a61e", "deductive", None),
    "role_understanding": ("How others understand the peer role", "Whether colleagues know what a peer worker is for.",
                           "Misunderstood tasks, explaining the role, inappropriate referrals.",
                           "The worker's own sense of the role (use autonomy).", "#a6d854", "inductive", "valued_by_staff"),
    "recognition": ("Recognition from people supported", "Thanks, feedback and signs of progress from the people supported.",
                    "Cards, comments, meeting someone doing well.", "Praise from staff (use valued_by_staff).",
                    "#4daf4a", "inductive", None),
    "pay_and_prospects": ("Pay, grading and progression", "Pay, banding and whether the role leads anywhere.",
                          "Pay level, financial strain, career routes, applying for other roles.",
                          "Contract length (use job_security).", "#b2df8a", "deductive", None),
    "job_security": ("Job security", "Fixed-term contracts, funding and the end of posts.",
                     "Uncertainty about the future of the post; looking for other work because of it.",
                     "Pay (use pay_and_prospects).", "#33a02c", "deductive", None),
    "training": ("Training and induction", "Initial training and any later learning.",
                 "What training covered or missed; requests for further training.",
                 "Learning from supervision (use supervision).", "#7570b3", "deductive", None),
    "supervision": ("Supervision and reflective space", "Individual and group supervision and reflective practice.",
                    "Access to, quality of and gaps in supervision.", "Informal support from peers (use team_support).",
                    "#8da0cb", "deductive", None),
    "autonomy": ("Shaping the support", "Freedom to decide how support is given.",
                 "Choosing venues and agendas; rules that limit judgement.", "Boundaries with people (use boundaries).",
                 "#6a3d9a", "inductive", None),
    "boundaries": ("Holding boundaries", "Managing closeness and limits with people supported.",
                   "Contact outside hours, friendship, self-disclosure limits.", "Ending support (use endings).",
                   "#cab2d6", "deductive", None),
    "discharge_support": ("Supporting discharge", "Work around leaving hospital and the first weeks at home.",
                          "Ward visits, practical tasks, timing of discharge.", "General relationship building.",
                          "#984ea3", "deductive", None),
    "confidence_growth": ("Growing confidence", "Changes in the worker's confidence and sense of self.",
                          "Skills gained, new responsibilities, feeling capable.", "Confidence of people supported.",
                          "#bc80bd", "inductive", None),
    "team_support": ("Peer team support", "Support among the peer workers of a team.",
                     "Team meetings, covering for each other, informal debriefs.", "The coordinator (use coordinator_support).",
                     "#d95f02", "deductive", None),
    "coordinator_support": ("The peer worker coordinator", "What the coordinator does for the team.",
                            "Advocacy, availability, absence of the coordinator.", "Formal supervision sessions (use supervision).",
                            "#fc8d62", "deductive", "team_support"),
    "connection_with_people": ("Connecting with people supported", "Building trusting relationships with people supported.",
                               "Early meetings, trust, humour, being alongside.", "Endings (use endings).",
                               "#e6ab02", "deductive", None),
    "endings": ("Endings", "Bringing support to a close.", "Planning endings, goodbyes, support that fades out.",
                "Boundaries during support (use boundaries).", "#ffd92f", "inductive", "connection_with_people"),
    "isolation": ("Isolation and working alone", "Feeling alone in the role or cut off from a team.",
                  "Lone working, no base, being the only peer worker.", "Own wellbeing in general (use own_wellbeing).",
                  "#e7298a", "inductive", None),
    "own_wellbeing": ("Own wellbeing and strain", "The worker's own mental health while doing the job.",
                      "Tiredness, dips, time off, self-care.", "Wellbeing of people supported.",
                      "#f781bf", "inductive", None),
}

THEMES = {
    "feeling_valued": ("Feeling valued", "Whether peer workers and their experience are recognised, paid and kept."),
    "feeling_empowered": ("Feeling empowered", "Whether peer workers are equipped and free to do the work their way."),
    "feeling_connected": ("Feeling connected", "Relationships with the team, the coordinator and the people supported."),
}

ADDED_IN_V2 = ["endings", "isolation", "own_wellbeing"]
MERGED_AWAY = "reflective_practice"
#: Codes unchanged since version 1 (version-1 codings may use them).
STABLE_V1 = ["lived_experience", "training", "boundaries", "team_support", "discharge_support"]


def codebook() -> dict:
    codes = []
    for cid, (name, desc, inc, exc, colour, origin, parent) in CODES.items():
        codes.append({"id": cid, "name": name, "description": desc, "inclusion": inc, "exclusion": exc,
                      "colour": colour, "origin": origin, "parent": parent})
    themes = [{"id": tid, "name": name, "description": desc, "valence": "complex",
               "codes": [c for c in CODES if CODE_THEME[c] == tid]} for tid, (name, desc) in THEMES.items()]
    v1_codes = [c for c in CODES if c not in ADDED_IN_V2]
    v1_codes.insert(v1_codes.index("supervision") + 1, MERGED_AWAY)
    versions = [
        {"version": 1, "date": V1_DATE, "reason": "first interpretive workshop",
         "changes": [{"action": "added", "code": c} for c in v1_codes]},
        {"version": 2, "date": V2_DATE, "reason": "second interpretive workshop",
         "changes": [{"action": "renamed", "code": "pay_and_prospects", "from": OLD_PAY_NAME,
                      "to": CODES["pay_and_prospects"][0]},
                     {"action": "merged", "codes": [MERGED_AWAY, "supervision"], "into": "supervision"}]
         + [{"action": "added", "code": c} for c in ADDED_IN_V2]},
    ]
    return {"version": 2, "codes": codes, "themes": themes, "versions": versions}


def codebook_yaml() -> str:
    return yaml_text(codebook(), "Codebook of the SYNTHETIC PeerImpact demo study (fictional workshops and coders).")

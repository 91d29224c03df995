"""The demo's bank of hand-written interview turns, organised by code and tone.

Transcripts are composed from this bank and coded from it, so every coded span
carries the code of the sentences it covers. Each line has a tone: ``early``
(just trained), ``middle`` (a few months in), ``late`` (about a year in) or
``any``. All text was written fresh for PeerImpact.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import connected, empowered, valued

THEMES = {
    "feeling_valued": valued.CODES,
    "feeling_empowered": empowered.CODES,
    "feeling_connected": connected.CODES,
}


@dataclass(frozen=True)
class Line:
    code: str
    tone: str
    text: str


def _lines() -> dict[str, list[Line]]:
    out: dict[str, list[Line]] = {}
    for codes in THEMES.values():
        for code, entry in codes.items():
            out[code] = [Line(code, tone, text) for tone, text in entry["lines"]]
    return out


LINES: dict[str, list[Line]] = _lines()
QUESTIONS: dict[str, list[str]] = {code: entry["questions"] for codes in THEMES.values() for code, entry in codes.items()}
CODE_THEME: dict[str, str] = {code: theme for theme, codes in THEMES.items() for code in codes}

#: Codes that often come up together in one answer (and that a second coder may confuse).
RELATED = {
    "lived_experience": "connection_with_people",
    "valued_by_staff": "role_understanding",
    "role_understanding": "valued_by_staff",
    "recognition": "confidence_growth",
    "pay_and_prospects": "job_security",
    "job_security": "pay_and_prospects",
    "training": "confidence_growth",
    "supervision": "own_wellbeing",
    "autonomy": "boundaries",
    "boundaries": "endings",
    "discharge_support": "connection_with_people",
    "confidence_growth": "recognition",
    "team_support": "coordinator_support",
    "coordinator_support": "team_support",
    "connection_with_people": "lived_experience",
    "endings": "boundaries",
    "isolation": "own_wellbeing",
    "own_wellbeing": "isolation",
}

#: How often each code is raised at each tone (relative weights).
EMPHASIS = {
    "early": {"training": 3, "lived_experience": 2, "boundaries": 2, "team_support": 2, "job_security": 1},
    "middle": {"own_wellbeing": 3, "boundaries": 2, "discharge_support": 2, "valued_by_staff": 2, "supervision": 2},
    "late": {"pay_and_prospects": 3, "job_security": 3, "endings": 2, "confidence_growth": 2, "team_support": 2},
}

OPENERS = {
    "early": [
        ("Thanks for making time to talk. Can we start with how the first few weeks have been?",
         "Yeah, of course. It's all still quite new, but good, I think."),
        ("Shall we begin? How are you finding things now the training's finished?",
         "Fine, thanks – a bit tired, but excited to get going properly."),
    ],
    "middle": [
        ("Thanks for meeting me again. How have the last few months been?",
         "Busy! It's been a lot, but mostly good."),
        ("Good to see you again. How are things in the job at the moment?",
         "Honestly, up and down. I'll explain as we go."),
    ],
    "late": [
        ("Thanks for doing this one last time. How are things now you've been in post a while?",
         "Good, thanks. It's hard to believe it's been a year."),
        ("It's been a while since we last spoke. How's everything going?",
         "Not bad at all. A lot has changed since last time."),
    ],
}
FILLERS = ["Hmm, good question.", "Right.", "Let me think.", "Honestly?", "Where do I start.", "Yeah."]
FOLLOW_UPS = ["Can you say a bit more about that?", "What was that like for you?", "Can you give me an example?"]
CLOSERS = [
    ("Is there anything else you'd like to add before we finish?", "No, I think that's everything. Thanks for listening."),
    ("That's all my questions. Anything you want to say that we haven't covered?",
     "Only that I'm glad someone is asking peer workers about this."),
]
EMOJI_REPLY = "Yeah, all good, thanks 🙂"

#: Pseudonyms used inside the text (site coordinators and colleagues), some with accents.
COORDINATORS = {"1": "Renée", "2": "Tomás", "3": "Zoë", "4": "Siobhán", "5": "Kwame", "6": "Chloé", "7": "Priya"}
COLLEAGUES = ["José", "Aoife", "Mariam", "Ngozi", "Björn", "Dan", "Leah"]

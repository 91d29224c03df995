"""The demo's memos (``qual/memos.yaml``): interpretive, analytic and reflexive notes.

Written fresh for the demo by its fictional coders. Transcript and segment
memos are attached to interviews and segments chosen from the generated data,
so their targets always exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from . import design
from .qual import Coding
from .textio import yaml_text
from .transcripts import Interview

CODE_MEMOS = [
    ("lived_experience", "coder_a", "Early on, workers talk about rehearsing what to share; by a year in they talk about restraint. The skill seems to move from disclosure to judgement."),
    ("valued_by_staff", "coder_b", "Being valued is described in tiny moments (being asked, being copied in). The absence of those moments is read as a verdict on the role."),
    ("role_understanding", "coder_a", "Kept as a child of valued_by_staff: confusion about the role is usually told as a story about not being taken seriously."),
    ("recognition", "coder_a", "Thanks from people supported is often set against pay, as if it were a form of payment. Worth holding next to pay_and_prospects."),
    ("pay_and_prospects", "coder_b", "Renamed in version 2 because talk about pay kept sliding into talk about having nowhere to go next."),
    ("job_security", "coder_a", "Contract worries rise sharply in the later interviews and are tied to the end of the trial funding, not to any one manager."),
    ("training", "coder_a", "Training is praised for its values and criticised for the practical gaps that only show once in post."),
    ("supervision", "coder_b", "After the merge this code covers group reflective practice too; peers' group space is described as the place where thinking happens."),
    ("boundaries", "coder_a", "Boundaries are framed as self-protection as much as professional rule. Distance is narrated as care for oneself, not coldness."),
    ("endings", "coder_b", "Added inductively at the second workshop: endings were being coded under boundaries, but they carry grief and pride of their own."),
    ("isolation", "coder_a", "Isolation is spatial (no desk, the car) as well as social. It clusters with own_wellbeing in the middle wave."),
    ("own_wellbeing", "coder_b", "Several workers place a dip around three or four months in, then describe learning to pace themselves."),
]
THEME_MEMOS = [
    ("feeling_valued", "coder_a", "Valued-ness is read from small acts of inclusion by staff and from pay; the two can pull in opposite directions."),
    ("feeling_empowered", "coder_b", "Empowerment depends on being trusted to use judgement and on having somewhere to take what the work stirs up."),
    ("feeling_connected", "coder_a", "Connection runs in three directions: to the peer team, to the coordinator and to the people supported. Losing any one is felt keenly."),
]
TRANSCRIPT_MEMOS = {
    "middle": "A middle-wave interview where strain and pride sit side by side; useful for the wellbeing proposition.",
    "late": "Looking back over the year, this worker separates the job's effect on their wellbeing from the contract's.",
}
SEGMENT_MEMO = "A clear account of the dip a few months in; a candidate exemplar for the synthesis."
REFLEXIVE = [
    ("theme", "feeling_valued", "coder_a", "I have worked on a fixed-term contract myself and noticed I was quick to code job insecurity. Checked these passages with coder_b."),
    ("code", "lived_experience", "coder_b", "As a service user researcher I recognised much of this; I tried to keep my own reading of disclosure out of the code definitions."),
]


def memos(rng: np.random.Generator, interviews: list[Interview], codings: list[Coding]) -> dict:
    out: list[dict[str, Any]] = []
    day = date(2020, 3, 16).toordinal()

    def add(target_type: str, target_id: str, kind: str, author: str, text: str) -> None:
        nonlocal day
        day += int(rng.integers(2, 8))
        out.append({"id": f"M{len(out) + 1:02d}", "target": {"type": target_type, "id": target_id}, "kind": kind,
                    "author": author, "date": date.fromordinal(day), "text": text})

    for code, author, text in CODE_MEMOS:
        add("code", code, "interpretive", author, text)
    for wave in design.WAVES[1:]:
        held = [iv for iv in interviews if iv.wave == wave.id]
        chosen = held[int(rng.integers(len(held)))]
        add("transcript", chosen.interview_id, "analytic", "coder_a", TRANSCRIPT_MEMOS[wave.tone])
    middle = {iv.interview_id for iv in interviews if iv.wave == design.WAVES[1].id}
    dips = [c for c in codings if c.code == "own_wellbeing" and c.coder == "coder_a" and c.interview_id in middle]
    seg = dips[int(rng.integers(len(dips)))] if dips else codings[0]
    add("segment", seg.segment_id, "interpretive", "coder_b", SEGMENT_MEMO)
    for theme, author, text in THEME_MEMOS:
        add("theme", theme, "analytic", author, text)
    for target_type, target_id, author, text in REFLEXIVE:
        add(target_type, target_id, "reflexive", author, text)
    return {"memos": out}


def memos_yaml(rng: np.random.Generator, interviews: list[Interview], codings: list[Coding]) -> str:
    return yaml_text(memos(rng, interviews, codings), "Memos of the SYNTHETIC PeerImpact demo study (fictional coders).")

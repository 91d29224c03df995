"""A small study folder written from scratch for the synthesis and report tests.

Six participants at two sites, WEMWBS items at three timepoints (T1 all six,
T2 five, T3 four), seven interviews, a codebook of three codes under two
themes, codings by two coders and a synthesis file with two propositions.
Values are drawn from a seeded generator, so every number is reproducible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

PARTICIPANTS = [("01", "1"), ("02", "1"), ("03", "1"), ("04", "2"), ("05", "2"), ("06", "2")]
WAVES = {"T1": ["01", "02", "03", "04", "05", "06"], "T2": ["01", "02", "03", "04", "05"], "T3": ["01", "02", "04", "06"]}
INTERVIEWS = ["S1-PW01-T1", "S1-PW02-T1", "S2-PW04-T1", "S1-PW01-T2", "S1-PW03-T2", "S1-PW01-T3", "S2-PW06-T3"]

STUDY_YAML = """\
title: Small synthesis test study
synthetic: true
sites:
  - {id: "1", name: North}
  - {id: "2", name: South}
timepoints:
  - {id: T1, label: Start, month: 0}
  - {id: T2, label: Four months, month: 4}
  - {id: T3, label: Twelve months, month: 12}
instruments: [wemwbs]
"""

CODEBOOK_YAML = """\
version: 1
codes:
  - {id: lived_experience, name: Drawing on lived experience}
  - {id: recognition, name: Being recognised}
  - {id: isolation, name: Working in isolation}
themes:
  - {id: feeling_valued, name: Feeling valued, valence: positive, codes: [lived_experience, recognition]}
  - {id: feeling_connected, name: Feeling connected, valence: complex, codes: [isolation]}
"""

SYNTHESIS_YAML = """\
propositions:
  - id: P1
    statement: Wellbeing dips as the role begins and recovers.
    quantitative:
      - outcome: wemwbs.total
        comparison: [T1, T2]
        statistics: [mean_change, ci, p, effect_size]
      - outcome: wemwbs.total
        timepoint: T3
        statistics: [n, mean, sd]
    qualitative:
      themes: [feeling_valued]
      exemplars: [seg001]
    fit: expands
    interpretation: Early strain gives way to recognition.
  - id: P2
    statement: Isolation is felt most at twelve months.
    quantitative:
      - outcome: wemwbs.total
        comparison: [T1, T3]
    qualitative:
      codes: [isolation]
      exemplars: [seg005]
    fit: silent
    interpretation: The questionnaires do not ask about isolation.
"""

TEXT = (
    "Interviewer: How has the work been?\n"
    "PW: I use what I went through myself every single day with the people I support.\n"
    "PW: My manager told the whole team that my work mattered, and that meant a lot.\n"
    "PW: Some weeks I am on my own at the site and nobody checks in on me at all.\n"
)

# (segment_id, interview, sentence index, code, coders)
SEGMENTS = [
    ("seg001", "S1-PW01-T1", 1, "lived_experience", ("A", "B")),
    ("seg002", "S1-PW02-T1", 2, "recognition", ("A",)),
    ("seg003", "S2-PW04-T1", 1, "lived_experience", ("B",)),
    ("seg004", "S1-PW01-T2", 2, "recognition", ("A", "B")),
    ("seg005", "S1-PW01-T3", 3, "isolation", ("A", "B")),
    ("seg006", "S2-PW06-T3", 3, "isolation", ("A",)),
    ("seg007", "S1-PW03-T2", 1, "lived_experience", ("A",)),
]


def sentence_span(text: str, index: int) -> tuple[int, int]:
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[:index]) + len("PW: ")
    return start, start + len(lines[index]) - len("PW: ")


def write_small_study(root: Path, synthesis: str | None = SYNTHESIS_YAML, seed: int = 7) -> Path:
    """Write the small study into ``root`` (created) and return it."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (root / "participants.csv").write_text(
        "participant_id,site,consent_date\n" + "".join(f"{p},{s},2020-01-0{i + 1}\n" for i, (p, s) in enumerate(PARTICIPANTS)),
        encoding="utf-8",
    )
    header = "participant_id,timepoint," + ",".join(f"wemwbs_{i}" for i in range(1, 15)) + "\n"
    lines = []
    shift = {"T1": 0, "T2": -1, "T3": 0}
    for tp, pids in WAVES.items():
        for p in pids:
            base = 3 + shift[tp] * 0.5
            items = np.clip(np.round(rng.normal(base, 0.8, 14)), 1, 5).astype(int)
            lines.append(f"{p},{tp}," + ",".join(str(v) for v in items) + "\n")
    (root / "responses.csv").write_text(header + "".join(lines), encoding="utf-8")
    (root / "transcripts").mkdir(exist_ok=True)
    for iid in INTERVIEWS:
        (root / "transcripts" / f"{iid}.txt").write_text(TEXT, encoding="utf-8")
    (root / "qual").mkdir(exist_ok=True)
    (root / "qual" / "codebook.yaml").write_text(CODEBOOK_YAML, encoding="utf-8")
    rows = ["segment_id,interview_id,start,end,code,coder\n"]
    for seg, iid, k, code, coders in SEGMENTS:
        s, e = sentence_span(TEXT, k)
        for coder in coders:
            rows.append(f"{seg},{iid},{s},{e},{code},{coder}\n")
    (root / "qual" / "codings.csv").write_text("".join(rows), encoding="utf-8")
    if synthesis is not None:
        (root / "synthesis.yaml").write_text(synthesis, encoding="utf-8")
    return root

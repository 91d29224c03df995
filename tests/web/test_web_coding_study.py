"""Not tests, a fixture module: a tiny synthetic study for the coding workbench tests: the web tests' tiny study, with a versioned
codebook and a transcript whose source has CRLF line ends, an emoji, a combining mark and a non-BMP symbol."""

from __future__ import annotations

from pathlib import Path

from studydata import FILES

CODEBOOK = """\
version: 1
codes:
  - {id: feeling_busy, name: Feeling busy, colour: "#E69F00", parent: null}
  - {id: quiet, name: Quiet, colour: "#56B4E9", parent: null}
  - {id: peer_identity, name: Peer identity, colour: "#009E73", parent: null}
  - {id: hope, name: Hope, parent: null}
themes:
  - {id: workload, name: Workload, codes: [feeling_busy, quiet]}
versions:
  - version: 1
    reason: synthetic starting framework
    changes:
      - {action: added, code: feeling_busy}
      - {action: added, code: quiet}
      - {action: added, code: peer_identity}
      - {action: added, code: hope}
"""

# Source bytes with CRLF; normalised (LF) it is the text below. "Quieter" stays at [30, 37) as in codings.csv.
EMOJI_SOURCE = "Interviewer: And for you?\r\nPW: Quieter \U0001F600, cafe\u0301 \U0001D11E days.\r\nInterviewer: Thanks.\r\n"
EMOJI_TEXT = EMOJI_SOURCE.replace("\r\n", "\n")
EMOJI_ID = "S2-PW03-T1"


# More synthetic transcripts, one per browser scenario (blind coding, workshop, two browsers at once).
MORE = {
    "S1-PW02-T1": "Interviewer: What helps?\nPW: Sharing my story helps people trust me.\nInterviewer: And the team?\nPW: The team listens now.\n",
    "S1-PW01-T2": "Interviewer: Four months on?\nPW: I feel like part of the team, and I have hope for the people I support.\n",
    "S1-PW02-T2": "Interviewer: Anything else?\nPW: Some weeks are busy, some are quiet, and both are fine.\n",
}


def write_coding_study(root: Path) -> Path:
    """Write the study folder (synthetic) and return it."""
    files = {**FILES, "qual/codebook.yaml": CODEBOOK}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "transcripts" / f"{EMOJI_ID}.txt").write_bytes(EMOJI_SOURCE.encode("utf-8"))
    for iid, text in MORE.items():
        (root / "transcripts" / f"{iid}.txt").write_text(text, encoding="utf-8")
    return root

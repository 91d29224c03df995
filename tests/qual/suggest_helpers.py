"""Helpers of the code-suggestion tests: smaller slices of the synthetic demo study."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from peerimpact.demo import write_study
from peerimpact.study.model import Study


def demo_slice(study: Study, n: int) -> Study:
    """The first ``n`` transcripts of the demo study (in id order) with their codings; no memos.

    Memos name segments of every transcript, so they are dropped with the
    transcripts they would point at.
    """
    keep = sorted(study.transcripts)[:n]
    codings = study.codings[study.codings["interview_id"].isin(keep)].reset_index(drop=True)
    return dataclasses.replace(study, transcripts={k: study.transcripts[k] for k in keep}, codings=codings, memos=None, synthesis=None)


def write_demo_slice(out: Path, n: int, uncoded: tuple[str, ...] = ()) -> Path:
    """Write the demo study folder at ``out`` cut to its first ``n`` transcripts (in id order) and their codings.

    The transcripts in ``uncoded`` keep their text but lose their codings. No memos
    (they name segments of every transcript) and no synthesis.
    """
    write_study(out)
    keep = sorted(p.stem for p in (out / "transcripts").glob("*.txt"))[:n]
    for p in (out / "transcripts").glob("*.txt"):
        if p.stem not in keep:
            p.unlink()
    codings = pd.read_csv(out / "qual" / "codings.csv", dtype=str, keep_default_na=False)
    codings[codings["interview_id"].isin(keep) & ~codings["interview_id"].isin(uncoded)].to_csv(out / "qual" / "codings.csv", index=False)
    (out / "qual" / "memos.yaml").unlink()
    (out / "synthesis.yaml").unlink(missing_ok=True)
    return out

"""Helpers of the code-suggestion tests: smaller slices of the synthetic demo study."""

from __future__ import annotations

import dataclasses

from peerimpact.study.model import Study


def demo_slice(study: Study, n: int) -> Study:
    """The first ``n`` transcripts of the demo study (in id order) with their codings; no memos.

    Memos name segments of every transcript, so they are dropped with the
    transcripts they would point at.
    """
    keep = sorted(study.transcripts)[:n]
    codings = study.codings[study.codings["interview_id"].isin(keep)].reset_index(drop=True)
    return dataclasses.replace(study, transcripts={k: study.transcripts[k] for k in keep}, codings=codings, memos=None, synthesis=None)

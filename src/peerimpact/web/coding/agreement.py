"""Agreement of a transcript's coders: the core's :func:`peerimpact.qual.agreement` on the database's study."""

from __future__ import annotations

from ...qual.agreement import agreement
from ..records.models import Coding, Transcript
from ..services.study_export import build_study
from .codings import CONSENSUS


def transcript_agreement(transcript: Transcript, levels: tuple[str, ...] = ("character",)) -> dict:
    """Per-code and pooled agreement of every coder of ``transcript``, as ``peerimpact qual agreement`` computes it.

    The study is rebuilt from the database exactly as ``db export-study``
    writes it, and the core function is called on it restricted to this
    interview, so the numbers are those of the command line on the exported
    folder (``tests/web/test_web_coding_api.py`` checks this). The consensus coding recorded in
    reconciliation (coder ``consensus``) is not a coder here.
    """
    coders = sorted(set(Coding.objects.filter(transcript=transcript).exclude(coder=CONSENSUS).values_list("coder", flat=True)))
    study = build_study()
    result = agreement(study, coders=coders, levels=levels, interviews=[transcript.interview_id])
    return result.to_json_dict()

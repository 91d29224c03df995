"""The study's speaker-turn pattern, for the coding app's views of transcripts.

``study.yaml`` may name its ``speakers`` or give a ``turn_pattern``;
:attr:`peerimpact.study.definition.StudyDefinition.turn_regex` turns either
into the regular expression of :func:`peerimpact.qual.corpus.speaker_turns`
(default ``Interviewer:`` / ``PW:``). The web app holds the definition in
``StudyConfig.definition``.
"""

from __future__ import annotations

import functools
import json

import pandas as pd

from ...qual.corpus import DEFAULT_TURN_PATTERN, speaker_turns
from ...study.definition import StudyDefinition
from ..records.models import StudyConfig


def turn_regex() -> str:
    """The turn pattern of the study held in the database (the default when there is none yet)."""
    definition = StudyConfig.objects.order_by("id").values_list("definition", flat=True).first()
    if not definition:
        return DEFAULT_TURN_PATTERN
    return _regex(json.dumps(definition, sort_keys=True, default=str))


@functools.lru_cache(maxsize=8)
def _regex(definition_json: str) -> str:
    return StudyDefinition.model_validate(json.loads(definition_json)).turn_regex


def study_turns(text: str) -> pd.DataFrame:
    """:func:`~peerimpact.qual.corpus.speaker_turns` of ``text`` with the study's pattern."""
    return speaker_turns(text, turn_regex())

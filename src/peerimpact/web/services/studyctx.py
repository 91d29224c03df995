"""The study definition and instruments held in the database, cached per version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Mapping

from ...errors import UserInputError
from ...instruments import InstrumentDefinition
from ...study import StudyDefinition
from ..records.models import StudyConfig

_CACHE: dict[str, "StudyContext"] = {}


@dataclass(frozen=True)
class StudyContext:
    definition: StudyDefinition
    instruments: Mapping[str, InstrumentDefinition]


def study_context() -> StudyContext:
    """Definition and declared instruments of the database's study.

    Raises
    ------
    UserInputError
        When no study has been imported.
    """
    config = StudyConfig.objects.order_by("id").first()
    if config is None:
        raise UserInputError("the database holds no study: run `peerimpact db import-study DIR` first")
    key = hashlib.sha256(json.dumps([config.definition, config.instruments_yaml], sort_keys=True).encode()).hexdigest()
    ctx = _CACHE.get(key)
    if ctx is None:
        from .study_export import declared_instruments

        definition = StudyDefinition.model_validate(config.definition)
        ctx = StudyContext(definition, declared_instruments(config, definition))
        _CACHE.clear()
        _CACHE[key] = ctx
    return ctx

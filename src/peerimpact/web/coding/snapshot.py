"""The part of the study a suggestion model learns from, read from the database quickly (issue 15).

:func:`~peerimpact.web.services.study_export.build_study` reads the whole
study (participants, questionnaires, contacts, service use, the study's own
instruments ...) on the request thread that starts a training, and so holds
the server's interpreter lock. (When it also read one model instance per
coding with its transcript's whole text joined in, that was about 0.45 s of
CPU on a study with 2,000 codings and a 20,000-word transcript; the codings
and transcripts are now read as plain values by both.) Training and ranking
(:mod:`peerimpact.qual.suggest`) read only the study definition (its
speaker-turn setting), the transcripts, the codings, the codebook and the
memos (validated against the codings' segments), so :func:`training_study`
builds a :class:`~peerimpact.study.model.Study` with those, read by the
functions ``build_study`` reads them with
(:func:`~peerimpact.web.services.study_export.study_transcripts` and
:func:`~peerimpact.web.services.study_export.study_codings`: the same
columns, cells and types, so the same model), and empty participant,
questionnaire, service-use, employment, allocation and contact tables. It is
for suggestions only, never for an export or a report.
"""

from __future__ import annotations

from ...errors import UserInputError
from ...study import Study, StudyDefinition
from ...study.checks import empty_table
from ...study.model import StudySource
from ...study.tables import ALLOCATIONS, CONTACTS, EMPLOYMENT, PARTICIPANTS, RESPONSES, SERVICE_USE
from ..records.models import StudyConfig
from ..services.study_export import study_codings, study_transcripts
from ..services.yamltext import from_text


def training_study() -> Study:
    """The definition, transcripts, codings, codebook and memos held in the database, as a :class:`Study` (see the
    module docstring).

    Raises
    ------
    UserInputError
        When the database holds no study yet.
    """
    config = StudyConfig.objects.order_by("id").only("definition", "codebook_yaml", "memos_yaml", "coding_columns").first()
    if config is None:
        raise UserInputError("the database holds no study: run `peerimpact db import-study DIR` first")
    definition = StudyDefinition.model_validate(config.definition)
    return Study(
        definition=definition, participants=empty_table(PARTICIPANTS), responses=empty_table(RESPONSES),
        service_use=empty_table(SERVICE_USE), employment=empty_table(EMPLOYMENT), allocations=empty_table(ALLOCATIONS),
        contacts=empty_table(CONTACTS), instruments={}, transcripts=study_transcripts(), codings=study_codings(config),
        codebook=from_text(config.codebook_yaml), memos=from_text(config.memos_yaml),
        source=StudySource(None, "database (the parts suggestions learn from)"),
    )

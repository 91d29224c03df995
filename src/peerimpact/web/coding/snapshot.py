"""The part of the study a suggestion model learns from, read from the database quickly (issue 15).

:func:`~peerimpact.web.services.study_export.build_study` reads the whole
study (participants, questionnaires, contacts ...) and one model instance per
coding with its transcript's whole text joined in: about 0.45 s of CPU on a
study with 2,000 codings and a 20,000-word transcript, spent on the request
thread that starts a training and so holding the server's interpreter lock.
Training and ranking (:mod:`peerimpact.qual.suggest`) read only the study
definition (its speaker-turn setting), the transcripts, the codings, the
codebook and the memos (validated against the codings' segments), so
:func:`training_study` builds a :class:`~peerimpact.study.model.Study` with
those, exactly as ``build_study`` does (the same columns, cells and types:
the same model), and empty participant, questionnaire, service-use,
employment, allocation and contact tables. It is for suggestions only, never
for an export or a report.
"""

from __future__ import annotations

import pandas as pd

from ...errors import UserInputError
from ...study import Study, StudyDefinition, Transcript
from ...study.checks import empty_table, typed_table
from ...study.model import StudySource
from ...study.tables import ALLOCATIONS, CODINGS, CONTACTS, EMPLOYMENT, PARTICIPANTS, RESPONSES, SERVICE_USE
from ...study.write import format_cell
from ..records.models import Coding, StudyConfig
from ..records.models import Transcript as TranscriptRow
from ..services.yamltext import from_text

FIELDS = ("segment_id", "transcript__interview_id", "start", "end", "code", "coder", "extra")


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
    transcripts = {
        iid: Transcript(iid, site, pid, tp, text, sha, file)
        for iid, site, pid, tp, text, sha, file in TranscriptRow.objects.order_by("interview_id").values_list(
            "interview_id", "site", "participant__participant_id", "timepoint", "text", "sha256", "file")
    }
    rows = [{"segment_id": seg, "interview_id": iid, "start": s, "end": e, "code": code, "coder": coder, **(extra or {})}
            for seg, iid, s, e, code, coder, extra in Coding.objects.order_by("id").values_list(*FIELDS)]
    columns = list(config.coding_columns or CODINGS.column_names)
    for row in rows:  # columns that codings made in the browser add (version, timestamp, quote, origin ...)
        columns += [k for k in row if k not in columns]
    if rows:
        raw = pd.DataFrame([[format_cell(r.get(c)) for c in columns] for r in rows], columns=columns, dtype=object)
        codings = typed_table(raw, CODINGS)
    else:
        codings = empty_table(CODINGS)
    return Study(
        definition=definition, participants=empty_table(PARTICIPANTS), responses=empty_table(RESPONSES),
        service_use=empty_table(SERVICE_USE), employment=empty_table(EMPLOYMENT), allocations=empty_table(ALLOCATIONS),
        contacts=empty_table(CONTACTS), instruments={}, transcripts=transcripts, codings=codings,
        codebook=from_text(config.codebook_yaml), memos=from_text(config.memos_yaml),
        source=StudySource(None, "database (the parts suggestions learn from)"),
    )

"""What a suggestion model learns from: the study's own human-coded segments and uncoded passages.

Only codings whose ``origin`` is ``human`` are learned from (an accepted
suggestion is not evidence of its own model), under the current codebook
version (merged and renamed codes migrated).
"""

from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...study.model import Study
from ..codings import qual_data
from ..corpus import DEFAULT_TURN_PATTERN, speaker_turns
from .passages import MAX_PASSAGE_CHARS, PASSAGE_COLUMNS, WINDOW_SENTENCES, passages

SEGMENT_COLUMNS = ["interview_id", "segment_id", "start", "end", "codes", "text"]


@dataclass(frozen=True)
class TrainingSet:
    """Labelled text for the suggestion model.

    Attributes
    ----------
    segments : DataFrame
        One row per distinct human-coded span (``interview_id, start, end``):
        columns :data:`SEGMENT_COLUMNS`; ``codes`` is a sorted tuple of the
        codes any human coder gave that span, ``segment_id`` the first id.
    negatives : DataFrame
        Passages (:func:`~peerimpact.qual.suggest.passages.passages`) of the
        coded speakers in the training transcripts that no human coding
        touches: examples of text the team left uncoded.
    speakers : frozenset
        Speakers whose turns hold human codings (``None`` for text before any
        turn marker); only their passages are suggested.
    pattern : str
        The speaker-turn regular expression the transcripts were cut with
        (the study's :attr:`~peerimpact.study.definition.StudyDefinition.turn_regex`).
    """

    segments: pd.DataFrame
    negatives: pd.DataFrame
    speakers: frozenset
    pattern: str = DEFAULT_TURN_PATTERN

    def n_segments(self) -> dict[str, int]:
        """Number of training segments per code."""
        counts: dict[str, int] = {}
        for codes in self.segments["codes"]:
            for c in codes:
                counts[c] = counts.get(c, 0) + 1
        return dict(sorted(counts.items()))


def human_codings(study: Study) -> pd.DataFrame:
    """Codings under the current codebook version whose origin is ``human`` (all when no origin column)."""
    frame = qual_data(study).current
    if "origin" in frame.columns:
        frame = frame[frame["origin"].fillna("human").eq("human")]
    return frame


def _speaker_at(turns: pd.DataFrame, position: int):
    """Speaker of the turn in which ``position`` lies (``None`` before any marker)."""
    starts = turns["start"].tolist()
    i = bisect.bisect_right(starts, position) - 1
    return turns["speaker"].iloc[i] if i >= 0 else None


_PIECES: "weakref.WeakKeyDictionary[Study, dict]" = weakref.WeakKeyDictionary()


def _pieces(study: Study, pattern: str, max_chars: int, window: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every human-coded span (with its speaker) and every passage of the coded transcripts (with a ``touched`` flag).

    Computed once per study object and passage setting; folds of an evaluation filter these.
    """
    per_study = _PIECES.setdefault(study, {})
    key = (pattern, max_chars, window)
    if key in per_study:
        return per_study[key]
    codings = human_codings(study)
    rows = []
    frames = []
    for iid, group in codings.groupby("interview_id", sort=True):
        text = study.transcripts[iid].text
        turns = speaker_turns(text, pattern)
        for (s, e), seg in group.sort_values(["start", "end", "segment_id"]).groupby(["start", "end"], sort=True):
            speaker = _speaker_at(turns, int(s)) if len(turns) else None
            rows.append((iid, seg["segment_id"].iloc[0], int(s), int(e), tuple(sorted(set(seg["code"]))), text[int(s):int(e)], speaker))
        spans = sorted(zip(group["start"].astype(int), group["end"].astype(int)))
        frame = passages(text, iid, pattern, max_chars, window)
        frame["touched"] = [any(s < pe and e > ps for s, e in spans) for ps, pe in zip(frame["start"], frame["end"])]
        frames.append(frame)
    segments = pd.DataFrame(rows, columns=SEGMENT_COLUMNS + ["speaker"])
    every = pd.concat(frames, ignore_index=True) if frames else passages("", "").assign(touched=pd.Series(dtype=bool))
    per_study[key] = (segments, every)
    return segments, every


def training_set(
    study: Study,
    interviews: list[str] | None = None,
    exclude: list[str] | None = None,
    pattern: str | None = None,
    max_chars: int = MAX_PASSAGE_CHARS,
    window: int = WINDOW_SENTENCES,
) -> TrainingSet:
    """The training set from the human codings of ``study``.

    Parameters
    ----------
    study : Study
    interviews : list of str, optional
        Learn only from these transcripts (default: every coded transcript).
    exclude : list of str, optional
        Transcripts left out (the held-out transcript of an evaluation fold).
    pattern : str, optional
        The speaker-turn regular expression (default: the study's
        ``speakers`` / ``turn_pattern`` setting,
        :attr:`~peerimpact.study.definition.StudyDefinition.turn_regex`).
    max_chars, window
        How long turns are cut into passages (see
        :func:`~peerimpact.qual.suggest.passages.passages`).
    """
    if pattern is None:
        pattern = study.definition.turn_regex
    segments, every = _pieces(study, pattern, max_chars, window)
    if interviews is not None:
        segments = segments[segments["interview_id"].isin(set(interviews))]
        every = every[every["interview_id"].isin(set(interviews))]
    if exclude:
        segments = segments[~segments["interview_id"].isin(set(exclude))]
        every = every[~every["interview_id"].isin(set(exclude))]
    speakers = frozenset(segments["speaker"])
    negatives = every[~every["touched"].to_numpy(bool) & np.array([sp in speakers for sp in every["speaker"]], dtype=bool)]
    return TrainingSet(
        segments[SEGMENT_COLUMNS].reset_index(drop=True), negatives[PASSAGE_COLUMNS].reset_index(drop=True), speakers, pattern,
    )

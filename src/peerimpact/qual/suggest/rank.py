"""Suggestions: uncoded passages ranked by how likely each modelled code applies, with their reasons."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UserInputError
from ...study.model import Study
from ..codings import qual_data
from .model import THRESHOLD, SuggestModel, train
from .passages import passages

SUGGESTION_COLUMNS = ["interview_id", "code", "score", "rank", "start", "end", "speaker", "text", "model_version", "examples"]
#: How many similar human-coded segments are given as the reason of a suggestion.
N_EXAMPLES = 3

_MODELS: "weakref.WeakKeyDictionary[Study, SuggestModel]" = weakref.WeakKeyDictionary()


_CODED: "weakref.WeakKeyDictionary[Study, tuple[list[str], dict]]" = weakref.WeakKeyDictionary()


def _coded(study: Study) -> tuple[list[str], dict[tuple[str, str], list[tuple[int, int]]]]:
    """The codebook's code ids and every coding's span by (interview, code), computed once per study object."""
    found = _CODED.get(study)
    if found is None:
        data = qual_data(study)
        spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for iid, code, s, e in data.current[["interview_id", "code", "start", "end"]].itertuples(index=False):
            spans.setdefault((iid, code), []).append((int(s), int(e)))
        found = (list(data.codebook.code_ids), spans)
        _CODED[study] = found
    return found


def trained_model(study: Study) -> SuggestModel:
    """The default model of ``study``, trained once per study object."""
    model = _MODELS.get(study)
    if model is None:
        model = train(study)
        _MODELS[study] = model
    return model


@dataclass
class SuggestResult:
    """Suggestions and the model that made them.

    Attributes
    ----------
    suggestions : DataFrame
        Columns :data:`SUGGESTION_COLUMNS`, one row per passage × code with a
        score at or above the threshold; ordered by interview, then score
        (highest first). ``rank`` is 1 for the best suggestion of each
        interview. ``examples`` lists the most similar human-coded segments
        of the code (``segment_id, interview_id, start, end, similarity,
        quote``): the reason for the suggestion.
    model : SuggestModel
    threshold : float
    warnings : list of str
    """

    suggestions: pd.DataFrame
    model: SuggestModel
    threshold: float
    warnings: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model.version,
            "threshold": self.threshold,
            "codes": list(self.model.codes),
            "n_training_segments": self.model.n_segments,
            "skipped_codes": self.model.skipped,
            "warnings": list(self.warnings),
            "suggestions": [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in rec.items()}
                for rec in self.suggestions.to_dict("records")
            ],
        }


def candidate_passages(study: Study, model: SuggestModel, interviews: list[str]) -> pd.DataFrame:
    """Passages of the model's coded speakers in ``interviews``, cut with the model's speaker-turn pattern."""
    frames = [
        passages(study.transcripts[iid].text, iid, model.pattern, max_chars=model.params["max_passage_chars"], window=model.params["window_sentences"])
        for iid in interviews
    ]
    if not frames:
        return passages("", "")
    frame = pd.concat(frames, ignore_index=True)
    return frame[[sp in model.speakers for sp in frame["speaker"]]].reset_index(drop=True)


def score_passages(model: SuggestModel, frame: pd.DataFrame, threshold: float, codes: list[str] | None = None) -> tuple[pd.DataFrame, Any]:
    """Passage × code pairs scoring at least ``threshold`` (columns of ``frame`` plus ``code``, ``score``, ``row``).

    Also returns the passages' TF-IDF matrix (``row`` indexes it).
    """
    matrix = model.transform(frame["text"].tolist())
    scores = model.scores(matrix)
    wanted = [k for k, c in enumerate(model.codes) if codes is None or c in codes]
    rows, cols = np.nonzero(scores[:, wanted] >= threshold) if wanted else (np.array([], int), np.array([], int))
    ks = np.asarray(wanted, dtype=int)[cols] if wanted else cols
    hits = frame.iloc[rows].reset_index(drop=True).assign(
        code=[model.codes[k] for k in ks], score=scores[rows, ks], row=rows,
    )
    return hits, matrix


def similar_examples(model: SuggestModel, vectors, codes: list[str], n: int = N_EXAMPLES) -> list[list[dict[str, Any]]]:
    """For each row of ``vectors`` (TF-IDF rows of passages) and its code, the ``n`` most similar human-coded segments of that code.

    Similarity is the cosine of TF-IDF vectors (rows are l2-normalised, so a
    dot product); ties go to the earlier training segment.
    """
    out: list[list[dict[str, Any]]] = [[] for _ in codes]
    by_code: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        by_code.setdefault(code, []).append(i)
    examples = model.examples
    for code, rows in by_code.items():
        idx = np.flatnonzero(np.fromiter((code in cs for cs in examples["codes"]), dtype=bool, count=len(examples)))
        if not len(idx):
            continue
        sims = np.asarray((vectors[rows] @ model.example_matrix[idx].T).todense())
        for r, row in enumerate(rows):
            order = np.lexsort((idx, -sims[r]))[:n]
            out[row] = [
                {"segment_id": examples.at[idx[j], "segment_id"], "interview_id": examples.at[idx[j], "interview_id"],
                 "start": int(examples.at[idx[j], "start"]), "end": int(examples.at[idx[j], "end"]),
                 "similarity": float(sims[r, j]), "quote": examples.at[idx[j], "text"]}
                for j in order
            ]
    return out


def suggest(
    study: Study,
    interviews: list[str] | None = None,
    codes: list[str] | None = None,
    threshold: float = THRESHOLD,
    model: SuggestModel | None = None,
    n_examples: int = N_EXAMPLES,
    exclude_coded: bool = True,
) -> SuggestResult:
    """Suggest codes for the passages of ``study`` that are not yet coded with them.

    A passage is a candidate for code ``c`` when no coding of ``c`` (human or
    accepted suggestion, any coder) overlaps it. Nothing is written: a
    suggestion becomes a coding only when a coder accepts it.

    Parameters
    ----------
    study : Study
    interviews : list of str, optional
        Transcripts to suggest for (default: all).
    codes : list of str, optional
        Only these codes (ids of the current codebook).
    threshold : float
        Minimum score, in (0, 1).
    model : SuggestModel, optional
        Default: :func:`trained_model` (the study's human codings).
    n_examples : int
        Similar human-coded segments given as the reason.
    exclude_coded : bool
        Leave out passages already coded with the code (default). ``False``
        returns every passage at or above the threshold, for a caller that
        filters by what its user may see (the web app's blind coding).

    Raises
    ------
    UserInputError
        Unknown interview or code, or a threshold outside (0, 1).
    """
    if not 0 < threshold < 1:
        raise UserInputError(f"threshold {threshold!r} must lie strictly between 0 and 1")
    ids = list(study.transcripts) if interviews is None else list(interviews)
    for iid in ids:
        if iid not in study.transcripts:
            raise UserInputError(f"unknown interview {iid!r}")
    code_ids, spans = _coded(study)
    warnings: list[str] = []
    if codes is not None:
        for c in codes:
            if c not in code_ids:
                raise UserInputError(f"unknown code {c!r}; codes: {', '.join(code_ids)}")
    model = model or trained_model(study)
    for c in (codes or []):
        if c not in model.codes:
            warnings.append(f"no suggestions for {c}: {model.skipped.get(c, 'the team has not used it yet')}")
    frame = candidate_passages(study, model, sorted(ids))
    hits, matrix = score_passages(model, frame, threshold, codes)
    keep = np.array([
        not exclude_coded or not any(s < pe and e > ps for s, e in spans.get((iid, code), ()))
        for iid, code, ps, pe in hits[["interview_id", "code", "start", "end"]].itertuples(index=False)
    ], dtype=bool)
    hits = hits[keep].sort_values(["interview_id", "score", "start", "code"], ascending=[True, False, True, True], kind="mergesort")
    hits = hits.assign(
        rank=hits.groupby("interview_id").cumcount() + 1,
        model_version=model.version,
        examples=similar_examples(model, matrix[hits["row"].to_numpy()], hits["code"].tolist(), n_examples) if len(hits) else [],
    )
    out = hits[SUGGESTION_COLUMNS].reset_index(drop=True)
    out["score"] = out["score"].astype(float)
    return SuggestResult(out, model, threshold, warnings)

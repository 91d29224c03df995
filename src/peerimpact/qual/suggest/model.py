"""The suggestion model: per code, TF-IDF features and a logistic regression, trained on the study's codings.

The model is fitted on a :class:`~peerimpact.qual.suggest.training.TrainingSet`:
every human-coded segment is a positive example of its codes and a negative
example of the others; every uncoded passage is a negative example of all
codes. A code is modelled when it has at least :data:`MIN_SEGMENTS`
training segments. Everything is deterministic: the vectoriser has no
randomness and the solver is seeded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ...errors import UserInputError
from ...study.model import Study
from ..corpus import DEFAULT_TURN_PATTERN
from .passages import MAX_PASSAGE_CHARS, WINDOW_SENTENCES
from .training import TrainingSet, training_set

#: A code needs at least this many human-coded segments to get a model.
MIN_SEGMENTS = 5
#: Default threshold on the score (the classifier's probability) for a suggestion.
THRESHOLD = 0.5
#: The message when scikit-learn cannot fit the training set (too few or too short coded passages).
TOO_LITTLE = "too little coded text to learn from yet: code more passages first"
#: Model family, the prefix of every model version string.
FAMILY = "tfidf-logreg"

#: Parameters of the baseline model (part of the model version).
DEFAULT_PARAMS: dict[str, Any] = {
    "min_segments": MIN_SEGMENTS,
    "max_passage_chars": MAX_PASSAGE_CHARS,
    "window_sentences": WINDOW_SENTENCES,
    "ngram_range": [1, 2],
    "sublinear_tf": True,
    "min_df": 2,
    "C": 4.0,
    "class_weight": None,
    "seed": 0,
}


@dataclass(frozen=True)
class SuggestModel:
    """A trained suggestion model.

    Attributes
    ----------
    version : str
        ``tfidf-logreg-<16 hex>``: SHA-256 of the training data (spans, codes
        and text of every example), the parameters, the speaker-turn pattern
        and the scikit-learn version. Equal training data and parameters give
        an equal version.
    codes : tuple of str
        Modelled codes (at least ``min_segments`` training segments).
    n_segments : dict
        Training segments per code, for every code the team used.
    skipped : dict
        Codes without a model, with the reason.
    speakers : frozenset
        Speakers whose passages are suggested.
    params : dict
    pattern : str
        The speaker-turn regular expression passages are cut with (learned
        from and suggested for alike).
    """

    version: str
    codes: tuple[str, ...]
    n_segments: dict[str, int]
    skipped: dict[str, str]
    speakers: frozenset
    params: dict[str, Any]
    vectorizer: Any = field(repr=False)
    coef: np.ndarray = field(repr=False)  # (n_codes, n_features)
    intercept: np.ndarray = field(repr=False)  # (n_codes,)
    examples: pd.DataFrame = field(repr=False)  # the training segments
    example_matrix: Any = field(repr=False)  # their TF-IDF rows (l2-normalised)
    pattern: str = DEFAULT_TURN_PATTERN

    def transform(self, texts: list[str]):
        """TF-IDF rows (l2-normalised) of ``texts``."""
        return self.vectorizer.transform(texts)

    def scores(self, matrix) -> np.ndarray:
        """Probability that each code applies, ``(n_texts, n_codes)``, from TF-IDF rows."""
        if not self.codes:
            return np.zeros((matrix.shape[0], 0))
        z = np.asarray(matrix @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


def model_version(training: TrainingSet, params: dict[str, Any]) -> str:
    """Version string of a model trained on ``training`` with ``params`` (see :class:`SuggestModel`)."""
    h = hashlib.sha256()
    header = {"family": FAMILY, "params": params, "sklearn": sklearn.__version__, "turn_pattern": training.pattern}
    h.update(json.dumps(header, sort_keys=True).encode("utf-8"))
    for rec in training.segments.itertuples(index=False):
        h.update(json.dumps(["s", rec.interview_id, rec.start, rec.end, list(rec.codes), rec.text]).encode("utf-8"))
    for rec in training.negatives.itertuples(index=False):
        h.update(json.dumps(["n", rec.interview_id, rec.start, rec.end, rec.text]).encode("utf-8"))
    h.update(json.dumps(sorted("\x00" if s is None else s for s in training.speakers)).encode("utf-8"))
    return f"{FAMILY}-{h.hexdigest()[:16]}"


def permuted(training: TrainingSet, seed: int) -> TrainingSet:
    """The training set with the code labels shuffled among its segments (a negative control)."""
    rng = np.random.default_rng(seed)
    segs = training.segments.copy()
    segs["codes"] = [segs["codes"].iloc[i] for i in rng.permutation(len(segs))]
    return TrainingSet(segs, training.negatives, training.speakers, training.pattern)


def resolve_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """:data:`DEFAULT_PARAMS` with ``params`` applied; unknown keys are an error."""
    p = dict(DEFAULT_PARAMS)
    for key, value in (params or {}).items():
        if key not in DEFAULT_PARAMS:
            raise UserInputError(f"unknown suggestion model parameter {key!r}; parameters: {', '.join(DEFAULT_PARAMS)}")
        p[key] = value
    return p


def train(
    study: Study,
    params: dict[str, Any] | None = None,
    exclude: list[str] | None = None,
    permute_seed: int | None = None,
    pattern: str | None = None,
) -> SuggestModel:
    """Train a suggestion model on the human codings of ``study``.

    Parameters
    ----------
    study : Study
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`.
    exclude : list of str, optional
        Interview ids not learned from (the held-out transcript of an evaluation).
    permute_seed : int, optional
        Shuffle the code labels among the training segments with this seed: a
        negative control whose suggestions should agree with the coders only by chance.
    pattern : str, optional
        The speaker-turn regular expression (default: the study's ``speakers`` /
        ``turn_pattern`` setting, :attr:`~peerimpact.study.definition.StudyDefinition.turn_regex`).
    """
    p = resolve_params(params)
    training = training_set(study, exclude=exclude, pattern=pattern, max_chars=p["max_passage_chars"], window=p["window_sentences"])
    if permute_seed is not None:
        training = permuted(training, permute_seed)
    return fit(training, p)


def fit(training: TrainingSet, params: dict[str, Any] | None = None) -> SuggestModel:
    """Fit one logistic regression per code with enough segments.

    Parameters
    ----------
    training : TrainingSet
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS`.

    Raises
    ------
    UserInputError
        When there are no human codings to learn from, a parameter is unknown,
        or there is too little coded text to learn from (:data:`TOO_LITTLE`:
        no word or phrase left after pruning, or a code whose examples are all
        of one class); scikit-learn's ``ValueError`` is its ``__cause__``.
    """
    p = resolve_params(params)
    if training.segments.empty:
        raise UserInputError("no human codings to learn from: code some passages first (qual/codings.csv)")
    counts = training.n_segments()
    codes = tuple(c for c, n in counts.items() if n >= p["min_segments"])
    skipped = {c: f"{n} training segment(s); a model needs at least {p['min_segments']}" for c, n in counts.items() if n < p["min_segments"]}
    seg_texts = training.segments["text"].tolist()
    texts = seg_texts + training.negatives["text"].tolist()
    vectorizer = TfidfVectorizer(
        ngram_range=tuple(p["ngram_range"]), sublinear_tf=p["sublinear_tf"], min_df=p["min_df"],
        strip_accents="unicode", lowercase=True, dtype=np.float64,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError as exc:  # "After pruning, no terms remain" / "empty vocabulary"
        raise UserInputError(TOO_LITTLE) from exc
    n_seg = len(seg_texts)
    coef = np.zeros((len(codes), matrix.shape[1]))
    intercept = np.zeros(len(codes))
    for k, code in enumerate(codes):
        y = np.zeros(matrix.shape[0], dtype=np.int8)
        y[:n_seg] = [code in cs for cs in training.segments["codes"]]
        clf = LogisticRegression(C=p["C"], class_weight=p["class_weight"], solver="liblinear", random_state=p["seed"])
        try:
            clf.fit(matrix, y)
        except ValueError as exc:  # e.g. every example has the code: one class only
            raise UserInputError(TOO_LITTLE) from exc
        coef[k] = clf.coef_[0]
        intercept[k] = clf.intercept_[0]
    return SuggestModel(
        version=model_version(training, p), codes=codes, n_segments=counts, skipped=skipped,
        speakers=training.speakers, params=p, vectorizer=vectorizer, coef=coef, intercept=intercept,
        examples=training.segments.reset_index(drop=True), example_matrix=sparse.csr_matrix(matrix[:n_seg]),
        pattern=training.pattern,
    )

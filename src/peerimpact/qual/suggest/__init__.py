"""Code suggestions learned from the study's own human codings, computed on this machine only.

Nothing leaves the machine: the model is TF-IDF features and one logistic
regression per code (scikit-learn), trained on ``qual/codings.csv`` and the
transcripts. A suggestion is never a coding until a coder accepts it.

    from peerimpact.qual.suggest import suggest, suggest_eval

    suggest(study, interviews=["S1-PW01-T1"]).suggestions
    suggest_eval(study).table
"""

from .evaluate import EvalResult, suggest_eval
from .model import DEFAULT_PARAMS, MIN_SEGMENTS, THRESHOLD, SuggestModel, fit, model_version, train
from .passages import passages
from .rank import SuggestResult, suggest, trained_model
from .training import TrainingSet, training_set

__all__ = [
    "DEFAULT_PARAMS", "MIN_SEGMENTS", "THRESHOLD", "EvalResult", "SuggestModel", "SuggestResult", "TrainingSet",
    "fit", "model_version", "passages", "suggest", "suggest_eval", "train", "trained_model", "training_set",
]

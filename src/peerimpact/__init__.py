"""PeerImpact: longitudinal mixed-methods evaluation of a peer-worker workforce.

The public API is small and reads from one :class:`~peerimpact.study.Study`::

    import peerimpact
    study = peerimpact.load_study("demo-output/study")
    scores = peerimpact.score(study)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import PeerImpactError, Problem, StudyValidationError, UserInputError
from .study import Study, load_study

__all__ = [
    "__version__",
    "PeerImpactError",
    "Problem",
    "Study",
    "StudyValidationError",
    "UserInputError",
    "load_study",
    "score",
    "reliability",
    "analyse",
]


def __getattr__(name: str):  # lazy: keep `import peerimpact` fast
    if name == "score":
        from .scoring import score

        return score
    if name == "reliability":
        from .scoring.reliability import reliability

        return reliability
    if name == "analyse":
        from .quant import analyse

        return analyse
    raise AttributeError(name)

"""PeerImpact: longitudinal mixed-methods evaluation of a peer-worker workforce.

The public API is small and reads from one :class:`~peerimpact.study.Study`::

    import peerimpact
    study = peerimpact.load_study("demo-output/study")
    scores = peerimpact.score(study)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import PeerImpactError, Problem, StudyValidationError, UserInputError

# The packages above study/ register their validation stages with the study loader when
# imported (peerimpact.study.stages). This __init__ runs before any peerimpact.* module, so
# every caller of load_study, whichever module it imported, gets every check.
from .instruments import load_instruments as _register_instruments  # noqa: E402, F401
from .qual import codings as _register_qual  # noqa: E402, F401
from .qual import format_docs as _register_qual_docs  # noqa: E402, F401
from .quant import norms as _register_norms  # noqa: E402, F401
from .scoring import validate as _register_scoring  # noqa: E402, F401
from .study import Study, load_study
from .synthesis import model as _register_synthesis  # noqa: E402, F401

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

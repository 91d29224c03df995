"""Scoring: item responses -> subscale scores, response validation, reliability.

``score(study)`` is the long table every analysis starts from;
``check_responses`` / ``check_service_use`` are called by the study loader;
``reliability(study)`` gives Cronbach's alpha (Feldt CI) and McDonald's omega.
"""

from .engine import SCORE_COLUMNS, STATUSES, score, score_matrix, score_wide
from .validate import check_responses, check_service_use

__all__ = [
    "SCORE_COLUMNS",
    "STATUSES",
    "check_responses",
    "check_service_use",
    "score",
    "score_matrix",
    "score_wide",
]

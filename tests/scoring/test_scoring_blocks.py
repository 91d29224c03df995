"""Scoring in row blocks on several threads gives exactly the single-threaded result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerimpact.errors import StudyValidationError
from peerimpact.scoring.engine import score_matrix
from scoring_helpers import build_study

WEMWBS = [f"wemwbs_{i}" for i in range(1, 15)]
MBI = [f"mbi_hss_{i}" for i in range(1, 23)]


def random_study(n: int, seed: int, missing: float = 0.08):
    rng = np.random.default_rng(seed)
    data = {"participant_id": [f"P{i:04d}" for i in range(n)], "timepoint": ["T1"] * n}
    for cols, lo, hi in ((WEMWBS, 1, 5), (MBI, 0, 6)):
        for c in cols:
            values = rng.integers(lo, hi + 1, n).astype(float)
            values[rng.random(n) < missing] = np.nan
            data[c] = values
    data["mjs.personal"] = np.where(rng.random(n) < missing, np.nan, rng.integers(4, 21, n) / 4)
    return build_study(pd.DataFrame(data), ["wemwbs", "swemwbs", "mbi_hss", "mjs"])


@pytest.mark.parametrize("threads", [2, 3, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_blocks_do_not_change_any_number(seed, threads):
    study = random_study(101, seed)
    one, many = score_matrix(study, threads=1), score_matrix(study, threads=threads)
    assert one.outcomes == many.outcomes
    for name in ("scores", "answered", "missing", "status", "prescored"):
        np.testing.assert_array_equal(getattr(one, name), getattr(many, name))
    assert set(np.unique(one.status)) >= {0, 1, 2, 3, 4}  # every status occurs, so every branch ran


def test_problems_are_listed_in_the_single_threaded_order():
    study = random_study(60, 2, missing=0.0)
    frame = study.responses.copy()
    frame.loc[[5, 40], "wemwbs_3"] = 9  # out of range, seen by two different blocks
    frame.loc[[1, 59], "mbi_hss_2"] = -1
    bad = build_study(frame, ["wemwbs", "swemwbs", "mbi_hss", "mjs"])
    with pytest.raises(StudyValidationError) as one:
        score_matrix(bad, threads=1)
    with pytest.raises(StudyValidationError) as many:
        score_matrix(bad, threads=4)
    assert many.value.problems == one.value.problems
    assert {(p.row, p.column) for p in one.value.problems} == {
        (7, "wemwbs_3"), (42, "wemwbs_3"), (3, "mbi_hss_2"), (61, "mbi_hss_2")}

"""The engine against a naive, row-by-row implementation of the documented rule, on random instruments.

The reference reads docs/instruments.md literally: reverse first, then a subscale with more
than ``missing_items_allowed`` items missing (or none answered; any missing for a lookup) is
``too_many_missing``; otherwise a sum is the mean of the answered items times the number of
items, a mean is the mean of the answered items, a lookup converts the raw sum. Random
instruments vary the minimum (-5 to 3), the width, the number of items (1 to 300, so over
255), reverse-scored items and the method; columns come as float64, Int16 (with arbitrary
data under the mask), nullable Float64 or object, or are absent; studies have 0 to 40 rows.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from peerimpact.instruments import InstrumentDefinition
from peerimpact.scoring import score, score_wide
from peerimpact.scoring.engine import STATUSES, score_matrix
from peerimpact.study.model import Study
from scoring_helpers import _EMPTY, definition


def random_instrument(rng: np.random.Generator, iid: str, integer: bool) -> InstrumentDefinition:
    lo = int(rng.integers(-5, 4))
    hi = lo + int(rng.integers(1, 7))
    n_items = int(rng.choice([1, 2, 3, 5, 14, 260, 300])) if rng.random() < 0.3 else int(rng.integers(1, 8))
    items = [str(i) for i in range(1, n_items + 1)]
    subscales = []
    for s in range(int(rng.integers(1, 4))):
        chosen = sorted(rng.choice(items, size=int(rng.integers(1, n_items + 1)), replace=False).tolist(), key=int)
        method = str(rng.choice(["sum", "mean", "lookup"] if integer and len(chosen) <= 20 else ["sum", "mean"]))
        sub = {"id": f"s{s}", "label": f"s{s}", "items": chosen, "reverse": [i for i in chosen if rng.random() < 0.4],
               "method": method}
        if method == "lookup":
            sub["lookup"] = {r: float(rng.normal()) for r in range(len(chosen) * lo, len(chosen) * hi + 1)}
        subscales.append(sub)
    return InstrumentDefinition(id=iid, name=iid, citation="synthetic", licence="synthetic", response_min=lo,
                                response_max=hi, integer_responses=integer, items=items, subscales=subscales)


def naive(responses: pd.DataFrame, instruments: dict, allowed: int) -> dict[str, list[tuple]]:
    out = {}
    for defn in instruments.values():
        for sub in defn.subscales:
            columns = [defn.item_column(i) for i in sub.items]
            if not any(c in responses.columns for c in columns):
                continue
            rows = []
            for r in range(len(responses)):
                values = []
                for item, column in zip(sub.items, columns):
                    v = responses[column].iloc[r] if column in responses.columns else None
                    if v is None or pd.isna(v):
                        continue
                    v = float(v)
                    values.append(defn.response_min + defn.response_max - v if item in sub.reverse else v)
                n, answered = len(columns), len(values)
                if n - answered > (0 if sub.method == "lookup" else allowed) or answered == 0:
                    rows.append((math.nan, answered, n - answered, "too_many_missing"))
                    continue
                total = sum(values)
                if sub.method == "sum":
                    value = total / answered * n
                elif sub.method == "mean":
                    value = total / answered
                else:  # lookup
                    value = sub.lookup[int(round(total))]
                rows.append((value, answered, n - answered, "complete" if answered == n else "prorated"))
            out[f"{defn.id}.{sub.id}"] = rows
    return out


def column(rng: np.random.Generator, defn: InstrumentDefinition, n: int, p_missing: float):
    if defn.integer_responses:
        values = rng.integers(defn.response_min, defn.response_max + 1, n).astype(float)
    else:
        values = np.round(rng.uniform(defn.response_min, defn.response_max, n), 2)
    missing = rng.random(n) < p_missing
    values[missing] = np.nan
    kind = rng.random()
    if kind < 0.15 and defn.integer_responses:  # Int16 made elsewhere: any data under the mask
        data = np.where(missing, rng.integers(-32768, 32767, n), np.nan_to_num(values)).astype(np.int16)
        return pd.arrays.IntegerArray(data, missing)
    if kind < 0.25:
        return pd.array([None if m else v for v, m in zip(values, missing)], dtype="Float64")
    if kind < 0.3:
        return np.array([None if m else v for v, m in zip(values, missing)], dtype=object)
    return values


@pytest.mark.parametrize("seed", range(60))
def test_engine_equals_the_naive_rule(seed):
    rng = np.random.default_rng(seed)
    instruments = {f"q{j}": random_instrument(rng, f"q{j}", bool(rng.random() < 0.7)) for j in range(int(rng.integers(1, 3)))}
    n = int(rng.choice([0, 1, 2, 7, 40]))
    allowed = int(rng.choice([0, 1, 2, 1000]))
    p_missing = float(rng.choice([0.0, 0.1, 0.5, 1.0]))
    data: dict[str, object] = {"participant_id": [f"p{rng.integers(0, 10)}" for _ in range(n)],
                               "timepoint": [str(rng.choice(["T1", "T2", "T3"])) for _ in range(n)]}
    for defn in instruments.values():
        for c in defn.item_columns():
            if rng.random() >= 0.05:  # else absent
                data[c] = column(rng, defn, n, p_missing)
    responses = pd.DataFrame(data)
    expected = naive(responses, instruments, allowed)
    study = Study(definition=definition(list(instruments), allowed), participants=pd.DataFrame({"participant_id": []}),
                  responses=responses, service_use=_EMPTY["SERVICE_USE"], employment=_EMPTY["EMPLOYMENT"],
                  allocations=_EMPTY["ALLOCATIONS"], contacts=_EMPTY["CONTACTS"], instruments=instruments,
                  transcripts={}, codings=_EMPTY["CODINGS"])
    for threads in (1, 3):
        m = score_matrix(study, threads=threads)
        assert m.outcomes == list(expected)
        for j, outcome in enumerate(m.outcomes):
            rows = expected[outcome]
            np.testing.assert_allclose(m.scores[j], [r[0] for r in rows], rtol=1e-9, atol=1e-9, err_msg=outcome)
            assert m.answered[j].tolist() == [r[1] for r in rows]
            assert m.missing[j].tolist() == [r[2] for r in rows]
            assert [STATUSES[s] for s in m.status[j]] == [r[3] for r in rows]
    assert len(score(study)) == n * len(expected) and len(score_wide(study)) == n


def test_the_default_blocks_of_a_large_study_change_nothing():
    """At least PARALLEL_MIN_ROWS rows: the default (threads=None) path against one block."""
    from peerimpact.scoring.engine import PARALLEL_MIN_ROWS, _threads
    from scoring_helpers import build_study

    rng = np.random.default_rng(1)
    n = PARALLEL_MIN_ROWS + 1234
    frame = {"participant_id": np.arange(n).astype(str), "timepoint": ["T1"] * n}
    for i in range(1, 15):
        values = rng.integers(1, 6, n).astype(float)
        values[rng.random(n) < 0.05] = np.nan
        frame[f"wemwbs_{i}"] = values
    study = build_study(frame, ["wemwbs", "swemwbs"])
    assert _threads(n, None) == min(len(os.sched_getaffinity(0)), 8)  # 2 blocks on a 2-core machine
    one, default = score_matrix(study, threads=1), score_matrix(study)
    for name in ("scores", "answered", "missing", "status"):
        np.testing.assert_array_equal(getattr(one, name), getattr(default, name))

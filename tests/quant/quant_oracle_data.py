"""Deterministic datasets for the R oracles of the quantitative analysis.

Each dataset is a small generated study with its own timepoint set, size and
missingness. ``write_inputs(folder)`` writes the CSVs the R scripts read; the
committed copies live in ``tests/oracle/inputs/quant_*.csv`` and a test checks
that this generator still reproduces them byte for byte.

Regenerate inputs and golden outputs deliberately with
``python tests/quant/quant_regenerate.py`` (a changed number is a changed
research result: review the diff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
ORACLE = REPO / "tests" / "oracle"
INPUTS = ORACLE / "inputs"
GOLDEN = ORACLE / "golden"


@dataclass(frozen=True)
class OutcomeSpec:
    outcome: str
    mean: float
    sd_between: float
    sd_within: float
    shift: tuple[float, ...]  # mean change at each timepoint (first = 0)
    decimals: int | None  # rounding of scores: integers give ties and zero changes
    low: float
    high: float
    norm: tuple[float, float, int | None] | None  # (mean, sd, n)
    alpha: float | None


@dataclass(frozen=True)
class Dataset:
    name: str
    seed: int
    n: int
    timepoints: tuple[tuple[str, float], ...]
    comparisons: tuple[tuple[str, str], ...]
    missing: float  # probability a later score is missing
    outcomes: tuple[OutcomeSpec, ...]
    empty: dict[str, tuple[str, ...]] = field(default_factory=dict)  # outcome -> timepoints with no score


WEMWBS = OutcomeSpec("wemwbs.total", 50, 7, 5, (0, -3.5, -1, 0.5), 0, 14, 70, (51.6, 8.71, None), 0.89)
EE = OutcomeSpec("mbi_hss.emotional_exhaustion", 20, 8, 5, (0, 2, 3, 1), 0, 0, 54, None, 0.87)
DP = OutcomeSpec("mbi_hss.depersonalisation", 5, 3, 2.5, (0, 1.5, 2, 1), 0, 0, 30, None, 0.71)
PERSONAL = OutcomeSpec("mjs.personal", 4.1, 0.5, 0.35, (0, -0.2, -0.1, 0), None, 1, 5, (3.7, 0.65, 240), None)
LEADERSHIP = OutcomeSpec("itpps.leadership", 4.0, 0.0, 0.6, (0, 0.1, -0.1, 0), 4, 1, 5, (3.8, 0.77, None), 0.8)
LIKERT = OutcomeSpec("mjs.pay", 3.5, 0.6, 0.7, (0, 0, -0.2, 0), 0, 1, 5, (3.4, 0.66, 50), None)
COORD = OutcomeSpec("itpps.coordination", 4.0, 0.4, 0.4, (0, 0.1, 0.2, 0.3), 2, 1, 5, (3.9, 0.75, None), 0.85)
# Participant SD small next to the residual SD: theta of about 0.008 and 0.08 with seed 85, not singular.
# Satterthwaite's df is hardest to get right there (the deviance is nearly flat in theta).
TINY_BETWEEN = OutcomeSpec("wemwbs.total", 50, 0.5, 5, (0, -1.5, -1), None, 14, 70, None, None)
SMALL_BETWEEN = OutcomeSpec("mbi_hss.emotional_exhaustion", 20, 1.2, 5, (0, 2, 1), None, 0, 54, None, None)

DATASETS = (
    Dataset("three_timepoints", 20240601, 30, (("baseline", 0), ("m6", 6), ("m18", 18)),
            (("baseline", "m18"), ("m6", "m18")), 0.25, (WEMWBS, EE, DP, PERSONAL, LEADERSHIP)),
    Dataset("two_timepoints_large", 7, 80, (("T1", 0), ("T2", 4)), (("T1", "T2"),), 0.2, (WEMWBS, PERSONAL, EE)),
    Dataset("four_timepoints_sparse", 99, 14, (("w0", 0), ("w1", 1), ("w2", 2), ("w3", 3)),
            (("w0", "w1"), ("w0", "w2"), ("w0", "w3"), ("w2", "w3")), 0.4, (LIKERT, COORD, DP),
            empty={"itpps.coordination": ("w2",)}),
    Dataset("small_participant_variance", 85, 40, (("T1", 0), ("T2", 4), ("T3", 12)), (("T1", "T2"),), 0.2,
            (TINY_BETWEEN, SMALL_BETWEEN)),
)


def dataset_scores(ds: Dataset) -> pd.DataFrame:
    """The long scores table of a dataset (every cell present, NaN = missing)."""
    rng = np.random.default_rng(ds.seed)
    ids = [f"{ds.name[:2]}{i:03d}" for i in range(1, ds.n + 1)]
    rows = []
    for spec in ds.outcomes:
        person = rng.normal(0, spec.sd_between, ds.n) if spec.sd_between else np.zeros(ds.n)
        for k, (tp, _month) in enumerate(ds.timepoints):
            noise = rng.normal(0, spec.sd_within, ds.n)
            lost = rng.random(ds.n) < (ds.missing if k else 0.05)
            x = np.clip(spec.mean + spec.shift[k] + person + noise, spec.low, spec.high)
            if spec.decimals is not None:
                x = np.round(x, spec.decimals)
            x[lost] = np.nan
            if tp in ds.empty.get(spec.outcome, ()):
                x[:] = np.nan
            rows += [(ds.name, p, tp, spec.outcome, v) for p, v in zip(ids, x, strict=False)]
    return pd.DataFrame(rows, columns=["dataset", "participant_id", "timepoint", "outcome", "score"])


#: Hand-made edge cases (pre, post) for 6 participants: R's special branches.
#: Not used for mixed models (the lmer oracle skips datasets named ``edge*``).
EDGE_CASES = {
    "edge.all_zero": ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]),  # t: "essentially constant"; Wilcoxon: NaN
    "edge.constant": ([1, 2, 3, 4, 5, 6], [3, 4, 5, 6, 7, 8]),  # t: constant; Wilcoxon: all ties
    "edge.one_pair": ([3, 4, None, None, None, None], [4, None, 5, None, None, None]),  # n = 1
    "edge.some_zeros": ([10, 11, 12, 13, 14, 15], [10, 12.5, 10.25, 16, 14, 21.5]),  # zeros: normal approx
    "edge.exact_small": ([1.1, 2.3, 3.7, 4.2, 5.9, 6.4], [2.05, 1.9, 5.1, 4.0, 9.3, 6.45]),  # exact
    "edge.p_one": ([1, 2, 3, 4, 5, 6], [2.5, 0.5, 4.25, 2.75, 5.125, 5.875]),  # V = n(n+1)/4: p = 1
}
EDGE_TIMEPOINTS = (("pre", 0.0), ("post", 1.0))


def edge_scores() -> pd.DataFrame:
    rows = []
    for outcome, (pre, post) in EDGE_CASES.items():
        for tp, values in zip(("pre", "post"), (pre, post), strict=False):
            rows += [("edges", f"e{i + 1}", tp, outcome, np.nan if v is None else float(v)) for i, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["dataset", "participant_id", "timepoint", "outcome", "score"])


def all_inputs() -> dict[str, pd.DataFrame]:
    """The oracle input tables by file name."""
    scores = pd.concat([dataset_scores(ds) for ds in DATASETS] + [edge_scores()], ignore_index=True)
    tps = pd.DataFrame([(ds.name, t, m, k) for ds in DATASETS for k, (t, m) in enumerate(ds.timepoints)]
                       + [("edges", t, m, k) for k, (t, m) in enumerate(EDGE_TIMEPOINTS)],
                       columns=["dataset", "timepoint", "month", "level"])
    comps = pd.DataFrame([(ds.name, a, b) for ds in DATASETS for a, b in ds.comparisons] + [("edges", "pre", "post")],
                         columns=["dataset", "from", "to"])
    norms = pd.DataFrame(
        [(ds.name, o.outcome, *o.norm) for ds in DATASETS for o in ds.outcomes if o.norm is not None],
        columns=["dataset", "outcome", "norm_mean", "norm_sd", "norm_n"],
    )
    alphas = pd.DataFrame(
        [(ds.name, o.outcome, o.alpha) for ds in DATASETS for o in ds.outcomes if o.alpha is not None],
        columns=["dataset", "outcome", "alpha"],
    )
    return {
        "quant_scores.csv": scores,
        "quant_timepoints.csv": tps,
        "quant_comparisons.csv": comps,
        "quant_norms.csv": norms,
        "quant_alphas.csv": alphas,
    }


DEMO_INPUTS = INPUTS / "quant_demo"


def demo_inputs(study, scores: pd.DataFrame, reliability: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Oracle inputs for the demo study: its scores, timepoints, comparisons, norms and alphas.

    Alphas are those at each outcome's baseline (the demo compares the baseline with every later
    timepoint); norms are the ones in force for the study.
    """
    from peerimpact.quant.norms import norms_for

    d = study.definition
    name = "demo"
    sc = scores[["participant_id", "timepoint", "outcome", "score"]].copy()
    sc.insert(0, "dataset", name)
    tps = pd.DataFrame([(name, t.id, t.month, k) for k, t in enumerate(d.ordered_timepoints)],
                       columns=["dataset", "timepoint", "month", "level"])
    comps = pd.DataFrame([(name, a, b) for a, b in d.comparison_pairs], columns=["dataset", "from", "to"])
    norms = norms_for(study)[["outcome", "norm_mean", "norm_sd", "norm_n"]]
    norms.insert(0, "dataset", name)
    alphas = pd.DataFrame(columns=["dataset", "outcome", "alpha"])
    if reliability is not None and len(reliability):
        r = reliability[(reliability["timepoint"] == d.baseline_id) & reliability["alpha"].notna()]
        alphas = pd.DataFrame({"dataset": name, "outcome": r["outcome"].to_numpy(), "alpha": r["alpha"].to_numpy()})
    return {
        "quant_scores.csv": sc,
        "quant_timepoints.csv": tps,
        "quant_comparisons.csv": comps,
        "quant_norms.csv": norms,
        "quant_alphas.csv": alphas,
    }


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with full float precision (repr) and ``NA`` for missing, as R reads it."""
    return frame.to_csv(index=False, na_rep="NA", lineterminator="\n", float_format=None)


def write_inputs(folder: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (all_inputs() if tables is None else tables).items():
        (folder / name).write_text(csv_text(frame), encoding="utf-8")
    return folder

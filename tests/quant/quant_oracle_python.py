"""Run the Python analysis on the oracle datasets, in the shape of the R outputs."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from peerimpact.quant.attrition import attrition
from peerimpact.quant.change import paired_change
from peerimpact.quant.descriptives import descriptives
from peerimpact.quant.models import mixed_models
from peerimpact.quant.reliable_change import reliable_change
from quant_builders import definition
from quant_oracle_data import INPUTS


@lru_cache(maxsize=4)
def inputs(folder: Path = INPUTS) -> dict[str, pd.DataFrame]:
    read = lambda name, **kw: pd.read_csv(folder / name, keep_default_na=False, na_values=["NA"], **kw)  # noqa: E731
    ids = {"dataset": str, "participant_id": str, "timepoint": str, "outcome": str, "from": str, "to": str}
    return {
        "scores": read("quant_scores.csv", dtype=ids),
        "timepoints": read("quant_timepoints.csv", dtype=ids),
        "comparisons": read("quant_comparisons.csv", dtype=ids),
        "norms": read("quant_norms.csv", dtype=ids),
        "alphas": read("quant_alphas.csv", dtype=ids),
    }


def dataset(name: str, folder: Path = INPUTS):
    """(definition, scores, participants) of one oracle dataset."""
    data = inputs(folder)
    tps = data["timepoints"].query("dataset == @name").sort_values("level")
    comps = data["comparisons"].query("dataset == @name")
    defn = definition(
        timepoints=list(zip(tps["timepoint"], tps["month"], strict=False)),
        sites=("1",),
        comparisons=[[a, b] for a, b in zip(comps["from"], comps["to"], strict=False)],
    )
    scores = data["scores"].query("dataset == @name").drop(columns="dataset").reset_index(drop=True)
    ids = list(pd.unique(scores["participant_id"]))
    participants = pd.DataFrame({"participant_id": ids, "site": "1"})
    return defn, scores, participants


@lru_cache(maxsize=None)
def change(name: str, effect_size_sd: str = "paired_baseline", folder: Path = INPUTS) -> pd.DataFrame:
    defn, scores, _ = dataset(name, folder)
    return paired_change(scores, defn, effect_size_sd=effect_size_sd)


@lru_cache(maxsize=None)
def reliable(name: str, folder: Path = INPUTS) -> pd.DataFrame:
    defn, scores, _ = dataset(name, folder)
    al = inputs(folder)["alphas"].query("dataset == @name")
    return reliable_change(scores, defn, alphas=dict(zip(al["outcome"], al["alpha"], strict=False)))[0]


@lru_cache(maxsize=None)
def describe(name: str, folder: Path = INPUTS) -> pd.DataFrame:
    defn, scores, _ = dataset(name, folder)
    norms = inputs(folder)["norms"].query("dataset == @name").drop(columns="dataset").assign(norm_source="oracle")
    return descriptives(scores, defn, norms=norms)


@lru_cache(maxsize=None)
def attrition_scores(name: str, folder: Path = INPUTS) -> pd.DataFrame:
    defn, scores, participants = dataset(name, folder)
    return attrition(scores, participants, defn)["baseline_scores"]


@lru_cache(maxsize=None)
def models(name: str, engine: str, folder: Path = INPUTS) -> tuple[pd.DataFrame, tuple[str, ...]]:
    defn, scores, _ = dataset(name, folder)
    messages: list[str] = []
    return mixed_models(scores, defn, engine=engine, warnings=messages), tuple(messages)


def close(python: float | None, r: float | None, rtol: float, atol: float = 1e-12) -> bool:
    """Equal within ``rtol`` (relative) or ``atol``; None/NaN only equals None/NaN."""
    p_missing = python is None or (isinstance(python, float) and math.isnan(python))
    if p_missing or r is None:
        return p_missing and r is None
    return abs(python - r) <= max(rtol * max(abs(python), abs(r)), atol)


def one(frame: pd.DataFrame, **match) -> pd.Series:
    sel = np.ones(len(frame), dtype=bool)
    for k, v in match.items():
        sel &= (frame[k] == v).to_numpy()
    rows = frame[sel]
    if len(rows) != 1:
        raise LookupError(f"{len(rows)} rows match {match}")
    return rows.iloc[0]

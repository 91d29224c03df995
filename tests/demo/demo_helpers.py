"""Independent readers and scorers for the demo study's files (not using peerimpact's own).

Scoring keys are typed here from docs/facts.md, so a mistake in the generator's
key would show up as a disagreement rather than be copied.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

WEMWBS_ITEMS = list(range(1, 15))
MBI_KEY = {
    "mbi_hss.emotional_exhaustion": [1, 2, 3, 6, 8, 13, 14, 16, 20],
    "mbi_hss.depersonalisation": [5, 10, 11, 15, 22],
    "mbi_hss.personal_accomplishment": [4, 7, 9, 12, 17, 18, 19, 21],
}


def read_csv(files: dict[str, str], name: str) -> pd.DataFrame:
    """A demo CSV with ids kept as text and empty cells as NaN."""
    return pd.read_csv(io.StringIO(files[name]), dtype={"participant_id": str, "worker_id": str, "site": str})


def prorated_sum(items: pd.DataFrame, allowed_missing: int = 1) -> pd.Series:
    """Sum of item responses, prorated (mean of answered x number of items) when at most
    ``allowed_missing`` items are blank; NaN otherwise."""
    n_missing = items.isna().sum(axis=1)
    score = items.mean(axis=1) * items.shape[1]
    return score.where(n_missing <= allowed_missing)


def scores(files: dict[str, str]) -> pd.DataFrame:
    """Wide table: participant_id, timepoint and one column per outcome."""
    r = read_csv(files, "responses.csv")
    out = r[["participant_id", "timepoint"]].copy()
    out["wemwbs.total"] = prorated_sum(r[[f"wemwbs_{i}" for i in WEMWBS_ITEMS]])
    for outcome, key in MBI_KEY.items():
        out[outcome] = prorated_sum(r[[f"mbi_hss_{i}" for i in key]])
    for col in r.columns:
        if "." in col:
            out[col] = r[col]
    return out


def paired(wide: pd.DataFrame, outcome: str, before: str, after: str) -> tuple[np.ndarray, np.ndarray]:
    a = wide[wide.timepoint == before].set_index("participant_id")[outcome]
    b = wide[wide.timepoint == after].set_index("participant_id")[outcome]
    both = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
    return both["a"].to_numpy(), both["b"].to_numpy()

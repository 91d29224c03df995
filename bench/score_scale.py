"""Benchmark: scoring 1,000,000 participants x 3 timepoints x 36 items.

WEMWBS (14 items, 1-5) and MBI-HSS (22 items, 0-6) with 2% of item responses
missing, scored by :func:`peerimpact.scoring.score` into the long table (four
outcomes per row: 12 million rows). The Study is built in memory in the
representation every ``Study`` holds (:mod:`peerimpact.study.responses`):
item columns as nullable ``Int16``, ``participant_id`` and ``timepoint`` as
categoricals. Building it from float64 columns instead (what ``Study``
normalises on construction) is timed separately.

Printed:

* wall time of ``score(study)`` and of a minimal numpy kernel run in the same
  process on the same responses (row sums of the int8 item matrix), and
  their ratio (target: scoring <= 3x the kernel);
* CPU time (user + system) beside wall time, since the machine may be shared;
* peak resident memory while scoring (Linux: VmHWM after resetting it via
  ``/proc/self/clear_refs``, with glibc's free memory trimmed first), against
  the raw data size (target: <= 3x).

Run: ``.venv/bin/python bench/score_scale.py [--participants N]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from benchutil import cpu_seconds, in_memory_study, peak_rss_mib, reset_peak, rss_mib, trim_heap

from peerimpact.instruments import load_instruments
from peerimpact.scoring import score
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.model import Study

MIB = 1024 * 1024
TIMEPOINTS = ("T1", "T2", "T3")


def make_items(n_rows: int, seed: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """int8 item matrix (n_rows x 36), column names, and the 2% missing mask."""
    rng = np.random.default_rng(seed)
    columns = [f"wemwbs_{i}" for i in range(1, 15)] + [f"mbi_hss_{i}" for i in range(1, 23)]
    items = np.empty((n_rows, len(columns)), dtype=np.int8)
    items[:, :14] = rng.integers(1, 6, size=(n_rows, 14), dtype=np.int8)
    items[:, 14:] = rng.integers(0, 7, size=(n_rows, 22), dtype=np.int8)
    missing = rng.random((n_rows, len(columns)), dtype=np.float32) < 0.02
    return items, columns, missing


def make_responses(items: np.ndarray, columns: list[str], missing: np.ndarray, n_participants: int,
                   as_float: bool = False) -> pd.DataFrame:
    """The responses table; ``as_float`` gives float64 item columns and object ids, for Study to normalise."""
    ids = np.array([f"P{i:07d}" for i in range(1, n_participants + 1)], dtype=object)
    data: dict[str, object] = {}
    if as_float:
        data["participant_id"] = np.repeat(ids, len(TIMEPOINTS))
        data["timepoint"] = np.tile(np.array(TIMEPOINTS, dtype=object), n_participants)
    else:
        data["participant_id"] = pd.Categorical.from_codes(
            np.repeat(np.arange(n_participants, dtype=np.int32), len(TIMEPOINTS)), categories=pd.Index(ids))
        data["timepoint"] = pd.Categorical.from_codes(
            np.tile(np.arange(len(TIMEPOINTS), dtype=np.int8), n_participants), categories=list(TIMEPOINTS))
    for j, col in enumerate(columns):
        if as_float:
            values = items[:, j].astype(np.float64)
            values[missing[:, j]] = np.nan
            data[col] = values
        else:
            data[col] = pd.arrays.IntegerArray(items[:, j].astype(np.int16), missing[:, j].copy())
    return pd.DataFrame(data)


def make_study(items: np.ndarray, columns: list[str], missing: np.ndarray, n_participants: int,
               responses: pd.DataFrame | None = None) -> Study:
    if responses is None:
        responses = make_responses(items, columns, missing, n_participants)
    ids = np.array([f"P{i:07d}" for i in range(1, n_participants + 1)], dtype=object)
    definition = StudyDefinition(
        title="benchmark",
        synthetic=True,
        sites=[{"id": "1", "name": "One"}],
        timepoints=[{"id": t, "label": t, "month": float(m)} for t, m in zip(TIMEPOINTS, (0, 4, 12))],
        instruments=["wemwbs", "mbi_hss"],
    )
    return in_memory_study(definition, ids, responses, load_instruments())


@dataclass
class Run:
    wall: float
    cpu: float
    rss_before: float = 0.0
    rss_peak: float = 0.0
    output_bytes: int = 0
    rows: int = 0


def measure(fn, repeat: int) -> Run:
    """Best wall and CPU time over ``repeat`` runs; memory of the first run."""
    best = Run(float("inf"), float("inf"))
    for i in range(repeat):
        trim_heap()
        before = rss_mib()
        reset_peak()
        cpu0, start = cpu_seconds(), time.perf_counter()
        result = fn()
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
        if i == 0:
            best.rss_before, best.rss_peak = before, peak_rss_mib()
            if isinstance(result, pd.DataFrame):
                best.output_bytes = int(result.memory_usage(index=False, deep=False).sum())
                best.rows = len(result)
        best.wall, best.cpu = min(best.wall, wall), min(best.cpu, cpu)
        del result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (best is reported)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    n_rows = args.participants * len(TIMEPOINTS)
    items, columns, missing = make_items(n_rows, args.seed)
    study = make_study(items, columns, missing, args.participants)
    floats = make_responses(items, columns, missing, args.participants, as_float=True)
    cpu0, start = cpu_seconds(), time.perf_counter()
    make_study(items, columns, missing, args.participants, responses=floats)
    build = (time.perf_counter() - start, cpu_seconds() - cpu0)
    del floats, missing
    small_items, small_columns, small_missing = make_items(30, args.seed)
    score(make_study(small_items, small_columns, small_missing, 10))  # warm-up: imports, instrument parsing

    responses_bytes = int(study.responses.memory_usage(index=False, deep=False).sum())
    kernel = measure(lambda: items.sum(axis=1, dtype=np.int16), args.repeat)
    runs = {"score(study)": measure(lambda: score(study), args.repeat)}

    print(f"participants x timepoints x items : {args.participants:,} x {len(TIMEPOINTS)} x {len(columns)} (2% missing)")
    print(f"long table rows                   : {runs['score(study)'].rows:,}")
    print(f"raw items as int8                 : {items.nbytes / MIB:,.0f} MiB")
    print(f"study.responses (Int16 + ids)     : {responses_bytes / MIB:,.0f} MiB")
    print(f"building it from float64 columns  : wall {build[0]:.3f} s, cpu {build[1]:.3f} s "
          "(once, when a Study is made; not part of scoring)")
    print(f"numpy kernel (int8 row sums)      : wall {kernel.wall:.3f} s, cpu {kernel.cpu:.3f} s")
    for name, run in runs.items():
        print(f"{name}")
        print(f"  time                            : wall {run.wall:.3f} s, cpu {run.cpu:.3f} s")
        print(f"  ratio to kernel (target <= 3x)  : wall {run.wall / kernel.wall:.1f}x, cpu {run.cpu / kernel.cpu:.1f}x")
        print(f"  output table                    : {run.output_bytes / MIB:,.0f} MiB")
        print(f"  RSS before -> peak              : {run.rss_before:,.0f} -> {run.rss_peak:,.0f} MiB "
              f"(+{run.rss_peak - run.rss_before:,.0f} MiB)")
        print(f"  peak RSS / study.responses      : {run.rss_peak * MIB / responses_bytes:.2f}x (target <= 3x); "
              f"peak RSS / int8 items: {run.rss_peak * MIB / items.nbytes:.1f}x")
        print(f"  memory added / int8 items       : {(run.rss_peak - run.rss_before) * MIB / items.nbytes:.2f}x "
              "(the output table alone is 12 million rows)")


if __name__ == "__main__":
    main()

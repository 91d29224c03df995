"""Benchmark: quantitative analysis of 100,000 participants x 3 timepoints x 20 outcomes.

The study is built in memory: WEMWBS (14 items; also scored as SWEMWBS), MBI-HSS
(22 items, 3 subscales), MJS (8 pre-scored subscales), the team survey (6
pre-scored subscales) and one user-defined 9-item questionnaire: 20 outcomes.
Every participant answers at T1; 20% miss T2 and 25% miss T3 (whole rows
absent), and 2% of item responses are missing. Scores carry a participant
effect, so the mixed models have something to estimate.

Printed, each measured in the same process on the same data (times: best of
``--repeat`` runs, wall and CPU; memory: peak resident set of the first run):

* ``score(study)`` (the scoring engine) -> the long scores table: the yardstick;
* descriptives (Table 3) + paired change (Table 4) from that table, as
  ``analyse`` runs them (one shared cube): wall and CPU time, peak memory, and
  the ratio to the scoring time (target <= 2x);
* mixed models for all 20 outcomes by the exact profiled REML engine (target:
  within 60 s) and the ratio to the scoring time;
* for scale, statsmodels' MixedLM on one outcome for a subsample, and the time
  it would need for the whole study if it scaled linearly (it scales worse).

Run: ``.venv/bin/python bench/analyse_scale.py [--participants N]``
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from benchutil import in_memory_study, peak_rss_mib, reset_peak, rss_mib, trim_heap

from peerimpact.instruments import InstrumentDefinition, load_instruments
from peerimpact.quant.change import paired_change
from peerimpact.quant.cube import build_cube
from peerimpact.quant.descriptives import descriptives
from peerimpact.quant.models import mixed_models
from peerimpact.quant.norms import default_norms
from peerimpact.scoring import score, score_wide
from peerimpact.study.definition import StudyDefinition
from peerimpact.study.model import Study

MIB = 1024 * 1024
TIMEPOINTS = (("T1", 0.0), ("T2", 4.0), ("T3", 12.0))
MISSING_ROWS = {"T1": 0.0, "T2": 0.20, "T3": 0.25}
MJS = ("personal", "workload", "professional_support", "training", "pay", "prospects", "standards_of_care", "overall")
ITPPS = ("leadership", "communication", "coordination", "conflict_management", "team_cohesion", "team_effectiveness")
BENCH9 = InstrumentDefinition.model_validate({
    "id": "bench9",
    "name": "Benchmark questionnaire (9 items, 0-3)",
    "citation": "Synthetic instrument for benchmarking.",
    "licence": "Public domain.",
    "kind": "questionnaire",
    "response_min": 0,
    "response_max": 3,
    "integer_responses": True,
    "items": [str(i) for i in range(1, 10)],
    "subscales": [{"id": "total", "label": "Total", "items": [str(i) for i in range(1, 10)], "method": "sum"}],
})


# ---------------------------------------------------------------- measurement helpers
def measure(fn, repeat: int) -> tuple[object, float, float, float, float]:
    """(result, best wall s, best cpu s, RSS before MiB, peak RSS MiB) over ``repeat`` calls.

    Times are the best of the repeats (the machine may be shared); memory is
    that of the first call, the peak read from VmHWM after resetting it.
    """
    best_wall = best_cpu = float("inf")
    before = peak = 0.0
    result = None
    for i in range(repeat):
        result = None
        trim_heap()
        rss0 = rss_mib()
        reset_peak()
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        result = fn()
        wall = time.perf_counter() - start
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
        if i == 0:
            before, peak = rss0, peak_rss_mib()
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return result, best_wall, best_cpu, before, peak


# ---------------------------------------------------------------- data
def make_study(n: int, seed: int) -> Study:
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:07d}" for i in range(1, n + 1)], dtype=object)
    frames = []
    for k, (tp, _) in enumerate(TIMEPOINTS):
        keep = rng.random(n) >= MISSING_ROWS[tp]
        frames.append((tp, k, keep))
    person = rng.normal(0, 1, n)
    columns: dict[str, list[np.ndarray]] = {"participant_id": [], "timepoint": []}

    def add(name: str, values: np.ndarray) -> None:
        columns.setdefault(name, []).append(values)

    for tp, k, keep in frames:
        m = int(keep.sum())
        p = person[keep]
        columns["participant_id"].append(ids[keep])
        columns["timepoint"].append(np.full(m, tp, dtype=object))
        shift = (0.0, -0.15, -0.05)[k]

        def items(count: int, low: int, high: int, loading: float,
                  p: np.ndarray = p, shift: float = shift, m: int = m) -> np.ndarray:
            latent = loading * (p + shift)[:, None] + rng.normal(0, 1, (m, count))
            x = np.clip(np.round((low + high) / 2 + latent), low, high).astype(float)
            x[rng.random((m, count)) < 0.02] = np.nan
            return x

        for prefix, count, low, high, loading in (("wemwbs", 14, 1, 5, 0.7), ("mbi_hss", 22, 0, 6, -0.9),
                                                  ("bench9", 9, 0, 3, 0.5)):
            block = items(count, low, high, loading)
            for j in range(count):
                add(f"{prefix}_{j + 1}", block[:, j])
        for prefix, subs in (("mjs", MJS), ("itpps", ITPPS)):
            for sub in subs:
                add(f"{prefix}.{sub}", np.clip(3.8 + 0.4 * (p + shift) + rng.normal(0, 0.5, m), 1, 5).round(2))
    responses = pd.DataFrame({c: np.concatenate(v) for c, v in columns.items()})
    definition = StudyDefinition(
        title="analysis benchmark",
        synthetic=True,
        sites=[{"id": "1", "name": "One"}],
        timepoints=[{"id": t, "label": t, "month": m} for t, m in TIMEPOINTS],
        instruments=["wemwbs", "swemwbs", "mbi_hss", "mjs", "itpps", "bench9"],
    )
    return in_memory_study(definition, ids, responses, {**load_instruments(), "bench9": BENCH9})


def tables_3_and_4(scores: pd.DataFrame, definition: StudyDefinition) -> tuple[pd.DataFrame, pd.DataFrame]:
    cube = build_cube(scores, definition)
    return descriptives(scores, definition, norms=default_norms(), cube=cube), paired_change(scores, definition, cube=cube)


def statsmodels_subsample(scores: pd.DataFrame, definition: StudyDefinition, n: int) -> float:
    """Wall seconds of statsmodels MixedLM on one outcome for the first n participants."""
    ids = pd.unique(scores["participant_id"])[:n]
    sub = scores[(scores["outcome"] == "wemwbs.total") & scores["participant_id"].isin(ids)]
    start = time.perf_counter()
    mixed_models(sub, definition, engine="statsmodels")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--statsmodels-sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (best is reported)")
    args = parser.parse_args()

    study = make_study(args.participants, args.seed)
    small = make_study(50, args.seed + 1)
    warm = score(small)  # warm-up: imports, instrument parsing
    tables_3_and_4(warm, small.definition)
    mixed_models(warm, small.definition)

    d = study.definition
    scores, s_wall, s_cpu, s_before, s_peak = measure(lambda: score(study), args.repeat)
    wide, w_wall, w_cpu, w_before, w_peak = measure(lambda: score_wide(study), args.repeat)
    n_outcomes = scores["outcome"].nunique()
    (desc, change), t_wall, t_cpu, t_before, t_peak = measure(lambda: tables_3_and_4(scores, d), args.repeat)
    _, tw_wall, tw_cpu, tw_before, tw_peak = measure(lambda: tables_3_and_4(wide, d), args.repeat)
    models_messages: list[str] = []
    models, m_wall, m_cpu, m_before, m_peak = measure(
        lambda: mixed_models(wide, d, warnings=models_messages), args.repeat)
    sm_wall = statsmodels_subsample(scores, d, args.statsmodels_sample)

    def mem(before: float, peak: float) -> str:
        return f"RSS {before:,.0f} -> peak {peak:,.0f} MiB (+{peak - before:,.0f})"

    print(f"participants x timepoints x outcomes : {args.participants:,} x {len(TIMEPOINTS)} x {n_outcomes} "
          f"(T2 {MISSING_ROWS['T2']:.0%} and T3 {MISSING_ROWS['T3']:.0%} of rows absent, 2% of items missing)")
    print(f"responses rows / long scores rows    : {len(study.responses):,} / {len(scores):,}")
    print(f"(times: best of {args.repeat}; memory: first run)")
    print("A. from the long scores table (score(study), the scoring contract)")
    print(f"  score(study) [yardstick]           : wall {s_wall:.3f} s, cpu {s_cpu:.3f} s, {mem(s_before, s_peak)}")
    print(f"  descriptives + paired change       : wall {t_wall:.3f} s, cpu {t_cpu:.3f} s, {mem(t_before, t_peak)}")
    print(f"    ratio to scoring (target <= 2x)  : wall {t_wall / s_wall:.2f}x, cpu {t_cpu / s_cpu:.2f}x "
          f"({len(desc)} descriptive rows, {len(change)} change rows)")
    print("B. from the wide scores table (score_wide(study), what analyse(study) uses)")
    print(f"  score_wide(study) [yardstick]      : wall {w_wall:.3f} s, cpu {w_cpu:.3f} s, {mem(w_before, w_peak)}")
    print(f"  descriptives + paired change       : wall {tw_wall:.3f} s, cpu {tw_cpu:.3f} s, {mem(tw_before, tw_peak)}")
    print(f"    ratio to scoring (target <= 2x)  : wall {tw_wall / w_wall:.2f}x, cpu {tw_cpu / w_cpu:.2f}x")
    print(f"  mixed models, 20 outcomes, profiled REML: wall {m_wall:.3f} s, cpu {m_cpu:.3f} s, {mem(m_before, m_peak)}")
    print(f"    target within 60 s; ratio to score_wide: wall {m_wall / w_wall:.2f}x, cpu {m_cpu / w_cpu:.2f}x; "
          f"to score: wall {m_wall / s_wall:.2f}x ({models['outcome'].nunique()} models, {len(models_messages)} warnings)")
    whole = sm_wall * args.participants / args.statsmodels_sample * n_outcomes
    print(f"statsmodels MixedLM, 1 outcome x {args.statsmodels_sample:,} participants: {sm_wall:.2f} s "
          f"(linear extrapolation to the whole study: {whole:,.0f} s)")


if __name__ == "__main__":
    main()

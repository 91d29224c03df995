"""Time ``build_report`` on the demo study and on a 10,000-participant study, per stage.

Usage::

    .venv/bin/python bench/report_time.py [--participants 10000] [--out DIR] [--skip-large]

The large study is the demo scaled up: every table of participants,
responses, service use, employment, allocations and contacts is replicated
with fresh ids (``01`` -> ``01x0001`` ...) until there are ``--participants``
participants; transcripts, codings and the synthesis stay those of the
original 32 (only they were interviewed). Prints, per study, the wall-clock
and CPU seconds of each stage (load, score, analyse, qualitative, figures,
render) and the share taken by figure rendering. Wall time is what a user
waits; CPU time is this process's own work, which is what to compare when
the machine is shared.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

TABLE_IDS = {
    "participants.csv": {"participant_id": "p"},
    "responses.csv": {"participant_id": "p"},
    "service_use.csv": {"participant_id": "p"},
    "employment.csv": {"participant_id": "p"},
    "allocations.csv": {"person_id": "person", "worker_id": "p"},
    "contacts.csv": {"contact_id": "contact", "worker_id": "p", "person_id": "person"},
}


def scaled_study(src: Path, dst: Path, participants: int) -> Path:
    """Copy the study at ``src`` to ``dst`` with its participant-level tables replicated."""
    shutil.copytree(src, dst)
    base = pd.read_csv(src / "participants.csv", dtype=str, keep_default_na=False)
    copies = math.ceil(participants / len(base))
    keep = set(base["participant_id"])
    for k in range(1, copies):
        keep |= {f"{p}x{k:04d}" for p in base["participant_id"]}
    for name, id_cols in TABLE_IDS.items():
        path = src / name
        if not path.is_file():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        parts = [frame]
        for k in range(1, copies):
            rep = frame.copy()
            for col in id_cols:
                rep[col] = rep[col] + f"x{k:04d}"
            parts.append(rep)
        out = pd.concat(parts, ignore_index=True)
        if name == "participants.csv":
            out = out.iloc[:participants]
            keep = set(out["participant_id"])
        else:
            pid = "worker_id" if "worker_id" in out else "participant_id"
            out = out[out[pid].isin(keep)]
        out.to_csv(dst / name, index=False)
    return dst


def run(label: str, study_dir: Path, out_dir: Path) -> dict:
    from peerimpact.report import STAGES, build_report

    start, cpu = time.perf_counter(), time.process_time()
    paths = build_report(study_dir, out_dir)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"\n{label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"  {'stage':<12}{'wall s':>9}{'CPU s':>9}")
    for s in STAGES:
        print(f"  {s:<12}{paths.timings[s]:>9.2f}{paths.cpu_timings[s]:>9.2f}")
    fw, fc = paths.timings["figures"], paths.cpu_timings["figures"]
    print(f"  figures share: {100 * fw / sum(paths.timings.values()):.0f}% of wall, {100 * fc / sum(paths.cpu_timings.values()):.0f}% of CPU")
    return {"wall": wall, "cpu": cpu, "timings": paths.timings, "cpu_timings": paths.cpu_timings}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=None, help="keep outputs here (default: a temporary folder)")
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args(argv)

    from peerimpact.demo import write_study

    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        demo = root / "demo-study"
        if demo.exists():
            shutil.rmtree(demo)
        write_study(demo)
        run("demo (32 participants)", demo, root / "demo-report")
        if not args.skip_large:
            big = root / "large-study"
            if big.exists():
                shutil.rmtree(big)
            scaled_study(demo, big, args.participants)
            run(f"generated study ({args.participants:,} participants)", big, root / "large-report")
    return 0


if __name__ == "__main__":
    sys.exit(main())

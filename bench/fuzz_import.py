"""Fuzz the importers: mutate valid CSV, XLSX, SPSS, REDCap and mixed inputs and import each case.

Every case must either import into a valid study folder or fail with a
:class:`~peerimpact.errors.UserInputError` that leaves nothing behind (no
output folder, no temporary folder). Anything else is a crash. With
``--commands`` every valid import is also run through ``peerimpact validate``
and ``peerimpact analyse`` (exit 0 or 2, never a traceback).

    python bench/fuzz_import.py                 # 10,000 cases, seed 0
    python bench/fuzz_import.py --cases 500 --seed 7 --formats csv,redcap --commands

Prints the cases tried, valid imports, user errors and crashes (with the
first crashes' tracebacks), per format and in total; exits 1 on any crash.
The mutation operators live in tests/formats/formats_mutations.py, shared with the
Hypothesis test in tests/formats/test_formats_fuzz.py.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "formats"))

from formats_mutations import MAKERS, run_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="csv,xlsx,spss,redcap,mixed")
    parser.add_argument("--commands", action="store_true", help="Run validate and analyse on every valid import.")
    parser.add_argument("--show", type=int, default=3, help="Crash tracebacks to print.")
    parser.add_argument("--jobs", type=int, default=1, help="Worker processes.")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    counts: Counter[tuple[str, str]] = Counter()
    crashes: list[tuple[int, str, str]] = []
    start = time.perf_counter()
    jobs = [(args.seed, i, formats[i % len(formats)], args.commands) for i in range(args.cases)]
    if args.jobs > 1:
        from multiprocessing import Pool

        with Pool(args.jobs) as pool:
            results = pool.imap(_one, jobs, chunksize=20)
            _collect(results, counts, crashes, start)
    else:
        _collect(map(_one, jobs), counts, crashes, start)
    elapsed = time.perf_counter() - start
    print(f"fuzz_import: seed {args.seed}, {elapsed:.1f} s")
    print(f"{'format':8} {'cases':>7} {'valid':>7} {'user errors':>12} {'crashes':>8}")
    total = Counter()
    for fmt in formats:
        row = {k: counts[(fmt, k)] for k in ("valid", "user_error", "crash")}
        n = sum(row.values())
        total.update(row)
        print(f"{fmt:8} {n:7d} {row['valid']:7d} {row['user_error']:12d} {row['crash']:8d}")
    n = sum(total.values())
    print(f"{'total':8} {n:7d} {total['valid']:7d} {total['user_error']:12d} {total['crash']:8d}")
    for i, fmt, detail in crashes[: args.show]:
        print(f"\n--- crash in case {i} ({fmt}) ---\n{detail}")
    return 1 if crashes else 0


def _one(job: tuple[int, int, str, bool]) -> tuple[int, str, str, str]:
    """Make and run case ``i`` in its own temporary folder: (i, format, outcome kind, detail)."""
    seed, i, fmt, commands = job
    rnd = random.Random(f"{seed}:{i}")
    with tempfile.TemporaryDirectory(prefix="peerimpact-fuzz-") as root:
        (Path(root) / "in").mkdir()
        case = MAKERS[fmt](Path(root) / "in", rnd)
        outcome = run_case(case, Path(root) / "out", reload=False, commands=commands)
    return i, fmt, outcome.kind, outcome.detail


def _collect(results, counts: Counter, crashes: list, start: float) -> None:
    for n, (i, fmt, kind, detail) in enumerate(results, start=1):
        counts[(fmt, kind)] += 1
        if kind == "crash":
            crashes.append((i, fmt, detail))
        if n % 1000 == 0:
            print(f"... {n} cases, {len(crashes)} crashes, {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

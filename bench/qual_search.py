"""Benchmark of the transcript search index (peerimpact.qual.search).

Generates a synthetic corpus (default 10,000 transcripts of about 5,000 words
each, speaker turns of 20-150 words drawn from a Zipf-distributed word bank),
builds the SQLite FTS5 index exactly as ``peerimpact qual search`` does, and
times queries of several kinds in both result orders.

    .venv/bin/python bench/qual_search.py            # full size; a few minutes
    .venv/bin/python bench/qual_search.py --docs 500 # quick check

Prints the index build time, the index size, and the median and 95th
percentile query time per query kind and order (``document``, the default of
``peerimpact qual search``, and ``rank``). Target: <= 50 ms per query after
indexing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from peerimpact.qual.search import Document, SearchIndex  # noqa: E402

# Common interview words (written for this benchmark), then generated pseudo-words.
COMMON = (
    "the and i to a of it was that you in they we but so my me just like know think really be have not with "
    "for on is what all about people at there when because if can or do one get would more time them as "
    "are some this out he she from been very team work peer support worker ward staff nurse manager "
    "supervision training role experience lived feel felt valued help helped person someone service "
    "discharge home meeting week weeks month months first day days contract pay job hours sick leave "
    "trust listen listened story recovery hard difficult good better worse change changed learn learned "
    "boundaries ending endings friend friends family coordinator clinical clinician clinicians doctor "
    "hospital community visit visits phone call calls talk talked share shared own myself themselves "
    "wellbeing stress tired burnout confidence proud isolated alone connected together group coffee "
    "car bus town appointment appointments paperwork notes system referral referrals future funding"
).split()
SYLLABLES = "ka ri to mo ne sa lu pe di fa go hi ju ve zo be ra ti no me si la po de wa".split()


def word_bank(size: int, rng: np.random.Generator) -> list[str]:
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def corpus(n_docs: int, n_words: int, bank: list[str], seed: int, clock: list[float] | None = None):
    """Yield ``Document``s; word ranks follow Zipf's law (s = 1.07). Time spent generating is added to ``clock[0]``."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, len(bank) + 1)
    p = 1.0 / ranks**1.07
    p /= p.sum()
    arr = np.array(bank, dtype=object)
    for d in range(n_docs):
        t0 = time.perf_counter()
        idx = rng.choice(len(bank), size=n_words, p=p)
        words = arr[idx]
        cuts = np.cumsum(rng.integers(20, 151, size=n_words // 20 + 1))
        cuts = cuts[cuts < n_words]
        turns = np.split(words, cuts)
        lines = [("Interviewer: " if i % 2 == 0 else "PW: ") + " ".join(t) + "." for i, t in enumerate(turns)]
        text = "\n".join(lines) + "\n"
        site, pid, tp = d % 7 + 1, d // 3, ("T1", "T2", "T3")[d % 3]
        iid = f"S{site}-PW{pid:05d}-{tp}"
        doc = Document(iid, f"{d:064x}", text, str(site), f"{pid:05d}", tp)
        if clock is not None:
            clock[0] += time.perf_counter() - t0
        yield doc


def queries(bank: list[str], rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    """Query kinds: typical (mid-frequency words, two-word AND, phrases, prefixes), rare words, very common words."""
    mid = bank[60:2000]
    rare = bank[5000:min(len(bank), 20000)]
    k = n // 5
    typical = (
        [str(w) for w in rng.choice(mid, size=k)]
        + [f"{a} {b}" for a, b in rng.choice(mid, size=(k, 2))]
        + [f'"{a} {b}"' for a, b in rng.choice(bank[20:400], size=(k, 2))]
        + [f"{str(w)[:4]}*" for w in rng.choice(bank[200:3000], size=k)]
    )
    return {
        "typical": typical,
        "rare word": [str(w) for w in rng.choice(rare, size=k)],
        "very common word": [str(w) for w in rng.choice(bank[:20], size=max(5, k // 4))],
    }


def build(db: Path, args: argparse.Namespace, bank: list[str]) -> None:
    print(f"corpus: {args.docs:,} transcripts x ~{args.words:,} words (word bank {len(bank):,}, Zipf)", flush=True)
    t0 = time.perf_counter()
    gen = [0.0]
    with SearchIndex(db) as index:
        n = index.bulk_add(corpus(args.docs, args.words, bank, args.seed, gen))
        t_build = time.perf_counter() - t0 - gen[0]
        t1 = time.perf_counter()
        index.optimize()
        t_opt = time.perf_counter() - t1
        n_passages, n_words = index.conn.execute("SELECT count(*), sum(length(text)) FROM passages").fetchone()
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    print(f"generated the corpus in {gen[0]:.1f} s (not counted below)")
    print(f"indexed {n:,} transcripts, {n_passages:,} passages ({n_words / 1e6:.0f} M characters): "
          f"insert and build {t_build:.1f} s, optimize {t_opt:.1f} s, index build total {t_build + t_opt:.1f} s; "
          f"index file {size / 1e6:.0f} MB", flush=True)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=5_000, help="words per transcript")
    ap.add_argument("--bank", type=int, default=30_000, help="size of the word bank")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=None, help="where to build the index (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the index")
    ap.add_argument("--reuse", action="store_true", help="time queries on the index already in --dir (no build)")
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    bank = word_bank(args.bank, rng)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="qual-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "search-bench.sqlite"
    if not (args.reuse and db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        build(db, args, bank)

    kinds = queries(bank, rng, args.queries)
    with SearchIndex(db) as index:
        for q in kinds["typical"][:10]:  # warm the page cache
            index.query(q, limit=args.limit)
        print(f"\nquery times (limit {args.limit}, including the context look-ups), ms:")
        print(f"{'kind':<18}{'order':<10}{'n':>5}{'median':>9}{'p95':>9}{'max':>9}{'mean hits':>11}")
        summary = {}
        for kind, qs in kinds.items():
            for order in ("document", "rank"):
                times, hits = [], []
                for q in qs:
                    t = time.perf_counter()
                    res = index.query(q, limit=args.limit, order=order)
                    times.append((time.perf_counter() - t) * 1000)
                    hits.append(len(res))
                med, p95 = statistics.median(times), percentile(times, 95)
                summary[(kind, order)] = (med, p95)
                print(f"{kind:<18}{order:<10}{len(qs):>5}{med:>9.1f}{p95:>9.1f}{max(times):>9.1f}{statistics.mean(hits):>11.1f}")
    print()
    for order in ("document", "rank"):
        worst = max(summary[(k, order)][1] for k in kinds)
        med, p95 = summary[("typical", order)]
        verdict = "meets" if p95 <= 50 else "misses"
        print(f"{order} order: typical median {med:.1f} ms, p95 {p95:.1f} ms -> {verdict} the 50 ms target; worst p95 over all kinds {worst:.1f} ms")
    if not args.keep and args.dir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

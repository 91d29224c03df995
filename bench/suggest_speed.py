"""Benchmark of code suggestions (peerimpact.qual.suggest): training, a whole-corpus run, one-transcript requests.

Builds a **synthetic** study in memory from the demo study: 72 hour-long
transcripts (each the concatenation of 12 demo transcripts, about 9,000
words), human codings shifted with them, and keeps the first 1,000 coded
segments (in transcript order) as the team's coding so far; the rest of the
corpus is uncoded. Then it times, in one process:

1. training the model on those 1,000 segments,
2. suggesting over all 72 transcripts (target: 1 + 2 <= 30 s on 2 cores),
3. one-transcript requests with the trained model (target: p95 <= 300 ms),

each printed against a baseline in the same run: a bare ``TfidfVectorizer``
fitted on the same training texts (for 1) and transforming the same passages
(for 2 and 3), the floor under any TF-IDF model.

    .venv/bin/python bench/suggest_speed.py               # the issue's sizes
    .venv/bin/python bench/suggest_speed.py --requests 20 # fewer one-transcript requests
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from peerimpact import load_study  # noqa: E402
from peerimpact.demo import write_study  # noqa: E402
from peerimpact.qual.suggest import suggest, train, training_set  # noqa: E402
from peerimpact.qual.suggest.rank import candidate_passages  # noqa: E402
from peerimpact.study.model import Transcript  # noqa: E402
from peerimpact.study.text import text_sha256  # noqa: E402

PER_HOUR = 12  # demo transcripts (~500-760 words each) per hour-long transcript


def hour_long_study(study, n_segments: int):
    """72 hour-long transcripts; the first ``n_segments`` distinct coded spans (coder_a) kept as codings."""
    ids = sorted(study.transcripts)
    codings = study.codings[study.codings["coder"] == "coder_a"]
    transcripts, rows = {}, []
    for i, iid in enumerate(ids):
        parts = [ids[(i + k) % len(ids)] for k in range(PER_HOUR)]
        offset, texts = 0, []
        for part in parts:
            text = study.transcripts[part].text + "\n"
            for rec in codings[codings["interview_id"] == part].itertuples():
                rows.append({"segment_id": f"h{i:02d}-{rec.segment_id}", "interview_id": iid, "start": float(rec.start + offset),
                             "end": float(rec.end + offset), "code": rec.code, "coder": "coder_a"})
            texts.append(text)
            offset += len(text)
        text = "".join(texts)
        t = study.transcripts[iid]
        transcripts[iid] = Transcript(iid, t.site, t.participant_id, t.timepoint, text, text_sha256(text), t.file)
    frame = pd.DataFrame(rows).iloc[:n_segments].reset_index(drop=True)
    return dataclasses.replace(study, transcripts=transcripts, codings=frame, memos=None, synthesis=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = load_study(write_study(Path(tmp) / "demo"))
    study = hour_long_study(demo, args.segments)
    words = sum(len(t.text.split()) for t in study.transcripts.values())
    print(f"synthetic corpus: {len(study.transcripts)} transcripts, {words / len(study.transcripts):,.0f} words each on average; "
          f"{len(study.codings)} coded segments in {study.codings['interview_id'].nunique()} transcript(s)")

    t0 = time.perf_counter()
    model = train(study)
    t_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = suggest(study, model=model)
    t_all = time.perf_counter() - t0
    print(f"model {model.version}: {len(model.codes)} codes; {len(result.suggestions):,} suggestions")

    # Baseline: a bare vectoriser on the same texts.
    ts = training_set(study)
    texts = ts.segments["text"].tolist() + ts.negatives["text"].tolist()
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode").fit(texts)
    b_train = time.perf_counter() - t0
    passages = candidate_passages(study, model, sorted(study.transcripts))
    t0 = time.perf_counter()
    vec.transform(passages["text"].tolist())
    b_all = time.perf_counter() - t0

    ids = sorted(study.transcripts)
    times, base = [], []
    for k in range(args.requests):
        iid = ids[k % len(ids)]
        t0 = time.perf_counter()
        suggest(study, model=model, interviews=[iid])
        times.append(time.perf_counter() - t0)
        one = passages[passages["interview_id"] == iid]["text"].tolist()
        t0 = time.perf_counter()
        vec.transform(one)
        base.append(time.perf_counter() - t0)

    def p95(xs):
        return float(np.percentile(xs, 95))

    print()
    print(f"{'step':<44}{'seconds':>10}{'baseline':>10}{'ratio':>8}")
    print(f"{'train on ' + str(len(study.codings)) + ' coded segments':<44}{t_train:>10.2f}{b_train:>10.2f}{t_train / b_train:>8.1f}")
    print(f"{'suggest over ' + str(len(ids)) + ' transcripts':<44}{t_all:>10.2f}{b_all:>10.2f}{t_all / b_all:>8.1f}")
    print(f"{'train + suggest (target <= 30 s)':<44}{t_train + t_all:>10.2f}{b_train + b_all:>10.2f}{(t_train + t_all) / (b_train + b_all):>8.1f}")
    print(f"{'one transcript, median':<44}{statistics.median(times):>10.3f}{statistics.median(base):>10.3f}"
          f"{statistics.median(times) / statistics.median(base):>8.1f}")
    print(f"{'one transcript, p95 (target <= 0.300 s)':<44}{p95(times):>10.3f}{p95(base):>10.3f}{p95(times) / p95(base):>8.1f}")
    print("\nbaseline: a bare TfidfVectorizer fitted on the same training texts / transforming the same passages")


if __name__ == "__main__":
    main()

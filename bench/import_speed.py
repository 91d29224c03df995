"""Import speed (issue 13 item 9): a 200,000-row x 40-column CSV import, and load_study on a large study.

Two measurements, each printed as a ratio against a bare ``pandas.read_csv``
of the same files in the same run (this machine is shared and noisy):

1. ``peerimpact import csv`` of a synthetic survey (default 100,000
   participants x 2 waves = 200,000 rows x 40 columns: id, wave, the 14
   WEMWBS items, the 22 MBI-HSS items, two pre-scored MJS subscales) plus
   its 100,000-row participant list. Targets: <= 5 s, and added memory
   <= 3x the size of the files.
2. ``load_study`` on the demo study scaled to 10,000 participants
   (about 845,000 contacts; see ``bench/report_time.py``). Target: <= 3 s CPU.
3. Error memory (issue 13 item 6, ``--errors``): the survey import with
   ``--error-participants`` (default 50,000: 100,000 rows) whose WEM1 is 0 on
   every row (one range rule failing on every row), one where all rows but two
   name a participant missing from the participant list (one ``load_study``
   rule, a distinct message a row), and one where every item
   of every row is out of range (36 problems a row; ``--every-item-participants``,
   default 5,000: 10,000 rows, 360,000 problems), each grouped (the
   default) and with ``--all-errors``, against the same import when valid.
   Target: memory stays flat while errors stream (grouped errors add about
   nothing; ``--all-errors`` keeps every problem, so it grows with them).

    .venv/bin/python bench/import_speed.py [--participants 100000] [--study-participants 10000] [--skip-load] [--errors] [--dynamic-mmap]

The import is measured the way ``peerimpact import`` runs it: in its own
process, which first calls the command's ``fix_mmap_threshold()``
(``peerimpact.formats.heap``: glibc's mmap threshold fixed at 128 KiB), and so
do the processes of its stages and of ``load_study`` alone; ``--dynamic-mmap``
leaves glibc's dynamic threshold (what a program calling ``import_study``
itself gets). The first line printed says which.

All data are synthetic. No test asserts on these times.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import cpu_seconds, peak_rss_mib, reset_peak, rss_mib, trim_heap  # noqa: E402

STUDY = """\
title: Import speed benchmark (synthetic)
synthetic: true
sites: [{id: "1", name: North}, {id: "2", name: South}]
timepoints:
  - {id: T1, label: First, month: 0}
  - {id: T2, label: Second, month: 4}
instruments: [wemwbs, mbi_hss, mjs]
demographics:
  - {column: age, label: Age, type: continuous}
"""

MAPPING = """\
study: study.yaml
tables:
  participants:
    from: people
    columns: {participant_id: ID, site: Site, consent_date: Consent, age: Age}
  responses:
    from: survey
    timepoint: {column: Wave, values: {"1": T1, "2": T2}}
    columns: {participant_id: ID, mjs.personal: MJS_personal, mjs.pay: MJS_pay}
    instruments: {wemwbs: "WEM{item}", mbi_hss: "MBI{item:02d}"}
"""


def write_inputs(folder: Path, participants: int, seed: int = 0, zero_item: bool = False, every_item: bool = False,
                 unknown_ids: bool = False) -> list[Path]:
    """people.csv (participants rows) and survey.csv (2 x participants rows, 40 columns).

    ``zero_item``: WEM1 is 0 on every row (one range rule failing on every row).
    ``every_item``: every WEMWBS item is 0 and every MBI-HSS item 9 (36 range problems a row).
    ``unknown_ids``: every survey row but the first participant's two names an
    id missing from people.csv ("Q…" for "P…"; a rule of ``load_study``, each
    problem with its own value), the files keeping their sizes.
    """
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.arange(1, participants + 1).astype(str))
    people = pd.DataFrame({
        "ID": ids,
        "Site": rng.integers(1, 3, participants),
        "Consent": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, participants), unit="D"),
        "Age": rng.integers(20, 65, participants),
    })
    people["Consent"] = people["Consent"].dt.strftime("%Y-%m-%d")
    n = 2 * participants
    survey = {"ID": np.repeat(ids, 2), "Wave": np.tile([1, 2], participants)}
    for i in range(1, 15):
        survey[f"WEM{i}"] = rng.integers(1, 6, n)
    for i in range(1, 23):
        survey[f"MBI{i:02d}"] = rng.integers(0, 7, n)
    survey["MJS_personal"] = rng.integers(4, 21, n) / 4
    survey["MJS_pay"] = rng.integers(4, 21, n) / 4
    frame = pd.DataFrame(survey)
    for col in frame.columns[2:]:  # about 2% missing answers
        frame.loc[rng.random(n) < 0.02, col] = None
    if zero_item:  # a range error on every row
        frame["WEM1"] = 0
    if every_item:  # a range error in every item of every row
        for i in range(1, 15):
            frame[f"WEM{i}"] = 0
        for i in range(1, 23):
            frame[f"MBI{i:02d}"] = 9
    (folder / "study.yaml").write_text(STUDY, encoding="utf-8")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    if unknown_ids:
        frame.loc[2:, "ID"] = frame.loc[2:, "ID"].str.replace("P", "Q", regex=False)
    people.to_csv(folder / "people.csv", index=False)
    frame.to_csv(folder / "survey.csv", index=False, float_format="%g")
    return [folder / "people.csv", folder / "survey.csv"]


def measure(fn) -> tuple[float, float, float]:
    """(wall s, CPU s, MiB added at peak over the RSS before) of one call."""
    trim_heap()
    reset_peak()
    before = rss_mib()
    t0, c0 = time.perf_counter(), cpu_seconds()
    fn()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    added = peak_rss_mib() - before
    trim_heap()
    return wall, cpu, added


def heap_setting(dynamic: bool) -> str:
    """Set this process's malloc as ``peerimpact import`` does (unless ``dynamic``); say which."""
    if dynamic:
        return "glibc's dynamic mmap threshold (--dynamic-mmap: as a program calling import_study gets)"
    from peerimpact.formats.heap import IMPORT_MMAP_THRESHOLD, fix_mmap_threshold

    if fix_mmap_threshold():  # the call peerimpact import makes before any work
        return f"as the CLI runs it: mmap threshold fixed at {IMPORT_MMAP_THRESHOLD // 1024} KiB (fix_mmap_threshold)"
    return "as the CLI runs it, but fix_mmap_threshold was a no-op here (no glibc): the default heap"


def bench_import(root: Path, participants: int) -> None:
    from peerimpact.formats import import_study

    sources = write_inputs(root, participants)
    size = sum(p.stat().st_size for p in sources) / 2**20
    rows = 2 * participants
    print(f"inputs: {participants:,} participants, survey {rows:,} rows x 40 columns, {size:.1f} MiB of CSV")

    def baseline() -> None:
        for p in sources:
            pd.read_csv(p, dtype=str, keep_default_na=False)

    b = measure(baseline)
    # a small import first, so that the modules the import loads (about 20 MiB of code and
    # tables, once per process) are not counted as memory the data needs
    (root / "warm").mkdir()
    small = write_inputs(root / "warm", 200)
    w = measure(lambda: import_study("csv", small, root / "warm" / "mapping.yaml", root / "warm" / "study"))
    out = root / "study"
    r = measure(lambda: import_study("csv", sources, root / "mapping.yaml", out))
    print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'added MiB':>10}")
    print(f"{'pandas.read_csv (baseline)':28} {b[0]:8.2f} {b[1]:8.2f} {b[2]:10.0f}")
    print(f"{'import_study':28} {r[0]:8.2f} {r[1]:8.2f} {r[2]:10.0f}")
    print(f"(before it, a 400-row import loading the modules: {w[0]:.2f} s wall, {w[2]:+.0f} MiB)")
    print(f"ratio to read_csv: {r[0] / b[0]:.1f}x wall, {r[1] / b[1]:.1f}x CPU; "
          f"added memory {r[2] / size:.1f}x the file size (targets: <= 5 s, <= 3x the file size)")


def bench_stages(root: Path, participants: int, dynamic: bool) -> None:
    """The import once more, with RSS (and the peak within each stage) and CPU after each of its stages.

    The importer's stage functions are wrapped here (the benchmark only; nothing in
    ``peerimpact`` changes): reading the files, mapping them into study tables,
    writing the folder, and validating it with ``load_study``. Then ``load_study``
    alone on the written folder, for the loader's own share.
    """
    import peerimpact.study.load as load_module
    from peerimpact.formats import importer

    folder = root / "stages"
    folder.mkdir()
    sources = write_inputs(folder, participants)
    trim_heap()
    base = rss_mib()
    c0 = cpu_seconds()
    rows: list[tuple[str, float, float, float, float]] = []

    def wrap(owner, name: str, label: str):
        original = getattr(owner, name)

        def stage(*args, **kwargs):
            reset_peak()
            start = rss_mib() - base
            c = cpu_seconds()
            try:
                return original(*args, **kwargs)
            finally:
                rows.append((label, start, peak_rss_mib() - base, rss_mib() - base, cpu_seconds() - c))

        setattr(owner, name, stage)
        return original

    saved = [(importer, "read_sources", wrap(importer, "read_sources", "reading")),
             (importer, "build_tables", wrap(importer, "build_tables", "building")),
             (importer, "_write_folder", wrap(importer, "_write_folder", "writing")),
             (load_module, "check_study_folder", wrap(load_module, "check_study_folder", "load_study (validation)"))]
    try:
        importer.import_study("csv", sources, folder / "mapping.yaml", folder / "study")
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    total = cpu_seconds() - c0
    print(f"\nstages of the import (MiB above the RSS before it; CPU {total:.2f} s in all)")
    print(f"{'stage':28} {'start MiB':>10} {'peak MiB':>9} {'after MiB':>10} {'CPU s':>7} {'peak - start':>13}")
    for label, start, peak, after, cpu in rows:
        print(f"{label:28} {start:+10.0f} {peak:+9.0f} {after:+10.0f} {cpu:7.2f} {peak - start:+13.0f}")
    from peerimpact.study.load import load_study

    wall, cpu, added = measure(lambda: load_study(folder / "study"))
    print(f"{'load_study alone, same proc':28} {'':>10} {added:+9.0f} {'':>10} {cpu:7.2f} {added:+13.0f}")
    # the process of the import keeps partly used arenas that load_study then fills: alone in a new one too
    subprocess.run([sys.executable, __file__, "--load-only", str(folder / "study"), "--warm", str(root / "warm" / "study")]
                   + (["--dynamic-mmap"] if dynamic else []), check=True)


def load_alone(study: Path, warm: Path, dynamic: bool) -> None:
    """``load_study`` of ``study`` in this (new) process, after loading ``warm`` (the modules), as the stages print it."""
    from peerimpact.study.load import load_study

    heap_setting(dynamic)
    load_study(warm)
    wall, cpu, added = measure(lambda: load_study(study))
    print(f"{'load_study alone, new proc':28} {'':>10} {added:+9.0f} {'':>10} {cpu:7.2f} {added:+13.0f}")


def error_run(folder: Path, all_errors: bool, dynamic: bool) -> None:
    """One case of ``--errors`` in this (new) process, as ``peerimpact import`` runs: prints wall, CPU, MiB, problems."""
    print(heap_setting(dynamic))
    from peerimpact.errors import StudyValidationError
    from peerimpact.formats import import_study

    (folder / "warm").mkdir()
    small = write_inputs(folder / "warm", 200)  # loads the modules, as in bench_import
    measure(lambda: import_study("csv", small, folder / "warm" / "mapping.yaml", folder / "warm" / "study"))
    sources = [folder / "people.csv", folder / "survey.csv"]
    lines: list[int] = []

    def run() -> None:
        try:
            import_study("csv", sources, folder / "mapping.yaml", folder / "study", all_errors=all_errors)
        except StudyValidationError as exc:
            lines.append(len(exc.problems))

    wall, cpu, added = measure(run)
    print(f"{wall} {cpu} {added} {lines[0] if lines else 0}")


def bench_errors(root: Path, participants: int, every_participants: int, dynamic: bool) -> None:
    print(f"\nerrors: survey {2 * participants:,} rows x 40 columns; WEM1 = 0 on every row (one rule), "
          "every row but two naming an unknown participant (one rule, each with its own id), "
          "or every item out of range (36 problems a row); each import in its own process")
    runs = []
    setting = ""
    # (label, participants, WEM1 = 0, every item out of range, --all-errors, unknown ids); each size has its valid run
    cases = [("valid", participants, False, False, False, False), ("grouped", participants, True, False, False, False),
             ("--all-errors", participants, True, False, True, False),
             ("unknown ids, grouped", participants, False, False, False, True)]
    size = "" if every_participants == participants else f" ({2 * every_participants:,} rows)"
    if size:
        cases.append(("valid" + size, every_participants, False, False, False, False))
    cases += [("every item, grouped" + size, every_participants, False, True, False, False),
              ("every item, --all-errors" + size, every_participants, False, True, True, False)]
    flag = ["--dynamic-mmap"] if dynamic else []
    for k, (label, n_people, zero, every, all_errors, unknown) in enumerate(cases):
        folder = root / f"case{k}"
        folder.mkdir()
        write_inputs(folder, n_people, zero_item=zero, every_item=every, unknown_ids=bool(unknown))
        child = subprocess.run([sys.executable, __file__, "--error-run", str(folder)] + flag
                               + (["--all-errors"] if all_errors else []), check=True, capture_output=True, text=True)
        setting, numbers = child.stdout.strip().splitlines()[-2:]
        wall, cpu, added, n = numbers.split()
        runs.append((label, n_people, (float(wall), float(cpu), float(added)), int(n)))
    print(f"imports measured {setting}")
    print(f"{'':52} {'wall s':>8} {'CPU s':>8} {'added MiB':>10} {'problems':>10}")
    for label, _, (wall, cpu, added), n in runs:
        print(f"{'import_study ' + label:52} {wall:8.2f} {cpu:8.2f} {added:10.0f} {n:10,}")
    valid = {n_people: r[2] for label, n_people, r, _ in runs if label.startswith("valid")}
    print("errors add (against the valid import of the same size): " + ", ".join(
        f"{label} {r[2] - valid[n_people]:+.0f} MiB" for label, n_people, r, _ in runs if not label.startswith("valid")))


def bench_load(root: Path, participants: int) -> None:
    from report_time import scaled_study

    from peerimpact import load_study
    from peerimpact.demo import write_study

    write_study(root / "demo")
    big = scaled_study(root / "demo", root / "big", participants)
    files = sorted(big.glob("*.csv"))
    contacts = sum(1 for _ in (big / "contacts.csv").open()) - 1 if (big / "contacts.csv").exists() else 0
    print(f"\nstudy: {participants:,} participants, {contacts:,} contacts, {len(files)} CSV files")

    def baseline() -> None:
        for p in files:
            pd.read_csv(p, dtype=str, keep_default_na=False)

    b = measure(baseline)
    r = measure(lambda: load_study(big))
    print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'added MiB':>10}")
    print(f"{'pandas.read_csv (baseline)':28} {b[0]:8.2f} {b[1]:8.2f} {b[2]:10.0f}")
    print(f"{'load_study':28} {r[0]:8.2f} {r[1]:8.2f} {r[2]:10.0f}")
    print(f"ratio to read_csv: {r[0] / b[0]:.1f}x wall, {r[1] / b[1]:.1f}x CPU (target: <= 3 s CPU)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000, help="Survey participants (2 rows each).")
    parser.add_argument("--study-participants", type=int, default=10_000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--errors", action="store_true", help="Also measure the memory of a failing import.")
    parser.add_argument("--error-participants", type=int, default=50_000)
    parser.add_argument("--every-item-participants", type=int, default=5_000,
                        help="Participants of the imports failing on every item (36 problems a row; --all-errors keeps each).")
    parser.add_argument("--stages-only", action="store_true", help="Only the import's stages (run in a new process by the import measurement).")
    parser.add_argument("--load-only", type=Path, help="Only load_study of this folder (run in a new process by the stages).")
    parser.add_argument("--warm", type=Path, help="With --load-only: a small study loaded first (the modules).")
    parser.add_argument("--import-only", action="store_true", help="Only the import and its stages (run in a new process by default).")
    parser.add_argument("--error-run", type=Path, help="Only one --errors case, of this folder (run in a new process by --errors).")
    parser.add_argument("--all-errors", action="store_true", help="With --error-run: import with all_errors=True.")
    parser.add_argument("--dynamic-mmap", action="store_true",
                        help="Measure the import with glibc's dynamic mmap threshold, not fixed as peerimpact import fixes it.")
    args = parser.parse_args(argv)
    flag = ["--dynamic-mmap"] if args.dynamic_mmap else []
    if args.load_only:
        load_alone(args.load_only, args.warm, args.dynamic_mmap)
        return 0
    if args.error_run:
        error_run(args.error_run, args.all_errors, args.dynamic_mmap)
        return 0
    with tempfile.TemporaryDirectory(prefix="peerimpact-import-speed-") as tmp:
        root = Path(tmp)
        if args.stages_only:
            heap_setting(args.dynamic_mmap)
            (root / "warm").mkdir()
            from peerimpact.formats import import_study

            small = write_inputs(root / "warm", 200)  # loads the modules, as in bench_import
            measure(lambda: import_study("csv", small, root / "warm" / "mapping.yaml", root / "warm" / "study"))
            bench_stages(root, args.participants, args.dynamic_mmap)
            return 0
        if args.import_only:
            print(f"import measured {heap_setting(args.dynamic_mmap)}")
            (root / "import").mkdir()
            bench_import(root / "import", args.participants)
            # the stages in a new process: this one keeps heap from the import above, which would hide some
            subprocess.run([sys.executable, __file__, "--stages-only", "--participants", str(args.participants)] + flag, check=True)
            return 0
        if not args.skip_import:
            # in a new process: its malloc is set as the CLI sets it, which this one (load_study below) must not be
            subprocess.run([sys.executable, __file__, "--import-only", "--participants", str(args.participants)] + flag, check=True)
        if args.errors:
            (root / "errors").mkdir()
            bench_errors(root / "errors", args.error_participants, args.every_item_participants, args.dynamic_mmap)
        if not args.skip_load:
            bench_load(root, args.study_participants)
    return 0


if __name__ == "__main__":
    sys.exit(main())

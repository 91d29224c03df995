"""Regenerate the agreement oracle's inputs and golden outputs (a deliberate act).

Usage (from the repository root)::

    .venv/bin/python tests/qual/qual_regenerate.py

Writes the mini study's REFI-QDA export goldens to ``tests/fixtures/qual/golden/``,
the demo study's agreement inputs to ``tests/fixtures/qual/oracle/demo_*.csv``
(the mini study's inputs are written by ``tests/fixtures/qual/make_fixtures.py``)
and runs ``tests/oracle/qual_agreement.R`` on both into
``tests/oracle/golden/qual_agreement_{mini,demo}.json``. Review the diff before
committing: a changed number is a changed research result.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ORACLE = REPO / "tests" / "oracle"
GOLDEN = ORACLE / "golden"
INPUTS = REPO / "tests" / "fixtures" / "qual" / "oracle"
EXPORTS = REPO / "tests" / "fixtures" / "qual" / "golden"
MINI = REPO / "tests" / "fixtures" / "qual" / "mini_study"
DATASETS = {
    "mini": (INPUTS / "agreement_codings.csv", INPUTS / "agreement_lengths.csv"),
    "demo": (INPUTS / "demo_codings.csv", INPUTS / "demo_lengths.csv"),
}


def agreement_inputs(study) -> tuple[list[list[object]], list[list[object]]]:
    """Rows of the two input CSVs for a study: its codings (current codebook version) and transcript lengths."""
    from peerimpact.qual import qual_data

    current = qual_data(study).current
    codings = [["interview_id", "start", "end", "code", "coder", "segment_id"]]
    for rec in current.sort_values(["interview_id", "start", "end", "segment_id", "code", "coder"]).to_dict("records"):
        codings.append([rec["interview_id"], int(rec["start"]), int(rec["end"]), rec["code"], rec["coder"], rec["segment_id"]])
    lengths = [["interview_id", "n_characters"]] + [[i, len(t.text)] for i, t in sorted(study.transcripts.items())]
    return codings, lengths


def write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def run_r(name: str, out: Path, rscript: str = "Rscript") -> Path:
    codings, lengths = DATASETS[name]
    done = subprocess.run([rscript, str(ORACLE / "qual_agreement.R"), str(out), str(codings), str(lengths)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"qual_agreement.R failed on {name}:\n{done.stderr[-2000:]}")
    return out


def export_goldens(study) -> dict[str, bytes]:
    """The mini study's REFI-QDA export as golden files: project.qde, codebook.qdc and the sources."""
    from peerimpact.qual import qual_data
    from peerimpact.qual.refi.export import build_codebook, build_project

    xml, sources = build_project(study)
    out = {"mini_project.qde": xml, "mini_codebook.qdc": build_codebook(qual_data(study).codebook)}
    out.update({f"mini_{name.replace('/', '_')}": data for name, data in sources.items()})
    return out


def main() -> None:
    import peerimpact
    from peerimpact.demo import write_study

    EXPORTS.mkdir(parents=True, exist_ok=True)
    for old in EXPORTS.iterdir():
        old.unlink()
    for name, data in export_goldens(peerimpact.load_study(MINI)).items():
        (EXPORTS / name).write_bytes(data)
    print("wrote", EXPORTS)

    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit("Rscript not found")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        write_study(folder)
        codings, lengths = agreement_inputs(peerimpact.load_study(folder))
    write_csv(DATASETS["demo"][0], codings)
    write_csv(DATASETS["demo"][1], lengths)
    for name in DATASETS:
        print("wrote", run_r(name, GOLDEN / f"qual_agreement_{name}.json", rscript))


if __name__ == "__main__":
    main()

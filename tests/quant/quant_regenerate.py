"""Regenerate the quantitative oracles' inputs and golden outputs (a deliberate act).

Usage (from the repository root)::

    .venv/bin/python tests/quant/quant_regenerate.py

Writes ``tests/oracle/inputs/quant_*.csv`` from :mod:`quant_oracle_data` and
runs every ``tests/oracle/quant_*.R`` on them into
``tests/oracle/golden/quant_*.json``. Review the diff before committing: a
changed number is a changed research result.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quant_oracle_data import DEMO_INPUTS, GOLDEN, INPUTS, ORACLE, demo_inputs, write_inputs  # noqa: E402

SCRIPTS = ("quant_change", "quant_descriptives", "quant_lmer")


def run_r(script: str, inputs: Path, out: Path, rscript: str = "Rscript") -> Path:
    """Run ``tests/oracle/<script>.R`` on ``inputs`` into ``out``; raise with R's stderr on failure."""
    done = subprocess.run([rscript, str(ORACLE / f"{script}.R"), str(inputs), str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{script}.R failed:\n{done.stderr[-2000:]}")
    return out


def demo_tables() -> dict:
    """The demo study's oracle inputs, from the current demo generator and scoring engine."""
    import tempfile

    import peerimpact
    from peerimpact.demo import write_study
    from peerimpact.scoring import score
    from peerimpact.scoring.reliability import reliability

    with tempfile.TemporaryDirectory() as tmp:
        study = peerimpact.load_study(write_study(Path(tmp) / "study"))
    scores = score(study)
    return demo_inputs(study, scores, reliability(study, scores))


def golden_name(script: str, demo: bool) -> str:
    return script.replace("quant_", "quant_demo_") if demo else script


def main() -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit("Rscript not found")
    write_inputs(INPUTS)
    write_inputs(DEMO_INPUTS, demo_tables())
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for demo, folder in ((False, INPUTS), (True, DEMO_INPUTS)):
        for script in SCRIPTS:
            out = GOLDEN / f"{golden_name(script, demo)}.json"
            run_r(script, folder, out, rscript)
            print(f"wrote {out}")


if __name__ == "__main__":
    main()

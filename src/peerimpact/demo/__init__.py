"""The synthetic demo study: a whole study folder calibrated to published figures.

``make_study(seed)`` returns every file of the folder as text, keyed by its
path relative to the study folder; ``write_study(out_dir, seed)`` writes them
atomically. The same seed always gives the same text, byte for byte: every
random draw comes from :func:`numpy.random.default_rng` seeded from ``seed``
(one stream per part), and no date comes from the clock.

The figures reproduced exactly, whatever the seed, are the seed study's
published ones (Gillard et al. 2022; see ``docs/facts.md`` and
``tests/demo/test_calibration.py``): 32 peer workers in 7 sites of 2-5;
21 women; 2 bank staff; 12 of 30 contracted staff without sick leave;
1,682 completed face-to-face contacts by 30 workers (2-273 each); 2 workers
without contacts; questionnaires from 32, 20 and 21 people; 31 interviews at
the first wave. Means and SDs match the published Table 3 up to rounding.
Everything is labelled synthetic.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserInputError
from ..fileio import build_folder
from . import codebook as _codebook
from . import design
from .absence import absence_rows
from .calibrate import stream
from .contacts import allocation_rows, contact_rows, make_plans
from .employment import employment_rows
from .memos import memos_yaml
from .outcomes import make_responses
from .people import make_people, participants_rows
from .qual import codings_rows, make_codings
from .services import service_rows
from .synthesis import synthesis_yaml
from .textio import csv_text
from .transcripts import make_interviews

DEFAULT_SEED = 20220373

__all__ = ["DEFAULT_SEED", "make_study", "write_study"]


def make_study(seed: int = DEFAULT_SEED) -> dict[str, str]:
    """Every file of the synthetic demo study, as text.

    Parameters
    ----------
    seed : int
        Seed of all random draws; the same seed gives identical text.

    Returns
    -------
    dict of str to str
        Relative path (POSIX, e.g. ``"transcripts/S1-PW01-T1.txt"``) to UTF-8
        text with LF line ends.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UserInputError(f"seed must be a non-negative whole number, not {seed!r}")
    people = make_people(stream(seed, "people"))
    responses, scores = make_responses(stream(seed, "outcomes"), people)
    plans = make_plans(stream(seed, "contacts"), people)
    interviews = make_interviews(stream(seed, "transcripts"), people)
    codings = make_codings(stream(seed, "codings"), interviews)
    files = {
        "study.yaml": design.study_yaml(),
        "participants.csv": csv_text(participants_rows(people)),
        "responses.csv": csv_text(responses),
        "service_use.csv": csv_text(service_rows(stream(seed, "services"), people, scores["wemwbs.total"])),
        "employment.csv": csv_text(employment_rows(people)),
        "absence.csv": csv_text(absence_rows(people)),
        "allocations.csv": csv_text(allocation_rows(plans)),
        "contacts.csv": csv_text(contact_rows(plans)),
    }
    for iv in interviews:
        files[f"transcripts/{iv.interview_id}.txt"] = iv.text
    files["qual/codebook.yaml"] = _codebook.codebook_yaml()
    files["qual/codings.csv"] = csv_text(codings_rows(codings))
    files["qual/memos.yaml"] = memos_yaml(stream(seed, "memos"), interviews, codings)
    files["synthesis.yaml"] = synthesis_yaml(stream(seed, "synthesis"), codings)
    return files


def write_study(out_dir: str | Path, seed: int = DEFAULT_SEED, overwrite: bool = False) -> Path:
    """Write the synthetic demo study to ``out_dir`` atomically and return it.

    The files are written into a hidden temporary sibling folder, which is
    renamed to ``out_dir`` only once complete, so a failure never leaves a
    half-written study.

    Raises
    ------
    UserInputError
        If ``out_dir`` exists and is not an empty folder and ``overwrite`` is false.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise UserInputError(f"{out}: folder exists and is not empty (use overwrite to replace it)")
    files = make_study(seed)
    with build_folder(out) as tmp:
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    return out

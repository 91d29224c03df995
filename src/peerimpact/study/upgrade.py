"""Study folder format upgrades: ``peerimpact upgrade STUDY`` (format version 1 to 2)."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, StudyValidationError, UserInputError
from .definition import StudyDefinition
from .load import load_study
from .tables import ABSENCE


def upgrade_study(folder: str | Path) -> list[str]:
    """Move a study folder from format version 1 to 2, in place; returns the files written.

    ``study.yaml`` gains ``format_version: 2`` (its other lines, comments
    included, are kept) and an empty ``absence.csv`` (header only) is added for
    the coordinators' spells. ``employment.sick_days`` is kept as it is: a
    version-1 total has no dates, so it stays an undated total, which the
    absence rate still uses; nothing is lost or invented.

    Raises
    ------
    UserInputError
        When the folder is not a valid version-1 study (validated first,
        nothing written) or is already version 2.
    """
    from ..fileio import write_text

    root = Path(folder)
    study = load_study(root)
    if study.definition.format >= 2:
        raise UserInputError(f"{root}: already study format version {study.definition.format}")
    text = (root / "study.yaml").read_text(encoding="utf-8")
    upgraded = "format_version: 2   # absence.csv holds dated absence spells; sick_days are derived from them\n" + text
    candidate = StudyDefinition.model_validate({**study.definition.model_dump(exclude_none=True), "format_version": 2})
    if candidate.format != 2:  # pragma: no cover - guards the model
        raise StudyValidationError([Problem("study.yaml", None, "format_version", "could not be set to 2")])
    # study.yaml first: a version-2 folder without absence.csv is valid, a version-1 folder with one is not.
    write_text(root / "study.yaml", upgraded)
    written = ["study.yaml"]
    if not (root / ABSENCE.file).exists():
        write_text(root / ABSENCE.file, ",".join(ABSENCE.column_names) + "\n")
        written.append(ABSENCE.file)
    load_study(root)  # the upgraded folder loads
    return written

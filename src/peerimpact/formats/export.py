"""``export_study``: one entry point for the four export formats."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserInputError
from ..study.model import Study
from .export_common import Outputs

EXPORT_FORMATS = ("spss", "xlsx", "csv", "redcap")


def export_study(fmt: str, study: Study, out: str | Path, *, scores: bool = True, overwrite: bool = False) -> list[Path]:
    """Export ``study`` and return the paths written.

    Parameters
    ----------
    fmt : {"spss", "xlsx", "csv", "redcap"}
        ``spss``: ``out`` is a ``.sav`` (wide, one row per participant) with
        ``<stem>_contacts.sav`` / ``_allocations.sav`` / ``_absence.sav`` when present;
        ``xlsx``: one sheet per table, scores and a README sheet; ``csv`` and
        ``redcap``: a folder, or a ``.zip`` when ``out`` ends in ``.zip``.
        Every export includes a mapping that imports it back.
    study : Study
    out : path
    scores : bool
        Include scored outcomes (SPSS, XLSX, CSV).
    overwrite : bool
        Replace existing outputs.

    Raises
    ------
    UserInputError
        Unknown format, a wrong file suffix, or outputs that exist.

    Notes
    -----
    Each export is checked by importing it back with its own mapping and
    comparing every table value and type with the original study
    (``tests/formats/test_formats_roundtrip.py``); the REDCap files are also
    re-read with :func:`read_redcap` and compared with golden files.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if fmt == "spss":
        if suffix != ".sav":
            raise UserInputError(f"{out}: an SPSS export must end in .sav")
        from .export_spss import export_spss as run
    elif fmt == "xlsx":
        if suffix != ".xlsx":
            raise UserInputError(f"{out}: an Excel export must end in .xlsx")
        from .export_tables import export_xlsx as run
    elif fmt == "csv":
        from .export_tables import export_csv as run
    elif fmt == "redcap":
        from .export_redcap import export_redcap as run
    else:
        raise UserInputError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    outputs = Outputs(overwrite=overwrite)
    try:
        run(study, out, outputs, scores=scores)
        return outputs.commit()
    finally:
        outputs.abort()

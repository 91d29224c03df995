"""REFI-QDA codebook exchange (``.qdc``) import: codes, hierarchy, descriptions, colours and sets.

Taguette, MAXQDA and NVivo export a codebook alone as ``.qdc`` (root
``<CodeBook>``, sets with ``<MemberCode guid=…>``). Imported into a study it
becomes a new codebook version (see :func:`.merge.merge_codebooks`).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import Problem, StudyValidationError, UserInputError
from ..codebook import Codebook, codebook_to_dict, parse_codebook
from .archive import DEFAULT_LIMIT
from .common import local
from .import_ import parse_xml
from .model import DataLossReport
from .reader import Reader


def import_qdc(path: str | Path, limit: int = DEFAULT_LIMIT) -> tuple[Codebook, DataLossReport]:
    """Read a ``.qdc`` codebook.

    Returns
    -------
    (Codebook, DataLossReport)
        The codebook (version 1, no history) and what did not map (colours
        that are not ``#rrggbb``, sets without codes ...).

    Raises
    ------
    UserInputError
        No such file, larger than ``limit``, or a DTD/entity declaration.
    StudyValidationError
        Malformed XML, another root element, or an invalid GUID (with its line).
    """
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"{path}: no such file")
    if path.stat().st_size > limit:
        raise UserInputError(f"{path.name}: {path.stat().st_size} bytes, over the limit of {limit} bytes; refused")
    root = parse_xml(path.read_bytes(), path.name, path.name)
    if local(root) != "CodeBook":
        raise StudyValidationError([Problem(path.name, root.sourceline, None, f"root element is <{local(root)}>, expected <CodeBook>")])
    r = Reader(None, root, None, file=path.name)
    r.check_all_guids()
    if r.problems:
        raise StudyValidationError(r.problems)
    codes, code_ids, _ = r.codes()
    themes, _ = r.themes(code_ids)
    book = Codebook(version=1, codes=codes, themes=themes)
    return parse_codebook(codebook_to_dict(book), None, path.name), r.report

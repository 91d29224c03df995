"""``qual inspect``: what a ``.qdpx`` holds, before importing it, and a template to map its sources.

Source names are the producing team's own (file names, titles, GUIDs), so the
usual workflow is inspect → fill in ``sources.csv`` (``source`` GUID or name →
``interview_id``) → ``import-qdpx --sources sources.csv``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from ...errors import Problem, StudyValidationError, UserInputError
from ...study.csvio import read_raw_csv
from ...study.text import normalise_text
from .archive import DEFAULT_LIMIT, Archive, decode
from .common import MEDIA, guid_of, kid, kids, local, text_of
from .import_ import parse_xml


@dataclass
class Inspection:
    """Tidy tables of what a project holds (one row per item)."""

    origin: str
    sources: pd.DataFrame  # guid, kind, name, path, rich_path, length, selections, codings
    codes: pd.DataFrame  # guid, name, parent, description
    users: pd.DataFrame  # guid, name
    cases: pd.DataFrame  # guid, name, sources, variables
    variables: pd.DataFrame  # guid, name, type
    sets: pd.DataFrame  # guid, name, codes, sources


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _length(archive: Archive, src) -> int | None:
    path = src.get("plainTextPath")
    if path:
        member, _ = archive.member_for(path)
        if member is None:
            return None
        try:
            return len(normalise_text(decode(archive.read(member))[0]))
        except UnicodeDecodeError:
            return None
    content = kid(src, "PlainTextContent")
    return None if content is None else len(normalise_text(text_of(content)))


def inspect_qdpx(path: str | Path, limit: int = DEFAULT_LIMIT) -> Inspection:
    """List a project's sources, codes, users, cases, variables and sets.

    ``length`` is in code points of the normalised plain text (None when the
    text is external, missing or not UTF-8); ``path`` and ``rich_path`` are
    the ``plainTextPath`` and ``richTextPath`` as written (a plain text of a
    line end or so with a ``.docx`` rich text is imported from the ``.docx``).
    """
    archive = Archive(Path(path), limit)
    try:
        root = parse_xml(archive.read_qde(), PurePosixPath(archive.qde).name, archive.name)
        sources = []
        for src in list(kid(root, "Sources") if kid(root, "Sources") is not None else []):
            kind = local(src)
            if not kind:
                continue
            sources.append({
                "guid": guid_of(src.get("guid")) or src.get("guid"), "kind": kind,
                "name": src.get("name") or "", "path": src.get("plainTextPath") or src.get("path") or "",
                "rich_path": src.get("richTextPath") or "",
                "length": _length(archive, src) if kind == "TextSource" else None,
                "selections": sum(1 for el in src.iter() if local(el).endswith("Selection")),
                "codings": sum(1 for el in src.iter() if local(el) == "Coding"),
            })
    finally:
        archive.close()
    codes = []

    def walk(el, parent):
        for c in kids(el, "Code"):
            codes.append({"guid": c.get("guid"), "name": c.get("name") or "", "parent": parent, "description": text_of(kid(c, "Description"))})
            walk(c, c.get("name"))

    walk(kid(kid(root, "CodeBook"), "Codes"), None)
    users = [{"guid": u.get("guid"), "name": u.get("name") or u.get("id") or ""} for u in kids(kid(root, "Users"), "User")]
    cases = [{"guid": c.get("guid"), "name": c.get("name") or "", "sources": len(kids(c, "SourceRef")), "variables": len(kids(c, "VariableValue"))}
             for c in kids(kid(root, "Cases"), "Case")]
    variables = [{"guid": v.get("guid"), "name": v.get("name") or "", "type": v.get("typeOfVariable") or ""} for v in kids(kid(root, "Variables"), "Variable")]
    sets = [{"guid": s.get("guid"), "name": s.get("name") or "", "codes": len(kids(s, "MemberCode")), "sources": len(kids(s, "MemberSource"))}
            for s in kids(kid(root, "Sets"), "Set")]
    return Inspection(
        root.get("origin") or "",
        _frame(sources, ["guid", "kind", "name", "path", "rich_path", "length", "selections", "codings"]),
        _frame(codes, ["guid", "name", "parent", "description"]),
        _frame(users, ["guid", "name"]),
        _frame(cases, ["guid", "name", "sources", "variables"]),
        _frame(variables, ["guid", "name", "type"]),
        _frame(sets, ["guid", "name", "codes", "sources"]),
    )


def sources_template(inspection: Inspection) -> str:
    """``sources.csv`` to fill in: one row per text source (``source`` = its GUID), ``interview_id`` empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", "name", "interview_id"])
    for rec in inspection.sources.to_dict("records"):
        if rec["kind"] not in MEDIA:
            writer.writerow([rec["guid"], rec["name"] or rec["path"], ""])
    return buf.getvalue()


class SourceMap(dict[str, str]):
    """``source`` (GUID or name) -> ``interview_id``, remembering where each came from.

    Attributes
    ----------
    file : str
        The mapping file's name, as problems name it.
    rows : dict
        Key -> ``(1-based row, the source cell as written)``.
    """

    def __init__(self, file: str = "", rows: dict[str, tuple[int, str]] | None = None, **mapping: str):
        super().__init__(mapping)
        self.file = file
        self.rows: dict[str, tuple[int, str]] = rows or {}


def read_source_map(path: str | Path) -> SourceMap:
    """``source`` (GUID or name) -> ``interview_id`` from a filled-in ``sources.csv``; rows left empty are skipped.

    The import checks that every ``source`` names a source of the project
    (the rows are kept in :attr:`SourceMap.rows` for its problems).

    Raises
    ------
    StudyValidationError
        A missing column or a source listed twice (every problem, with its row).
    """
    path = Path(path)
    frame, problems = read_raw_csv(path, path.name)
    if frame is None:
        raise StudyValidationError(problems)
    for col in ("source", "interview_id"):
        if col not in frame.columns:
            problems.append(Problem(path.name, 1, col, "column is missing"))
    if problems:
        raise StudyValidationError(problems)
    out = SourceMap(path.name)
    for i, rec in enumerate(frame.to_dict("records")):
        if not rec["interview_id"]:
            continue
        key = guid_of(rec["source"]) or rec["source"]
        if key in out:
            problems.append(Problem(path.name, i + 2, "source", f"source {rec['source']!r} is listed twice"))
        out[key] = rec["interview_id"]
        out.rows.setdefault(key, (i + 2, rec["source"]))
    if problems:
        raise StudyValidationError(problems)
    return out


def check_template_target(path: str | Path) -> None:
    """Refuse to write the ``sources.csv`` template over a file that holds more than an empty template.

    A filled-in mapping (any ``interview_id``) is the user's work, and a file
    that is not a sources table at all is someone else's: neither is
    overwritten.

    Raises
    ------
    UserInputError
        ``path`` exists and is not an unfilled template.
    """
    path = Path(path)
    if not path.exists():
        return
    frame, problems = read_raw_csv(path, path.name) if path.is_file() else (None, [])
    if frame is None or problems or not {"source", "interview_id"} <= set(frame.columns):
        raise UserInputError(f"{path}: exists and is not a sources.csv template; not overwritten (pass --sources-out for another file)")
    filled = int((frame["interview_id"].astype(str).str.strip() != "").sum())
    if filled:
        raise UserInputError(
            f"{path}: already maps {filled} source(s) to interview ids; not overwritten (pass --sources-out for another file)"
        )

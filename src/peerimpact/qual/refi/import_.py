"""REFI-QDA 1.5 import: read a ``.qdpx`` leniently, re-anchor every selection, report what did not map.

Accepted: any single ``*.qde`` in the archive (``project.qde``,
``Trial.qde`` ...), sources under ``sources/`` or ``Sources/`` (any case),
named ``internal://…`` or by a bare relative path (qc), positions counted as
code points, UTF-16 code units or UTF-8 bytes, line ends counted 1 or 2, a
BOM counted or not, decided per source (see :mod:`.anchor` and
:mod:`.producers`). What cannot be represented (media sources, links,
graphs, other variables, notes without a target ...) or cannot be anchored
is listed in :class:`DataLossReport`.

Refused outright (:class:`UserInputError`, one line): hostile or broken
archives (see :mod:`.archive`) and XML with a DTD or entity declaration.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from lxml import etree

from ...errors import Problem, StudyValidationError, UserInputError
from .archive import DEFAULT_LIMIT, Archive, declares_dtd, refuse_encoding
from .assemble import assemble
from .common import CODING_COLUMNS, MEDIA, local
from .model import DataLossReport, Loss, QualImport
from .reader import Reader

__all__ = ["CODING_COLUMNS", "MEDIA", "DataLossReport", "Loss", "QualImport", "import_qdpx", "parse_xml"]


def parse_xml(data: bytes, file: str, archive: str) -> etree._Element:
    """Parse a ``.qde``/``.qdc`` document, refusing any DTD or entity declaration (never resolved).

    Raises
    ------
    UserInputError
        The document declares a DTD or an entity.
    StudyValidationError
        The document is not well-formed (the problem names ``file`` and its line).
    """
    refuse_encoding(data[:512], archive, file)
    if declares_dtd(data):
        raise UserInputError(f"{archive}: {file} declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise StudyValidationError([Problem(file, exc.lineno, None, f"is not well-formed XML: {exc.msg}")]) from None
    if root.getroottree().docinfo.internalDTD is not None:  # belt and braces: the scan above should have caught it
        raise UserInputError(f"{archive}: {file} declares a DTD; refused")
    return root


def import_qdpx(
    path: str | Path, interview_id_pattern: str | None = None, source_map: dict[str, str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> QualImport:
    """Read a REFI-QDA ``.qdpx`` project.

    Parameters
    ----------
    path : str or Path
    interview_id_pattern : str, optional
        The study's ``interview_id_pattern``. Source names (without
        extension) that do not match it are built from the source's ``site``
        and ``timepoint`` variables and its case; failing that, the source is
        a problem. Without a pattern, the source name is the interview id.
    source_map : dict, optional
        Source GUID or source name -> interview id (``qual inspect`` writes a
        template); it takes precedence over the source's name.
    limit : int
        Largest number of uncompressed bytes read from the archive.

    Returns
    -------
    QualImport

    Raises
    ------
    UserInputError
        When the file is not a zip holding exactly one ``.qde``, or the
        archive is hostile (unsafe member path, over the size limit,
        truncated, a DTD or entity in the XML).
    StudyValidationError
        When the XML is malformed, a GUID is invalid, a source cannot be
        named, or a position lies past the end of its text; every problem
        names ``<file>.qde`` and its line.
    """
    path = Path(path)
    archive = Archive(path, limit)
    try:
        return _read(archive, interview_id_pattern, source_map)
    finally:
        archive.close()


SOURCE_TAGS = tuple("{*}" + t for t in ("TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"))


def _iterparse(archive: Archive):
    """``end`` events of the sources in the ``.qde``, streamed from the archive (no DTD, no entities, no network)."""
    return etree.iterparse(
        archive.open(archive.qde), events=("end",), tag=SOURCE_TAGS, resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True,
    )


def _in_sources(el: etree._Element) -> bool:
    parent = el.getparent()
    return parent is not None and local(parent) == "Sources" and parent.getparent() is not None and parent.getparent().getparent() is None


def _skeleton(archive: Archive, file: str) -> etree._Element:
    """First pass: the whole project except what sources hold (selections, codings ...), which stays on disk."""
    events = _iterparse(archive)
    try:
        for _, el in events:
            if _in_sources(el):
                for child in list(el):
                    el.remove(child)
    except etree.XMLSyntaxError as exc:
        raise StudyValidationError([Problem(file, exc.lineno, None, f"is not well-formed XML: {exc.msg}")]) from None
    return events.root


def _sources(archive: Archive, file: str):
    """Second pass: each child of ``<Sources>`` whole, one at a time; each is freed once used."""
    try:
        for _, el in _iterparse(archive):
            if _in_sources(el):
                yield el
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:  # pragma: no cover - the first pass has parsed the same bytes
        raise StudyValidationError([Problem(file, exc.lineno, None, f"is not well-formed XML: {exc.msg}")]) from None


def _read(archive: Archive, interview_id_pattern: str | None, source_map: dict[str, str] | None) -> QualImport:
    file = PurePosixPath(archive.qde).name
    root = _skeleton(archive, file)
    if local(root) != "Project":
        raise StudyValidationError([Problem(file, root.sourceline, None, f"root element is <{local(root)}>, expected <Project>")])
    r = Reader(archive, root, interview_id_pattern, source_map)
    r.check_all_guids()
    if r.problems:
        raise StudyValidationError(r.problems)
    r.read_metadata()
    r.stream = lambda: _sources(archive, file)
    return assemble(r)

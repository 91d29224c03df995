"""The report as data: sections of paragraphs, tables and figures.

Both writers (:mod:`.html` and :mod:`.docx_writer`) walk the same
:class:`ReportDocument`, so the Word file and the web page hold the same
tables, figures and text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Union

from .provenance import Provenance
from .table_model import ReportTable


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "body"  # body | note | warning


@dataclass(frozen=True)
class Figure:
    """A rendered figure: SVG for the web page, PNG for Word.

    ``alt`` describes what the figure shows for screen readers; ``caption``
    is printed after ``Figure N.``.
    """

    key: str
    caption: str
    alt: str
    svg: bytes
    png: bytes
    width_in: float
    number: str | None = None

    @property
    def label(self) -> str:
        return f"Figure {self.number}. {self.caption}" if self.number else self.caption


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    kind: str = "body"  # body | warning


@dataclass(frozen=True)
class MissingTable:
    """A table with no data, shown as one sentence that says why.

    ``Table N. <title>: <reason>.`` for the seed study's Tables 1-5, which
    keep their numbers in every report; ``<title>: <reason>.`` (no number)
    for the other tables.
    """

    key: str
    number: str | None
    title: str
    reason: str = "not collected in this study"

    @property
    def label(self) -> str:
        return f"Table {self.number}." if self.number else ""

    @property
    def text(self) -> str:
        return f"{self.title}: {self.reason}."

    @property
    def caption(self) -> str:
        return f"{self.label} {self.text}".strip()


Block = Union[Paragraph, ReportTable, MissingTable, Figure, BulletList]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    intro: str = ""


@dataclass(frozen=True)
class ReportDocument:
    title: str
    synthetic: bool
    sections: tuple[Section, ...]
    provenance: Provenance
    subtitle: str = ""
    banner: str = "Synthetic data: not real participants"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def tables(self) -> list[ReportTable]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, ReportTable)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


def number_blocks(sections: list[Section]) -> list[Section]:
    """Number tables and figures in document order.

    Tables that already carry a number (the seed study's Tables 1-5, and
    :class:`MissingTable` placeholders) keep it; the others are numbered in
    document order after the highest fixed number. Figures are numbered
    1, 2, ... in document order.
    """
    fixed = [int(b.number) for s in sections for b in s.blocks if isinstance(b, (ReportTable, MissingTable)) and b.number]
    t = max(fixed, default=0)
    f = 0
    out = []
    for s in sections:
        blocks = []
        for b in s.blocks:
            if isinstance(b, ReportTable) and not b.number:
                t += 1
                b = b.numbered(str(t))
            elif isinstance(b, Figure):
                f += 1
                b = replace(b, number=str(f))
            blocks.append(b)
        out.append(replace(s, blocks=tuple(blocks)))
    return out

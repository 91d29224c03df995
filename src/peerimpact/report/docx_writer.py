"""``report.docx``: the same tables as real Word tables, in a journal style.

Three-line tables (a rule above and below the header, one at the foot, no
vertical rules), ``Table N.`` captions above, notes below; figures as PNG with
their alt text in the picture's description. Every page is A4 portrait: a
table wider than :data:`~.table_model.MAX_COLUMNS` is shown in the same parts
as the web page (:meth:`ReportTable.column_parts`), and every table has fixed
column widths that sum to the text width, in a font size that shrinks with the
number of columns; cells wrap. A synthetic study carries the banner in every
page header.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from .document import BulletList, Figure, MissingTable, Paragraph, ReportDocument
from .table_model import MAX_COLUMNS, ReportTable

BANNER_RGB = RGBColor(0x8B, 0x1A, 0x1A)
A4_WIDTH_CM, A4_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.2
#: the portrait text width in twentieths of a point (A4 210 mm minus both margins)
TEXT_WIDTH_TWIPS = int((A4_WIDTH_CM - 2 * MARGIN_CM) / 2.54 * 1440)
#: narrow cell padding (twips a side) for tables of 8 or more columns; Word's default is 108
NARROW_PADDING_TWIPS = 43


def font_size(n_columns: int) -> int:
    """The table font size (pt) for a table of ``n_columns`` columns on an A4 portrait page."""
    return 9 if n_columns <= 6 else 8 if n_columns <= 10 else 7


def column_widths(t: ReportTable, total: int = TEXT_WIDTH_TWIPS) -> list[int]:
    """Column widths (twips) that sum to at most ``total``: shared by the longest line of each column.

    A column's share is its longest line (header or cell) in characters, kept
    between 4 and 28 so that a long label column cannot squeeze the numbers
    out; cells wrap within their width.
    """
    weights = []
    for c, name in enumerate(t.columns):
        lines = [line for text in (name, *(row[c] for row in t.rows)) for line in str(text).split("\n")]
        weights.append(min(max(max(len(line) for line in lines), 4), 28))
    return [total * w // sum(weights) for w in weights]


def _set_widths(table, widths: list[int], narrow: bool) -> None:
    """Fixed layout: the grid, every cell and the table width in twips (before any cell is merged)."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        _insert_tbl_pr(tbl_pr, tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    table.autofit = False  # w:tblLayout fixed: Word keeps these widths whatever the content
    if narrow:
        mar = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(NARROW_PADDING_TWIPS))
            el.set(qn("w:type"), "dxa")
            mar.append(el)
        _insert_tbl_pr(tbl_pr, mar)
    for grid_col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(w))
    for tr in tbl.findall(qn("w:tr")):
        for tc, w in zip(tr.findall(qn("w:tc")), widths, strict=True):
            tc_w = tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:w"), str(w))
            tc_w.set(qn("w:type"), "dxa")


def _border(cell, **edges: tuple[str, int]) -> None:
    """Set cell borders: ``top=("single", 12)`` (size in eighths of a point)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for edge, (val, size) in edges.items():
        el = borders.find(qn(f"w:{edge}"))
        if el is None:
            el = OxmlElement(f"w:{edge}")
            borders.append(el)
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")


#: the order of a ``w:tblPr``'s children in the OOXML schema (the ones this writer sets)
_TBL_PR_ORDER = tuple(
    qn(f"w:{n}")
    for n in (
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
    )
)


def _insert_tbl_pr(tbl_pr, el) -> None:
    """Insert ``el`` into ``tbl_pr`` in schema order (Word rejects a table whose properties are out of order)."""
    rank = _TBL_PR_ORDER.index(el.tag)
    for k, child in enumerate(tbl_pr):
        if child.tag in _TBL_PR_ORDER and _TBL_PR_ORDER.index(child.tag) > rank:
            tbl_pr.insert(k, el)
            return
    tbl_pr.append(el)


def _no_table_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert_tbl_pr(tbl_pr, borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


_W_P, _W_PPR, _W_PSTYLE, _W_R, _W_RPR, _W_T, _W_B, _W_I, _W_VAL = (
    qn("w:p"),
    qn("w:pPr"),
    qn("w:pStyle"),
    qn("w:r"),
    qn("w:rPr"),
    qn("w:t"),
    qn("w:b"),
    qn("w:i"),
    qn("w:val"),
)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _cell_text(cell, text: str, style_id: str, bold: bool = False, italic: bool = False) -> None:
    """Fill a cell with one paragraph per line, in the given paragraph style.

    Writes the XML directly: python-docx's per-property setters search the
    element tree on every call and dominated the report's run time.
    """
    tc = cell._tc
    first = tc.find(_W_P)
    for k, line in enumerate(str(text).split("\n")):
        if k == 0 and first is not None and len(first) == 0:
            p = first
        else:
            p = OxmlElement("w:p")
            tc.append(p)
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(_W_VAL, style_id)
        ppr.append(pstyle)
        p.append(ppr)
        r = OxmlElement("w:r")
        if bold or italic:
            rpr = OxmlElement("w:rPr")
            if bold:
                rpr.append(OxmlElement("w:b"))
            if italic:
                rpr.append(OxmlElement("w:i"))
            r.append(rpr)
        t = OxmlElement("w:t")
        t.set(_XML_SPACE, "preserve")
        t.text = line
        r.append(t)
        p.append(r)


def _table_styles(document) -> dict[tuple[int, bool], str]:
    """Paragraph styles for table cells: (font size, right-aligned) -> style id."""
    ids = {}
    for size in (7, 8, 9):
        for right in (False, True):
            name = f"PI Table {size}{' Right' if right else ''}"
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.font.size = Pt(size)
            fmt = style.paragraph_format
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(1)
            fmt.line_spacing = 1.0
            if right:
                fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            ids[(size, right)] = style.style_id
    return ids


class DocxWriter:
    """Build a Word document from a :class:`ReportDocument`."""

    def __init__(self, doc: ReportDocument):
        self.src = doc
        self.doc = Document()
        self.cell_styles = _table_styles(self.doc)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(A4_WIDTH_CM), Cm(A4_HEIGHT_CM)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Cm(MARGIN_CM))
        if doc.synthetic:
            para = sec.header.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(doc.banner.upper())
            run.bold = True
            run.font.size = Pt(9)
            run.font.color.rgb = BANNER_RGB

    # ------------------------------------------------------------ layout
    def _text_width(self) -> float:
        sec = self.doc.sections[-1]
        width, left, right = sec.page_width, sec.left_margin, sec.right_margin
        if width is None or left is None or right is None:  # not set by this writer's sections: A4 with 2.5 cm margins
            return (21.0 - 5.0) / 2.54
        return (width - left - right) / 914400  # inches

    # ------------------------------------------------------------ blocks
    def table(self, t: ReportTable) -> None:
        cap = self.doc.add_paragraph()
        cap.paragraph_format.keep_with_next = True
        cap.paragraph_format.space_before = Pt(12)
        if t.number:
            cap.add_run(f"Table {t.number}.").bold = True
            cap.add_run(" ")
        cap.add_run(t.title).italic = True
        size = font_size(len(t.columns))
        head_rows = 2 if t.column_groups else 1
        runs = t.group_runs()
        n_group_rows = sum(1 for label, _ in runs if label is not None)
        table = self.doc.add_table(rows=head_rows + len(t.rows) + n_group_rows, cols=len(t.columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_table_borders(table)
        ncol = len(t.columns)
        _set_widths(table, column_widths(t, int(self._text_width() * 1440)), narrow=ncol >= 8)
        r = 0
        if t.column_groups:
            j = 0
            row = table.rows[0]
            _repeat_header(row)
            top_cells = row.cells
            for group_label, span in t.column_groups:
                cell = top_cells[j].merge(top_cells[j + span - 1]) if span > 1 else top_cells[j]
                if group_label:
                    _cell_text(cell, group_label, self.cell_styles[(size, False)], bold=True)
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _border(cell, bottom=("single", 4))
                j += span
            for cell in table.rows[0].cells:
                _border(cell, top=("single", 12))
            r = 1
        header = table.rows[r]
        _repeat_header(header)
        header_cells = header.cells
        for c, name in enumerate(t.columns):
            cell = header_cells[c]
            _cell_text(cell, name, self.cell_styles[(size, t.is_numeric(c))], bold=True)
            edges = {"bottom": ("single", 6)}
            if not t.column_groups:
                edges["top"] = ("single", 12)
            _border(cell, **edges)
        r += 1
        rows = list(table.rows)
        styles = [self.cell_styles[(size, t.is_numeric(c))] for c in range(ncol)]
        for label, idx in runs:
            if label is not None:
                cells = rows[r].cells
                merged = cells[0].merge(cells[ncol - 1])
                _cell_text(merged, label, self.cell_styles[(size, False)], italic=True, bold=True)
                r += 1
            for i in idx:
                cells = rows[r].cells
                for c, text in enumerate(t.rows[i]):
                    _cell_text(cells[c], text, styles[c])
                r += 1
        for cell in rows[-1].cells:
            _border(cell, bottom=("single", 12))
        for k, note in enumerate(t.notes):
            p = self.doc.add_paragraph()
            p.paragraph_format.space_after = Pt(2)
            if k == 0:
                lead = p.add_run("Note. ")
                lead.italic = True
                lead.font.size = Pt(9)
            p.add_run(note).font.size = Pt(9)

    def figure(self, f: Figure) -> None:
        width = min(f.width_in, self._text_width())
        self.doc.add_picture(io.BytesIO(f.png), width=Inches(width))
        pic_para = self.doc.paragraphs[-1]
        pic_para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pic_para.paragraph_format.keep_with_next = True
        for doc_pr in pic_para._p.iter(qn("wp:docPr")):
            doc_pr.set("descr", f.alt)
            doc_pr.set("title", f"Figure {f.number}" if f.number else f.key)
        cap = self.doc.add_paragraph()
        if f.number:
            cap.add_run(f"Figure {f.number}.").bold = True
            cap.add_run(" ")
        cap.add_run(f.caption).italic = True

    def paragraph(self, b: Paragraph) -> None:
        p = self.doc.add_paragraph(b.text)
        if b.kind in ("note", "warning"):
            for run in p.runs:
                run.font.size = Pt(9)

    def missing_table(self, b: MissingTable) -> None:
        p = self.doc.add_paragraph()
        if b.label:
            p.add_run(b.label + " ").bold = True
        p.add_run(b.text)

    def bullets(self, b: BulletList) -> None:
        style = self.doc.styles["List Bullet"]
        for item in b.items:
            self.doc.add_paragraph(item, style=style)

    # ------------------------------------------------------------ document
    def build(self) -> DocxDocument:
        src = self.src
        self.doc.core_properties.title = src.title
        self.doc.core_properties.author = "PeerImpact"
        try:
            when = datetime.fromisoformat(src.provenance.generated_at.replace("Z", "+00:00"))
            self.doc.core_properties.created = when
            self.doc.core_properties.modified = when
        except ValueError:
            pass
        self.doc.add_heading(src.title, level=0)
        if src.subtitle:
            self.doc.add_paragraph(src.subtitle)
        for section in src.sections:
            self.doc.add_heading(section.title, level=1)
            for b in section.blocks:
                if isinstance(b, ReportTable):
                    for part in b.column_parts(MAX_COLUMNS):
                        self.table(part)
                elif isinstance(b, Figure):
                    self.figure(b)
                elif isinstance(b, MissingTable):
                    self.missing_table(b)
                elif isinstance(b, Paragraph):
                    self.paragraph(b)
                elif isinstance(b, BulletList):
                    self.bullets(b)
        self.doc.add_heading("Provenance", level=1)
        prov = src.provenance
        rows = (("Generated", prov.generated_at),) + prov.software + prov.settings
        self.table(ReportTable("provenance", "Software and settings", ("Item", "Value"), tuple(rows)))
        if prov.inputs:
            self.table(ReportTable("provenance_inputs", "Input files and their SHA-256", ("File", "SHA-256"), prov.inputs))
        return self.doc


def write_docx(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as a Word file at ``path``."""
    DocxWriter(doc).build().save(str(path))
    return path

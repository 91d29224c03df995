"""``report.html``: one self-contained, accessible, printable file.

CSS is inlined; figures are embedded as ``data:`` URIs of their SVG (each in
its own ``<img>`` so ids inside different SVGs cannot collide, and so each
carries alt text). Tables use ``<caption>``, ``<th scope>`` and row-group
headers. Nothing is fetched from the network.
"""

from __future__ import annotations

import base64
from importlib import resources

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from .document import BulletList, Figure, MissingTable, Paragraph, ReportDocument
from .table_model import MAX_COLUMNS, ReportTable

_TEMPLATES = resources.files("peerimpact.report") / "templates"


def _read(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def _lines(cell: str) -> Markup:
    parts = str(cell).split("\n")
    if len(parts) == 1:
        return escape(parts[0])
    return Markup("").join(Markup('<span class="line">{}</span>').format(p) for p in parts)


class HtmlRenderer:
    """Render a :class:`ReportDocument` to a single HTML string."""

    def __init__(self) -> None:
        self.env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
        self.env.globals.update(lines=_lines, render_block=self.block)
        self.page = self.env.from_string(_read("report.html.j2"))
        self.table_tpl = self.env.from_string(_read("table.html.j2"))
        self.css = _read("report.css")

    def table(self, t: ReportTable) -> Markup:
        wide = any("\n" in c for row in t.rows for c in row)
        return Markup("").join(Markup(self.table_tpl.render(t=part, wide_text=wide)) for part in t.column_parts(MAX_COLUMNS))

    def figure(self, f: Figure) -> Markup:
        data = base64.b64encode(f.svg).decode("ascii")
        width = int(round(f.width_in * 96))
        return Markup(
            '<figure class="chart" id="{key}"><img src="data:image/svg+xml;base64,{data}" alt="{alt}" width="{w}">'
            '<figcaption><span class="label">Figure {num}.</span> {cap}</figcaption></figure>\n'
        ).format(key=f.key, data=Markup(data), alt=f.alt, w=width, num=f.number or "", cap=f.caption)

    def block(self, b) -> Markup:
        if isinstance(b, ReportTable):
            return self.table(b)
        if isinstance(b, Figure):
            return self.figure(b)
        if isinstance(b, MissingTable):
            label = Markup('<span class="label">{}</span> ').format(b.label) if b.label else Markup("")
            return Markup('<p class="table-missing" id="{}">{}{}</p>\n').format(b.key, label, b.text)
        if isinstance(b, Paragraph):
            cls = {"note": ' class="table-note"', "warning": ' class="warning" role="note"'}.get(b.kind, "")
            return Markup("<p{}>{}</p>\n").format(Markup(cls), b.text)
        if isinstance(b, BulletList):
            cls = ' class="warnings"' if b.kind == "warning" else ""
            items = Markup("").join(Markup("<li>{}</li>").format(i) for i in b.items)
            return Markup("<ul{}>{}</ul>\n").format(Markup(cls), items)
        raise TypeError(f"cannot render {type(b).__name__}")

    def render(self, doc: ReportDocument) -> str:
        inputs = ReportTable(
            key="provenance_inputs",
            title="Input files and their SHA-256",
            columns=("File", "SHA-256"),
            rows=tuple((p, h) for p, h in doc.provenance.inputs) or (("(study held in memory)", "\u2014"),),
        )
        return self.page.render(doc=doc, css=Markup(self.css), inputs_table=inputs)


def render_html(doc: ReportDocument) -> str:
    """The report as one HTML document (UTF-8 text)."""
    return HtmlRenderer().render(doc)

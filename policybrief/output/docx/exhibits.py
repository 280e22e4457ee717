"""Tables, rows of charts and pictures of a rendered page, in Word: a table keeps its
caption above it and its header row repeated on every page; charts sit side by side in
borderless tables, as the PDF sets them in a row; an SVG chart becomes a PNG picture that
carries its SVG original and its alternative text; an image in prose prints as large as in
the PDF. The converter (:mod:`.convert`) hands each such block here; what is inside a cell
or a figure goes back to it (:class:`.walk.Walker`)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shape import InlineShape
from docx.shared import Emu, Mm
from lxml import etree
from lxml.html import HtmlElement

from policybrief.core.errors import RenderError
from policybrief.output.docx import ooxml
from policybrief.output.docx.walk import CJK, CellSink, Ctx, Fmt, Line, Sink, Walker, classes, local

CHART_WIDTH = Mm(55)  # the width of one chart in a row, as in the PDF's flex row
WIDE_CHARTS = {"chart-line", "chart-stacked", "chart-multiples"}  # each on a row of its own
T = TypeVar("T")
PICTURE_HEIGHT_MM = 110  # the tallest an image in prose prints (base.css: .picture img)


class Exhibits:
    """The converter's tables and pictures; ``rasters``: PNG by SVG, shared by the editions
    of a build so that each chart is drawn once."""

    def __init__(self, document: Document, walker: Walker, rasters: dict[str, bytes]):
        self.document = document
        self.walker = walker
        self.rasters = rasters
        self.charts = 0
        self.svg_sources: dict[HtmlElement, str] = {}

    def read_svgs(self, root: HtmlElement, html: str) -> None:
        """Each <svg> element's source text, in document order (none nest in a page)."""
        elements = [e for e in root.iter() if isinstance(e.tag, str) and local(e) == "svg"]
        sources = re.findall(r"<svg\b.*?</svg>", html, re.S | re.I)
        if len(elements) == len(sources):
            self.svg_sources = dict(zip(elements, sources, strict=True))

    def table(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        rows: list[tuple[bool, list[HtmlElement]]] = []
        for row in element.iter():
            if local(row) == "tr":
                head = local(row.getparent()) == "thead"
                cells = [c for c in row if local(c) in ("td", "th")]
                rows.append((head, cells))
        if not rows:
            return
        caption = next((c for c in element if local(c) == "caption"), None)
        if caption is not None:  # 表1 / Table 1 and its text, above the table as in the PDF
            line = self.walker.paragraph(sink, "Caption", replace(ctx, item=None, quote=False))
            line.paragraph.paragraph_format.keep_with_next = True  # with its table
            self.walker.inline_children(line, caption, Fmt())
        cols = max(len(cells) for _, cells in rows)
        table = sink.add_table(rows=0, cols=cols)
        try:
            table.style = self.document.styles["Table Grid"]
        except KeyError:  # a reference document without it: Word's plain table
            pass
        widths = self.column_widths(rows, cols, ctx.width)
        for index, column in enumerate(table.columns):
            column.width = Emu(widths[index])  # w:tblGrid, which LibreOffice follows
        for head, cells in rows:
            row = table.add_row()
            if head:
                trpr = ooxml.row_xml(row).get_or_add_trPr()
                trpr.append(OxmlElement("w:tblHeader"))  # repeated on every page
            for index, cell in enumerate(cells):
                style = "Table Heading" if head or local(cell) == "th" else "Table Text"
                row.cells[index].width = Emu(widths[index])
                self.walker.blocks(CellSink(row.cells[index]), cell, Ctx(widths[index]), style)

    @staticmethod
    def column_widths(
        rows: list[tuple[bool, list[HtmlElement]]], cols: int, width: int
    ) -> list[int]:
        """Columns as wide as their longest cell (CJK characters count twice), within
        a quarter and three times of an even share, filling the text width."""
        longest = [1] * cols
        for _head, cells in rows:
            for index, cell in enumerate(cells):
                text = " ".join("".join(cell.itertext()).split())
                longest[index] = max(longest[index], len(text) + len(CJK.findall(text)))
        even = 1 / cols
        shares = [min(max(n / sum(longest), even / 4), even * 3) for n in longest]
        return [int(width * share / sum(shares)) for share in shares]

    def chart_row(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        """Charts side by side in borderless tables, as the PDF sets them in a row; a wide
        chart (line, stacked, small multiples) on its own, as base.css gives it a row."""
        narrow: list[HtmlElement] = []
        for figure in [c for c in element if local(c) == "figure"] + [None]:
            if figure is not None and not classes(figure) & WIDE_CHARTS:
                narrow.append(figure)
                continue
            if narrow:
                self.chart_table(sink, narrow, ctx)
                narrow = []
            if figure is not None:
                self.walker.blocks(sink, figure, ctx)

    def chart_table(self, sink: Sink, figures: list[HtmlElement], ctx: Ctx) -> None:
        per_row = max(1, min(len(figures), ctx.width // CHART_WIDTH))
        table = sink.add_table(rows=0, cols=per_row)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        width = ctx.width // per_row
        for column in table.columns:
            column.width = Emu(width)
        for start in range(0, len(figures), per_row):
            row = table.add_row()
            for index, figure in enumerate(figures[start : start + per_row]):
                row.cells[index].width = Emu(width)
                self.walker.blocks(CellSink(row.cells[index]), figure, Ctx(width - Mm(3)))

    def row(
        self,
        sink: Sink,
        items: list[T],
        per_row: int,
        ctx: Ctx,
        write: Callable[[Sink, T, Ctx], None],
    ) -> None:
        """``items`` side by side in a borderless table, ``per_row`` to a row, each cell
        written by ``write`` (key figures, as the PDF sets them in a row)."""
        table = sink.add_table(rows=0, cols=per_row)
        width = ctx.width // per_row
        for column in table.columns:
            column.width = Emu(width)
        for start in range(0, len(items), per_row):
            row = table.add_row()
            for index, item in enumerate(items[start : start + per_row]):
                row.cells[index].width = Emu(width)
                write(CellSink(row.cells[index]), item, Ctx(width - Mm(3)))

    def in_columns(self, element: HtmlElement, ctx: Ctx, columns: tuple[int, int]) -> None:
        """The brief's sections in columns, as the one-page note's CSS sets them: a
        continuous section of their own between two section breaks, in the body."""
        count, _gap = columns
        for ending in ((1, 0), None):
            if ending is None:
                self.walker.blocks(self.document, element, replace(ctx, width=ctx.width // count))
                ending = columns
            marker = ooxml.paragraph_xml(self.document.add_paragraph())
            marker.addprevious(ooxml.section_break(self.document, *ending))
            marker.getparent().remove(marker)
        ooxml.continuous(self.document)

    def picture(self, sink: Sink, svg_element: HtmlElement, ctx: Ctx) -> None:
        # The SVG as the page has it: the HTML parser lowercases names (viewBox), which
        # SVG readers do not accept.
        svg = self.svg_sources.get(svg_element) or etree.tostring(
            svg_element, encoding="unicode", with_tail=False
        ).replace("viewbox=", "viewBox=")
        if "xmlns=" not in svg.split(">", 1)[0]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        title = svg_element.find("{*}title")
        if title is None:
            title = svg_element.find("title")
        desc = svg_element.find("{*}desc")
        if desc is None:
            desc = svg_element.find("desc")
        name = "".join(title.itertext()).strip() if title is not None else "Chart"
        alt = "".join(desc.itertext()).strip() if desc is not None else name
        width_px, height_px = ooxml.svg_size(svg)
        width = min(ctx.width, int(width_px * 9525))
        height = int(width * height_px / width_px)
        if svg not in self.rasters:
            self.rasters[svg] = ooxml.rasterize(svg)
        png = self.rasters[svg]
        paragraph = sink.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = 1.0  # the text styles' is exact
        shape = paragraph.add_run().add_picture(io.BytesIO(png), Emu(width), Emu(height))
        self.charts += 1
        ooxml.add_svg(
            self.document,
            ooxml.inline_xml(shape),
            svg,
            self.charts,
            f"{name}: {alt}" if alt != name else name,
            name,
        )

    def image(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        self.picture_run(Line(sink.add_paragraph(), None), element, ctx.width)

    def prose_picture(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        """An image in prose: its numbered caption (kept with it), then the picture as
        large as in the PDF (96 pixels an inch), within the text width and 110 mm high."""
        for child in element:
            if local(child) == "figcaption":
                line = self.walker.paragraph(sink, "Caption", ctx)
                line.paragraph.paragraph_format.keep_with_next = True
                self.walker.inline_children(line, child, Fmt())
            elif local(child) == "img":
                line = self.walker.paragraph(sink, None, replace(ctx, item=None))
                shape = self.picture_run(line, child, ctx.width)
                try:
                    width, height = int(child.get("width")) * 9525, int(child.get("height")) * 9525
                except (TypeError, ValueError):
                    continue
                scale = min(1.0, ctx.width / width, Mm(PICTURE_HEIGHT_MM) / height)
                if shape is not None:
                    shape.width, shape.height = Emu(int(width * scale)), Emu(int(height * scale))

    def picture_run(self, line: Line, element: HtmlElement, width: int) -> InlineShape | None:
        """A template's <img> with a data: URI (a logo, say); pages may load nothing else."""
        src = element.get("src") or ""
        match = re.match(r"data:image/(png|jpeg|gif);base64,(.*)", src, re.S)
        if not match:
            return None
        line.paragraph.paragraph_format.line_spacing = 1.0  # the text styles' is exact
        try:
            data = base64.b64decode(match.group(2))
            shape = line.paragraph.add_run().add_picture(io.BytesIO(data))
        except Exception as exc:  # binascii.Error, python-docx's image errors, PIL-free parser
            raise RenderError(
                f"an <img> in the page is not a readable {match.group(1)} "
                f"image ({exc.__class__.__name__})"
            ) from None
        if shape.width > width:
            shape.height = Emu(int(shape.height * width / shape.width))
            shape.width = Emu(width)
        ooxml.inline_xml(shape).docPr.set("descr", element.get("alt") or "")
        return shape

"""The rendered page (the same HTML the PDF is made from) into Word paragraphs, tables,
pictures and notes. Every block becomes a paragraph in a named style, every citation a
real footnote or endnote, every inline chart a picture with alternative text."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, replace

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from docx.text.paragraph import Paragraph
from lxml import etree

from policybrief.core.errors import RenderError
from policybrief.output.docx import ooxml
from policybrief.output.docx.styles import HTML_LANGS, FontResolver, set_lang

SKIP_TAGS = {
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "title",
    "meta",
    "link",
    "button",
    "input",
    "select",
    "textarea",
    "hr",
}
SKIP_CLASSES = {"skip-link", "backref", "fact-link", "visually-hidden", "cite-popover"}
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "header",
    "footer",
    "main",
    "article",
    "aside",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "blockquote",
    "nav",
    "svg",
    "pre",
    "address",
    "img",
    "body",
}
# Paragraph styles by the class of a paragraph or of the block that holds loose text.
CLASS_STYLES = {
    "subtitle": "Subtitle",
    "kicker": "Kicker",
    "byline": "Byline",
    "cover-date": "Byline",
    "colophon": "Byline",
    "summary": "Summary",
    "standfirst": "Summary",
    "cover-summary": "Summary",
    "chart-source": "Caption",
    "chart-title": "Caption",
    "attribution": "Caption",
    "source-list": "Body Text",
}
HEADINGS = {
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 3",
    "h6": "Heading 3",
}
# Elements that make one paragraph of their text (besides the headings).
TEXT_BLOCKS = ("p", "figcaption", "dt", "dd", "address", "pre")
# Block elements converted by a method of their own (by name), whatever their classes.
BLOCK_METHODS = {
    "nav": "nav",
    "ul": "bullets",
    "ol": "bullets",
    "li": "blocks",
    "dl": "figures",
    "table": "table",
}
# Character styles by inline element.
INLINE_STYLES = {
    "strong": "Strong",
    "b": "Strong",
    "em": "Emphasis",
    "i": "Emphasis",
    "cite": "Emphasis",
    "dfn": "Emphasis",
    "code": "Code",
    "kbd": "Code",
    "samp": "Code",
}
CJK = re.compile("[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
SPACES = re.compile(r"[ \t\r\n\f]+")
CHART_WIDTH = Mm(55)  # the width of one chart in a row, as in the PDF's flex row
WIDE_CHARTS = {"chart-line", "chart-stacked", "chart-multiples"}  # each on a row of its own
PICTURE_HEIGHT_MM = 110  # the tallest an image in prose prints (base.css: .picture img)
SVG_TAG = "{http://www.w3.org/2000/svg}svg"


@dataclass(frozen=True)
class Fmt:
    """Character formatting inherited down the HTML tree."""

    style: str | None = None  # character style
    bold: bool = False
    italic: bool = False
    sup: bool = False
    sub: bool = False
    lang: str | None = None  # a w:lang value when it differs from the edition's


@dataclass
class Item:
    """The list item being written: its first paragraph takes the list style."""

    style: str
    num: int | None
    level: int
    used: bool = False


@dataclass(frozen=True)
class Ctx:
    width: int  # EMU available for pictures
    quote: bool = False
    figures: bool = False  # inside a box of key figures (a press release's quotable box)
    item: Item | None = None
    depth: int = 0


class Line:
    """One paragraph being filled: collapses HTML whitespace across runs."""

    def __init__(self, paragraph: Paragraph, style: str | None):
        self.paragraph = paragraph
        self.style = style
        self.space = True  # at the start, or after a space: drop leading spaces

    def trim(self) -> None:
        texts = ooxml.paragraph_xml(self.paragraph).findall(f".//{qn('w:t')}")
        if texts and texts[-1].text:
            texts[-1].text = texts[-1].text.rstrip(" ")


class CellSink:
    """A table cell as a container: its first paragraph is used before new ones."""

    def __init__(self, cell):
        self.cell = cell
        self.fresh = True

    def add_paragraph(self, text: str = "", style: str | None = None):
        if self.fresh:
            self.fresh = False
            return self.cell.paragraphs[0]
        return self.cell.add_paragraph(text)

    def add_table(self, rows: int, cols: int):
        self.fresh = False
        return self.cell.add_table(rows, cols)


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def class_style(cls: set[str]) -> str | None:
    """The paragraph style a block's classes name (the first in alphabetical order)."""
    return next((CLASS_STYLES[c] for c in sorted(cls) if c in CLASS_STYLES), None)


def local(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


class Converter:
    def __init__(
        self,
        document,
        *,
        lang: str,
        toc: bool,
        cover: bool,
        notes_kind: str,
        note_items: dict[int, object],
        text_width: int,
        rasters: dict[str, bytes],
    ):
        self.document = document
        self.lang = lang
        self.toc = toc
        self.cover = cover
        self.notes = ooxml.Notes(document, notes_kind)
        self.note_items = note_items
        self.text_width = text_width
        self.fonts = FontResolver(document)
        self.style_ids: dict[str, str] = {}
        self.cited: dict[int, tuple[int, str]] = {}  # page's note number -> Word's, bookmark
        self.bookmarks = 0
        self.charts = 0
        self.headings: list[tuple[int, str]] = []
        self.toc_after: Paragraph | None = None  # the paragraph after which the TOC goes
        self.rasters = rasters  # PNG by SVG: the editions of a build share their charts
        self.svg_sources: dict = {}

    def read_svgs(self, root, html: str) -> None:
        """Each <svg> element's source text, in document order (none nest in a page)."""
        elements = [e for e in root.iter() if isinstance(e.tag, str) and local(e) == "svg"]
        sources = re.findall(r"<svg\b.*?</svg>", html, re.S | re.I)
        if len(elements) == len(sources):
            self.svg_sources = dict(zip(elements, sources, strict=True))

    # -- blocks ----------------------------------------------------------------------

    def skipped(self, element) -> bool:
        return (
            local(element) in SKIP_TAGS
            or element.get("hidden") is not None
            or bool(classes(element) & SKIP_CLASSES)
            or element.get("role") == "doc-endnotes"
            or element.get("aria-hidden") == "true"
        )

    def blocks(self, sink, element, ctx: Ctx, style: str | None = None) -> None:
        """Write ``element``'s children: block children as blocks, runs of loose text and
        inline elements as paragraphs in ``style``."""
        pending: list = []
        if element.text:
            pending.append(element.text)
        for child in element:
            if not isinstance(child.tag, str):  # comments, processing instructions
                if child.tail:
                    pending.append(child.tail)
                continue
            if local(child) in BLOCK_TAGS or child.tag == SVG_TAG:
                self.flush(sink, pending, ctx, style)
                pending = []
                if not self.skipped(child):
                    self.block(sink, child, ctx)
            else:
                pending.append(child)
            if child.tail:
                pending.append(child.tail)
        self.flush(sink, pending, ctx, style)

    def visible(self, pending: list) -> bool:
        for item in pending:
            if isinstance(item, str):
                if item.strip():
                    return True
            elif not self.skipped(item) and (
                "".join(item.itertext()).strip() or local(item) in ("br", "img")
            ):
                return True
        return False

    def paragraph(self, sink, style: str | None, ctx: Ctx) -> Line:
        item = ctx.item
        if ctx.figures and style in (None, "Body Text"):
            style, item = "Key Figure", None
        elif item is not None:
            style = (
                style if style in ("Caption",) else ("List Continue" if item.used else item.style)
            )
        elif ctx.quote and style in (None, "Body Text"):
            style = "Quote"
        style = style or "Body Text"
        paragraph = sink.add_paragraph()
        ooxml.paragraph_xml(paragraph).style = self.style_id(style)
        if item is not None and not item.used:
            item.used = True
            if item.num is not None:
                numpr = ooxml.paragraph_xml(paragraph).get_or_add_pPr().get_or_add_numPr()
                numpr.get_or_add_ilvl().val = 0
                numpr.get_or_add_numId().val = item.num
        return Line(paragraph, style)

    def flush(self, sink, pending: list, ctx: Ctx, style: str | None) -> None:
        if not self.visible(pending):
            return
        line = self.paragraph(sink, style, ctx)
        for item in pending:
            self.inline(line, item, Fmt())
        line.trim()

    def block(self, sink, element, ctx: Ctx) -> None:
        tag, cls = local(element), classes(element)
        if tag == "h1" or tag in HEADINGS or tag in TEXT_BLOCKS:
            self.text_block(sink, element, tag, cls, ctx)
        elif tag in BLOCK_METHODS:
            getattr(self, BLOCK_METHODS[tag])(sink, element, ctx)
        elif cls & {"quotable", "key-figures"}:
            self.blocks(sink, element, replace(ctx, figures=True))
        elif tag == "blockquote":
            self.blocks(sink, element, replace(ctx, quote=True))
        elif tag == "svg" or element.tag == SVG_TAG:
            self.picture(sink, element, ctx)
        elif tag == "img":
            self.image(sink, element, ctx)
        elif "charts" in cls and sum(local(c) == "figure" for c in element) > 1:
            self.chart_row(sink, element, ctx)
        elif tag == "figure" and "picture" in cls:
            self.prose_picture(sink, element, ctx)
        else:  # section, div, header, figure, main...: a container
            self.blocks(sink, element, ctx, class_style(cls))
            if "cover" in cls and self.cover and tag == "header":
                sink.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def nav(self, sink, element, ctx: Ctx) -> None:
        if "toc" in classes(element) and self.toc:
            self.contents(sink, element)

    def text_block(self, sink, element, tag: str, cls: set[str], ctx: Ctx) -> None:
        """A heading or a paragraph-like element: one paragraph of runs."""
        if tag == "h1":
            line = self.paragraph(sink, "Title", ctx)
            self.inline_children(line, element, Fmt())
        elif tag in HEADINGS:
            style = HEADINGS[tag]
            line = self.paragraph(sink, style, replace(ctx, item=None, quote=False))
            self.inline_children(line, element, Fmt())
            self.headings.append((int(style[-1]), "".join(element.itertext()).strip()))
        else:
            named = "Caption" if tag == "figcaption" else class_style(cls)
            fmt = Fmt(style="Code") if tag == "pre" else Fmt()
            line = self.paragraph(sink, named, ctx)
            self.inline_children(line, element, fmt)

    def inline_children(self, line: Line, element, fmt: Fmt) -> None:
        self.inline_children_only(line, element, self.lang_of(element, fmt))
        line.trim()

    def contents(self, sink, nav) -> None:
        """The contents list becomes a TOC field (filled in after the body)."""
        title = next((h for h in nav.iter() if local(h) in HEADINGS), None)
        line = Line(sink.add_paragraph(), "TOC Heading")
        ooxml.paragraph_xml(line.paragraph).style = self.style_id("TOC Heading")
        if title is not None:
            self.inline_children(line, title, Fmt())
        self.toc_after = line.paragraph

    def bullets(self, sink, element, ctx: Ctx) -> None:
        ordered = local(element) == "ol"
        level = min(ctx.depth + 1, 3)
        style = ("List Number" if ordered else "List Bullet") + ("" if level == 1 else f" {level}")
        num = self.restart(style) if ordered else None
        for child in element:
            if not isinstance(child.tag, str) or self.skipped(child):
                continue
            item = Item(style, num, level)
            self.blocks(sink, child, replace(ctx, item=item, depth=ctx.depth + 1))

    def restart(self, style: str) -> int | None:
        """A numbering instance that starts at 1 for this list (Word would otherwise
        continue the numbers of the previous list in the same style)."""
        ppr = self.document.styles[style].element.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is None or numpr.numId is None:
            return None
        numbering = self.document.part.numbering_part.element
        num = numbering.num_having_numId(numpr.numId.val)
        fresh = numbering.add_num(num.abstractNumId.val)
        fresh.add_lvlOverride(ilvl=0).add_startOverride(1)
        return fresh.numId

    def figures(self, sink, element, ctx: Ctx) -> None:
        """Key figures (a <dl>): each value in its own style, then its label."""
        terms = [e for e in element.iter() if local(e) in ("dt", "dd")]
        pairs, label = [], None
        for term in terms:
            if local(term) == "dt":
                label = term
            else:
                pairs.append((label, term))
                label = None
        for label, value in pairs:
            line = self.paragraph(sink, "Key Figure", ctx)
            self.inline_children(line, value, Fmt(style="Key Figure Value"))
            if label is not None:
                line.paragraph.add_run().add_break()
                line.space = True
                self.inline_children(line, label, Fmt())

    def table(self, sink, element, ctx: Ctx) -> None:
        rows = []
        for row in element.iter():
            if local(row) == "tr":
                head = local(row.getparent()) == "thead"
                cells = [c for c in row if local(c) in ("td", "th")]
                rows.append((head, cells))
        if not rows:
            return
        caption = next((c for c in element if local(c) == "caption"), None)
        if caption is not None:  # 表1 / Table 1 and its text, above the table as in the PDF
            line = self.paragraph(sink, "Caption", replace(ctx, item=None, quote=False))
            self.inline_children(line, caption, Fmt())
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
                self.blocks(CellSink(row.cells[index]), cell, Ctx(widths[index]), style)

    @staticmethod
    def column_widths(rows, cols: int, width: int) -> list[int]:
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

    def chart_row(self, sink, element, ctx: Ctx) -> None:
        """Charts side by side in borderless tables, as the PDF sets them in a row; a wide
        chart (line, stacked, small multiples) on its own, as base.css gives it a row."""
        narrow: list = []
        for figure in [c for c in element if local(c) == "figure"] + [None]:
            if figure is not None and not classes(figure) & WIDE_CHARTS:
                narrow.append(figure)
                continue
            if narrow:
                self.chart_table(sink, narrow, ctx)
                narrow = []
            if figure is not None:
                self.blocks(sink, figure, ctx)

    def chart_table(self, sink, figures: list, ctx: Ctx) -> None:
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
                self.blocks(CellSink(row.cells[index]), figure, Ctx(width - Mm(3)))

    def picture(self, sink, svg_element, ctx: Ctx) -> None:
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

    def image(self, sink, element, ctx: Ctx) -> None:
        self.picture_run(Line(sink.add_paragraph(), None), element, ctx.width)

    def prose_picture(self, sink, element, ctx: Ctx) -> None:
        """An image in prose: its numbered caption (kept with it), then the picture as
        large as in the PDF (96 pixels an inch), within the text width and 110 mm high."""
        for child in element:
            if local(child) == "figcaption":
                line = self.paragraph(sink, "Caption", ctx)
                line.paragraph.paragraph_format.keep_with_next = True
                self.inline_children(line, child, Fmt())
            elif local(child) == "img":
                line = self.paragraph(sink, None, replace(ctx, item=None))
                shape = self.picture_run(line, child, ctx.width)
                try:
                    width, height = int(child.get("width")) * 9525, int(child.get("height")) * 9525
                except (TypeError, ValueError):
                    continue
                scale = min(1.0, ctx.width / width, Mm(PICTURE_HEIGHT_MM) / height)
                if shape is not None:
                    shape.width, shape.height = Emu(int(width * scale)), Emu(int(height * scale))

    def picture_run(self, line: Line, element, width: int):
        """A template's <img> with a data: URI (a logo, say); pages may load nothing else."""
        src = element.get("src") or ""
        match = re.match(r"data:image/(png|jpeg|gif);base64,(.*)", src, re.S)
        if not match:
            return None
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

    # -- inline ----------------------------------------------------------------------

    def lang_of(self, element, fmt: Fmt) -> Fmt:
        tag = (element.get("lang") or "").lower()
        if tag and HTML_LANGS.get(tag, tag) != fmt.lang:
            return replace(fmt, lang=HTML_LANGS.get(tag, element.get("lang")))
        return fmt

    def inline(self, line: Line, item, fmt: Fmt) -> None:
        if isinstance(item, str):
            self.text(line, item, fmt)
            return
        if self.skipped(item):
            return
        tag, cls = local(item), classes(item)
        fmt = self.lang_of(item, fmt)
        if tag == "br":
            line.paragraph.add_run().add_break()
            line.space = True
            return
        if tag == "sup" and "cite" in cls:
            self.cite(line, item)
            return
        if tag == "img":
            self.picture_run(line, item, self.text_width)
            return
        if tag == "svg":
            return
        if tag == "q":
            opening, closing = (
                ("「", "」") if "note-quote" in cls and self.lang == "zh" else ("“", "”")
            )
            self.text(line, opening, fmt)
            self.inline_children_only(line, item, fmt)
            self.text(line, closing, fmt)
            return
        self.inline_children_only(line, item, self.run_fmt(tag, cls, line, fmt))

    def run_fmt(self, tag: str, cls: set[str], line: Line, fmt: Fmt) -> Fmt:
        """How an inline element formats its text: a character style, or bold, italic,
        superscript or subscript where the text already has one."""
        style = INLINE_STYLES.get(tag)
        if tag == "span" and "fact" in cls:
            style = "Cited Figure"
        if tag == "span" and "note-value" in cls:
            style = "Strong"
        if style == "Strong" and line.style == "Key Figure":
            style = "Key Figure Value"
        if style and fmt.style is None:
            fmt = replace(fmt, style=style)
        elif style == "Strong":
            fmt = replace(fmt, bold=True)
        elif style == "Emphasis":
            fmt = replace(fmt, italic=True)
        if tag == "sup":
            fmt = replace(fmt, sup=True)
        elif tag == "sub":
            fmt = replace(fmt, sub=True)
        return fmt

    def inline_children_only(self, line: Line, element, fmt: Fmt) -> None:
        if element.text:
            self.text(line, element.text, fmt)
        for child in element:
            if isinstance(child.tag, str):
                self.inline(line, child, fmt)
            if child.tail:
                self.text(line, child.tail, fmt)

    def text(self, line: Line, text: str, fmt: Fmt) -> None:
        text = SPACES.sub(" ", text)
        if line.space:
            text = text.lstrip(" ")
        if not text:
            return
        line.space = text.endswith(" ")
        run = line.paragraph.add_run(text)
        self.style_run(run, line.style, fmt, text)

    def style_run(self, run, paragraph_style: str | None, fmt: Fmt, text: str) -> None:
        rpr = run.element.get_or_add_rPr()
        if fmt.style:
            rpr.get_or_add_rStyle().set(qn("w:val"), self.style_id(fmt.style))
        fonts = rpr.get_or_add_rFonts()
        for attr, value in self.fonts.fonts(paragraph_style, fmt.style).items():
            fonts.set(qn(f"w:{attr}"), value)
        lang = fmt.lang or ("zh-CN" if self.lang == "zh" else None)
        if lang == "zh-CN" or CJK.search(text):
            fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes in the Chinese face
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.sup:
            run.font.superscript = True
        elif fmt.sub:
            run.font.subscript = True
        if fmt.lang:
            set_lang(rpr, fmt.lang, "zh-CN")

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def cite(self, line: Line, sup) -> None:
        """A citation mark: the first for a note makes the Word note, later ones refer to
        it (a NOTEREF field showing the same number, as the PDF repeats it)."""
        link = next(
            (
                a
                for a in sup.iter()
                if local(a) == "a" and (a.get("href") or "").startswith("#note-")
            ),
            None,
        )
        digits = re.sub(
            r"\D", "", link.get("href") if link is not None else "".join(sup.itertext())
        )
        if not digits:
            return
        number = int(digits)
        paragraph = ooxml.paragraph_xml(line.paragraph)
        if number in self.cited:
            word_number, name = self.cited[number]
            paragraph.append(
                ooxml.simple_field(
                    f"NOTEREF {name} \\f \\h",
                    str(word_number),
                    self.style_id(self.notes.reference_style),
                )
            )
            return
        word_number, note_p = self.notes.add()
        run = self.notes.reference(word_number)
        paragraph.append(run)
        self.bookmarks += 1
        name = f"_RefNote{word_number}"
        ooxml.bookmark(run, self.bookmarks, name)
        self.cited[number] = (word_number, name)
        content = self.note_items.get(number)
        if content is not None:
            # a bare paragraph in the notes part: no story part is needed to add runs to it
            note_line = Line(
                Paragraph(note_p, None),  # type: ignore[arg-type]
                self.notes.text_style,
            )
            self.inline_children(note_line, content, Fmt())

    # -- after the body --------------------------------------------------------------

    def name_fonts(self, root) -> None:
        """Fonts on every run the walk did not format (fields' results, the contents,
        headers and footers), from its paragraph and character styles."""
        names = {s.style_id: s.name for s in self.document.styles}
        for paragraph in root.iter(qn("w:p")):
            pstyle = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            pname = names.get(pstyle.get(qn("w:val"))) if pstyle is not None else None
            for run in paragraph.iter(qn("w:r")):
                rpr = run.get_or_add_rPr()
                if rpr.find(qn("w:rFonts")) is not None:
                    continue
                rstyle = rpr.find(qn("w:rStyle"))
                cname = names.get(rstyle.get(qn("w:val"))) if rstyle is not None else None
                fonts = rpr.get_or_add_rFonts()
                for attr, value in self.fonts.fonts(pname, cname).items():
                    fonts.set(qn(f"w:{attr}"), value)

    def fill_contents(self) -> None:
        """The TOC field after its heading, with the headings as its cached result (Word
        updates the field, page numbers included, when the document is opened)."""
        if self.toc_after is None:
            return
        entries = [(level, text) for level, text in self.headings if level <= 2] or [(1, "")]
        anchor = ooxml.paragraph_xml(self.toc_after)
        for index, (level, text) in enumerate(entries):
            p = OxmlElement("w:p")
            p.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), self.style_id(f"TOC {level}"))
            if index == 0:
                p.append(ooxml.field_char("begin", dirty=True))
                p.append(ooxml.instr_run('TOC \\o "1-2" \\h \\z \\u'))
                p.append(ooxml.field_char("separate"))
            p.append(ooxml.text_run(text))
            if index == len(entries) - 1:
                p.append(ooxml.field_char("end"))
            anchor.addnext(p)
            anchor = p

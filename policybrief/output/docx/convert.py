"""The rendered page (the same HTML the PDF is made from) into Word paragraphs, tables,
pictures and notes. Every block becomes a paragraph in a named style, every citation a
real footnote or endnote, every inline chart a picture with alternative text (tables and
pictures: :mod:`.exhibits`; what the walk carries: :mod:`.walk`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.html import HtmlElement

from policybrief.core.languages import language
from policybrief.output.docx import contents, ooxml
from policybrief.output.docx.exhibits import Exhibits
from policybrief.output.docx.notes import note_parts
from policybrief.output.docx.styles import FontResolver, is_cjk, set_lang, word_tag
from policybrief.output.docx.tags import (
    BLOCK_TAGS,
    HEADINGS,
    INLINE_STYLES,
    SKIP_CLASSES,
    SKIP_TAGS,
    TEXT_BLOCKS,
    class_style,
)
from policybrief.output.docx.walk import (
    CJK,
    Ctx,
    Fmt,
    Inline,
    Item,
    Line,
    Sink,
    classes,
    local,
)

SPACES = re.compile(r"[ \t\r\n\f]+")
SVG_TAG = "{http://www.w3.org/2000/svg}svg"
# Han and the CJK punctuation and forms: set upright in italic text
HAN = re.compile(
    "([\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]+)"
)
EXHIBIT_LABEL = re.compile(r"(\D*?)(\d+)")  # Figure 1, 图1, Table 12


class Converter:
    """Writes one rendered page into ``document``: the body as it is walked
    (:meth:`blocks`), then the contents and the fonts of what the walk did not format."""

    def __init__(
        self,
        document: Document,
        *,
        lang: str,
        toc: bool,
        cover: bool,
        notes_kind: str,
        note_items: dict[int, HtmlElement],
        text_width: int,
        rasters: dict[str, bytes],
        english: str = "en-US",
        columns: tuple[int, int] | None = None,
    ):
        self.document = document
        self.lang = lang
        self.english = english  # Word's tag for the project's English (house variant)
        self.columns = columns  # the sections' columns (count, gap in twips), as the CSS
        self.toc = toc
        self.cover = cover
        self.notes = ooxml.Notes(document, notes_kind)
        self.note_items = note_items
        self.text_width = text_width
        self.fonts = FontResolver(document)
        self.style_ids: dict[str, str] = {}
        self.cited: dict[int, tuple[int, str]] = {}  # page's note number -> Word's, bookmark
        self.bookmarks = 0
        self.headings: list[tuple[int, str]] = []
        self.toc_after: Paragraph | None = None  # the paragraph after which the TOC goes
        self.exhibits_title: HtmlElement | None = None  # the contents' list of exhibits
        self.captions: list[tuple[str, BaseOxmlElement]] = []  # SEQ name, caption paragraph
        self.exhibits = Exhibits(document, self, rasters)
        # Block elements converted by a method of their own, whatever their classes.
        self.by_tag: dict[str, Callable[[Sink, HtmlElement, Ctx], None]] = {
            "nav": self.nav,
            "ul": self.bullets,
            "ol": self.bullets,
            "li": self.blocks,
            "dl": self.definitions,
            "table": self.exhibits.table,
        }

    def read_svgs(self, root: HtmlElement, html: str) -> None:
        """Each <svg> element's source text, for the charts' pictures."""
        self.exhibits.read_svgs(root, html)

    # -- blocks ----------------------------------------------------------------------

    def skipped(self, element: HtmlElement) -> bool:
        return (
            local(element) in SKIP_TAGS
            or element.get("hidden") is not None
            or bool(classes(element) & SKIP_CLASSES)
            or element.get("role") == "doc-endnotes"
            or element.get("aria-hidden") == "true"
        )

    def blocks(self, sink: Sink, element: HtmlElement, ctx: Ctx, style: str | None = None) -> None:
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

    def visible(self, pending: list[Inline]) -> bool:
        for item in pending:
            if isinstance(item, str):
                if item.strip():
                    return True
            elif not self.skipped(item) and (
                "".join(item.itertext()).strip() or local(item) in ("br", "img")
            ):
                return True
        return False

    def paragraph(self, sink: Sink, style: str | None, ctx: Ctx) -> Line:
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

    def flush(self, sink: Sink, pending: list[Inline], ctx: Ctx, style: str | None) -> None:
        if not self.visible(pending):
            return
        line = self.paragraph(sink, style, ctx)
        for item in pending:
            self.inline(line, item, Fmt())
        line.trim()

    def block(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        tag, cls = local(element), classes(element)
        if tag == "h1" or tag in HEADINGS or tag in TEXT_BLOCKS:
            self.text_block(sink, element, tag, cls, ctx)
        elif tag in self.by_tag:
            self.by_tag[tag](sink, element, ctx)
        elif cls & {"quotable", "key-figures"}:
            self.blocks(sink, element, replace(ctx, figures=True))
        elif tag == "blockquote":
            self.blocks(sink, element, replace(ctx, quote=True))
        elif tag == "svg" or element.tag == SVG_TAG:
            self.exhibits.picture(sink, element, ctx)
        elif tag == "img":
            self.exhibits.image(sink, element, ctx)
        elif "charts" in cls and sum(local(c) == "figure" for c in element) > 1:
            self.exhibits.chart_row(sink, element, ctx)
        elif tag == "figure" and "picture" in cls:
            self.exhibits.prose_picture(sink, element, ctx)
        else:  # section, div, header, figure, main...: a container
            self.container(sink, element, ctx, tag, cls)

    def container(
        self, sink: Sink, element: HtmlElement, ctx: Ctx, tag: str, cls: set[str]
    ) -> None:
        """A block of blocks: the brief's sections in columns where the CSS sets them so
        (the body only), the cover followed by a page break."""
        if "sections" in cls and self.columns and sink is self.document:
            self.exhibits.in_columns(element, ctx, self.columns)
            return
        self.blocks(sink, element, ctx, class_style(cls))
        if "cover" in cls and self.cover and tag == "header":
            sink.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def nav(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        if "toc" in classes(element) and self.toc:
            self.contents(sink, element)

    def text_block(
        self, sink: Sink, element: HtmlElement, tag: str, cls: set[str], ctx: Ctx
    ) -> None:
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
            if tag == "figcaption":  # a chart's title stays with its chart
                line.paragraph.paragraph_format.keep_with_next = True
            self.inline_children(line, element, fmt)

    def inline_children(self, line: Line, element: HtmlElement, fmt: Fmt) -> None:
        self.inline_children_only(line, element, self.lang_of(element, fmt))
        line.trim()

    def contents(self, sink: Sink, nav: HtmlElement) -> None:
        """The contents list becomes a TOC field (filled in after the body)."""
        title = next((h for h in nav.iter() if local(h) in HEADINGS), None)
        line = Line(sink.add_paragraph(), "TOC Heading")
        ooxml.paragraph_xml(line.paragraph).style = self.style_id("TOC Heading")
        if title is not None:
            self.inline_children(line, title, Fmt())
        self.toc_after = line.paragraph
        self.exhibits_title = next((h for h in nav.iter() if "exhibits-title" in classes(h)), None)

    def bullets(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
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

    def definitions(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        """A <dl>: key figures inside a key-figures or quotable box; anywhere else (a memo's
        To/From/Date header, say) one paragraph a term, the term in bold, then its value."""
        if ctx.figures:
            self.figures(sink, element, ctx)
            return
        line = None
        for term in [e for e in element.iter() if local(e) in ("dt", "dd")]:
            if local(term) == "dt" or line is None:
                line = self.paragraph(sink, None, ctx)
            self.inline_children(line, term, Fmt(bold=local(term) == "dt"))
            line.space = True

    def figures(self, sink: Sink, element: HtmlElement, ctx: Ctx) -> None:
        """Key figures (a <dl>): each value in its own style, then its label."""
        terms = [e for e in element.iter() if local(e) in ("dt", "dd")]
        pairs, label = [], None
        for term in terms:
            if local(term) == "dt":
                label = term
            else:
                pairs.append((label, term))
                label = None
        if len(pairs) < 2 or ctx.item is not None:
            for pair in pairs:
                self.key_figure(sink, pair, ctx)
            return
        # side by side, as the PDF sets them: up to four in a row of a borderless table
        self.exhibits.row(sink, pairs, min(len(pairs), 4), ctx, self.key_figure)

    def key_figure(
        self, sink: Sink, pair: tuple[HtmlElement | None, HtmlElement], ctx: Ctx
    ) -> None:
        label, value = pair
        line = self.paragraph(sink, "Key Figure", ctx)
        self.inline_children(line, value, Fmt(style="Key Figure Value"))
        if label is not None:
            line.paragraph.add_run().add_break()
            line.space = True
            self.inline_children(line, label, Fmt())

    # -- inline ----------------------------------------------------------------------

    def lang_of(self, element: HtmlElement, fmt: Fmt) -> Fmt:
        """The formatting with the element's language, as Word tags it (plain ``en``: the
        house variant, en-GB or en-US)."""
        tag = (element.get("lang") or "").lower()
        word = self.english if tag == "en" else word_tag(element.get("lang") or tag)
        if tag and word != fmt.lang:
            return replace(fmt, lang=word)
        return fmt

    def inline(self, line: Line, item: Inline, fmt: Fmt) -> None:
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
            self.exhibits.picture_run(line, item, self.text_width)
            return
        if tag == "svg":
            return
        if tag == "span" and "exhibit-label" in cls:
            self.exhibit_label(line, item, fmt)
            return
        if tag == "q":
            opening, closing = language(self.lang).quotes if "note-quote" in cls else ("“", "”")
            self.text(line, opening, fmt)
            self.inline_children_only(line, item, fmt)
            self.text(line, closing, fmt)
            return
        self.inline_children_only(line, item, self.run_fmt(tag, cls, line, fmt))

    def exhibit_label(self, line: Line, span: HtmlElement, fmt: Fmt) -> None:
        """A caption's label (Figure 1, 图1, Table 1): its word, then its number as a SEQ
        field of that word, which Word renumbers and its list of figures
        (``TOC \\c``) collects. Word's own Insert Caption uses the same labels."""
        found = EXHIBIT_LABEL.fullmatch(" ".join("".join(span.itertext()).split()))
        if found is None:
            self.inline_children_only(line, span, fmt)
            return
        word, number = found.group(1), found.group(2)
        kind = (
            "Table"
            if any(local(a) in ("table", "caption") for a in span.iterancestors())
            else "Figure"
        )
        name = word.strip() if re.fullmatch(r"[^\W\d_]+", word.strip()) else kind
        if word:
            self.text(line, word, fmt)
        result = ooxml.text_run(number)
        self.style_run(Run(result, line.paragraph), line.style, fmt, number)
        for run in ooxml.complex_field(f"SEQ {name} \\* ARABIC", result):
            ooxml.paragraph_xml(line.paragraph).append(run)
        line.space = False
        self.captions.append((name, ooxml.paragraph_xml(line.paragraph)))

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

    def inline_children_only(self, line: Line, element: HtmlElement, fmt: Fmt) -> None:
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
        # Han is never slanted (an italic title in an English reference, an emphasis):
        # italic text is split by script, its Han runs set upright
        italic = fmt.italic or fmt.style == "Emphasis"
        for index, piece in enumerate(HAN.split(text) if italic else [text]):
            if piece:
                run = line.paragraph.add_run(piece)
                self.style_run(run, line.style, fmt, piece)
                if index % 2:
                    run.italic = False

    def style_run(self, run: Run, paragraph_style: str | None, fmt: Fmt, text: str) -> None:
        rpr = run.element.get_or_add_rPr()
        if fmt.style:
            rpr.get_or_add_rStyle().set(qn("w:val"), self.style_id(fmt.style))
        fonts = rpr.get_or_add_rFonts()
        for attr, value in self.fonts.fonts(paragraph_style, fmt.style).items():
            fonts.set(qn(f"w:{attr}"), value)
        if (is_cjk(fmt.lang) if fmt.lang else language(self.lang).cjk) or CJK.search(text):
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
            east_asian = fmt.lang if is_cjk(fmt.lang) else language(self.lang).word_tags[1]
            set_lang(rpr, fmt.lang, east_asian)

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def cite(self, line: Line, sup: HtmlElement) -> None:
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
            self.note_text(note_p, content)

    def note_text(self, first: BaseOxmlElement, item: HtmlElement) -> None:
        """A note's citation, quote, remark and each disagreement, a paragraph each (the
        first after the note's mark), in the notes' text style."""
        fmt = self.lang_of(item, Fmt())
        paragraph = first
        for index, part in enumerate(note_parts(item)):
            if index:
                following = OxmlElement("w:p")
                style = self.notes.ids[self.notes.text_style]
                following.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), style)
                paragraph.addnext(following)
                paragraph = following
            # a bare paragraph in the notes part: no story part is needed to add runs to it
            line = Line(Paragraph(paragraph, None), self.notes.text_style)  # type: ignore[arg-type]
            for piece in part:
                self.inline(line, piece, fmt)
            line.trim()

    # -- after the body --------------------------------------------------------------

    def name_fonts(self, root: BaseOxmlElement) -> None:
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
        """The contents and the list of figures and tables (:mod:`.contents`)."""
        contents.fill(self)

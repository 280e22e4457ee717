"""Write stage for the Word edition: a rendered page into a .docx (python-docx).

The input is the page the PDF is made from (``Renderer.page(..., medium="print")``), so the
prose, figures, key figures, charts and recommendations exist once, in the templates. The
converter (:mod:`.convert`) maps its HTML to named Word styles (:mod:`.styles`, made from
the theme: its colours and a Word face per role and script); citations become Word
footnotes (audiences with ``citations: footnotes`` or a page limit) or endnotes (the
others), each carrying the note the page would print, a paragraph per part (:mod:`.notes`):
citation, quote, remark, conflicts. Captions number themselves with SEQ fields, which the
contents list (:mod:`.contents`). :mod:`.ooxml` writes what python-docx has no API for. The
bytes are deterministic.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import docx
import lxml.html
from docx.blkcntnr import BlockItemContainer
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length
from docx.text.paragraph import Paragraph
from jinja2 import TemplateError
from lxml.html import HtmlElement

from policybrief.core import xmlsafe
from policybrief.core.errors import Problem, RenderError
from policybrief.core.model import Audience, Brief, Project
from policybrief.output.docx import ooxml, reference
from policybrief.output.docx.convert import Converter
from policybrief.output.docx.reference import HeaderLine, HouseReference
from policybrief.output.docx.styles import (
    PAGE_SIZES,
    House,
    body_type,
    define_styles,
    page_margins,
    section_columns,
)
from policybrief.output.docx.walk import Ctx
from policybrief.render.page import Page, PageEnvironment, Renderer, page_language
from policybrief.render.typography import typeset

REFERENCE = "reference.docx"
MAX_REFERENCE = 16 * 1024 * 1024
DEFAULT_MARGIN = 20  # mm, when a page's CSS declares none
LOGO_HEIGHT = docx.shared.Mm(7)  # the theme's logo in the running header


def fingerprint() -> str:
    """What the .docx bytes depend on beyond the project: this package's code, python-docx
    and rsvg-convert (the charts' raster fallback). Part of each .docx's cache key."""
    here = Path(__file__).resolve().parent
    parts = [(p.name, p.read_bytes()) for p in sorted(here.glob("*.py"))]
    exe = shutil.which("rsvg-convert")
    version = (
        subprocess.run([exe, "--version"], capture_output=True, timeout=30, check=False).stdout
        if exe
        else b""
    )
    digest = hashlib.sha256(repr((parts, metadata.version("python-docx"), version)).encode())
    return digest.hexdigest()


class DocxWriter:
    """Writes the Word editions of one build; keeps the page renderer's environments."""

    def __init__(self, project: Project):
        self.project = project
        self.renderer = Renderer(project)
        self.references: dict[tuple[Path, ...], tuple[Path | None, HouseReference | None]] = {}
        self.reference_path, self.reference = self._reference(project.template_dirs)
        self.rasters: dict[str, bytes] = {}

    def _reference(self, dirs: tuple[Path, ...]) -> tuple[Path | None, HouseReference | None]:
        """``reference.docx`` from the first template folder that has one (a house style's
        folder comes before the built-in one, a brief's own before both), rebuilt from the
        parts a house style is for (:mod:`.reference`)."""
        if dirs in self.references:
            return self.references[dirs]
        self.references[dirs] = (None, None)
        for folder in dirs:
            path = folder / REFERENCE
            if path.is_file():
                if path.stat().st_size > MAX_REFERENCE:
                    raise RenderError(
                        Problem(str(path), 0, "the reference document is over 16 MiB")
                    )
                data = path.read_bytes()
                ooxml.check_reference(path, data)
                self.references[dirs] = (path, reference.rebuild(str(path), data))
                break
        return self.references[dirs]

    def write(self, brief: Brief, audience: Audience, page: Page) -> bytes:
        lang, safe = page.lang.code, xmlsafe.xml_safe  # every text that reaches Word, once
        dirs = self.project.templates(brief.slug).dirs
        env, translations = self.renderer.env(lang, dirs)
        self.reference_path, self.reference = self._reference(dirs)
        document = self._document()
        own = self.reference is None
        html = safe(page.html)
        root = lxml.html.document_fromstring(html)
        css = "\n".join("".join(s.itertext()) for s in root.iter("style"))
        theme = self.project.templates(brief.slug).theme
        house = House.of(theme.word_fonts, theme.colors, page.lang.script == "Hant", body_type(css))
        define_styles(document, lang, own, page.lang.word_tags, house)
        section = document.sections[0]
        self._page_setup(section, audience, css, own)
        # (a reference document's section may leave a margin unset: python-docx gives None)
        text_width = (
            (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
        )
        self._furniture(document, brief, audience, page, translations.gettext, text_width)
        # Footnotes for the print edition, and for an audience with a page limit: on a
        # one-page note they are its endnotes at the foot of its page, where LibreOffice
        # (and Word with "end of section" notes) would otherwise start a page of endnotes.
        footnotes = audience.citations == "footnotes" or bool(audience.max_pages)
        notes_kind = "footnote" if footnotes else "endnote"
        items = self._note_items(env, audience, page)
        converter = Converter(
            document,
            lang=lang,
            toc=audience.toc,
            cover=audience.cover,
            notes_kind=notes_kind,
            note_items=items,
            text_width=text_width,
            rasters=self.rasters,
            english=self.project.language("en").region_tag,
            columns=section_columns(css),
        )
        body = root.find("body")
        converter.read_svgs(root, html)
        converter.blocks(document, body, Ctx(text_width))
        converter.fill_contents()
        self._finish(document, converter)
        self._properties(document, brief, audience, page, lang)
        ooxml.update_fields_on_open(document)
        ooxml.drop_thumbnail(document)
        out = io.BytesIO()
        document.save(out)
        day = brief.date
        faces = [house.face(role).east_asian for role in ("serif", "sans", "mono")]
        return ooxml.deterministic_zip(
            out.getvalue(),
            (day.year, day.month or 1, day.day or 1),
            {"word/fontTable.xml": lambda data: ooxml.font_table(data, faces)},
        )

    def _furniture(
        self,
        document: Document,
        brief: Brief,
        audience: Audience,
        page: Page,
        gettext: Callable[[str], str],
        text_width: int,
    ) -> None:
        """The running header (the theme's logo, organisation and running header, or the
        brief's title) and the footer (authors, "Page X of Y")."""
        lang, safe = page.lang.code, xmlsafe.xml_safe
        theme = self.project.templates(brief.slug).theme
        running = theme.running_header.get(lang) if theme.running_header else ""
        organisation = theme.organisation.get(lang) if theme.organisation else ""
        self._header_footer(
            document,
            document.sections[0],
            self.reference or HouseReference(b"", (), ()),
            Letterhead(safe(running or page.title), safe(organisation), self._logo(theme.logo)),
            safe(" · ".join(a.get(lang) for a in brief.authors)),
            safe(gettext("Page %(page)s of %(pages)s")),
            text_width,
            audience.cover,
        )

    def _finish(self, document: Document, converter: Converter) -> None:
        """After the walk: fonts on every run the walk did not format, the notes part."""
        section = document.sections[-1]
        for part in (
            document.element.body,
            converter.notes.root,
            ooxml.story_xml(section.header),
            ooxml.story_xml(section.footer),
        ):
            converter.name_fonts(part)
        converter.notes.attach()
        if converter.notes.kind == "endnote":
            self._endnotes_decimal(section)

    def _page_setup(self, section: Section, audience: Audience, css: str, own: bool) -> None:
        """The page size; with the engine's own styles, the margins the page's CSS sets."""
        width, height = PAGE_SIZES.get(audience.page_size, PAGE_SIZES["A4"])
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        found = page_margins(css) if own else None
        if own:
            margins: tuple[Length, ...] = found or (docx.shared.Mm(DEFAULT_MARGIN),) * 4
            section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
                margins
            )
            section.header_distance = section.footer_distance = docx.shared.Mm(10)

    def _note_items(
        self, env: PageEnvironment, audience: Audience, page: Page
    ) -> dict[int, HtmlElement]:
        """Each note's list item, by number, as the page's notes partial writes them (a
        house style's too), typeset as the page is (render/typography.py)."""
        try:
            notes_html = env.get_template("_partials/notes.html").render(
                notes=list(page.cited),
                compact=audience.endnotes == "compact",
                medium="print",
                lang=page_language(page.lang),
            )
        except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            raise RenderError(
                Problem("_partials/notes.html", 0, f"template error: {exc}")
            ) from None
        items = {}
        if notes_html.strip():
            # the page's typography (brackets, quotes, apostrophes), as on the page itself
            notes_html = xmlsafe.xml_safe(typeset(notes_html, page.lang, joins=False))
            for li in lxml.html.fragment_fromstring(notes_html, create_parent="div").iter("li"):
                number = (li.get("id") or "").removeprefix("note-")
                if number.isdigit():
                    items[int(number)] = li
        return items

    def _document(self) -> Document:
        if self.reference is None:
            return docx.Document()
        try:
            document = docx.Document(io.BytesIO(self.reference.package))
        except Exception as exc:  # python-docx raises several kinds for a broken package
            raise RenderError(
                Problem(str(self.reference_path), 0, "not a usable Word document", str(exc))
            ) from None
        body = document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        return document

    def reference_document(self, lang: str) -> bytes:
        """A reference document made from the project's theme: the styles every Word
        edition in ``lang`` gets (the theme's colours and faces, a full report's sizes), A4
        with 20 mm margins, no text. A team edits it in Word and saves it as
        ``reference.docx`` in its template folder (the header stays the engine's: the
        theme's logo, organisation and running header are added to every edition)."""
        language = self.project.language(lang)
        theme = self.project.theme
        document = docx.Document()
        house = House.of(theme.word_fonts, theme.colors, language.script == "Hant")
        define_styles(document, lang, True, language.word_tags, house)
        section = document.sections[0]
        section.page_width, section.page_height = PAGE_SIZES["A4"]
        margin = docx.shared.Mm(DEFAULT_MARGIN)
        section.top_margin = section.bottom_margin = margin
        section.left_margin = section.right_margin = margin
        document.core_properties.language = language.word_tags[0]
        ooxml.drop_thumbnail(document)
        out = io.BytesIO()
        document.save(out)
        faces = [house.face(role).east_asian for role in ("serif", "sans", "mono")]
        return ooxml.deterministic_zip(
            out.getvalue(),
            (2026, 1, 1),
            {"word/fontTable.xml": lambda data: ooxml.font_table(data, faces)},
        )

    def _logo(self, uri: str) -> bytes | None:
        """The theme's logo (a data: URI) as a picture Word shows: PNG and JPEG as they are,
        an SVG drawn as a PNG (once per build)."""
        match = re.match(r"data:image/(png|jpeg|svg\+xml);base64,(.*)", uri, re.S)
        if not match:
            return None
        data = base64.b64decode(match.group(2))
        if match.group(1) != "svg+xml":
            return data
        svg = data.decode("utf-8", "replace")
        if svg not in self.rasters:
            self.rasters[svg] = ooxml.rasterize(svg)
        return self.rasters[svg]

    @staticmethod
    def _header_footer(
        document: Document,
        section: Section,
        kept: HouseReference,
        letterhead: Letterhead,
        authors: str,
        page_message: str,
        text_width: int,
        cover: bool,
    ) -> None:
        section.different_first_page_header_footer = cover  # no header on the cover
        header = section.header
        header.is_linked_to_previous = False
        paragraph = _after_lines(document, header, kept.header)
        paragraph.style = document.styles["Header"]
        letterhead.write(paragraph, text_width)
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = _after_lines(document, footer, kept.footer)
        paragraph.style = document.styles["Footer"]
        tabs = paragraph.paragraph_format.tab_stops
        for stop in document.styles["Footer"].paragraph_format.tab_stops:
            tabs.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
        tabs.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run(authors)
        paragraph.add_run().add_tab()
        rest = page_message
        while rest:  # "Page %(page)s of %(pages)s" -> text, PAGE, text, NUMPAGES
            cut = min((rest.find(m) for m in ("%(page)s", "%(pages)s") if m in rest), default=-1)
            if cut == -1:
                paragraph.add_run(rest)
                break
            if cut:
                paragraph.add_run(rest[:cut])
            name = "pages" if rest.startswith("%(pages)s", cut) else "page"
            ooxml.paragraph_xml(paragraph).append(
                ooxml.simple_field("NUMPAGES" if name == "pages" else "PAGE", "1")
            )
            rest = rest[cut + len(f"%({name})s") :]

    @staticmethod
    def _endnotes_decimal(section: Section) -> None:
        sect = ooxml.section_xml(section)
        pr = OxmlElement("w:endnotePr")
        fmt = OxmlElement("w:numFmt")
        fmt.set(qn("w:val"), "decimal")
        pr.append(fmt)
        # endnotePr follows the header/footer references and footnotePr in w:sectPr.
        later = [
            c
            for c in sect
            if c.tag.split("}")[1] not in ("headerReference", "footerReference", "footnotePr")
        ]
        if later:
            later[0].addprevious(pr)
        else:
            sect.append(pr)

    @staticmethod
    def _properties(
        document: Document, brief: Brief, audience: Audience, page: Page, lang: str
    ) -> None:
        safe = xmlsafe.xml_safe
        day = brief.date
        stamp = datetime.datetime(day.year, day.month or 1, day.day or 1)
        props = document.core_properties
        props.title = safe(page.title)
        props.author = safe(", ".join(a.get(lang) for a in brief.authors))
        props.subject = safe(audience.label.get(lang))
        props.keywords = safe(brief.topic)
        props.language = page.lang.word_tags[0]
        props.created = props.modified = stamp
        props.last_modified_by = ""
        props.revision = 1
        props.comments = ""
        props.category = ""
        settings = document.settings.element
        theme_lang = settings.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            val, east_asia = page.lang.word_tags
            theme_lang.set(qn("w:val"), val)
            theme_lang.set(qn("w:eastAsia"), east_asia)


@dataclass(frozen=True)
class Letterhead:
    """The running header of every page but a cover: the theme's logo and organisation,
    then its running header (or the brief's title) at the right margin."""

    title: str
    organisation: str = ""
    logo: bytes | None = None  # PNG or JPEG

    def write(self, paragraph: Paragraph, text_width: int) -> None:
        if self.logo is None and not self.organisation:
            paragraph.add_run(self.title)
            return
        if self.logo is not None:
            shape = paragraph.add_run().add_picture(io.BytesIO(self.logo), height=LOGO_HEIGHT)
            ooxml.inline_xml(shape).docPr.set("descr", self.organisation or "Logo")
        if self.organisation:
            paragraph.add_run(("\u2002" if self.logo is not None else "") + self.organisation)
        tabs = paragraph.paragraph_format.tab_stops
        tabs.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run().add_tab()
        paragraph.add_run(self.title)


def _after_lines(
    document: Document, story: BlockItemContainer, lines: tuple[HeaderLine, ...]
) -> Paragraph:
    """The house reference's header or footer text, a paragraph each in its own style
    (where the document has that style), then an empty paragraph for the engine's line."""
    styles = {style.style_id: style for style in document.styles}
    paragraph = story.paragraphs[0]  # a new header or footer holds one empty paragraph
    for line in lines:
        paragraph.add_run(line.text)
        if line.style in styles:
            paragraph.style = styles[line.style]
        paragraph = story.add_paragraph()
    return paragraph

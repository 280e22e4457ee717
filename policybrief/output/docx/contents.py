"""The contents of a Word edition: a TOC field over the headings, then a list of figures
and tables, a ``TOC \\c`` field per caption label (the SEQ fields of :mod:`.convert`),
each with the entries as its cached result and marked for Word to update on opening."""

from __future__ import annotations

from typing import Protocol

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from lxml.html import HtmlElement

from policybrief.output.docx import ooxml
from policybrief.output.docx.walk import Fmt, Line


class Walked(Protocol):
    """What the contents read of the converter (:class:`.convert.Converter`) after the
    walk: where the contents go, the headings and captions it met, the list's title."""

    toc_after: Paragraph | None
    headings: list[tuple[int, str]]
    captions: list[tuple[str, BaseOxmlElement]]  # SEQ name, caption paragraph
    exhibits_title: HtmlElement | None

    def style_id(self, name: str) -> str: ...

    def inline_children(self, line: Line, element: HtmlElement, fmt: Fmt) -> None: ...


def fill(converter: Walked) -> None:
    """The TOC field after its heading, with the headings as its cached result, then
    the list of figures and tables: a heading and a ``TOC \\c`` field per caption label
    (Word updates the fields, page numbers included, when the document is opened)."""
    if converter.toc_after is None:
        return
    toc = [(converter.style_id(f"TOC {level}"), t) for level, t in converter.headings if level <= 2]
    anchor = ooxml.paragraph_xml(converter.toc_after)
    for p in ooxml.field_paragraphs(
        'TOC \\o "1-2" \\h \\z \\u', toc or [(converter.style_id("TOC 1"), "")]
    ):
        anchor.addnext(p)
        anchor = p
    if converter.exhibits_title is None or not converter.captions:
        return
    title = OxmlElement("w:p")
    anchor.addnext(title)
    anchor = title
    line = Line(Paragraph(title, None), "TOC Heading")  # type: ignore[arg-type]
    title.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), converter.style_id("TOC Heading"))
    converter.inline_children(line, converter.exhibits_title, Fmt())
    style = converter.style_id("Table of Figures")
    for name in dict.fromkeys(name for name, _ in converter.captions):
        entries = [(style, ooxml.shown_text(p)) for n, p in converter.captions if n == name]
        for p in ooxml.field_paragraphs(f'TOC \\h \\z \\c "{name}"', entries):
            anchor.addnext(p)
            anchor = p

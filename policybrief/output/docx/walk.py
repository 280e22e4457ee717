"""What the walk over a rendered page carries from block to block, shared by the converter
(:mod:`.convert`) and its tables and pictures (:mod:`.exhibits`): the character formatting
inherited down the HTML tree, the context of a block, the paragraph being filled, where
paragraphs go, and the few questions asked of an HTML element.

HTML elements are lxml's (``lxml.html.HtmlElement``); lxml ships no types, so mypy sees
them as ``Any`` whatever the annotation says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.html import HtmlElement

from policybrief.output.docx import ooxml

CJK = re.compile("[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


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


# What a paragraph is made of, in document order: text, and inline elements.
Inline: TypeAlias = "str | HtmlElement"


class Sink(Protocol):
    """Where blocks go: the document's body (python-docx's ``Document``) or a table cell
    (:class:`CellSink`)."""

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph: ...

    def add_table(self, rows: int, cols: int) -> Table: ...


class Cell(Protocol):
    """A table cell as python-docx gives it (``table.rows[i].cells[j]``)."""

    @property
    def paragraphs(self) -> list[Paragraph]: ...

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph: ...

    def add_table(self, rows: int, cols: int) -> Table: ...


class CellSink:
    """A table cell as a container: its first paragraph is used before new ones."""

    def __init__(self, cell: Cell):
        self.cell = cell
        self.fresh = True

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        if self.fresh:
            self.fresh = False
            return self.cell.paragraphs[0]
        return self.cell.add_paragraph(text)

    def add_table(self, rows: int, cols: int) -> Table:
        self.fresh = False
        return self.cell.add_table(rows, cols)


class Walker(Protocol):
    """What the tables and pictures call back in the converter: blocks inside a cell or a
    figure, a styled paragraph, a paragraph's runs."""

    def blocks(
        self, sink: Sink, element: HtmlElement, ctx: Ctx, style: str | None = None
    ) -> None: ...

    def paragraph(self, sink: Sink, style: str | None, ctx: Ctx) -> Line: ...

    def inline_children(self, line: Line, element: HtmlElement, fmt: Fmt) -> None: ...


def classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def local(element: HtmlElement) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()

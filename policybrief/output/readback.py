"""Output stage, read back: what a reader of a written output sees, as text with places.

The proof step (:mod:`policybrief.build.proof`) reads every output the way a reader meets
it, not the way the engine meant it: a PDF page by page (pypdf: each line's text, height on
the page and size, the running head and the folio in the margins, the bookmarks), an HTML
page as its visible text, a Word edition paragraph by paragraph.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

MM = 72 / 25.4
MARGIN_BAND = 21 * MM  # text this close to the trim's top or bottom is a head or a foot
HTML_NS = "{http://www.w3.org/1999/xhtml}"
_HIDDEN = {"script", "style", "head", "title", "template", "svg"}


@dataclass(frozen=True)
class PdfLine:
    """One line of a page's body: its baseline's height above the trim's foot (points),
    its text size (points) and its text."""

    y: float
    size: float
    text: str
    first_size: float = 0.0  # the size of its first piece (a note marker is smaller)


@dataclass
class PdfPage:
    number: int  # 1-based
    height: float  # the trim box's
    lines: list[PdfLine] = field(default_factory=list)
    head: list[tuple[float, str]] = field(default_factory=list)  # (x, text) in the top margin
    foot: list[tuple[float, str]] = field(default_factory=list)  # (x, text) in the bottom margin
    width: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Heading:
    level: int  # 0 for the document's title, 1 for its parts, 2 for their sub-parts
    title: str
    page: int  # 1-based


def read_pdf(data: bytes) -> tuple[list[PdfPage], list[Heading]]:
    """The PDF's pages with their lines, heads and feet, and its bookmarks."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [_page(number, page) for number, page in enumerate(reader.pages, 1)]
    headings: list[Heading] = []

    def walk(items: list[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
                title = str(item.title)  # type: ignore[attr-defined]
                headings.append(Heading(level, title, (page or 0) + 1))

    walk(list(reader.outline), 0)
    return pages, headings


def _page(number: int, page: object) -> PdfPage:
    trim = page.trimbox  # type: ignore[attr-defined]
    bottom, top = float(trim.bottom), float(trim.top)
    left, right = float(trim.left), float(trim.right)
    found = PdfPage(number, top - bottom, width=right - left)
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if not (bottom - 1 <= y <= top + 1 and left - 1 <= x <= right + 1):
            return  # beyond the trim: a print edition's slug, cut off with the marks
        pieces.append((round(y - bottom, 1), x, abs(size * tm[3] * cm[3]) or size, text))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    rows: dict[float, list[tuple[float, float, str]]] = {}
    for y, x, size, text in pieces:
        rows.setdefault(y, []).append((x, size, text))
    for y in sorted(rows, reverse=True):
        row = sorted(rows[y])
        text = "".join(t for _x, _s, t in row).replace("\n", "").strip()
        if y > found.height - MARGIN_BAND:
            found.head += [(x, t.strip()) for x, _s, t in row]
        elif y < MARGIN_BAND:
            found.foot += [(x, t.strip()) for x, _s, t in row]
        elif text:
            found.lines.append(PdfLine(y, max(s for _x, s, _t in row), text, row[0][1]))
    return found


def read_html(data: bytes) -> list[str]:
    """An HTML page's visible text, one string a block (paragraph, heading, list item,
    caption, table cell)."""
    from policybrief.core.htmlparse import parse

    root = parse(data.decode("utf-8"))
    blocks: list[str] = []
    _blocks(root, blocks, [])
    return [re.sub(r"\s+", " ", b).strip() for b in blocks if b.strip()]


_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "figcaption", "caption", "td", "th", "dd", "dt"}


def _blocks(element: Element, blocks: list[str], current: list[str]) -> None:
    tag = element.tag.removeprefix(HTML_NS) if isinstance(element.tag, str) else ""
    if tag in _HIDDEN or element.get("hidden") is not None:
        if element.tail:
            current.append(element.tail)
        return
    own: list[str] = [] if tag in _BLOCK else current
    if element.text:
        own.append(element.text)
    for child in element:
        _blocks(child, blocks, own)
    if tag in _BLOCK:
        blocks.append("".join(own))
    if element.tail:
        current.append(element.tail)


def read_docx(data: bytes) -> list[str]:
    """A Word edition's paragraphs (body, tables, footnotes and endnotes), as text."""
    import docx

    document = docx.Document(io.BytesIO(data))
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        found += [cell.text for row in table.rows for cell in row.cells]
    for part in document.part.package.parts:
        if part.partname.endswith(("/footnotes.xml", "/endnotes.xml")):
            xml = part.blob.decode("utf-8")
            found += [_runs(p) for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)]
    return [t for t in found if t.strip()]


def _runs(xml: str) -> str:
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))

"""Output stage, read back: what a reader of a written output sees, as text with places.

The proof step (:mod:`policybrief.build.proof`) reads every output the way a reader meets
it, not the way the engine meant it: a PDF page by page (pypdf: each line's text, height on
the page and size, the running head and the folio in the margins, the bookmarks), an HTML
page as its visible text, a Word edition paragraph by paragraph.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

MM = 72 / 25.4
MARGIN_BAND = 21 * MM  # text this close to the trim's top or bottom is a head or a foot
HTML_NS = "{http://www.w3.org/1999/xhtml}"
CELL = " | "  # between the pieces of a baseline drawn apart
_HIDDEN = {"script", "style", "head", "title", "template", "svg"}


@dataclass(frozen=True)
class PdfLine:
    """One line of a page's body: its baseline's height above the trim's foot (points),
    its text size (points) and its text."""

    y: float
    size: float
    text: str
    first_size: float = 0.0  # the size of its first piece (a note marker is smaller)
    column: int = 0  # 1: the second column of a page set in two


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
        """The body's lines as read: a column at a time."""
        lines = sorted(self.lines, key=lambda line: line.column)  # stable: top to bottom
        return "\n".join(line.text for line in lines)


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
    for y, x, _size, text in sorted(pieces, key=lambda p: (-p[0], p[1])):
        if y > found.height - MARGIN_BAND:  # the head and the foot: each piece with its place
            found.head.append((x, text.strip()))
        elif y < MARGIN_BAND:
            found.foot.append((x, text.strip()))
    fragments = _fragments([p for p in pieces if MARGIN_BAND <= p[0] <= found.height - MARGIN_BAND])
    rows: dict[tuple[int, float], list[Fragment]] = {}
    for fragment, side in zip(fragments, _columns(fragments, found.width), strict=True):
        rows.setdefault((side, fragment.y), []).append(fragment)
    for side, y in sorted(rows, key=lambda key: (-key[1], key[0])):
        row = sorted(rows[side, y], key=lambda f: f.x)
        # pieces drawn apart on one baseline (table cells, the text either side of a
        # note marker) are set apart (CELL), so that two cells never read as one phrase
        text = CELL.join(f.text.replace("\n", "").strip() for f in row).strip()
        if text:
            size = max(f.size for f in row)
            found.lines.append(PdfLine(y, size, text, row[0].first_size, side))
    return found


@dataclass(frozen=True)
class Fragment:
    """Pieces drawn one after the other on one baseline: their text in drawing order
    (pypdf's position for a piece after a font change within a line can be that of the
    line's start, so pieces are not ordered by it), the first piece's place."""

    y: float
    x: float
    size: float
    first_size: float
    text: str


def _fragments(pieces: list[tuple[float, float, float, str]]) -> list[Fragment]:
    runs: list[list[tuple[float, float, float, str]]] = []
    for piece in pieces:
        if runs and runs[-1][0][0] == piece[0]:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    return [
        Fragment(
            run[0][0],
            run[0][1],
            max(p[2] for p in run),
            run[0][2],
            "".join(p[3] for p in run),
        )
        for run in runs
    ]


def _columns(fragments: list[Fragment], width: float) -> list[int]:
    """Each fragment's column on a page whose text is set in two (as one-page notes are):
    1 from a fragment that begins in the middle of the page well above the one drawn before
    it (the first column is drawn whole before the second), until one begins at the left;
    0 for the rest. A table's cells are drawn row by row, so they stay in column 0 unless
    one cell runs more than four lines beside the next."""
    sides: list[int] = []
    side = 0
    previous: Fragment | None = None
    for fragment in fragments:
        middle = 0.4 * width < fragment.x < 0.6 * width
        if previous and middle and fragment.y > previous.y + 4 * fragment.size:
            side = 1
        elif fragment.x < 0.4 * width:
            side = 0
        sides.append(side)
        previous = fragment
    return sides


def read_html(data: bytes) -> list[str]:
    """An HTML page's visible text, one string a block (paragraph, heading, list item,
    caption, table cell); a ``<q>`` in the quotation marks a browser gives it."""
    from policybrief.core.htmlparse import parse

    root = parse(data.decode("utf-8"))
    blocks: list[str] = []
    _blocks(root, blocks, [])
    return [re.sub(r"\s+", " ", b).strip() for b in blocks if b.strip()]


_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "figcaption", "caption", "td", "th", "dd", "dt"}


def _blocks(element: Element, blocks: list[str], current: list[str]) -> None:
    tag = element.tag.removeprefix(HTML_NS) if isinstance(element.tag, str) else ""
    if not tag or tag in _HIDDEN or element.get("hidden") is not None:  # a comment: unseen
        if element.tail:
            current.append(element.tail)
        return
    own: list[str] = [] if tag in _BLOCK else current
    if tag == "q":  # a browser sets a quotation in marks of its own
        own.append("“")
    if element.text:
        own.append(element.text)
    for child in element:
        _blocks(child, blocks, own)
    if tag == "q":
        own.append("”")
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


_DOCX_TOKEN = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(?:foot|end)noteReference\b|</w:p>")


def docx_note_calls(data: bytes) -> list[str]:
    """The text before each footnote or endnote reference in a Word edition's body, as
    far back as its paragraph's start (at most 60 characters)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    found: list[str] = []
    text = ""
    for token in _DOCX_TOKEN.finditer(xml):
        if token.group(1) is not None:
            text += html.unescape(token.group(1))
        elif token.group(0) == "</w:p>":
            text = ""
        else:
            found.append(text[-60:])
    return found

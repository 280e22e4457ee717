"""Output stage, the print shop's file: a PDF/X-4 page set finished for the press.

WeasyPrint lays the print edition out with a 3 mm bleed and writes it as PDF/X-4 with a
CMYK output intent (:mod:`cmyk`). Its own crop marks sit inside the bleed, on the trim
lines, where the guillotine cuts through them, and it has no slug. So the file is finished
here, with pypdf, after WeasyPrint has written it, and packed again by qpdf:

1. the page count is padded to the project's multiple (2, or 4 for saddle stitching) with
   blank pages before the back cover, which stays the last page (a verso);
2. each page's MediaBox grows by :data:`SLUG_MM` on every side, outside the bleed, and a
   second WeasyPrint document, one sheet a page, is laid over it: crop marks in registration
   colour that start :data:`MARK_GAP_MM` beyond the bleed, and the slug (title, date and
   "page X of Y") below the trim, in the project's subset fonts;
3. the file is written whole by pypdf, then again by qpdf with its small objects in object
   streams (:func:`packed`).

TrimBox and BleedBox stay as WeasyPrint wrote them; :mod:`preflight` checks them.
"""

from __future__ import annotations

import hashlib
import html as markup
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.output.cmyk import CMYK

if TYPE_CHECKING:
    from policybrief.core.model import Project

MM = 72 / 25.4
SLUG_MM = 12.0  # room beyond the bleed for the marks and the slug
MARK_GAP_MM = 1.5  # crop marks start this far beyond the bleed edge
MARK_MM = 6.0  # and run this long
MULTIPLES = (2, 4)
_FILE_ID = re.compile(rb"/ID \[\([^)]*\) \(([0-9a-f]{32})\)\]")
_DOCUMENT_ID = re.compile(
    rb"xmp\.did:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


@dataclass(frozen=True)
class PrintSpec:
    """What the print shop's file needs beyond the page: made by the build for each
    ``pdf/x-4`` output, read by the PDF writer in its worker."""

    slug: str  # the title and date, printed in the slug
    page_label: str  # the language's "Page %(page)s of %(pages)s"
    colors: tuple[tuple[str, CMYK], ...] = ()  # the theme's colours: #rrggbb -> CMYK
    profile: Path | None = None  # the output intent's ICC profile; None: Ghostscript's SWOP
    multiple: int = 2  # the page count is a multiple of this
    bleed_mm: float = 3.0


def print_spec(project: Project, slug: str, lang: str, page: str) -> PrintSpec:
    """The print shop's settings for one output: its title (as the page prints it) and
    date in the slug, the theme's print colours, the project's profile and page multiple."""
    from policybrief.output.cmyk import profile_bytes

    profile_bytes(project.printing.profile)  # missing or not CMYK: say so before any PDF
    brief, language = project.briefs[slug], project.language(lang)
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    title = markup.unescape(found.group(1)).strip() if found else slug
    theme = project.templates(slug).theme
    return PrintSpec(
        slug=f"{title} · {language.date(brief.date)}",
        page_label=language.word("Page %(page)s of %(pages)s"),
        colors=theme.print_table(),
        profile=project.printing.profile,
        multiple=project.printing.pages,
    )


def stable_document_id(data: bytes) -> bytes:
    """WeasyPrint's PDF/X metadata names the document with a random UUID (and the file's
    /ID hashes it), so no two builds would match; both are derived here from the rest of
    the file instead, at the same length, so the file's offsets hold."""
    found, ident = _DOCUMENT_ID.search(data), _FILE_ID.search(data)
    if not found or not ident:
        return data
    masked = _FILE_ID.sub(b"", _DOCUMENT_ID.sub(b"", data))
    digest = hashlib.sha256(masked).digest()
    stable = str(uuid.UUID(bytes=digest[:16], version=4)).encode()
    data = data[: found.start(1)] + stable + data[found.end(1) :]
    ident = _FILE_ID.search(data)
    assert ident is not None
    return data[: ident.start(1)] + digest[16:32].hex().encode() + data[ident.end(1) :]


def pad_count(pages: int, multiple: int) -> int:
    """How many blank pages make ``pages`` a multiple of ``multiple``."""
    return -pages % multiple


def finish(data: bytes, spec: PrintSpec, render: Callable[[str], bytes]) -> tuple[bytes, int]:
    """The finished file and its page count. ``render`` lays out HTML as a PDF/X-4 document
    with the project's fonts and profile (the overlay of marks and slug)."""
    import pypdf
    from pypdf import Transformation

    # full: WeasyPrint's objects are read as they are, one each under its own number, and
    # the file is written again whole (one revision, one cross-reference table). Cloning
    # (``clone_from``) copied the ICC profile once for every transparency group that names
    # it; an incremental update left its own cross-reference stream out of its index.
    writer = pypdf.PdfWriter(io.BytesIO(stable_document_id(data)), full=True)
    writer.pdf_header = "%PDF-1.6"  # PDF/X-4 is PDF 1.6
    _pad(writer, pad_count(len(writer.pages), spec.multiple))
    first = writer.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    overlay = pypdf.PdfReader(io.BytesIO(render(sheets(spec, len(writer.pages), width, height))))
    grow = SLUG_MM * MM
    for page, sheet in zip(writer.pages, overlay.pages, strict=True):
        box = page.mediabox
        left, bottom = float(box.left) - grow, float(box.bottom) - grow
        page.mediabox = pypdf.generic.RectangleObject(
            (left, bottom, float(box.right) + grow, float(box.top) + grow)
        )
        page.cropbox = page.mediabox
        # the sheet paints in DeviceCMYK: without its named colour spaces, merging does not
        # copy its ICC profile into every page
        resources = sheet["/Resources"].get_object()
        if isinstance(resources, dict) and "/ColorSpace" in resources:
            del resources["/ColorSpace"]
        page.merge_transformed_page(sheet, Transformation().translate(left, bottom))
        page.compress_content_streams()  # merging writes the page's content uncompressed
    # the page contents merging replaced and WeasyPrint's object streams (their objects
    # are written one by one now) go
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return packed(out.getvalue()), len(writer.pages)


def packed(data: bytes) -> bytes:
    """The file written again by qpdf (through pikepdf) with its small objects in object
    streams and a cross-reference stream, as WeasyPrint writes its own files: pypdf writes
    each object bare, about 30 KB more a print edition. PDF/X-4 (PDF 1.6) allows both. The
    file id is derived from the content, so the same input still gives the same bytes."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
            force_version="1.6",
        )
    return out.getvalue()


def _pad(writer: object, blanks: int) -> None:
    """``blanks`` empty pages, with the last page's boxes, before the last page."""
    from pypdf.generic import NameObject, RectangleObject

    if not blanks:
        return
    last = writer.pages[-1]  # type: ignore[attr-defined]
    boxes = {
        name: RectangleObject(list(last[name])) for name in ("/MediaBox", "/TrimBox", "/BleedBox")
    }
    for _ in range(blanks):
        index = len(writer.pages) - 1  # type: ignore[attr-defined]
        writer.insert_blank_page(  # type: ignore[attr-defined]
            float(last.mediabox.width), float(last.mediabox.height), index
        )
        blank = writer.pages[index]  # type: ignore[attr-defined]
        for name, box in boxes.items():
            blank[NameObject(name)] = RectangleObject(list(box))


def sheets(spec: PrintSpec, pages: int, width: float, height: float) -> str:
    """The overlay: one sheet per page, ``width`` x ``height`` points (the page with its
    bleed) plus the slug room, with crop marks and the slug line."""
    grow, bleed, gap, mark = SLUG_MM, spec.bleed_mm, MARK_GAP_MM, MARK_MM
    sheet_w, sheet_h = width / MM + 2 * grow, height / MM + 2 * grow
    trim = (grow + bleed, grow + bleed, sheet_w - grow - bleed, sheet_h - grow - bleed)
    left, top, right, bottom = trim
    near, far = grow - gap - mark, sheet_w - grow + gap  # marks' start, left and right
    near_y, far_y = grow - gap - mark, sheet_h - grow + gap
    marks = [
        # horizontal marks on the top and bottom trim lines, beyond the bleed on each side
        *(_rule(x, y, mark, 0) for x in (near, far) for y in (top, bottom)),
        # vertical marks on the left and right trim lines, above and below the bleed
        *(_rule(x, y, 0, mark) for x in (left, right) for y in (near_y, far_y)),
    ]
    slug_top = sheet_h - grow + gap + 1
    rows = []
    for number in range(1, pages + 1):
        label = spec.page_label % {"page": number, "pages": pages}
        text = markup.escape(f"{spec.slug} · {label}")
        rows.append(
            f'<div class="sheet">{"".join(marks)}<p class="slug" style="left: {left + 8:.2f}mm; '
            f'top: {slug_top:.2f}mm; width: {right - left - 16:.2f}mm">{text}</p></div>'
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {sheet_w:.3f}mm {sheet_h:.3f}mm; margin: 0; }}"
        "html, body { margin: 0; } .sheet { position: relative; "
        f"height: {sheet_h:.3f}mm; break-after: page; }} .sheet:last-child {{ break-after: auto; }}"
        " .mark { position: absolute; border: 0 solid device-cmyk(100% 100% 100% 100%); }"
        " .slug { position: absolute; margin: 0; font: 6.5pt/1.2 'policybrief Noto Sans', "
        "'policybrief Noto Sans CJK SC', sans-serif; color: device-cmyk(0% 0% 0% 100%); "
        "white-space: nowrap; overflow: hidden; }"
        "</style></head><body>" + "".join(rows) + "</body></html>"
    )


def _rule(x: float, y: float, width: float, height: float) -> str:
    side = "border-top-width: 0.25pt" if width else "border-left-width: 0.25pt"
    return (
        f'<div class="mark" style="left: {x:.3f}mm; top: {y:.3f}mm; '
        f'width: {width:.3f}mm; height: {height:.3f}mm; {side}"></div>'
    )

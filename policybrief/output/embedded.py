"""Write stage, fonts inside a PDF: each embedded CJK face cut to the glyphs its pages use.

WeasyPrint embeds a subset face as an OpenType file (``/FontFile3``, ``/Subtype
/OpenType``) that keeps the glyph ids of the face it laid the text out with: every slot up
to the highest glyph the pages use stays, empty, with its entries in the horizontal and
vertical metrics, and so do the cmap, names and other tables that a PDF viewer never reads
for a CID font (it takes widths from the font dictionary's ``/W`` and finds glyphs by CID).
In the shipped Chinese full report that was 25 of its 295 KB.

:func:`compact_faces`, a WeasyPrint ``write_pdf`` finisher, rewrites each such face as the
font program PDF itself defines for it, a bare CID-keyed CFF (``/Subtype /CIDFontType0C``),
holding .notdef and the glyphs whose codes the PDF's width arrays list, and nothing else.
This is sound because a CID font's text codes (``Identity-H``) are CIDs, which viewers look
up in the CFF's charset, and HarfBuzz keeps each glyph's CID while it drops others and
renumbers the rest; a code keeps finding its glyph *if* the face's CIDs were its glyph ids,
which :mod:`fonts` makes so (its step 3). A face where they are not (a system face
WeasyPrint fell back to, say) is left as WeasyPrint wrote it. The text codes, widths and
``ToUnicode`` maps are untouched, so pages draw and extract as before, and the same PDF
gives the same bytes however it was built.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from policybrief.output import fonts

if TYPE_CHECKING:  # WeasyPrint and pydyf ship no types: Any to mypy
    from pydyf import PDF, Stream
    from weasyprint.document import Document

log = logging.getLogger(__name__)


def compact_faces(_document: Document, pdf: PDF) -> None:
    """Each embedded OpenType CFF face of ``pdf`` as bare CFF with only its used glyphs."""
    used: dict[int, set[int]] = {}  # font file's object number -> codes its fonts use
    unread: set[int] = set()  # font files some font of which has widths we cannot read
    for item in pdf.objects:
        if not (isinstance(item, dict) and item.get("Subtype") == "/CIDFontType0"):
            continue
        descriptor = pdf.objects[_number(item["FontDescriptor"])]
        if "FontFile3" in descriptor:
            number, codes = _number(descriptor["FontFile3"]), _codes(item.get("W", []))
            used.setdefault(number, set()).update(codes or ())
            if codes is None:
                unread.add(number)
    rewritten = {
        number
        for number, codes in used.items()
        if number not in unread and _compact(pdf.objects[number], codes)
    }
    for item in pdf.objects:  # a CIDToGIDMap is for TrueType CID fonts only
        if isinstance(item, dict) and item.get("Subtype") == "/CIDFontType0":
            descriptor = pdf.objects[_number(item["FontDescriptor"])]
            if _number(descriptor.get("FontFile3", b"0 0 R")) in rewritten:
                item.pop("CIDToGIDMap", None)


def _number(reference: bytes | str) -> int:
    """The object number of a pydyf reference (``b"12 0 R"``)."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    return int(text.split()[0])


def _codes(widths: list[object]) -> set[int] | None:
    """The codes a ``/W`` array gives widths for, ``[first [w1 w2 ...] first [...] ...]``
    as WeasyPrint writes it (one width per code used); None for any other form."""
    codes: set[int] = set()
    if len(widths) % 2:
        return None
    for first, run in zip(widths[::2], widths[1::2], strict=True):
        if not (isinstance(first, int) and isinstance(run, list)):
            return None
        codes.update(range(first, first + len(run)))
    return codes


def _compact(stream: Stream, codes: set[int]) -> bool:
    """Replace an OpenType CFF font file by its bare CFF cut to ``codes``; False (stream
    unchanged) unless each code is its glyph's CID."""
    data = b"".join(bytes(part) for part in stream.stream)
    if stream.extra.get("Subtype") != "/OpenType" or data[:4] != b"OTTO":
        return False
    glyphs = {0} | codes
    source = _charset(_table(data, b"CFF "))
    if source is None or any(g >= len(source) or source[g] != _cid(g) for g in glyphs):
        log.debug("font file left whole: its CIDs are not its glyph ids")
        return False
    cff = fonts.cff_of(data, sorted(glyphs))
    kept = _charset(cff)
    if kept is None or {_cid(g) for g in glyphs} - set(kept):
        return False
    stream.stream = [cff]
    stream.extra["Subtype"] = "/CIDFontType0C"
    return True


def _table(data: bytes, tag: bytes) -> bytes:
    """One table of an OpenType file, found in its table directory; empty if absent."""
    for record in range(12, 12 + 16 * int.from_bytes(data[4:6], "big"), 16):
        if data[record : record + 4] == tag:
            offset = int.from_bytes(data[record + 8 : record + 12], "big")
            return data[offset : offset + int.from_bytes(data[record + 12 : record + 16], "big")]
    return b""


def _cid(gid: int) -> str:
    return ".notdef" if gid == 0 else f"cid{gid:05d}"  # fontTools' names in a CID font


def _charset(cff: bytes) -> list[str] | None:
    """A CID-keyed CFF's glyph names in glyph order (``cid01234``); None for another CFF."""
    if not cff:
        return None
    from fontTools.cffLib import CFFFontSet

    fontset = CFFFontSet()
    fontset.decompile(io.BytesIO(cff), None)
    top = fontset.topDictIndex[0]
    return list(top.charset) if hasattr(top, "ROS") else None

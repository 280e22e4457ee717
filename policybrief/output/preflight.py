"""Output stage, print preflight: what a print shop's checker would refuse in a PDF/X-4 file.

Reads a written PDF with pypdf and walks every page's content streams and resources (forms,
patterns, shadings, images, fonts, soft masks), then reports, one line each:

- a colour in RGB: an ``rg``/``RG`` operator, a ``DeviceRGB``, ``CalRGB`` or three-channel
  ``ICCBased`` colour space in use (for fills, images, shadings or transparency groups);
- a font whose program is not in the file;
- a page without a TrimBox and BleedBox, or whose boxes do not nest
  (TrimBox in BleedBox in MediaBox), or whose bleed is not ``bleed_mm`` on every side;
- a file without a PDF/X output intent that carries a CMYK (four-channel) ICC profile, or
  whose XMP does not name PDF/X-4.

Colours in DeviceGray and DeviceCMYK pass: under a CMYK output intent both print as the
press is characterised. A problem names its page (1-based) so that a person can look.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pypdf is imported when a file is checked
    from pypdf import PageObject, PdfReader
    from pypdf.generic import PdfObject, RectangleObject

MM = 72 / 25.4
_RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}  # /RGB: the abbreviation in inline images
_RGB_OPERATORS = {b"rg", b"RG"}
_SPACE_OPERATORS = {b"cs", b"CS"}


@dataclass
class Preflight:
    """What the walk found: ``problems`` (empty when the file passes), and counts a report
    can print."""

    problems: list[str] = field(default_factory=list)
    pages: int = 0
    fonts: set[str] = field(default_factory=set)
    spaces: set[str] = field(default_factory=set)  # every colour space met, by name
    images: int = 0


def preflight(data: bytes, bleed_mm: float = 3.0) -> Preflight:
    """Check one PDF (its bytes) as a PDF/X-4 print file with a CMYK output intent."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    result = Preflight(pages=len(reader.pages))
    _intent(reader, result)
    for number, page in enumerate(reader.pages, 1):
        _boxes(page, number, bleed_mm, result)
        walker = _Walker(reader, number, result)
        walker.resources(page.get("/Resources"), page.get_contents())
        group = page.get("/Group")
        if group is not None:
            walker.space(group.get_object().get("/CS"), "the page's transparency group")
    return result


def _intent(reader: PdfReader, result: Preflight) -> None:
    root = _dict(reader.trailer["/Root"])
    intents = root.get("/OutputIntents")
    found = [i.get_object() for i in intents.get_object()] if intents is not None else []
    pdfx = [i for i in found if i.get("/S") == "/GTS_PDFX"]
    if not pdfx:
        result.problems.append("no PDF/X output intent (/OutputIntents with /GTS_PDFX)")
    else:
        profile = pdfx[0].get("/DestOutputProfile")
        channels = profile.get_object().get("/N") if profile is not None else None
        if channels != 4:
            result.problems.append(
                f"the output intent's profile is not CMYK (/N {channels}, expected 4)"
            )
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata else ""
    if "PDF/X-4" not in xmp:
        result.problems.append("the XMP metadata does not declare PDF/X-4")


def _boxes(page: PageObject, number: int, bleed_mm: float, result: Preflight) -> None:
    media = page.mediabox
    for name in ("/TrimBox", "/BleedBox"):  # as written: pypdf falls back to the MediaBox
        if name not in page:
            result.problems.append(f"page {number}: no {name[1:]}")
            return
    trim, bleed = page.trimbox, page.bleedbox
    if not (_inside(trim, bleed) and _inside(bleed, media)):
        result.problems.append(
            f"page {number}: the boxes do not nest (TrimBox in BleedBox in MediaBox)"
        )
    sides = (
        float(trim.left) - float(bleed.left),
        float(trim.bottom) - float(bleed.bottom),
        float(bleed.right) - float(trim.right),
        float(bleed.top) - float(trim.top),
    )
    if any(abs(side - bleed_mm * MM) > 0.1 for side in sides):
        shown = ", ".join(f"{side / MM:.1f}" for side in sides)
        result.problems.append(
            f"page {number}: the bleed is {shown} mm (left, bottom, right, top), "
            f"not {bleed_mm:g} mm on every side"
        )


def _inside(inner: RectangleObject, outer: RectangleObject) -> bool:
    slack = 0.01
    return (
        float(inner.left) >= float(outer.left) - slack
        and float(inner.bottom) >= float(outer.bottom) - slack
        and float(inner.right) <= float(outer.right) + slack
        and float(inner.top) <= float(outer.top) + slack
    )


def _dict(value: object) -> dict:
    """A PDF object resolved, as a dictionary (empty if it is none)."""
    resolved = value.get_object() if hasattr(value, "get_object") else value
    return resolved if isinstance(resolved, dict) else {}


class _Walker:
    """One page's content streams and resources, each object visited once."""

    def __init__(self, reader: PdfReader, page: int, result: Preflight):
        self.reader = reader
        self.page = page
        self.result = result
        self.seen: set[int] = set()

    def problem(self, message: str) -> None:
        line = f"page {self.page}: {message}"
        if line not in self.result.problems:
            self.result.problems.append(line)

    def resources(self, resources: object, contents: PdfObject | None) -> None:
        table = _dict(resources)
        named = _dict(table.get("/ColorSpace"))
        if contents is not None:
            self.stream(contents, named)
        for _name, space in named.items():
            self.space(space, "a colour space in the resources")
        for kind in ("/XObject", "/Pattern", "/Shading", "/Font", "/ExtGState"):
            for name, value in _dict(table.get(kind)).items():
                self.resource(kind, name, value)

    def resource(self, kind: str, name: str, value: object) -> None:
        reference = getattr(value, "idnum", None)
        if reference is not None:
            if reference in self.seen:
                return
            self.seen.add(reference)
        obj = _dict(value)
        if kind == "/Font":
            self.font(name, obj)
        elif kind == "/ExtGState":
            group = _dict(obj.get("/SMask")).get("/G")
            if group is not None:
                self.resource("/XObject", name, group)
        elif kind == "/Shading" or obj.get("/ShadingType") is not None:
            self.space(obj.get("/ColorSpace"), f"shading {name}")
        elif kind == "/Pattern" and obj.get("/PatternType") == 2:
            self.resource("/Shading", name, obj["/Shading"])
        elif obj.get("/Subtype") == "/Image":
            self.result.images += 1
            if not obj.get("/ImageMask"):
                self.space(obj.get("/ColorSpace"), f"image {name}")
        else:  # a form XObject or a tiling pattern: its own content and resources
            group = _dict(obj.get("/Group"))
            self.space(group.get("/CS"), f"the transparency group of {name}")
            self.resources(obj.get("/Resources"), value.get_object())  # type: ignore[attr-defined]

    def font(self, name: str, font: dict) -> None:
        base = str(font.get("/BaseFont", name))
        self.result.fonts.add(base)
        if font.get("/Subtype") == "/Type3":
            self.resources(font.get("/Resources"), None)
            return
        descendants = font.get("/DescendantFonts")
        described = _dict(descendants.get_object()[0]) if descendants else font
        descriptor = _dict(described.get("/FontDescriptor"))
        if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            self.problem(f"font {base} is not embedded")

    def space(self, space: object, where: str) -> None:
        """Report a colour space that is RGB, looking through Indexed, ICCBased and
        Separation/DeviceN alternates."""
        for name in _space_names(space):
            self.result.spaces.add(name)
            if name in _RGB_SPACES or name == "/ICCBased:3":
                self.problem(f"{where} is in RGB ({name})")

    def stream(self, contents: PdfObject, named: dict) -> None:
        from pypdf.generic import ContentStream

        stream = ContentStream(contents.get_object(), self.reader)
        for operands, operator in stream.operations:
            if operator in _RGB_OPERATORS:
                self.problem(f"an RGB colour ({operator.decode()} {_shown(operands)})")
            elif operator in _SPACE_OPERATORS and operands:
                chosen = operands[0]
                self.space(named.get(chosen, chosen), f"colour space {chosen}")
            elif operator == b"INLINE IMAGE":
                self.result.images += 1
                settings = operands.get("settings", {}) if isinstance(operands, dict) else {}
                cs = settings.get("/CS", settings.get("/ColorSpace"))
                if cs is not None and not settings.get("/IM", settings.get("/ImageMask")):
                    self.space(named.get(cs, cs), "an inline image")


def _space_names(space: object) -> Iterator[str]:
    if space is None:
        return
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, str):
        yield str(space)
        return
    if not isinstance(space, list) or not space:
        return
    family = str(space[0])
    if family == "/ICCBased":
        channels = _dict(space[1]).get("/N")
        yield f"/ICCBased:{channels}"
    elif family == "/Indexed":
        yield "/Indexed"
        yield from _space_names(space[1])
    elif family in ("/Separation", "/DeviceN"):
        yield family
        yield from _space_names(space[2])
    elif family == "/Pattern" and len(space) > 1:
        yield from _space_names(space[1])
    else:
        yield family


def _shown(operands: list) -> str:
    try:
        return " ".join(f"{float(o):g}" for o in operands)
    except (TypeError, ValueError):
        return str(operands)

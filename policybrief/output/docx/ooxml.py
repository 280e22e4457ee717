"""WordprocessingML that python-docx has no API for: footnote and endnote parts, fields
(TOC, PAGE, NUMPAGES, NOTEREF), bookmarks, SVG pictures with a PNG fallback, and a
deterministic zip; and the XML elements python-docx keeps in private attributes, each
read here only (:func:`paragraph_xml` and its neighbours)."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.section import CT_HdrFtr, CT_SectPr
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section, _Footer, _Header
from docx.shape import InlineShape
from docx.table import _Row
from docx.text.paragraph import Paragraph
from lxml import etree

from policybrief.core.errors import Problem, RenderError

SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_SVG = 2 * 1024 * 1024


# -- python-docx's private attributes ---------------------------------------------------
#
# python-docx 1.2 (pinned) keeps each proxy's XML element in a private attribute and has no
# public one for these (a Run's is public: ``run.element``). What python-docx has no API for
# is written on those elements, so each is read here, and only here
# (tests/test_code.py fails on a private attribute read anywhere else).


def paragraph_xml(paragraph: Paragraph) -> CT_P:
    """A paragraph's ``<w:p>``."""
    return paragraph._p


def row_xml(row: _Row) -> CT_Row:
    """A table row's ``<w:tr>``."""
    return row._tr


def inline_xml(shape: InlineShape) -> CT_Inline:
    """An inline picture's ``<wp:inline>``."""
    return shape._inline


def section_xml(section: Section) -> CT_SectPr:
    """A section's ``<w:sectPr>``."""
    return section._sectPr


def story_xml(story: _Header | _Footer) -> CT_HdrFtr:
    """A header's ``<w:hdr>`` or a footer's ``<w:ftr>`` (its part is made if need be)."""
    element: CT_HdrFtr = story._element  # (python-docx does not annotate the property)
    return element


class Notes:
    """The footnotes (or endnotes) part: a separator, a continuation separator, then one
    note per cited fact. ``kind`` is "footnote" or "endnote"."""

    def __init__(self, document: Document, kind: str):
        self.kind = kind
        self.document = document
        self.root = parse_xml(f"<w:{kind}s {nsdecls('w', 'r')}/>")
        for number, tag in ((-1, "separator"), (0, "continuationSeparator")):
            note = self._note(number, tag)
            p = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
            spacing.set(qn("w:lineRule"), "auto")
            ppr.append(spacing)
            p.append(ppr)
            r = OxmlElement("w:r")
            r.append(OxmlElement(f"w:{tag}"))
            p.append(r)
            note.append(p)
        self.count = 0
        self.ids = {
            name: document.styles[name].style_id for name in (self.text_style, self.reference_style)
        }

    def _note(self, number: int, kind: str | None = None) -> BaseOxmlElement:
        note = OxmlElement(f"w:{self.kind}")
        if kind:
            note.set(qn("w:type"), kind)
        note.set(qn("w:id"), str(number))
        self.root.append(note)
        return note

    @property
    def text_style(self) -> str:
        return "Footnote Text" if self.kind == "footnote" else "Endnote Text"

    @property
    def reference_style(self) -> str:
        return "Footnote Reference" if self.kind == "footnote" else "Endnote Reference"

    def add(self) -> tuple[int, BaseOxmlElement]:
        """A new note; returns (its number, its first paragraph element) with the note's
        own reference mark already in place."""
        self.count += 1
        note = self._note(self.count)
        p = OxmlElement("w:p")
        note.append(p)
        ppr = p.get_or_add_pPr()
        ppr.get_or_add_pStyle().set(qn("w:val"), self.ids[self.text_style])
        r = OxmlElement("w:r")
        rpr = r.get_or_add_rPr()
        rpr.get_or_add_rStyle().set(qn("w:val"), self.ids[self.reference_style])
        r.append(OxmlElement(f"w:{self.kind}Ref"))
        p.append(r)
        space = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = " "
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        space.append(text)
        p.append(space)
        return self.count, p

    def reference(self, number: int) -> BaseOxmlElement:
        """The run that calls note ``number`` from the text."""
        r = OxmlElement("w:r")
        rpr = r.get_or_add_rPr()
        rpr.get_or_add_rStyle().set(qn("w:val"), self.ids[self.reference_style])
        ref = OxmlElement(f"w:{self.kind}Reference")
        ref.set(qn("w:id"), str(number))
        r.append(ref)
        return r

    def attach(self) -> None:
        if not self.count:
            return
        content = CT.WML_FOOTNOTES if self.kind == "footnote" else CT.WML_ENDNOTES
        reltype = RT.FOOTNOTES if self.kind == "footnote" else RT.ENDNOTES
        part = XmlPart(
            PackURI(f"/word/{self.kind}s.xml"), content, self.root, self.document.part.package
        )
        self.document.part.relate_to(part, reltype)
        settings = self.document.settings.element
        pr = OxmlElement(f"w:{self.kind}Pr")
        if self.kind == "endnote":
            fmt = OxmlElement("w:numFmt")
            fmt.set(qn("w:val"), "decimal")  # Word's default for endnotes is i, ii, iii
            pr.append(fmt)
        for number in (-1, 0):
            ref = OxmlElement(f"w:{self.kind}")
            ref.set(qn("w:id"), str(number))
            pr.append(ref)
        # footnotePr and endnotePr come just before w:compat in w:settings.
        anchor = settings.find(qn("w:compat"))
        if anchor is not None:
            anchor.addprevious(pr)
        else:
            settings.append(pr)


def text_run(text: str, rstyle_id: str | None = None) -> BaseOxmlElement:
    r = OxmlElement("w:r")
    if rstyle_id:
        r.get_or_add_rPr().get_or_add_rStyle().set(qn("w:val"), rstyle_id)
    t = OxmlElement("w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    return r


def simple_field(instr: str, result: str, rstyle_id: str | None = None) -> BaseOxmlElement:
    """``<w:fldSimple>`` with a cached result, e.g. PAGE or NOTEREF."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instr} ")
    field.append(text_run(result, rstyle_id))
    return field


def field_char(kind: str, dirty: bool = False) -> BaseOxmlElement:
    r = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    r.append(char)
    return r


def instr_run(instr: str) -> BaseOxmlElement:
    r = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = f" {instr} "
    r.append(text)
    return r


def bookmark(parent_run: BaseOxmlElement, number: int, name: str) -> None:
    """Wrap ``parent_run`` (already in a paragraph) in a bookmark."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    parent_run.addprevious(start)
    parent_run.addnext(end)


def rasterize(svg: str) -> bytes:
    """PNG of an SVG chart, three times its CSS pixel size, via librsvg's rsvg-convert (the
    same Pango and HarfBuzz text stack as the PDF). The SVG comes on standard input with no
    base URL, so it cannot load any file or URL."""
    exe = shutil.which("rsvg-convert")
    if exe is None:
        raise RenderError(
            "rsvg-convert not found: the Word edition draws its charts with it "
            "(install Debian's librsvg2-bin, e.g. with scripts/setup.sh)"
        )
    if len(svg) > MAX_SVG:
        raise RenderError(f"a chart's SVG is {len(svg)} bytes; the limit is {MAX_SVG}")
    try:
        done = subprocess.run(
            [exe, "--format=png", "--zoom=3"],
            input=svg.encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError("rsvg-convert took over 60 s to draw a chart") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        message = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise RenderError(f"rsvg-convert could not draw a chart: {message}")
    return done.stdout


def add_svg(
    document: Document, inline: CT_Inline, svg: str, number: int, alt: str, name: str
) -> None:
    """Give a picture (PNG, from python-docx) its SVG original and its alternative text.
    Word 2016 and later draw the SVG; older Word, WPS and LibreOffice the PNG."""
    part = Part(
        PackURI(f"/word/media/chart{number}.svg"),
        "image/svg+xml",
        svg.encode("utf-8"),
        document.part.package,
    )
    rid = document.part.relate_to(part, RT.IMAGE)
    blip = inline.find(f".//{{{A_NS}}}blip")
    ext_list = OxmlElement("a:extLst")
    ext = OxmlElement("a:ext")
    ext.set("uri", SVG_BLIP_EXT)
    svg_blip = parse_xml(f'<asvg:svgBlip xmlns:asvg="{SVG_NS}" xmlns:r="{R_NS}" r:embed="{rid}"/>')
    ext.append(svg_blip)
    ext_list.append(ext)
    blip.append(ext_list)
    doc_pr = inline.docPr
    doc_pr.set("descr", alt)
    doc_pr.set("name", name)
    doc_pr.set("title", name)


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of an SVG from its viewBox (or width/height), in CSS pixels."""
    box = re.search(r'viewBox\s*=\s*"\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', svg)
    if box:
        return float(box.group(1)), float(box.group(2))
    width = re.search(r'\swidth\s*=\s*"([\d.]+)', svg)
    height = re.search(r'\sheight\s*=\s*"([\d.]+)', svg)
    if width and height:
        return float(width.group(1)), float(height.group(1))
    return 300.0, 200.0


def drop_thumbnail(document: Document) -> None:
    """python-docx's template carries a thumbnail of an empty page; a viewer would show it."""
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)


def deterministic_zip(
    data: bytes,
    date: tuple[int, int, int],
    edits: dict[str, Callable[[bytes], bytes]] | None = None,
) -> bytes:
    """The same package with fixed timestamps, attributes and compression: building twice
    gives the same bytes. Member order is python-docx's, which is stable. ``edits``: parts
    rewritten on the way (python-docx keeps the font table as bytes)."""
    out = io.BytesIO()
    stamp = (max(date[0], 1980), date[1], date[2], 0, 0, 0)
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            content = source.read(item.filename)
            if edits and item.filename in edits:
                content = edits[item.filename](content)
            target.writestr(info, content, compresslevel=6)
    return out.getvalue()


def check_reference(path: Path, data: bytes) -> None:
    """A house reference document is untrusted input: refuse zip bombs before it is read
    (what it may hold is decided by :func:`policybrief.output.docx.reference.rebuild`)."""
    where = str(path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(i.file_size for i in archive.infolist())
            if total > 64 * 1024 * 1024 or len(archive.infolist()) > 2000:
                raise RenderError(
                    Problem(
                        where,
                        0,
                        f"the reference document unpacks to {total} bytes "
                        f"in {len(archive.infolist())} files; the limits are 64 MiB "
                        "and 2,000 files",
                    )
                )
    except zipfile.BadZipFile:
        raise RenderError(
            Problem(where, 0, "not a Word document", ".docx is a zip package")
        ) from None


# w:settings children that come after w:updateFields, in schema order
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def update_fields_on_open(document: Document) -> None:
    """``w:updateFields``: Word recomputes every field when the file is opened (the
    contents' and list of figures' page numbers, the SEQ numbers, NOTEREF), after asking
    the editor, since a field may refer to other files."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    later = next((c for c in settings if c.tag.split("}")[1] in _AFTER_UPDATE_FIELDS), None)
    if later is not None:
        later.addprevious(update)
    else:
        settings.append(update)


def complex_field(instr: str, result: BaseOxmlElement) -> list[BaseOxmlElement]:
    """The runs of a field (begin, instruction, separate, ``result``, end): a SEQ number,
    say, whose result run carries the text's formatting."""
    return [
        field_char("begin"),
        instr_run(instr),
        field_char("separate"),
        result,
        field_char("end"),
    ]


def shown_text(paragraph: BaseOxmlElement) -> str:
    """A paragraph's text as shown: its runs' w:t, not the fields' instructions."""
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t")))


def field_paragraphs(instr: str, entries: list[tuple[str, str]]) -> list[BaseOxmlElement]:
    """A field whose cached result runs over paragraphs, one per (style id, text) entry,
    marked for Word to update (a contents or a list of figures)."""
    paragraphs = []
    for index, (style_id, text) in enumerate(entries):
        p = OxmlElement("w:p")
        p.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), style_id)
        if index == 0:
            p.append(field_char("begin", dirty=True))
            p.append(instr_run(instr))
            p.append(field_char("separate"))
        p.append(text_run(text))
        if index == len(entries) - 1:
            p.append(field_char("end"))
        paragraphs.append(p)
    return paragraphs


def section_break(document: Document, columns: int, gap: int) -> BaseOxmlElement:
    """An empty paragraph (1 pt high) that ends a section of ``columns`` columns ``gap``
    twips apart, continuous with what follows: a copy of the document's own section
    properties (page size, margins, headers and footers), so each section has them."""
    sect = copy.deepcopy(section_xml(document.sections[-1]))
    for tag in ("w:type", "w:cols"):
        old = sect.find(qn(tag))
        if old is not None:
            sect.remove(old)
    kind = OxmlElement("w:type")
    kind.set(qn("w:val"), "continuous")
    _put_type(sect, kind)
    cols = OxmlElement("w:cols")
    cols.set(qn("w:num"), str(columns))
    cols.set(qn("w:space"), str(gap))
    later = [c for c in sect if c.tag.split("}")[1] in _AFTER_COLS]
    if later:
        later[0].addprevious(cols)
    else:
        sect.append(cols)
    p = OxmlElement("w:p")
    ppr = p.get_or_add_pPr()
    spacing = OxmlElement("w:spacing")
    for key, value in (("before", "0"), ("after", "0"), ("line", "20"), ("lineRule", "exact")):
        spacing.set(qn(f"w:{key}"), value)
    ppr.append(spacing)
    ppr.append(sect)
    return p


def continuous(document: Document) -> None:
    """The document's last section starts on the same page as the one before it."""
    sect = section_xml(document.sections[-1])
    if sect.find(qn("w:type")) is None:
        kind = OxmlElement("w:type")
        kind.set(qn("w:val"), "continuous")
        _put_type(sect, kind)


def _put_type(sect: BaseOxmlElement, kind: BaseOxmlElement) -> None:
    """w:type after the header and footer references and the notes' properties."""
    refs = [c for c in sect if c.tag.split("}")[1] in _BEFORE_TYPE]
    if refs:
        refs[-1].addnext(kind)
    else:
        sect.insert(0, kind)


# w:sectPr children before w:type, and after w:cols, in schema order
_BEFORE_TYPE = ("headerReference", "footerReference", "footnotePr", "endnotePr")
_AFTER_COLS = (
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
)


# Chinese faces as Word's font table describes them: the name a Chinese system gives the
# face, its PANOSE class, its character set (86 GB2312, 88 Big5), family and pitch. Word
# reads these to choose a stand-in where the face is missing (a Chinese one, not a Latin one).
EAST_ASIAN_FACES = {
    "SimSun": ("宋体", "02010600030101010101", "86", "auto", "variable"),
    "SimHei": ("黑体", "02010609060101010101", "86", "modern", "fixed"),
    "FangSong": ("仿宋", "02010609060101010101", "86", "modern", "fixed"),
    "KaiTi": ("楷体", "02010609060101010101", "86", "modern", "fixed"),
    "PMingLiU": ("新細明體", "02020500000000000000", "88", "roman", "variable"),
    "Microsoft JhengHei": ("微軟正黑體", "020B0604030504040204", "88", "swiss", "variable"),
}


def font_table(data: bytes, faces: Iterable[str]) -> bytes:
    """The font table with an entry for each Chinese face of ``faces`` it lacks."""
    root = parse_xml(data)
    known = {font.get(qn("w:name")) for font in root.iter(qn("w:font"))}
    for name in faces:
        if name in known or name not in EAST_ASIAN_FACES:
            continue
        alt, panose, charset, family, pitch = EAST_ASIAN_FACES[name]
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (
            ("altName", alt),
            ("panose1", panose),
            ("charset", charset),
            ("family", family),
            ("pitch", pitch),
        ):
            child = OxmlElement(f"w:{tag}")
            child.set(qn("w:val"), value)
            font.append(child)
        root.append(font)
        known.add(name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

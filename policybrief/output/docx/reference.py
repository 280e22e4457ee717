"""A house ``reference.docx``, rebuilt from an allow-list of its parts.

A reference document is untrusted input, and a Word package can do much besides styling:
an external relationship fetches a remote template when the file is opened (however its
attribute is quoted or entity-encoded), a header can hold an ``INCLUDEPICTURE`` or DDE
field, ``vbaProject.bin`` is a macro project, an XML entity can read a file. Rather than
look for each of these, the engine starts from python-docx's own empty document and takes
over only what a house style is for:

- the styles, the numbering and the theme, without any element that refers to another
  part (``r:id``, ``r:embed``, ``r:link``: pictures in bullets, linked fills);
- the settings on :data:`SETTINGS` (tab stops, hyphenation, compatibility...; never an
  attached template, a mail merge or document variables);
- the page set-up of the body's last section (:data:`SECTION`);
- the text of the default header and footer, paragraph by paragraph with its style (never
  a field, picture or object).

Nothing else is copied: no relationship, no other part. Each part is parsed by an XML parser
that resolves no entity and loads nothing; a part that declares a DTD is refused.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from importlib import resources

from lxml import etree
from lxml.etree import ElementBase as Element  # (lxml ships no types: to mypy it is Any)

from policybrief.core import xmlsafe
from policybrief.core.errors import Problem, RenderError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# part kind (the relationship type's last word) -> its name in python-docx's template
PARTS = {
    "styles": "word/styles.xml",
    "numbering": "word/numbering.xml",
    "theme": "word/theme/theme1.xml",
}
SETTINGS = frozenset(
    {
        "zoom",
        "mirrorMargins",
        "gutterAtTop",
        "defaultTabStop",
        "autoHyphenation",
        "consecutiveHyphenLimit",
        "hyphenationZone",
        "doNotHyphenateCaps",
        "evenAndOddHeaders",
        "bookFoldPrinting",
        "characterSpacingControl",
        "compat",
        "themeFontLang",
        "clrSchemeMapping",
        "decimalSymbol",
        "listSeparator",
    }
)
SECTION = frozenset({"pgSz", "pgMar", "cols", "docGrid", "vAlign", "textDirection", "bidi"})
# where a header's text is not its own: fields (their instructions and their results),
# pictures, objects, deleted text, alternative content
NOT_TEXT = frozenset(
    f"{{{W_NS}}}{name}" for name in ("fldSimple", "instrText", "delText", "drawing", "pict")
) | frozenset({f"{{{W_NS}}}object", f"{{{MC_NS}}}AlternateContent"})


@dataclass(frozen=True)
class HeaderLine:
    """One paragraph of a header or footer: its style id (or "") and its text."""

    style: str
    text: str


@dataclass(frozen=True)
class HouseReference:
    """A rebuilt reference document: the package, and its header's and footer's text."""

    package: bytes
    header: tuple[HeaderLine, ...]
    footer: tuple[HeaderLine, ...]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _Package:
    """The reference's zip, its parts read by name and parsed safely."""

    def __init__(self, where: str, archive: zipfile.ZipFile):
        self.where = where
        self.archive = archive
        self.names = set(archive.namelist())

    def fail(self, message: str) -> RenderError:
        return RenderError(
            Problem(self.where, 0, message, "save it again from Word as a plain .docx")
        )

    def xml(self, name: str) -> Element:
        try:
            tree = etree.parse(io.BytesIO(self.archive.read(name)), _parser())
        except etree.XMLSyntaxError as exc:
            raise self.fail(f"{name} is not well-formed XML ({exc})") from None
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise self.fail(f"{name} declares a DTD (its entities could read files)")
        return tree.getroot()

    def related(self, part: str) -> dict[str, tuple[str, str]]:
        """The internal relationships of a part: id -> (type's last word, part name)."""
        folder, name = posixpath.split(part)
        rels = f"{folder}/_rels/{name}.rels".lstrip("/")
        found: dict[str, tuple[str, str]] = {}
        if rels not in self.names:
            return found
        for rel in self.xml(rels).iter(f"{{{PR_NS}}}Relationship"):
            if (rel.get("TargetMode") or "").lower() == "external":
                continue  # never followed, never copied
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target") or ""))
            if target in self.names:
                kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
                found[rel.get("Id") or ""] = (kind, target)
        return found


def rebuild(where: str, data: bytes) -> HouseReference:
    """The reference document ``data`` (shown as ``where``) rebuilt from python-docx's
    empty document and the allow-listed parts of the house one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _rebuild(_Package(where, archive))
    except zipfile.BadZipFile:
        raise RenderError(
            Problem(where, 0, "not a Word document", ".docx is a zip package")
        ) from None


def _rebuild(package: _Package) -> HouseReference:
    main = next(
        (target for kind, target in package.related("").values() if kind == "officeDocument"),
        None,
    )
    if main is None:
        raise package.fail("not a Word document (it has no main document part)")
    parts = package.related(main)
    replaced: dict[str, bytes] = {}
    for kind, name in parts.values():
        if kind in PARTS:
            replaced[PARTS[kind]] = _serialize(_unlinked(package.xml(name)))
        elif kind == "settings":
            replaced["word/settings.xml"] = _serialize(_kept(package.xml(name), SETTINGS))
    body = package.xml(main).find(f"{{{W_NS}}}body")
    section = body.find(f"{{{W_NS}}}sectPr") if body is not None else None
    template = resources.files("docx").joinpath("templates/default.docx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = replaced.get(item.filename) or source.read(item.filename)
            if item.filename == "word/document.xml" and section is not None:
                content = _with_section(content, section)
            target.writestr(item.filename, content)
    header, footer = _letterhead(package, parts, section)
    return HouseReference(out.getvalue(), header, footer)


def _letterhead(
    package: _Package, parts: dict[str, tuple[str, str]], section: Element | None
) -> tuple[tuple[HeaderLine, ...], tuple[HeaderLine, ...]]:
    """The text of the default header and footer of the body's last section."""
    found: dict[str, tuple[HeaderLine, ...]] = {}
    for ref in section if section is not None else ():
        linked = parts.get(ref.get(f"{{{R_NS}}}id") or "")
        if ref.get(f"{{{W_NS}}}type") == "default" and linked:
            found[etree.QName(ref).localname] = _lines(package.xml(linked[1]))
    return found.get("headerReference", ()), found.get("footerReference", ())


def _serialize(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _unlinked(root: Element) -> Element:
    """A part without any element that names another part, nor comments or processing
    instructions (nothing in a style, list or theme needs them)."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if element.getparent() is not None:
                element.getparent().remove(element)
            continue
        if any(key.startswith(f"{{{R_NS}}}") for key in element.attrib):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    for name in ("numPicBullet", "lvlPicBulletId"):
        for element in root.iter(f"{{{W_NS}}}{name}"):
            if element.getparent() is not None:
                element.getparent().remove(element)
    return root


def _kept(root: Element, allowed: frozenset[str]) -> Element:
    """The root with only its children whose names are allowed."""
    for child in list(root):
        if not isinstance(child.tag, str) or etree.QName(child).localname not in allowed:
            root.remove(child)
    return _unlinked(root)


def _with_section(document: bytes, section: Element) -> bytes:
    """python-docx's empty document with the house's page set-up."""
    root = etree.parse(io.BytesIO(document), _parser()).getroot()
    body = root.find(f"{{{W_NS}}}body")
    assert body is not None  # python-docx's own template
    old = body.find(f"{{{W_NS}}}sectPr")
    new = etree.Element(f"{{{W_NS}}}sectPr", nsmap={"w": W_NS})
    for child in section:
        if isinstance(child.tag, str) and etree.QName(child).localname in SECTION:
            copy = _unlinked(etree.fromstring(etree.tostring(child), _parser()))
            new.append(copy)
    if old is not None:
        body.replace(old, new)
    else:
        body.append(new)
    return _serialize(root)


def _lines(root: Element) -> tuple[HeaderLine, ...]:
    """The text of a header or footer, paragraph by paragraph; a field's instruction and
    result, a picture or an object leave nothing."""
    lines = []
    for paragraph in root.iter(f"{{{W_NS}}}p"):
        style = paragraph.find(f"{{{W_NS}}}pPr/{{{W_NS}}}pStyle")
        depth = 0  # inside a complex field (begin ... end)
        text = []
        for element in paragraph.iter():
            if element.tag == f"{{{W_NS}}}fldChar":
                kind = element.get(f"{{{W_NS}}}fldCharType")
                depth += {"begin": 1, "end": -1}.get(kind or "", 0)
                depth = max(depth, 0)
            elif depth == 0 and _own_text(element):
                text.append(element.text or "" if element.tag == f"{{{W_NS}}}t" else "\t")
        shown = xmlsafe.xml_safe("".join(text)).strip()
        if shown:
            style_id = (style.get(f"{{{W_NS}}}val") or "") if style is not None else ""
            lines.append(HeaderLine(style_id, shown))
    return tuple(lines)


def _own_text(element: Element) -> bool:
    """A run's text or tab, outside any field, picture or object."""
    if element.tag not in (f"{{{W_NS}}}t", f"{{{W_NS}}}tab"):
        return False
    parent = element.getparent()
    if parent is None or parent.tag != f"{{{W_NS}}}r":
        return False  # (a tab stop in the paragraph's properties)
    return not any(a.tag in NOT_TEXT for a in element.iterancestors())

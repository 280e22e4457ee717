"""The Word edition's named styles, fonts, languages and page setup.

Every paragraph and character the converter writes carries one of the styles below, so an
editor restyles the whole document by changing a style. Without a house reference document
the engine defines them to match the PDF (Noto Serif CJK SC for text, Noto Sans CJK SC for
headings and captions, the same colours); with one (``reference.docx`` in a template folder)
the reference's own definitions are kept and only the styles it lacks are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle, ParagraphStyle

from policybrief.core.languages import language, tag_language

SERIF = "Noto Serif CJK SC"  # the PDF's text face (base.css --serif), Latin and Chinese
SANS = "Noto Sans CJK SC"  # headings, captions, figures (base.css --sans)
MONO = "Noto Sans Mono CJK SC"
INK, MUTED, ACCENT, WARM = "1B1F24", "5B6470", "1D4E89", "9A3B1F"
ACCENT_SOFT = "EEF3F9"


def word_tag(html_tag: str) -> str:
    """Word's w:lang for an HTML lang attribute inside a page (a Chinese quote in the
    English edition, say): its language and region (zh-Hans: zh-CN, en: en-US)."""
    lang = tag_language(html_tag)
    return lang.region_tag if lang else html_tag


def is_cjk(tag: str) -> bool:
    """Whether Word's language tag (zh-CN, zh-TW, ja-JP) is Chinese or Japanese."""
    lang = tag_language(tag)
    return bool(lang and lang.cjk)


PAGE_SIZES = {
    "A4": (Mm(210), Mm(297)),
    "A5": (Mm(148), Mm(210)),
    "letter": (Emu(int(8.5 * 914400)), Emu(11 * 914400)),
}

P, C = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER


@dataclass(frozen=True)
class Look:
    """How the engine defines a style when no reference document supplies it."""

    kind: WD_STYLE_TYPE
    base: str | None = None
    font: str | None = None  # SERIF | SANS | MONO
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None
    before: float | None = None  # space before, pt
    after: float | None = None
    keep_next: bool = False
    indent: float | None = None  # left indent, mm
    superscript: bool = False
    shade: str | None = None  # paragraph shading (fill colour)
    rule: str | None = None  # left border colour
    justify_cjk: bool = False  # justified in a Chinese (or Japanese) edition, as the PDF


LOOKS: dict[str, Look] = {
    "Normal": Look(P, font=SERIF, size=10.5, color=INK, after=0),
    "Body Text": Look(P, "Normal", after=6, justify_cjk=True),
    "Title": Look(P, "Normal", SANS, 22, True, color=INK, after=6, keep_next=True),
    "Subtitle": Look(P, "Normal", SANS, 13, color=MUTED, after=10, keep_next=True),
    "Kicker": Look(P, "Normal", SANS, 9, True, color=WARM, after=4, keep_next=True),
    "Byline": Look(P, "Normal", SANS, 9, color=MUTED, after=2),
    "Summary": Look(P, "Body Text", SANS, 11, after=8),
    "Heading 1": Look(
        P, "Normal", SANS, 15, True, color=ACCENT, before=18, after=6, keep_next=True
    ),
    "Heading 2": Look(P, "Normal", SANS, 12, True, color=INK, before=12, after=4, keep_next=True),
    "Heading 3": Look(P, "Normal", SANS, 10.5, True, color=INK, before=10, after=3, keep_next=True),
    "Quote": Look(P, "Body Text", color=MUTED, indent=6, rule="C9CED6"),
    "Caption": Look(P, "Normal", SANS, 8.5, color=MUTED, after=4),
    "Key Figure": Look(
        P, "Normal", SANS, 9.5, color=INK, after=4, shade=ACCENT_SOFT, rule=ACCENT, indent=2
    ),
    "List Bullet": Look(P, "Body Text", after=3),
    "List Bullet 2": Look(P, "List Bullet"),
    "List Bullet 3": Look(P, "List Bullet"),
    "List Number": Look(P, "Body Text", after=3),
    "List Number 2": Look(P, "List Number"),
    "List Number 3": Look(P, "List Number"),
    "List Continue": Look(P, "Body Text", after=3, indent=6),
    "Table Heading": Look(P, "Normal", SANS, 8.5, True, after=0),
    "Table Text": Look(P, "Normal", SANS, 8.5, after=0),
    "TOC Heading": Look(P, "Heading 1"),
    "TOC 1": Look(P, "Normal", after=3),
    "TOC 2": Look(P, "Normal", after=2, indent=5),
    "Header": Look(P, "Normal", SANS, 8, color=MUTED),
    "Footer": Look(P, "Normal", SANS, 8, color=MUTED),
    "Footnote Text": Look(P, "Normal", SERIF, 8.5, after=2),
    "Endnote Text": Look(P, "Normal", SERIF, 8.5, after=3),
    "Footnote Reference": Look(C, superscript=True),
    "Endnote Reference": Look(C, superscript=True),
    "Key Figure Value": Look(C, font=SANS, size=15, bold=True, color=ACCENT),
    "Cited Figure": Look(C),  # every figure that cites a fact: a hook for editors
    "Strong": Look(C, bold=True),
    "Emphasis": Look(C, italic=True),
    "Code": Look(C, font=MONO, size=9),
}

PARAGRAPH_STYLES = tuple(n for n, look in LOOKS.items() if look.kind == P)
CHARACTER_STYLES = tuple(n for n, look in LOOKS.items() if look.kind == C)


def set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)  # a theme font would outrank the name
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), font)


def set_lang(rpr: BaseOxmlElement, val: str, east_asia: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        # w:lang sits after almost everything in w:rPr; before the few that may follow it.
        follower = next(
            (
                rpr.find(qn(t))
                for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath")
                if rpr.find(qn(t)) is not None
            ),
            None,
        )
        if follower is not None:
            follower.addprevious(lang)
        else:
            rpr.append(lang)
    lang.set(qn("w:val"), val)
    lang.set(qn("w:eastAsia"), east_asia)
    lang.set(qn("w:bidi"), "ar-SA")


def defaults_rpr(styles_element: BaseOxmlElement) -> BaseOxmlElement:
    """``w:docDefaults/w:rPrDefault/w:rPr``, made if missing."""
    node = styles_element
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):
        child = node.find(qn(tag))
        if child is None:
            child = OxmlElement(tag)
            node.insert(0, child)
        node = child
    return node


def define_styles(document: Document, lang: str, own: bool) -> None:
    """Add the styles the converter uses; ``own``: also (re)define the built-in ones to
    the engine's look (no reference document)."""
    styles = document.styles
    val, east_asia = language(lang).word_tags
    rpr = defaults_rpr(styles.element)
    if (
        own
        or rpr.find(qn("w:rFonts")) is None
        or rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) is None
    ):
        set_fonts(rpr, SERIF)
    set_lang(rpr, val, east_asia)  # the language is the edition's, whatever the house style
    known = {s.name: s for s in styles}
    for name, look in LOOKS.items():
        if name in known and not own:
            continue
        if name not in known:
            known[name] = styles.add_style(name, look.kind)
            if look.kind == P:
                known[name].quick_style = True
        _apply(known[name], look, lang, known)


def _apply(style: CharacterStyle, look: Look, lang: str, known: dict[str, CharacterStyle]) -> None:
    _clear(style)
    if look.base and look.base in known:
        style.base_style = known[look.base]
    _apply_font(style, look)
    if look.kind != P or not isinstance(style, ParagraphStyle):
        return
    _apply_paragraph(style, look, lang)
    if style.name in ("Header", "Footer"):
        tabs = style.element.pPr.find(qn("w:tabs")) if style.element.pPr is not None else None
        if tabs is not None:
            tabs.getparent().remove(tabs)
    ppr = style.element.get_or_add_pPr()
    if look.rule:
        borders = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        for key, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", look.rule)):
            left.set(qn(f"w:{key}"), value)
        borders.append(left)
        _insert_ppr(ppr, borders)
    if look.shade:
        shd = OxmlElement("w:shd")
        for key, value in (("val", "clear"), ("color", "auto"), ("fill", look.shade)):
            shd.set(qn(f"w:{key}"), value)
        _insert_ppr(ppr, shd)


def _clear(style: CharacterStyle) -> None:
    """Start from a clean slate: python-docx's template gives its built-in styles theme
    fonts, italics, borders and spacing of its own. Numbering and outline levels stay."""
    if style.element.rPr is not None:
        style.element.remove(style.element.rPr)
    if style.element.pPr is not None:
        for child in list(style.element.pPr):
            if child.tag.split("}")[1] in (
                "pBdr",
                "spacing",
                "contextualSpacing",
                "jc",
                "shd",
                "keepNext",
                "keepLines",
            ):
                style.element.pPr.remove(child)


def _apply_font(style: CharacterStyle, look: Look) -> None:
    font = style.font
    if look.font:
        set_fonts(style.element.get_or_add_rPr(), look.font)
    if look.size:
        font.size = Pt(look.size)
    if look.bold is not None:
        font.bold = look.bold
    if look.italic is not None:
        font.italic = look.italic
    if look.color:
        font.color.rgb = RGBColor.from_string(look.color)
    if look.superscript:
        font.superscript = True


def _apply_paragraph(style: ParagraphStyle, look: Look, lang: str) -> None:
    fmt = style.paragraph_format
    if look.before is not None:
        fmt.space_before = Pt(look.before)
    if look.after is not None:
        fmt.space_after = Pt(look.after)
    if look.keep_next:
        fmt.keep_with_next = True
    if look.indent is not None:
        fmt.left_indent = Mm(look.indent)
    if look.font or look.size:
        fmt.line_spacing = 1.5 if look.font == SERIF and (look.size or 10.5) >= 10 else 1.25
    if look.justify_cjk and language(lang).cjk:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


# w:pPr children in schema order (the ones this module may add are pBdr and shd).
_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def _insert_ppr(ppr: BaseOxmlElement, child: BaseOxmlElement) -> None:
    name = child.tag.split("}")[1]
    old = ppr.find(child.tag)
    if old is not None:
        ppr.remove(old)
    later = _PPR_ORDER[_PPR_ORDER.index(name) + 1 :]
    for existing in ppr:
        if existing.tag.split("}")[1] in later:
            existing.addprevious(child)
            return
    ppr.append(child)


class FontResolver:
    """The fonts a run gets from its styles, repeated on the run itself: Word and WPS pick
    an East Asian face from the system's locale unless the run names one."""

    SLOTS = {
        "ascii": "asciiTheme",
        "hAnsi": "hAnsiTheme",
        "eastAsia": "eastAsiaTheme",
        "cs": "cstheme",
    }

    def __init__(self, document: Document):
        self.styles = document.styles
        self.cache: dict[tuple[str | None, str | None], dict[str, str]] = {}
        self.defaults = self._fonts_of(defaults_rpr(self.styles.element))

    @classmethod
    def _fonts_of(cls, rpr: BaseOxmlElement | None) -> dict[str, str]:
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is None:
            return {}
        names = [*cls.SLOTS, *cls.SLOTS.values()]
        return {a: fonts.get(qn(f"w:{a}")) for a in names if fonts.get(qn(f"w:{a}"))}

    def _chain(self, name: str | None) -> list[dict[str, str]]:
        found = []
        style = self.styles[name] if name else None
        while style is not None:
            found.append(self._fonts_of(style.element.rPr))
            style = style.base_style
        return found

    def fonts(self, paragraph_style: str | None, character_style: str | None) -> dict[str, str]:
        """Each slot (Latin, East Asian, complex script) from the nearest layer that sets it:
        the character style's chain, then the paragraph style's, then the defaults. A theme
        font outranks a named one in the same layer, as in Word."""
        key = (paragraph_style, character_style)
        if key not in self.cache:
            layers = [*self._chain(character_style), *self._chain(paragraph_style), self.defaults]
            result: dict[str, str] = {}
            for slot, theme in self.SLOTS.items():
                for layer in layers:
                    if theme in layer or slot in layer:
                        name = theme if theme in layer else slot
                        result[name] = layer[name]
                        break
            self.cache[key] = result
        return self.cache[key]


_LENGTH = re.compile(r"(-?\d+(?:\.\d+)?)(mm|cm|in|pt|px)")


def page_margins(css: str) -> tuple[Emu, Emu, Emu, Emu] | None:
    """Top, right, bottom, left from the last ``margin`` of an ``@page`` rule (no page
    selector) in the page's own CSS: the PDF's margins."""
    found = None
    for match in re.finditer(r"@page\s*\{([^{}]*)", css):
        declared = re.search(r"(?:^|;|\s)margin\s*:\s*([^;{}]+)", match.group(1))
        if declared:
            found = declared.group(1)
    if not found:
        return None
    sizes = [_emu(m) for m in _LENGTH.finditer(found)]
    if not sizes:
        return None
    while len(sizes) < 4:  # CSS shorthand: 1 value for all, 2 for y/x, 3 for top/x/bottom
        sizes.append(sizes[len(sizes) - 2] if len(sizes) > 1 else sizes[0])
    top, right, bottom, left = sizes[:4]
    return top, right, bottom, left


def _emu(match: re.Match[str]) -> Emu:
    value, unit = float(match.group(1)), match.group(2)
    per = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "px": 9525}[unit]
    return Emu(int(round(value * per)))

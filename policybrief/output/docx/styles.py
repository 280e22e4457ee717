"""The Word edition's named styles, fonts, languages and page setup.

Every paragraph and character the converter writes carries one of the styles below, so an
editor restyles the whole document by changing a style. Without a house reference document
the engine defines them from the theme (``theme.yaml``): its colours, and for each role
(serif text, sans headings and captions, mono code) a Latin face and a Chinese one that
Word has (``word_fonts``: Times New Roman with 宋体 SimSun, Arial with 黑体 SimHei by
default), set per script in ``w:rFonts``; sizes and line spacing follow the page's print
CSS. With a reference document (``reference.docx`` in a template folder) the reference's
own definitions are kept and only the styles it lacks are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle, ParagraphStyle

from policybrief.core.languages import language, tag_language

SERIF, SANS, MONO = "serif", "sans", "mono"  # a style's role: text, headings, code
# The faces Word and WPS have on Windows and macOS (Office installs them on a Mac); on Linux
# fontconfig gives LibreOffice metric-compatible or CJK stand-ins (docs/word.md). The
# theme's word_fonts override them key by key (templates/theme.yaml).
WORD_FONTS = {
    "serif": "Times New Roman",
    "sans": "Arial",
    "mono": "Courier New",
    "serif_hans": "SimSun",  # 宋体
    "sans_hans": "SimHei",  # 黑体
    "serif_hant": "PMingLiU",  # 新細明體
    "sans_hant": "Microsoft JhengHei",  # 微軟正黑體
}
# theme colour -> the engine's default (templates/theme.yaml has the same)
COLORS = {
    "ink": "1B1F24",
    "muted": "5B6470",
    "rule": "C9CED6",
    "accent": "1D4E89",
    "accent_soft": "EEF3F9",
    "warm": "9A3B1F",
}


def _hex(color: str) -> str:
    """A theme colour (#rgb or #rrggbb) as Word writes it: RRGGBB."""
    value = color.lstrip("#").upper()
    return "".join(c * 2 for c in value) if len(value) == 3 else value


@dataclass(frozen=True)
class WordFace:
    """A role's fonts: one for Latin text (w:ascii, w:hAnsi, w:cs), one for East Asian."""

    latin: str
    east_asian: str


@dataclass(frozen=True)
class House:
    """What the theme gives the Word styles: a face per role, colours, the body's size and
    line height (from the page's print CSS)."""

    faces: dict[str, WordFace]
    colors: dict[str, str]
    size: float = 10.5  # pt
    line: float = 1.6  # line height, times the size
    title: float | None = None  # the title's size (pt), when the CSS gives it

    @classmethod
    def of(
        cls,
        word_fonts: dict[str, str],
        colors: dict[str, str],
        traditional: bool,
        body: tuple[float, float, float | None] | None = None,
    ) -> House:
        fonts = {**WORD_FONTS, **word_fonts}
        script = "hant" if traditional else "hans"
        faces = {
            role: WordFace(fonts[role], fonts[f"{'sans' if role == MONO else role}_{script}"])
            for role in (SERIF, SANS, MONO)
        }
        rgb = {name: _hex(colors.get(name, default)) for name, default in COLORS.items()}
        size, line, title = body or (10.5, 1.6, None)
        return cls(faces, rgb, size, line, title)

    def face(self, role: str) -> WordFace:
        return self.faces[role]

    def color(self, name: str) -> str:
        return self.colors.get(name, COLORS.get(name, name))

    def scaled(self, points: float) -> float:
        """A size of the engine's 10.5 pt scale at the page's body size."""
        return round(points * self.size / 10.5 * 2) / 2


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
    font: str | None = None  # SERIF | SANS | MONO: the theme's face for the role
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None  # a theme colour's name
    before: float | None = None  # space before, pt
    after: float | None = None
    keep_next: bool = False
    indent: float | None = None  # left indent, mm
    superscript: bool = False
    shade: str | None = None  # paragraph shading (a theme colour's name)
    rule: str | None = None  # left border (a theme colour's name)
    justify_cjk: bool = False  # justified in a Chinese (or Japanese) edition, as the PDF


LOOKS: dict[str, Look] = {
    "Normal": Look(P, font=SERIF, size=10.5, color="ink", after=0),
    "Body Text": Look(P, "Normal", after=6, justify_cjk=True),
    "Title": Look(P, "Normal", SANS, 22, True, color="ink", after=6, keep_next=True),
    "Subtitle": Look(P, "Normal", SANS, 13, color="muted", after=10, keep_next=True),
    "Kicker": Look(P, "Normal", SANS, 9, True, color="warm", after=4, keep_next=True),
    "Byline": Look(P, "Normal", SANS, 9, color="muted", after=2),
    "Summary": Look(P, "Body Text", SANS, 11, after=8),
    "Heading 1": Look(
        P, "Normal", SANS, 15, True, color="accent", before=12, after=3, keep_next=True
    ),
    "Heading 2": Look(P, "Normal", SANS, 12, True, color="ink", before=12, after=4, keep_next=True),
    "Heading 3": Look(
        P, "Normal", SANS, 10.5, True, color="ink", before=10, after=3, keep_next=True
    ),
    "Quote": Look(P, "Body Text", color="muted", indent=6, rule="rule"),
    "Caption": Look(P, "Normal", SANS, 8.5, color="muted", after=4),
    "Key Figure": Look(
        P, "Normal", SANS, 9.5, color="ink", after=4, shade="accent_soft", rule="accent", indent=2
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
    "Table of Figures": Look(P, "Normal", after=2),
    "Header": Look(P, "Normal", SANS, 8, color="muted"),
    "Footer": Look(P, "Normal", SANS, 8, color="muted"),
    "Footnote Text": Look(P, "Normal", SERIF, 8.5, after=2),
    "Endnote Text": Look(P, "Normal", SERIF, 8.5, after=3),
    "Footnote Reference": Look(C, superscript=True),
    "Endnote Reference": Look(C, superscript=True),
    "Key Figure Value": Look(C, font=SANS, size=13, bold=True, color="accent"),
    "Cited Figure": Look(C),  # every figure that cites a fact: a hook for editors
    "Strong": Look(C, bold=True),
    "Emphasis": Look(C, italic=True),
    "Code": Look(C, font=MONO, size=9),
}

PARAGRAPH_STYLES = tuple(n for n, look in LOOKS.items() if look.kind == P)
CHARACTER_STYLES = tuple(n for n, look in LOOKS.items() if look.kind == C)


def set_fonts(rpr: BaseOxmlElement, face: WordFace) -> None:
    """A face per script: Latin (and complex-script) text in ``face.latin``, Chinese and
    Japanese in ``face.east_asian``."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)  # a theme font would outrank the name
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), face.latin)
    fonts.set(qn("w:eastAsia"), face.east_asian)


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


def define_styles(
    document: Document,
    lang: str,
    own: bool,
    tags: tuple[str, str] | None = None,
    house: House | None = None,
) -> None:
    """Add the styles the converter uses; ``own``: also (re)define the built-in ones to
    the theme's look (no reference document). ``tags``: Word's languages for the edition
    (the project's Language's: its house variant, en-GB or en-US), else the code's own.
    ``house``: the theme's faces, colours and body size (else the built-in theme's)."""
    house = house or House.of({}, {}, language(lang).script == "Hant")
    styles = document.styles
    val, east_asia = tags or language(lang).word_tags
    rpr = defaults_rpr(styles.element)
    if (
        own
        or rpr.find(qn("w:rFonts")) is None
        or rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) is None
    ):
        set_fonts(rpr, house.face(SERIF))
    set_lang(rpr, val, east_asia)  # the language is the edition's, whatever the house style
    known = {s.name: s for s in styles}
    for name, look in LOOKS.items():
        if name in known and not own:
            continue
        if name not in known:
            known[name] = styles.add_style(name, look.kind)
            if look.kind == P:
                known[name].quick_style = True
        _apply(known[name], look, lang, known, house)


def _apply(
    style: CharacterStyle,
    look: Look,
    lang: str,
    known: dict[str, CharacterStyle],
    house: House,
) -> None:
    _clear(style)
    if look.base and look.base in known:
        style.base_style = known[look.base]
    _apply_font(style, look, house)
    if look.kind != P or not isinstance(style, ParagraphStyle):
        return
    _apply_paragraph(style, look, lang, house)
    if style.name in ("Header", "Footer"):
        tabs = style.element.pPr.find(qn("w:tabs")) if style.element.pPr is not None else None
        if tabs is not None:
            tabs.getparent().remove(tabs)
    ppr = style.element.get_or_add_pPr()
    if look.rule:
        borders = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        rule = house.color(look.rule)
        for key, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", rule)):
            left.set(qn(f"w:{key}"), value)
        borders.append(left)
        _insert_ppr(ppr, borders)
    if look.shade:
        shd = OxmlElement("w:shd")
        fill = house.color(look.shade)
        for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
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


def _apply_font(style: CharacterStyle, look: Look, house: House) -> None:
    font = style.font
    if look.font:
        set_fonts(style.element.get_or_add_rPr(), house.face(look.font))
    if look.size:
        title = house.title if style.name == "Title" else None
        font.size = Pt(title or house.scaled(look.size))
    if look.bold is not None:
        font.bold = look.bold
    if look.italic is not None:
        font.italic = look.italic
    if look.color:
        font.color.rgb = RGBColor.from_string(house.color(look.color))
    if look.superscript:
        font.superscript = True


def _apply_paragraph(style: ParagraphStyle, look: Look, lang: str, house: House) -> None:
    fmt = style.paragraph_format
    if look.before is not None:
        fmt.space_before = Pt(house.scaled(look.before))
    if look.after is not None:
        fmt.space_after = Pt(house.scaled(look.after))
    if look.keep_next:
        fmt.keep_with_next = True
    if look.indent is not None:
        fmt.left_indent = Mm(look.indent)
    if look.font or look.size:
        # In points, not as a multiple of "single", which depends on each face's own line
        # gap (SimSun's in Word, its stand-in's elsewhere): the text styles exactly the
        # print CSS's line height (notes 1.2), so Word and LibreOffice break pages
        # alike; the others (headings, captions, key figures) at least 1.25 lines.
        # Pictures sit in paragraphs of their own at single spacing (exhibits.py).
        size = house.scaled(look.size or 10.5)
        text = look.font == SERIF
        height = size * (house.line if size >= house.size else 1.2) if text else size * 1.25
        fmt.line_spacing = Pt(round(height, 1))
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY if text else WD_LINE_SPACING.AT_LEAST
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


def body_type(css: str) -> tuple[float, float, float | None] | None:
    """The body's size (pt) and line height, and the title's (h1) size, from the last rule
    for each in the page's CSS that sets a size in points (the print rules), or None."""
    body = _last_size(css, "body")
    if body is None:
        return None
    title = _last_size(css, "h1")
    return body[0], body[1] or 1.6, title[0] if title else None


def _last_size(css: str, selector: str) -> tuple[float, float | None] | None:
    found = None
    for match in re.finditer(rf"(?<![\w.#:-]){selector}\s*\{{([^{{}}]*)\}}", css):
        size = re.search(r"font-size\s*:\s*(\d+(?:\.\d+)?)pt", match.group(1))
        if size:
            line = re.search(r"line-height\s*:\s*(\d+(?:\.\d+)?)\s*(?:;|$)", match.group(1))
            found = (float(size.group(1)), float(line.group(1)) if line else None)
    return found


def section_columns(css: str) -> tuple[int, int] | None:
    """The columns the page's CSS sets the brief's sections in (``.sections { columns: 2;
    column-gap: 7mm }``, the one-page note's): (count, gap in twips), or None."""
    found = None
    for match in re.finditer(r"(?<![\w-])\.sections\s*\{([^{}]*)\}", css):
        count = re.search(r"(?<![\w-])columns\s*:\s*(\d+)", match.group(1))
        if count:
            gap = re.search(r"column-gap\s*:\s*(\d+(?:\.\d+)?)mm", match.group(1))
            found = (int(count.group(1)), round(float(gap.group(1)) * 56.7) if gap else 400)
    return found if found and found[0] > 1 else None

"""Render stage, typography: each script by its own rules, applied to a rendered page.

Run once on a page's HTML after the citations are numbered (``render/page.py``), so that
it reaches every word a reader sees whoever composed it: prose, the templates' own words,
labels, notes and the strings the engine puts together. Verbatim text is left as it is:
source quotes (``<q>``), code, styles and scripts.

- **English**: straight quotes and apostrophes become typographic (“ ” ‘ ’ ’); a
  non-breaking space joins an amount to its currency and scale ("USD 126 billion") and a
  month to its year or day ("March 2015").
- **Chinese**: half-width ``( ) : , ; ! ?`` beside Han become full-width (（ ）： ，；！？),
  straight quotes become “ ” (‘ ’ inside), and spaces typed around full-width marks or
  between Han and Latin letters or digits are removed: the gap between Han and Latin is
  the typesetter's, a margin on a span (``.hgap-l``/``.hgap-r`` in base.css), so that copied
  or extracted text has none.
- **Line breaking**: a note marker never follows a bare number (it moves to the end of the
  clause: after the unit in Chinese, after the clause's punctuation in English); a word
  joiner (U+2060) keeps a marker on its word's line, and the punctuation after it; a digit
  is held to its unit by a word joiner too, not a whole figure (a span would split the
  PDF's text runs: 2 KB more in a Chinese report); a heading's last
  two words (or last two Han characters) are joined, so that none ends alone.

The page is read as a string in which every tag is one placeholder character, so that a
rule can see text on both sides of a tag; a rule only inserts a span around text with no
tag inside, so the page's nesting never changes.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policybrief.core.languages import Language

TAG = "\ue000"  # a tag or a verbatim element, kept as it was
MARK = "\ue001"  # a note marker (``<sup class="cite…">…</sup>``)
OPEN = "\ue002"  # a span the typesetter adds (its classes in ``_View.opens``)
CLOSE = "\ue003"
HOLDERS = TAG + MARK + OPEN + CLOSE
WJ = "\u2060"  # word joiner: no line break on either side
NNBSP = "\u202f"  # narrow no-break space: keeps a marker that must stay off its number
NBSP = "\u00a0"

_VERBATIM = re.compile(
    r"<(style|script|code|pre|q|textarea|svg)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I
)
_MARKER = re.compile(r'<sup class="cite[^"]*"[^>]*>.*?</sup>', re.S)
_TOKEN = re.compile(
    rf"{_VERBATIM.pattern}|{_MARKER.pattern}|<[^>]*>",
    re.S | re.I,
)
# Elements kept as they are, with all they hold: a reference as its citation style formats
# it (GB/T 7714 sets Chinese references with its own half-width marks).
_KEPT = re.compile(r'<(span|div|li)\b[^>]*\bclass="[^"]*\bcsl-entry\b[^"]*"[^>]*>')
_HEADING = re.compile(r"(<(h[1-4])\b[^>]*>)(.*?)(</\2>)", re.S | re.I)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_H = f"[{HAN}]"
_T = f"[{TAG}]*"
FULL_CLOSE = "，。、；：！？）」』”’》〉"
FULL_MARKS = FULL_CLOSE + "（「『“‘《〈"
_WIDE = {"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "!": "！", "?": "？"}

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SCALES = "thousand|million|billion|trillion|per cent|percent|km|kilometres|kilometers|hectares"
CURRENCIES = "USD|CNY|RMB|EUR|GBP|HKD|JPY|US\\$|€|£|¥"


def _element_end(page: str, start: int, name: str) -> int:
    """The end of the ``name`` element that opens at ``start`` (same-named tags nest)."""
    depth = 0
    for tag in re.finditer(rf"<(/?){name}\b[^>]*>", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start + tag.end()
    return len(page)


class _View:
    """A page as text with each tag replaced by one placeholder character."""

    def __init__(self, page: str):
        self.tags: list[str] = []
        self.marks: list[str] = []
        self.opens: list[str] = []
        parts: list[str] = []
        last = 0
        for match in _TOKEN.finditer(page):
            if match.start() < last:
                continue  # inside a kept element, already taken whole
            parts.append(htmllib.unescape(page[last : match.start()]))
            token = match.group(0)
            kept = _KEPT.match(token)
            if kept:
                token = page[match.start() : _element_end(page, match.start(), kept.group(1))]
            if _MARKER.fullmatch(token):
                self.marks.append(token)
                parts.append(MARK)
            else:
                self.tags.append(token)
                parts.append(TAG)
            last = match.start() + len(token)
        parts.append(htmllib.unescape(page[last:]))
        self.text = "".join(parts)

    def span(self, classes: str) -> str:
        self.opens.append(f'<span class="{classes}">')
        return OPEN

    def html(self) -> str:
        tags, marks, opens = iter(self.tags), iter(self.marks), iter(self.opens)
        out: list[str] = []
        for char in self.text:
            if char == TAG:
                out.append(next(tags))
            elif char == MARK:
                out.append(next(marks))
            elif char == OPEN:
                out.append(next(opens))
            elif char == CLOSE:
                out.append("</span>")
            else:
                out.append(htmllib.escape(char, quote=False))
        return "".join(out)


def typeset(page: str, lang: Language, joins: bool = True) -> str:
    """The page with its language's typography: a CJK language's (Chinese, in the quotation
    marks of ``lang.quotes``: “ ” in mainland text, 「 」 in Traditional) or English's.
    ``joins``: the line breaker's rules, for HTML and PDF (markers joined, no-break
    spaces and joiners, balanced headings); not for Word, which breaks lines itself and
    whose readers search the text ("35億元"). A marker moves off a bare number in every
    output, Word's notes references included."""
    if joins:
        page = _HEADING.sub(lambda m: _balance(m, lang.cjk), page)
    view = _View(page)
    text = view.text
    if lang.cjk:
        text = _markers_after_units(chinese_punctuation(text, lang.quotes))
        text = _han_latin(view, text, joins)
    else:
        text = _markers_after_clauses(view, smart_quotes(text))
        if lang.numbers_as_words:
            text = small_numbers_as_words(text)
    text = _markers_apart(text)
    if joins:  # the line breaker's rules: no-break joins
        if not lang.cjk:
            text = english_spaces(text)
        text = _join_markers(text)
    view.text = text
    return view.html()


# -- English -----------------------------------------------------------------------------


def _before(text: str, i: int) -> str:
    """The character before position ``i``, skipping placeholders ("" at the start)."""
    j = i - 1
    while j >= 0 and text[j] in HOLDERS:
        j -= 1
    return text[j] if j >= 0 else ""


def smart_quotes(text: str) -> str:
    """Straight quotes as typographic ones: opening after a space, a bracket or a dash (or
    at the start), closing or an apostrophe otherwise."""
    out = list(text)
    for i, char in enumerate(text):
        if char not in "'\"":
            continue
        prev = _before(text, i)
        opening = prev == "" or prev.isspace() or prev in "([{“‘—–-/" or prev in NBSP
        if char == '"':
            out[i] = "“" if opening else "”"
        else:
            nxt = text[i + 1 : i + 2]
            out[i] = "‘" if opening and not (nxt.isdigit() and prev.isspace()) else "’"
    return "".join(out)


SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NOT_COUNTED = re.compile(
    r"(?:Figure|Table|Chapter|Section|Exhibit|Box|No\.|page|pages|p\.|pp\.|Article|Level|"
    + MONTHS
    + r")\W*$"
)


def small_numbers_as_words(text: str) -> str:
    """The house option ``numbers_as_words = "under-ten"``: a number under ten that counts
    something in prose ("5 cities") is spelled out ("five cities"); not a label's number
    (Figure 3, page 2), a date (5 March), a decimal, a range or an amount (5 million)."""

    def word(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 12) : match.start()]
        if _NOT_COUNTED.search(before.replace(TAG, "")):
            return match.group(0)
        spelled = SMALL[int(match.group(1))]
        starts = not before.strip(" " + TAG) or before.rstrip(" " + TAG)[-1] in ".!?"
        return (spelled.capitalize() if starts else spelled) + match.group(2)

    pattern = rf"(?<![\w.,/:–\-{NBSP}])([1-9])( (?!(?:{SCALES}|{MONTHS})\b)[a-z])"
    return re.sub(pattern, word, text)


def english_spaces(text: str) -> str:
    """Non-breaking spaces that hold an amount, a date or a short unit together."""
    text = re.sub(rf"\b({CURRENCIES}) (?=\d)", rf"\1{NBSP}", text)
    text = re.sub(rf"(\d) ({SCALES})\b", rf"\1{NBSP}\2", text)
    text = re.sub(rf"\b({MONTHS}) (?=\d)", rf"\1{NBSP}", text)
    return re.sub(rf"(\d) ({MONTHS})\b", rf"\1{NBSP}\2", text)


def _markers_after_clauses(view: _View, text: str) -> str:
    """English: a marker right after a number moves after the clause's next punctuation
    mark ("by 2035⁴ to …," becomes "by 2035 to …,⁴"), across whole inline elements only;
    it stays where it is when another marker or an unclosed element comes first."""
    out: list[str] = []
    last = 0
    for match in re.finditer(rf"\d[{TAG}]*({MARK}+)", text):
        if match.start() < last:
            continue
        end = _clause_end(view, text, match.end())
        if end is None:
            continue
        out += [text[last : match.start(1)], text[match.end() : end], match.group(1)]
        last = end
    return "".join(out) + text[last:]


def _clause_end(view: _View, text: str, start: int) -> int | None:
    """The position just after the clause's punctuation from ``start``, if only text and
    whole elements come before it."""
    open_tags: list[str] = []
    for i in range(start, min(len(text), start + 160)):
        char = text[i]
        if char in MARK + OPEN + CLOSE + "\n":
            return None
        if char == TAG:
            tag = view.tags[text.count(TAG, 0, i)]
            name = re.match(r"<(/?)([a-zA-Z0-9]+)", tag)
            if not name or name.group(2).lower() in ("p", "li", "div", "td", "th", "br"):
                return None
            if not name.group(1):
                open_tags.append(name.group(2))
            elif not open_tags or open_tags.pop() != name.group(2):
                return None
        elif char in ".,;:!?" and not open_tags and not text[i + 1 : i + 2].isdigit():
            return i + 1
    return None


# -- Chinese -----------------------------------------------------------------------------


def chinese_punctuation(text: str, quotes: tuple[str, str] = ("“", "”")) -> str:
    """Full-width marks beside Han, straight quotes as “ ” and ‘ ’, no typed spaces around
    full-width marks."""
    edge = f"(?:{_H}|[{FULL_MARKS}])"

    # (…) with Han inside or before it: full-width brackets, no spaces outside them
    def brackets(m: re.Match[str]) -> str:
        inner = m.group(1)
        if re.search(_H, inner) or re.match(_H, _before(text, m.start())):
            return f"（{inner.strip()}）"
        return m.group(0)

    text = re.sub(rf" *\(([^()\n{MARK}]*)\) *", brackets, text)
    # , : ; ! ? after Han (or a closing mark), and before Han after a digit
    text = re.sub(rf"({edge}{_T}) *([,:;!?]) *", lambda m: m.group(1) + _WIDE[m.group(2)], text)
    text = re.sub(rf"(?<=[\w）])([,:;!?]) *(?={_T}{_H})", lambda m: _WIDE[m.group(1)], text)
    text = _chinese_quotes(text, quotes)
    # a full stop after Han or a closing mark, where a sentence ends: 。
    text = re.sub(rf"(?<=[{HAN}）」』”’》])({_T})\.(?=[\s{TAG}]|$)", r"\1。", text)
    # no typed spaces around full-width marks (nor the template's line breaks between the
    # elements after one: "贾振成（2017）：</span>\n<q>" would show a space)
    text = re.sub(rf" +(?=[{TAG}]*[{FULL_MARKS}])", "", text)
    return re.sub(
        rf"(?<=[{FULL_MARKS}])((?:[{TAG}]|\s)*\s)",
        lambda m: re.sub(r"\s+", "", m.group(1)),
        text,
    )


# A Chinese style's outer quotation marks, its inner ones, and the other style's outer pair.
_STYLES = {"“": ("‘’", "「」", "『』"), "「": ("『』", "“”", "‘’")}


def _chinese_quotes(text: str, quotes: tuple[str, str]) -> str:
    """Straight quotes as the language's; the other Chinese style's marks as this one's."""
    opening, closing = quotes
    inner, other, other_inner = _STYLES.get(opening, ("‘’", "", ""))
    out = list(text)
    depth = 0
    for i, char in enumerate(text):
        if char == '"':
            prev = _before(text, i)
            starts = prev == "" or prev.isspace() or re.match(_H, prev) or prev in FULL_MARKS
            if starts and depth == 0:
                out[i], depth = quotes[0], 1
            else:
                out[i], depth = quotes[1], 0
        elif char == "'" and re.match(_H, _before(text, i) or "a"):
            out[i] = "’"
    text = "".join(out)
    for theirs, ours in ((other, opening + closing), (other_inner, inner)) if other else ():
        text = text.replace(theirs[0], ours[0]).replace(theirs[1], ours[1])
    return text


def _markers_after_units(text: str) -> str:
    """Chinese: a marker right after a number moves after the unit and the rest of the
    clause, before its punctuation ("共12¹处，" becomes "共12处¹，")."""
    pattern = re.compile(
        rf"(\d{_T})({MARK}+)([^{HOLDERS}{FULL_MARKS}\s]{{1,20}}?)(?=[{FULL_MARKS}]|[{TAG}])"
    )
    return pattern.sub(lambda m: m.group(1) + m.group(3) + m.group(2), text)


def _han_latin(view: _View, text: str, joins: bool = True) -> str:
    """No typed space between Han and Latin or digits; the gap is a margin on a span
    around the Latin run; a digit and the Han unit after it are kept on one line."""
    text = re.sub(rf"(?<={_H}) +(?=[A-Za-z0-9])", "", text)
    text = re.sub(rf"(?<=[A-Za-z0-9%]) +(?={_H})", "", text)
    run = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.,%+&/' \-]*[A-Za-z0-9%])?")
    letters = re.compile("[A-Za-z]")
    out: list[str] = []
    last = 0
    for match in run.finditer(text):
        start, end = match.span()
        before = _before(text, start)
        after = _after(text, end)
        unit = bool(end < len(text) and re.match(_H, text[end]) and match.group(0)[-1].isdigit())
        # a gap beside Latin words, not beside figures: "2016年", as mainland texts set them
        word = bool(letters.search(match.group(0)))
        classes = ["hgap-l"] if word and before and re.match(_H, before) else []
        if word and not unit and after and re.match(_H, after):
            classes.append("hgap-r")
        out.append(text[last:start])
        if classes:
            out.append(view.span(" ".join(classes)) + match.group(0) + CLOSE)
        else:
            out.append(match.group(0))
        if unit and joins:  # a digit and its unit on one line: a word joiner (no glyph)
            out.append(WJ)
        last = end
    out.append(text[last:])
    return "".join(out)


def _after(text: str, i: int) -> str:
    while i < len(text) and text[i] in HOLDERS:
        i += 1
    return text[i] if i < len(text) else ""


def _markers_apart(text: str) -> str:
    """A marker still right after a number (no clause end to move to: another marker comes
    first, or the number ends a source line) is set a narrow no-break space apart, so that
    it cannot read as a power ("2035 ⁴", not "2035⁴")."""
    return re.sub(rf"(\d[{TAG}]*)({MARK})", rf"\1{NNBSP}\2", text)


# -- both --------------------------------------------------------------------------------


def _join_markers(text: str) -> str:
    """A word joiner before each run of markers (never a line break before a marker) and
    before the closing punctuation after it."""
    text = re.sub(rf"(?<=\S)({MARK}+)", rf"{WJ}\1", text)
    return re.sub(rf"({MARK})(?=[{FULL_CLOSE},.;:!?)”’])", rf"\1{WJ}", text)


def _balance(match: re.Match[str], cjk: bool) -> str:
    """A heading whose last word (or last Han character) cannot stand alone on a line."""
    opening, _name, inner, closing = match.groups()
    pieces = re.split(r"(<[^>]*>)", inner)
    for k in range(len(pieces) - 1, -1, -1):
        piece = pieces[k]
        if piece.startswith("<") or not piece.strip():
            continue
        if cjk:
            pieces[k] = re.sub(
                rf"({_H}{_H}[{FULL_CLOSE}]*)(\s*)$", r'<span class="nb">\1</span>\2', piece
            )
        else:
            pieces[k] = re.sub(r"(\S) +(\S+\s*)$", rf"\1{NBSP}\2", piece)
        break
    return opening + "".join(pieces) + closing

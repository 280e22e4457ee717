"""Languages as data: what the engine knows about a language it writes in.

A project declares its languages once (``languages`` in ``[tool.policybrief]``, read by
:mod:`policybrief.load.config`; zh and en when it declares none). Everything else about a
language comes from three places, in this order of authority:

1. **Babel's locale data** (CLDR), for any code Babel knows: the script, the direction of
   writing, the language's name in itself, number symbols, percent and date patterns, the
   plural rule, the words for large numbers (the compact decimal formats: million, 万, 萬)
   and from which power of ten they start (a word for 10⁴ means the language counts in
   myriads: 4万, not 40,000), where a currency code stands, and the region that makes
   ``zh-Hant`` read as zh-TW (for CSL locales and Word).
2. **The table below**, one place for what Babel does not say: the tag a page declares
   (``zh`` pages are ``zh-Hans``), the reference style a language cites in by default,
   from how many digits figures are grouped, the quotation marks around a quote, and the
   particle Chinese writes after a round number for "more than" (60多家). Entries are
   looked up by language, then language and script, then the code, each overriding the
   one before, so ``zh`` covers ``zh-Hant`` unless ``zh-Hant`` says otherwise; a language
   the table does not name gets the defaults.
3. **The project's catalog** for the language (``templates/locales/<code>/LC_MESSAGES/
   messages.po``), for the engine's own words (:data:`ENGINE_MESSAGES`: Figure 2, over
   40,000, Total, Sources): :mod:`policybrief.load.languages` reads them into
   :attr:`Language.words`. English is the language they are written in.

So adding a language is: its code in the settings, a catalog, a ``<code>.md`` per brief
and its text beside the others in the facts; the engine is not changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import Protocol, TypedDict

from babel import Locale, UnknownLocaleError
from babel.core import get_global

SOURCE = "en"  # the language the templates and the engine's own words are written in
DEFAULT = ("zh", "en")  # the languages of a project that declares none
# A language code as a project writes it (BCP 47): language, then optionally a script and
# a region, e.g. zh, zh-Hant, en-GB, pt-BR. It names files (zh-Hant.md), so nothing else.
CODE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")
CJK_SCRIPTS = ("Hans", "Hant", "Hani", "Jpan")  # scripts written without spaces between words


class Entry(TypedDict, total=False):
    """What the engine's table may say about a language (see the module docstring)."""

    tag: str  # the page's BCP 47 tag, when not the code as written
    name: str  # its name in itself, when not Babel's
    cjk: bool  # when not derived from the script
    scale_from: int  # when not derived from Babel's compact formats
    reference_style: str
    group_from: int
    more: str
    quotes: tuple[str, str]
    east_asian: str


# What Babel does not say (see the module docstring). Keys: a code, language-Script, or a
# language. Values override DEFAULTS.
TABLE: dict[str, Entry] = {
    "zh": {
        "tag": "zh-Hans",  # plain zh is Simplified Chinese: name the script for fonts
        "reference_style": "gb-t-7714-2025-numeric",
        "group_from": 5,  # 8000人 but 123,456人
        "more": "多",  # 60多家, 2万多人: "more than" after a round number
        "quotes": ("\u201c", "\u201d"),  # mainland text: “ ” (‘ ’ inside); issue 24
    },
    # not zh's zh-Hans, and Traditional text's 「 」; the rest is zh's
    "zh-Hant": {"tag": "zh-Hant", "quotes": ("「", "」")},
}
DEFAULTS: Entry = {
    "reference_style": "chicago-author-date",
    "group_from": 0,  # 1,000
    "more": "",
    "quotes": ("\u201c", "\u201d"),
    # Word's language for East Asian text in an edition of a Latin-script language: the
    # quotes of the (Chinese) sources. A CJK language's own edition uses its own.
    "east_asian": "zh-CN",
}


def _(message: str) -> str:
    """Marks one of the engine's own words for ``pybabel extract`` (babel.cfg)."""
    return message


# The engine's own words, translated in each language's catalog like the templates' words
# (`check` reports a missing one). %(...)s fields are filled in by the engine.
ENGINE_MESSAGES: tuple[str, ...] = (
    _("Figure %(number)s"),
    _("Table %(number)s"),
    _("over %(figure)s"),
    _("nearly %(figure)s"),
    _("about %(figure)s"),
    _("more than %(figure)s"),
    _("up to %(figure)s"),
    _("%(low)s–%(high)s"),  # a range: 3–5, 95.7%–96.2%
    _("Total"),  # a stacked chart's totals
    _("Light or hollow: approximate value"),  # under a chart that draws one
    _("Sources"),
    _("Source:"),  # a table's source line (prose.py), as the charts' (chart.html)
    _(": "),
    _(", "),
    _("; "),
    _("Page %(page)s of %(pages)s"),  # the print edition's slug (output/printshop.py)
)
QUALIFIER_MESSAGES = {
    "over": "over %(figure)s",
    "nearly": "nearly %(figure)s",
    "about": "about %(figure)s",
    "more_than": "more than %(figure)s",
    "up_to": "up to %(figure)s",
}


class Dated(Protocol):
    """A date known to the year, the month or the day (core.model.PartialDate, which this
    module does not import: the model imports it)."""

    @property
    def year(self) -> int: ...
    @property
    def month(self) -> int | None: ...
    @property
    def day(self) -> int | None: ...


@dataclass(frozen=True)
class Magnitude:
    """A power of ten the language has a word for, as Babel's compact formats write it:
    (plural category, text before the digits, text after), e.g. ("other", "", " million")."""

    size: Decimal
    forms: tuple[tuple[str, str, str], ...]

    def affixes(self, category: str) -> tuple[str, str]:
        found = dict((c, (p, s)) for c, p, s in self.forms)
        return found.get(category) or found.get("other") or next(iter(found.values()))


@dataclass(frozen=True)
class Language:
    """One language a project writes in: its code, Babel locale and what follows from them
    (see the module docstring). Passed explicitly to everything that formats or typesets."""

    code: str  # as the project writes it: zh, en, zh-Hant; names files (zh-Hant.md)
    tag: str  # BCP 47 for HTML lang and PDF metadata: zh-Hans, en, zh-Hant
    locale: Locale
    name: str  # the language's name in itself, for language switches: 中文, 繁體中文
    script: str  # ISO 15924: Hans, Hant, Latn, Arab
    region: str  # the region its conventions are taken from: CN, TW, US, FR
    rtl: bool  # written right to left
    cjk: bool  # Chinese or Japanese: no spaces between words, CJK faces, justified
    reference_style: str  # the CSL style it cites in by default
    scale_from: int  # the smallest power of ten figures are scaled by (4: 万, 6: million)
    group_from: int  # digits are grouped from 10**group_from (0: always)
    more: str  # the "more than" particle after a round number (Chinese 多), or ""
    quotes: tuple[str, str]  # opening and closing quotation marks
    magnitudes: tuple[Magnitude, ...]  # largest first
    east_asian: str  # Word's language for the East Asian text of an edition (zh-CN)
    words: tuple[tuple[str, str], ...] = ()  # ENGINE_MESSAGES as its catalog translates them
    numbers_as_words: bool = False  # house option: prose spells out numbers under ten

    @property
    def direction(self) -> str:
        """For HTML's ``dir``: ``rtl`` or ``ltr``."""
        return "rtl" if self.rtl else "ltr"

    @property
    def region_tag(self) -> str:
        """Language and region, as CSL locales and Word name them: zh-CN, zh-TW, en-US."""
        return f"{self.locale.language}-{self.region}" if self.region else self.locale.language

    @property
    def word_tags(self) -> tuple[str, str]:
        """Word's w:lang for the edition: (its text's language, its East Asian text's)."""
        return self.region_tag, self.region_tag if self.cjk else self.east_asian

    @property
    def unit_space(self) -> str:
        """Between a figure and its unit: none in Chinese (4万人), a space elsewhere."""
        return "" if self.cjk else " "

    def word(self, message: str, **fields: str) -> str:
        """One of the engine's words in this language (the catalog's translation, or the
        English message itself), with its fields filled in."""
        text = dict(self.words).get(message, message)
        return text % fields if fields else text

    def with_words(self, words: dict[str, str]) -> Language:
        return replace(self, words=tuple(sorted(words.items())))

    def exhibit(self, kind: str, number: int) -> str:
        """The label of a numbered exhibit: 图2 / Figure 2, 表1 / Table 1."""
        message = "Table %(number)s" if kind == "table" else "Figure %(number)s"
        return self.word(message, number=str(number))

    @property
    def exhibit_separator(self) -> str:
        """Between an exhibit's label and its caption: 图2 规划思路 / Figure 2 Plan, the
        one form of every caption, list and cross-reference (issue 24: "Figure 1." in the
        captions against "Figure 1" everywhere else)."""
        return " "

    def date(self, value: Dated) -> str:
        import datetime

        from babel.dates import format_date, format_skeleton

        day = datetime.date(value.year, value.month or 1, value.day or 1)
        if value.day:
            return format_date(day, format="long", locale=self.locale)
        return format_skeleton("yMMMM" if value.month else "y", day, locale=self.locale)


def code_problem(code: object) -> str | None:
    """Why ``code`` is not a language code the engine can write in, or None."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        hint = ""
        if isinstance(code, str) and "_" in code:
            hint = f"; write it with hyphens: {code.replace('_', '-')!r}"
        return f"{code!r} is not a language code (a BCP 47 tag such as zh, en, zh-Hant, fr{hint})"
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return f"{code!r} is not a language Babel knows (its locale data has no {code!r})"
    return None


def alternatives(codes: tuple[str, ...] | list[str]) -> str:
    """``zh or en``, ``zh, en or zh-Hant``: the codes one may choose from, for hints."""
    codes = list(codes)
    if len(codes) <= 1:
        return "".join(codes)
    return ", ".join(codes[:-1]) + " or " + codes[-1]


def primary(code: str) -> str:
    """The language subtag: zh for zh-Hant, en for en-GB."""
    return code.split("-")[0].lower()


def _table(code: str, locale: Locale) -> Entry:
    """DEFAULTS laid over by the table's entries for the language, language-Script and the
    code itself, the more specific last."""
    props = Entry(**DEFAULTS)
    keys = [locale.language, f"{locale.language}-{_script(locale)}", code]
    for key in dict.fromkeys(keys):
        props.update(TABLE.get(key, Entry()))
    return props


def _likely(locale: Locale) -> tuple[str, str]:
    """The locale's script and region, the likely ones filled in from CLDR's likely
    subtags where it does not say (zh: Hans, CN; zh-Hant: Hant, TW; fr: Latn, FR)."""
    likely = get_global("likely_subtags")
    for key in (str(locale), f"{locale.language}_{locale.script}", locale.language):
        if key in likely:
            parts = likely[key].split("_")
            script = next((p for p in parts[1:] if len(p) == 4), "")
            region = next((p for p in parts[1:] if len(p) != 4), "")
            return locale.script or script, locale.territory or region
    return locale.script or "", locale.territory or ""


def _script(locale: Locale) -> str:
    return _likely(locale)[0]


def _name(locale: Locale) -> str:
    """The language's name in itself: 中文, 繁體中文, English, français."""
    names = locale.languages
    for key in (f"{locale.language}_{locale.script}" if locale.script else "", locale.language):
        if key and key in names:
            return str(names[key])
    return locale.get_display_name(locale) or locale.language


def _magnitudes(locale: Locale, scale_from: int) -> tuple[Magnitude, ...]:
    """The powers of ten from 10**scale_from that the language has a word for, from
    Babel's compact decimal formats (long where the locale has them: "2 billion", else
    short: 20亿), largest first. A pattern with one digit ("0 million") names the power."""
    formats = locale.compact_decimal_formats
    try:
        table = formats["long"]
    except KeyError:
        table = formats["short"]
    sizes: dict[str, list[tuple[str, str, str]]] = {}
    for category, patterns in table.items():
        for size, pattern in patterns.items():
            if len(size) - 1 < scale_from or str(pattern.pattern).count("0") != 1:
                continue
            sizes.setdefault(size, []).append((category, pattern.prefix[0], pattern.suffix[0]))
    return tuple(
        Magnitude(Decimal(size), tuple(forms))
        for size, forms in sorted(sizes.items(), key=lambda item: -len(item[0]))
    )


def _scale_from(locale: Locale) -> int:
    """4 for a language with a word for ten thousand (万, 萬, 만: it counts large numbers
    in myriads, 4万 for 40,000), else 6 (figures from a million are scaled: 2 million)."""
    for patterns in locale.compact_decimal_formats["short"].values():
        pattern = patterns.get("10000")
        if pattern is not None and str(pattern.pattern).count("0") == 1:
            return 4
    return 6


@cache
def language(code: str) -> Language:
    """The language ``code`` (a valid code: see :func:`code_problem`), with what Babel and
    the table say about it, without catalog words (see :meth:`Language.with_words`)."""
    locale = Locale.parse(code, sep="-")
    script, region = _likely(locale)
    props = _table(code, locale)
    scale_from = props.get("scale_from") or _scale_from(locale)
    return Language(
        code=code,
        tag=props.get("tag", code),
        locale=locale,
        name=props.get("name") or _name(locale),
        script=script,
        region=region,
        rtl=locale.character_order == "right-to-left",
        cjk=props.get("cjk", script in CJK_SCRIPTS),
        reference_style=props["reference_style"],
        scale_from=scale_from,
        group_from=props["group_from"],
        more=props["more"],
        quotes=props["quotes"],
        magnitudes=_magnitudes(locale, scale_from),
        east_asian=props["east_asian"],
    )


@cache
def tag_language(tag: str) -> Language | None:
    """The language of an HTML ``lang`` attribute in any case (zh-hans, en-GB), or None
    if Babel does not know it."""
    parts = tag.replace("_", "-").split("-")
    written = "-".join(
        p.lower() if i == 0 else p.title() if len(p) == 4 else p.upper()
        for i, p in enumerate(parts)
    )
    return language(written) if code_problem(written) is None else None

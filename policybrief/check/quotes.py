"""Reading what a source's quote states: its figures, the hedge around each, and its dates.

The check stage (:mod:`policybrief.check.prove`) compares a fact's value, qualifier and date with
what :func:`read_quote` finds in the fact's verbatim quote. The reader knows how sources
write figures:

- Arabic numerals with separators and decimals (``1,000``, ``2.1``, full-width ``３``);
- Chinese numerals and mixed forms (三部委, 两年, 一千, 二十万, 三十多, 30个亿, 2.1个亿,
  700多万, 逾万, 近千, 百分之六十), scaled by 十/百/千/万/亿;
- percentages (``58%``, ``百分之六十``, ``40 percent``);
- English numbers (``1.2 million``, ``over 300``, ``twelve``, ``a third``).

and the hedges the fact's ``qualifier`` records (see ``HEDGES_BEFORE`` and ``HEDGES_AFTER``;
docs/authoring.md has the table). Dates are years, months and days (2016年7月, 2015年4月17日,
2016年底, ``July 2016``) and relative dates (今年10月, 去年7月, 两年前, ``last year``), which a
fact may use only with a note that resolves them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

# -- what a figure is ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotedFigure:
    """One figure stated in a quote."""

    value: Decimal
    percent: bool  # written as a percentage (58%, 百分之六十, 40 percent)
    hedge: str  # the qualifier its hedge words express; "exact" when there are none
    hedge_word: str  # the hedge as written ("近", "多", "over"), or ""
    text: str  # the figure as written, hedges included
    start: int
    end: int
    high: Decimal | None = None  # the upper end of a range (95.7%–96.2%)

    def shown(self) -> str:
        return self.text


@dataclass(frozen=True)
class DateMention:
    """A date the quote states, absolute (2016年7月) or relative (今年10月, two years ago)."""

    year: int | None
    month: int | None
    day: int | None
    relative: str  # the relative word (今年, 去年, 两年前, 目前, last year), or ""
    text: str
    start: int
    end: int = 0
    end_of_year: bool = False  # 年底 / 年末 / "end of": December by convention


@dataclass(frozen=True)
class Reading:
    """Everything read from one quote."""

    text: str  # the quote as read (whitespace inside Chinese text removed)
    figures: tuple[QuotedFigure, ...]
    dates: tuple[DateMention, ...]
    chinese: bool
    vague: tuple[str, ...] = ()  # amounts no value can state exactly: 十几, 数百, 上千


# -- hedges ------------------------------------------------------------------------------------
# Longest words first: 将近 before 近, 超过 before 超.
HEDGES_BEFORE: tuple[tuple[str, str], ...] = (
    ("将近", "nearly"),
    ("接近", "nearly"),
    ("近", "nearly"),
    ("超过", "over"),
    ("逾", "over"),
    ("超", "over"),
    ("大约", "about"),
    ("约", "about"),
    ("大概", "about"),
    ("最高", "up_to"),
    ("最多", "up_to"),
    ("高达", "up_to"),
    ("至多", "up_to"),
    ("不到", "under"),
    ("不足", "under"),
    ("不超过", "under"),
)
HEDGES_AFTER: tuple[tuple[str, str], ...] = (
    ("有余", "more_than"),
    ("多", "more_than"),
    ("余", "more_than"),
    ("左右", "about"),
    ("上下", "about"),
    ("以上", "over"),
    ("以下", "under"),
)
EN_HEDGES_BEFORE: tuple[tuple[str, str], ...] = (
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("close to", "nearly"),
    ("just under", "nearly"),
    ("more than", "more_than"),
    ("over", "over"),
    ("above", "over"),
    ("exceeding", "over"),
    ("in excess of", "over"),
    ("upwards of", "over"),
    ("about", "about"),
    ("around", "about"),
    ("approximately", "about"),
    ("roughly", "about"),
    ("some", "about"),
    ("an estimated", "about"),
    ("circa", "about"),
    ("up to", "up_to"),
    ("as many as", "up_to"),
    ("at most", "up_to"),
    ("a maximum of", "up_to"),
    ("less than", "under"),
    ("fewer than", "under"),
    ("under", "under"),
)
EN_HEDGES_AFTER: tuple[tuple[str, str], ...] = (
    ("or more", "more_than"),
    ("-plus", "more_than"),
    ("plus", "more_than"),
    ("or so", "about"),
)

# -- Chinese numerals ----------------------------------------------------------------------------
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A figure: Arabic or Chinese numerals, 多/余 inside, an optional 个, then 万/亿 (or 千万, 百万).
_ZH_FIGURE = re.compile(
    rf"(?P<pct>百分之)?(?P<num>{_ARABIC}|[{_CN_CHARS}]+)(?P<more1>多|余)?"
    r"(?P<ge>个(?=[十百千万亿]))?(?P<mag>[十百千]?(?:万亿|万|亿)|[十百千](?=[万亿]))?(?P<more2>多|余)?"
    r"(?P<sign>%)?"
)
_MONTHS_EN = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_EN_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "one hundred": 100,
    "a thousand": 1000,
    "one thousand": 1000,
    "a dozen": 12,
    "dozen": 12,
}
_EN_FRACTIONS = {
    "a half": (1, 2),
    "half": (1, 2),
    "one half": (1, 2),
    "a third": (1, 3),
    "one third": (1, 3),
    "two thirds": (2, 3),
    "two-thirds": (2, 3),
    "a quarter": (1, 4),
    "one quarter": (1, 4),
    "three quarters": (3, 4),
    "a fifth": (1, 5),
    "one fifth": (1, 5),
}
_EN_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_FIGURE = re.compile(
    r"(?<![\w.])(?P<num>"
    + _ARABIC
    + r"|"
    + "|".join(sorted((re.escape(w) for w in [*_EN_WORDS, *_EN_FRACTIONS]), key=len, reverse=True))
    + r")(?![\w])(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?"
    r"(?P<pct>\s*(?:%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
_RANGE_LINK = re.compile(r"\s*(?:-|–|—|～|~|至|到|to|and)\s*")


def cn_integer(text: str) -> int | None:
    """A Chinese numeral as an integer: 三 3, 十一 11, 二十万 200000, 一千 1000, 百 100,
    两万 20000, 二〇一六 2016 (digit by digit). None if it is not a well-formed numeral."""
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    if all(ch in _CN_DIGITS for ch in text):  # 二〇一六: digits written out one by one
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a positional numeral
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:  # 万 or 亿
            section += digit or 0
            if section == 0:
                section = 1
            total = (total + section) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _arabic(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _magnitude(mag: str) -> int:
    factor = 1
    for ch in mag:
        factor *= {**_CN_SMALL, **_CN_BIG}[ch]
    return factor


def normalize(quote: str) -> tuple[str, bool]:
    """Full-width and other-script digits to ASCII; whitespace dropped inside Chinese text
    (source texts break lines mid-word and pad numbers: 近 30 个亿)."""
    chars = []
    for ch in unicodedata.normalize("NFKC", quote):
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None and not ch.isascii() else ch)
    text = "".join(chars)
    chinese = bool(re.search(r"[\u4e00-\u9fff]", text))
    if chinese:
        text = re.sub(r"\s+", "", text)
    return text, chinese


# -- dates ---------------------------------------------------------------------------------------
_ZH_DATE = re.compile(
    r"(?P<year>\d{4}|[〇零一二三四五六七八九]{4})年(?P<eoy>底|末)?"
    r"(?:(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月份?(?:(?P<day>\d{1,2})[日号])?)?"
)
_ZH_RELATIVE = re.compile(
    r"(?P<word>今年|去年|前年|明年|当年|同年|本年|次年|上年)(?P<eoy>底|末)?"
    r"(?:(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月份?(?:(?P<day>\d{1,2})[日号])?)?"
    r"|(?P<month_word>当月|本月|上月|次月|同月)"
    r"|(?P<ago>(?:\d+|[一二两三四五六七八九十]+)(?:个)?(?:年|月)(?:前|后|以前|以后|之前|之后))"
    r"|(?P<within>近(?:\d+|[一二两三四五六七八九十]+)年(?:内|来)?)"
    r"|(?P<now>截至目前|截止目前|目前|迄今|至今|如今|现在|当前)"
)
_EN_DATE = re.compile(
    r"\b(?:(?P<d1>\d{1,2})\s+)?(?P<month>" + "|".join(_MONTHS_EN) + r")"
    r"(?:\s+(?P<d2>\d{1,2}),?)?\s+(?P<year>\d{4})\b"
    r"|\b(?P<bare>(?:1[89]|20|21)\d{2})\b",
    re.IGNORECASE,
)
_EN_RELATIVE = re.compile(
    r"\b(?P<word>this year|last year|next year|the previous year|this month|last month|"
    r"(?:\w+|\d+) years? ago|(?:\w+|\d+) months? ago|currently|at present|to date|so far|"
    r"now)\b",
    re.IGNORECASE,
)


def _month(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text) if text.isdigit() else cn_integer(text)
    return value if value and 1 <= value <= 12 else None


def _zh_dates(text: str) -> list[DateMention]:
    found: list[DateMention] = []
    for m in _ZH_DATE.finditer(text):
        year = int(m["year"]) if m["year"].isdigit() else cn_integer(m["year"])
        eoy = bool(m["eoy"])
        found.append(
            DateMention(
                year,
                _month(m["month"]) or (12 if eoy else None),
                int(m["day"]) if m["day"] else None,
                "",
                m.group(0),
                m.start(),
                m.end(),
                eoy,
            )
        )
    for m in _ZH_RELATIVE.finditer(text):
        word = m["word"] or m["month_word"] or m["ago"] or m["within"] or m["now"]
        eoy = bool(m["eoy"])
        found.append(
            DateMention(
                None,
                _month(m["month"]) or (12 if eoy else None),
                int(m["day"]) if m["day"] else None,
                word,
                m.group(0),
                m.start(),
                m.end(),
                eoy,
            )
        )
    return found


_YEAR_BEFORE = re.compile(
    r"\b(?:in|since|by|until|till|from|to|before|after|during|early|late|mid|year|end)\s+$",
    re.IGNORECASE,
)


def _year_in_context(text: str, start: int, end: int) -> bool:
    """A bare four-digit number is a year after "in", "since", "by"… or before punctuation
    or the end ("in 2016", "2016, the town…"); "2000 people" is a figure."""
    if _YEAR_BEFORE.search(text[max(0, start - 12) : start]):
        return True
    after = text[end : end + 2]
    return after == "" or after[0] in ",.;:)!?" or after.startswith("'s")


def _en_dates(text: str) -> list[DateMention]:
    found = []
    for m in _EN_DATE.finditer(text):
        if m["bare"]:
            if not _year_in_context(text, m.start(), m.end()):
                continue  # "2000 people": a figure, not a year
            found.append(
                DateMention(int(m["bare"]), None, None, "", m.group(0), m.start(), m.end())
            )
            continue
        day = m["d1"] or m["d2"]
        found.append(
            DateMention(
                int(m["year"]),
                _MONTHS_EN.index(m["month"].lower()) + 1,
                int(day) if day else None,
                "",
                m.group(0),
                m.start(),
                m.end(),
            )
        )
    for m in _EN_RELATIVE.finditer(text):
        found.append(
            DateMention(None, None, None, m["word"].lower(), m.group(0), m.start(), m.end())
        )
    return found


# -- figures -------------------------------------------------------------------------------------
def _hedge_before(
    text: str, start: int, table: tuple[tuple[str, str], ...], english: bool
) -> tuple[str, str]:
    before = text[max(0, start - 16) : start]
    if english:
        before = before.rstrip().lower()
        for word, hedge in table:
            if re.search(r"(?:^|\W)" + re.escape(word) + r"$", before):
                return hedge, word
        return "", ""
    for word, hedge in table:
        if before.endswith(word):
            return hedge, word
    # A hedge may govern a verb before the figure: 最高可获得100万元, 约为3亿元, 超过了.
    found = _ZH_HEDGE_VERB.search(before)
    if found:
        return dict(table)[found.group(1)], found.group(0)
    return "", ""


_ZH_HEDGE_VERB = re.compile(
    r"(最高|最多|至多|高达|超过|约|大约|接近|将近)(?:可以|可|能|将|已)?"
    r"(?:获得|达到|达|为|有|享受|给予|补贴|奖励|资助|支持|了)$"
)


_COUNTERS = "个家名人位条件所项次批期套节座只台辆张本种类国元美"


def _hedge_after_zh(text: str, end: int) -> tuple[str, str]:
    rest = text[end : end + 5]
    if rest[:1] and rest[0] in _COUNTERS:  # 1000个左右, 3万人以上
        rest = rest[1:]
        if rest[:1] and rest[0] in "元":
            rest = rest[1:]
    for word, hedge in HEDGES_AFTER:
        if word in ("多", "余"):
            continue  # read with the figure itself (30多, 2万多)
        if rest.startswith(word):
            return hedge, word
    return "", ""


def _combine(
    before: tuple[str, str], inside: tuple[str, str], after: tuple[str, str]
) -> tuple[str, str]:
    """One qualifier from the hedges around a figure. Two hedges that agree are one; 近…多
    (近百多人) reads as 'about'; any other pair is ambiguous."""
    hedges = [h for h in (before, inside, after) if h[0]]
    if not hedges:
        return "exact", ""
    kinds = {h for h, _ in hedges}
    words = "…".join(w for _, w in hedges)
    if len(kinds) == 1:
        return hedges[0][0], words
    if kinds == {"nearly", "more_than"}:
        return "about", words
    return "ambiguous", words


_VAGUE_BEFORE, _VAGUE_AFTER = ("几", "数", "上", "成"), ("几",)


def _zh_figures(
    text: str, dates: list[DateMention], vague: list[str] | None = None
) -> list[QuotedFigure]:
    taken = [(d.start, d.end) for d in dates if d.year is not None or d.month is not None]
    figures: list[QuotedFigure] = []
    for m in _ZH_FIGURE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        num = m["num"]
        vague_before = m.start() > 0 and text[m.start() - 1] in _VAGUE_BEFORE
        vague_after = m.end() < len(text) and text[m.end()] in _VAGUE_AFTER
        if not num[0].isdigit() and (vague_before or vague_after):
            # 十几, 几十, 数百, 上千: an amount, not a figure a value can equal
            if vague is not None:
                vague.append(text[m.start() - vague_before : m.end() + vague_after])
            continue
        value = _zh_value(m)
        if value is None or _zh_date(m, text):
            continue
        end = m.end()
        percent = bool(m["pct"] or m["sign"])
        more = m["more1"] or m["more2"]
        inside = ("more_than", more) if more else ("", "")
        before = _hedge_before(text, m.start(), HEDGES_BEFORE, english=False)
        after = _hedge_after_zh(text, end)
        hedge, word = _combine(before, inside, after)
        start = m.start() - len(before[1])
        figures.append(QuotedFigure(value, percent, hedge, word, text[start:end], start, end))
    return _ranges(figures, text)


def _zh_value(m: re.Match[str]) -> Decimal | None:
    """A Chinese figure's value: its numeral (digits or 两万三千) times its magnitude."""
    num = m["num"]
    if num[0].isdigit():
        value = _arabic(num)
    else:
        integer = cn_integer(num)
        if integer is None:
            return None
        value = Decimal(integer)
    mag = m["mag"] or ""
    if mag and num[-1] in "万亿" and not num[0].isdigit():
        mag = ""  # 两万多: the magnitude is inside the numeral already
    value *= _magnitude(mag) if mag else 1
    return value


def _zh_date(m: re.Match[str], text: str) -> bool:
    """2016年 is a date, not a figure; 两年 (a duration) is kept as a figure."""
    num, tail = m["num"], text[m.end() : m.end() + 1]
    if m["sign"] or m["more2"] or not tail or tail not in "年月日号":
        return False
    if tail in "日号" or (tail == "年" and len(num) == 4 and num.isdigit()):
        return True
    return tail == "月" and not m["ge"]


def _en_figures(text: str) -> list[QuotedFigure]:
    figures = []
    for m in _EN_FIGURE.finditer(text):
        word = m["num"].lower()
        percent = bool(m["pct"])
        if word in _EN_FRACTIONS:
            num, den = _EN_FRACTIONS[word]
            value = Decimal(num) / Decimal(den) * 100
            percent = True
        elif word in _EN_WORDS:
            value = Decimal(_EN_WORDS[word])
        else:
            value = _arabic(m["num"])
        if m["scale"]:
            value *= _EN_SCALE[m["scale"].lower()]
        before = _hedge_before(text, m.start(), EN_HEDGES_BEFORE, english=True)
        rest = text[m.end() : m.end() + 12].lower()
        after = ("", "")
        for words, hedge in EN_HEDGES_AFTER:
            if re.match(r"\s*" + re.escape(words) + r"\b", rest) or rest.startswith(words):
                after = (hedge, words)
                break
        hedge, hword = _combine(before, ("", ""), after)
        figures.append(
            QuotedFigure(value, percent, hedge, hword, m.group(0).strip(), m.start(), m.end())
        )
    return _ranges(figures, text)


def _ranges(figures: list[QuotedFigure], text: str) -> list[QuotedFigure]:
    """Two figures joined by a dash, 至, 到 or 'to' also read as one range."""
    ranges = []
    for low, high in zip(figures, figures[1:], strict=False):
        link = text[low.end : high.start - len(high.hedge_word) if high.hedge_word else high.start]
        if not _RANGE_LINK.fullmatch(link) or high.value <= low.value:
            continue
        percent = low.percent or high.percent
        ranges.append(
            QuotedFigure(
                low.value,
                percent,
                low.hedge if low.hedge != "exact" else high.hedge,
                low.hedge_word or high.hedge_word,
                text[low.start : high.end],
                low.start,
                high.end,
                high.value,
            )
        )
    return figures + ranges


def read_quote(quote: str) -> Reading:
    """Every figure and date a quote states."""
    text, chinese = normalize(quote)
    vague: list[str] = []
    if chinese:
        dates = _zh_dates(text)
        figures = _zh_figures(text, dates, vague)
    else:
        dates = _en_dates(text)
        spans = [(d.start, d.end) for d in dates if d.year is not None]
        figures = [f for f in _en_figures(text) if not any(s <= f.start < e for s, e in spans)]
    return Reading(
        text, tuple(figures), tuple(sorted(dates, key=lambda d: d.start)), chinese, tuple(vague)
    )

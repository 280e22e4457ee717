"""Reading what a source's quote states: its figures, the hedge around each, and its dates.

The check stage (:mod:`policybrief.check.prove`) compares a fact's value, qualifier and date with
what :func:`read_quote` finds in the fact's verbatim quote. The grammar lives in
:mod:`policybrief.check.figures`: the text as read (full-width digits, Traditional
characters, spaces inside figures), numbers (``numbers``: 1,000, 11,41,575, 2 188.04, 三千零七十四,
四点一, 18萬8千, Fifty-nine, a third, four in five, $5bn, 160k), hedges (``hedges``: before
and after the number, across a currency sign or measure word) and dates (``dates``). This
module finds the figures of a quote with them; docs/authoring.md has the table of what is read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from policybrief.check.figures import hedges
from policybrief.check.figures.dates import en_dates, identifier_before, zh_dates
from policybrief.check.figures.money import currency_en, currency_zh
from policybrief.check.figures.numbers import (
    ARABIC,
    CN_CHARS,
    CN_DIGITS,
    EN_FRACTION,
    EN_IN,
    EN_SCALE,
    EN_WORDS,
    arabic,
    cn_integer,
    cn_number,
    en_fraction,
    en_words,
    magnitude,
)
from policybrief.check.figures.reading import DateMention, QuotedFigure, Reading
from policybrief.check.figures.sourcedate import bind_years
from policybrief.check.figures.text import as_written, normalize, read_text, squash
from policybrief.core.model import PartialDate

__all__ = [
    "DateMention",
    "QuotedFigure",
    "Reading",
    "cn_integer",
    "normalize",
    "read_quote",
    "squash",
    "unread_words",
]

_CN_NUM = rf"[{CN_CHARS}]+(?:点[零〇○一二三四五六七八九]+)?"
# A figure: Arabic or Chinese numerals, 多/余 inside, an optional 个, then 万/亿 (or 千万,
# 千多万, 百万), a second part (18万8千), a fraction (三分之一) or a share (一成).
_ZH_FIGURE = re.compile(
    r"(?P<one_half>一半|半数)|"
    rf"(?P<frac>(?P<den>{_CN_NUM})分之(?P<numer>{_CN_NUM}))"
    rf"|(?P<pct>百分之)?(?P<num>{ARABIC}|{_CN_NUM})(?P<more1>多|余)?"
    r"(?P<ge>个(?=[十百千万亿]))?"
    r"(?P<mag>[十百千]?(?:多|余)?(?:万亿|万|亿)|[十百千](?=多?[万亿]))?"
    r"(?P<wan_tail>(?<=亿)(?:\d,\d{3}|\d{1,4})万)?"
    r"(?P<tail>(?<=[万亿])(?:\d+|[一二三四五六七八九两])[千百](?![万亿\d]))?"
    r"(?P<more2>多|余)?(?P<share>成(?![立本功为果员绩就交])(?P<tenth>[一二三四五六七八九](?![十百千万亿]))?)?"
    r"(?P<sign>%|‰)?"
)
_NAMED = re.compile(r"\s+(?!Percent|Per|Million|Billion|Thousand|Hundred)[A-Z][a-z]")
_SHARED_HEDGE = re.compile(r"[个亿万元]?(?:及|和|与|、|或)")
_RANGE_LINK = re.compile(r"\s*(?:-|–|—|～|~|至|到|to|and)\s*")
_VAGUE_BEFORE, _VAGUE_AFTER = ("几", "数", "上", "成"), ("几",)


def _zh_value(m: re.Match[str]) -> Decimal | None:
    """A Chinese figure's value: its numeral (digits, 两万三千 or 四点一) times its
    magnitude, plus its second part (18万8千)."""
    if m["one_half"]:
        return Decimal(50)  # 一半, 半数: half, as a percentage
    if m["frac"]:
        den, numer = cn_number(m["den"]), cn_number(m["numer"])
        if not den or numer is None or numer > den:
            return None
        return numer / den * 100
    num = m["num"]
    value = arabic(num) if num[0].isdigit() else cn_number(num)
    if value is None:
        return None
    mag = (m["mag"] or "").replace("多", "").replace("余", "")
    if mag and num[-1] in "万亿" and not num[0].isdigit():
        mag = ""  # 两万多: the magnitude is inside the numeral already
    value *= magnitude(mag) if mag else 1
    if m["tail"]:
        digits = m["tail"][:-1]
        part = int(digits) if digits.isdigit() else cn_integer(digits) or 0
        value += part * magnitude(m["tail"][-1])
    if m["wan_tail"]:  # 238亿6,840万: the 万 after the 亿
        value += arabic(m["wan_tail"][:-1]) * 10**4
    if m["share"]:
        value *= 10  # 一成: a tenth, as a percentage; 两成二: 22%
        value += CN_DIGITS.get(m["tenth"] or "", 0)
    return value


def _zh_date(m: re.Match[str], text: str) -> bool:
    """2016年 is a date, not a figure; 两年 (a duration) is kept as a figure."""
    num, tail = m["num"] or "", text[m.end() : m.end() + 1]
    if m["frac"] or m["sign"] or m["more2"] or not tail or tail not in "年月日号季":
        return False
    if tail in "日号" or (tail == "年" and len(num) == 4 and num.isdigit()):
        return True
    if tail == "年" and text[m.end() + 1 : m.end() + 2] in ("度", "末", "底") and not m["mag"]:
        return True
    return tail in "月季" and not m["ge"] and text[m.end() : m.end() + 2] not in ("个月",)


def _zh_vague(m: re.Match[str], text: str) -> str:
    """十几, 几十, 数百, 上千: an amount no value can equal ("" when the figure is not one)."""
    num = m["num"]
    if m["frac"] or not num or num[0].isdigit():
        return ""
    vague_before = m.start() > 0 and text[m.start() - 1] in _VAGUE_BEFORE
    vague_after = m.end() < len(text) and text[m.end()] in _VAGUE_AFTER
    if not (vague_before or vague_after):
        return ""
    return text[m.start() - vague_before : m.end() + vague_after]


def _zh_figures(text: str, dates: list[DateMention], vague: list[str]) -> list[QuotedFigure]:
    taken = [(d.start, d.end) for d in dates if d.year is not None or d.month is not None]
    figures: list[QuotedFigure] = []
    for m in _ZH_FIGURE.finditer(text):
        if not m.group(0) or any(s <= m.start() < e for s, e in taken):
            continue
        amount = _zh_vague(m, text)
        if amount:
            vague.append(amount)
            continue
        value = _zh_value(m)
        if value is None or _zh_date(m, text):
            continue
        end = m.end()
        percent = bool(m["pct"] or m["sign"] == "%" or m["frac"] or m["share"] or m["one_half"])
        more = m["more1"] or m["more2"] or ("多" if "多" in (m["mag"] or "") else "")
        inside = ("more_than", more) if more else ("", "")
        before = hedges.hedge_before_zh(text, m.start())
        after = hedges.hedge_after_zh(text, end)
        hedge, word = hedges.combine(before, inside, after)
        start = m.start() - len(before[1])
        money = currency_zh(text, end)
        shown = text[start:end]
        if not before[0] and figures and _SHARED_HEDGE.fullmatch(text, figures[-1].end, start):
            previous = figures[-1]  # 约78亿及156亿元: 约 governs both figures
            if previous.hedge_word in (w for w, _ in hedges.HEDGES_BEFORE):
                hedge, word = hedges.combine((previous.hedge, previous.hedge_word), inside, after)
        figures.append(QuotedFigure(value, percent, hedge, word, shown, start, end, None, money))
    return _ranges(figures, text)


_EN_FIGURE = re.compile(
    rf"(?:(?<![\w.])(?P<cur>{hedges.EN_CURRENCY}\s?)|(?<![\w.]))"
    rf"(?P<num>(?P<in>{EN_IN})|{ARABIC}|(?P<frac>{EN_FRACTION})|(?P<words>{EN_WORDS})"
    r"|(?P<one>an?\s+(?:year|month|week|day|decade|hour)\b))"
    r"(?:(?:\s|-)(?P<scale>thousand|lakhs?|millions?|crores?|billions?|trillion|bn|mn|tn|trn)\b"
    r"|(?P<short>bn|mn|tn|b|m|k)(?![a-z]))?"
    r"(?P<pct>\s*(?:%|percent\b|per\s?cent\b))?",
    re.IGNORECASE,
)


def _en_value(m: re.Match[str]) -> tuple[Decimal, bool] | None:
    """(value, written as a percentage) of an English figure, or None."""
    percent = bool(m["pct"])
    if m["in"] or m["frac"]:
        value = en_fraction(m["num"])
        percent = True
    elif m["one"]:
        value = Decimal(1)  # about a year
    elif m["words"]:
        value = en_words(m["words"])
    else:
        value = arabic(m["num"])
    if value is None:
        return None
    scale = (m["scale"] or m["short"] or "").lower()
    if scale:
        value *= EN_SCALE[scale]
    return value, percent


def _en_figures(text: str, dates: list[DateMention]) -> list[QuotedFigure]:
    spans = [(d.start, d.end) for d in dates if d.year is not None or d.month is not None]
    figures = []
    for m in _EN_FIGURE.finditer(text):
        start = m.start("num")
        if any(s <= start < e for s, e in spans) or identifier_before(text, m.start()):
            continue
        if m["words"] and not m["num"][0].isupper() and m["num"].lower() in ("one", "a"):
            continue  # "one of the games": a word, not a figure
        if m["words"] and m["num"][0].isupper() and _NAMED.match(text, m.end()):
            continue  # One Belt One Road: a name
        read = _en_value(m)
        before = hedges.hedge_before_en(text, m.start())
        if read is None or m["one"] and not before[0]:
            continue  # "a year" is a figure only when hedged (about a year): else an article
        after = hedges.hedge_after_en(text, m.end())
        hedge, hword = hedges.combine(before, ("", ""), after)
        money = currency_en(m["cur"], text, m.end())
        shown = m.group(0).strip()
        figures.append(
            QuotedFigure(read[0], read[1], hedge, hword, shown, m.start(), m.end(), None, money)
        )
    return _ranges(figures, text)


def _ranges(figures: list[QuotedFigure], text: str) -> list[QuotedFigure]:
    """Two figures joined by a dash, 至, 到 or 'to' also read as one range (the first's
    scale and percent sign carried to it when only the second has them: 30-35%)."""
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
                low.currencies or high.currencies,
            )
        )
    return figures + ranges


def read_quote(quote: str, issued: PartialDate | None = None) -> Reading:
    """Every figure and date a quote states; a month it writes with no year takes its year
    from the source's date ``issued`` when that is known to the month (``sourcedate``)."""
    text, shown, chinese = read_text(quote)
    vague: list[str] = []
    if chinese:
        dates = zh_dates(text)
        figures = _zh_figures(text, dates, vague)
    else:
        dates = en_dates(text)
        figures = _en_figures(text, dates)
    dates = bind_years(dates, issued)
    if shown != text:  # Traditional characters: what messages quote is as the source writes
        figures = [_as_shown(f, shown) for f in figures]
        dates = [replace(d, text=shown[d.start : d.end] or d.text) for d in dates]
        vague = [as_written(v, shown) for v in vague]
    return Reading(
        text,
        tuple(figures),
        tuple(sorted(dates, key=lambda d: d.start)),
        chinese,
        tuple(vague),
        shown,
    )


def _as_shown(figure: QuotedFigure, shown: str) -> QuotedFigure:
    return replace(
        figure,
        text=shown[figure.start : figure.end],
        hedge_word=as_written(figure.hedge_word, shown),
    )


_NUMBERISH = re.compile(rf"\S*\d\S*|[{CN_CHARS}点]{{2,}}|\b(?:{EN_WORDS})\b", re.IGNORECASE)


def unread_words(reading: Reading) -> list[str]:
    """The words of a quote that look like a figure but were read as none (for a message
    that says what the reader could not read)."""
    spans = [(f.start, f.end) for f in reading.figures] + [(d.start, d.end) for d in reading.dates]
    shown = reading.shown or reading.text
    return [
        shown[m.start() : m.end()].strip(",.;:()")
        for m in _NUMBERISH.finditer(reading.text)
        if not any(s <= m.start() < e for s, e in spans)
    ][:3]

"""Dates as sources write them: years, months, days, quarters and spans of months
(2016年7月, 2015年4月17日, 2019年前三季度, 上半年, "Nov. 23, 2020", "first quarter of 2019"),
fiscal years dated by the year they end in (二零一四/一五年度, 2015-16, FY2020), approximate
dates (mid-2017), relative dates (今年10月, 两年前, last year) and the source's own time
(目前, so far). A date that is the base of a comparison (比2016年末, "from … in 2006",
"since 2013") is marked ``base``: it is never the date of the figure it precedes."""

from __future__ import annotations

import re

from policybrief.check.figures.numbers import EN_UNITS, cn_integer, en_words
from policybrief.check.figures.reading import DateMention

MONTHS_EN = (
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
_CN_YEAR = r"\d{4}|[〇○零一二三四五六七八九]{4}"
_CN_MONTH = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
# The month a period ends in: 一季度 3, 上半年 6, 前三季度 9, 1-2月 2, 1至11月 11.
_ZH_PERIOD = (
    r"(?P<quarter>(?:第|前)?[一二三四1-4]季度?)|(?P<half>上半年|下半年)"
    rf"|(?:{_CN_MONTH})月?(?:-|—|–|~|～|至|到)(?P<to_month>{_CN_MONTH})月份?"
)
_ZH_MONTH_DAY = (
    rf"(?P<month>{_CN_MONTH})月份?(?:(?P<day>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[日号])?"
)
_ZH_DATE = re.compile(
    rf"(?P<year>{_CN_YEAR})(?:/(?P<fy>\d{{2}}|[〇○零一二三四五六七八九]{{2}})年度|年度?)"
    rf"(?P<eoy>底|末)?(?:{_ZH_PERIOD}|{_ZH_MONTH_DAY})?"
)
_ZH_RELATIVE = re.compile(
    r"(?P<word>今年|去年|前年|明年|当年|同年|本年|次年|上年)(?P<eoy>底|末)?"
    rf"(?:{_ZH_PERIOD}|{_ZH_MONTH_DAY})?"
    r"|(?P<month_word>当月|本月|上月|次月|同月)"
    r"|(?P<ago>(?:\d+|[一二两三四五六七八九十]+)(?:个)?(?:年|月)(?:前|后|以前|以后|之前|之后))"
    r"|(?P<within>近(?:\d+|[一二两三四五六七八九十]+)年(?:内|来)?)"
    r"|(?P<now>截至目前|截止目前|目前|迄今|至今(?!年)|如今|现在|当前)"
)
# A month with no year (3月末, 4月, 1-2月): it still dates the figure.
_ZH_MONTH_ONLY = re.compile(rf"(?<![\d年月日])(?:{_ZH_PERIOD}|{_ZH_MONTH_DAY})(?P<eom>末|底)?")
_ZH_BASE_BEFORE = ("比", "较", "同比", "与", "从", "由", "自")
# After the date: a comparison or a running total's start, or a document it names (2022年
# 《施政报告》: the report's year, not its figures').
_ZH_BASE_AFTER = re.compile(r"^(?:以来|来|相比|同期|的平均汇率|平均汇率|起|《)")


def _month(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text) if text.isdigit() else cn_integer(text)
    return value if value and 1 <= value <= 12 else None


def _period_month(m: re.Match[str]) -> int | None:
    if m["quarter"]:
        digit = m["quarter"].rstrip("度")[-2]
        return 3 * (int(digit) if digit.isdigit() else (cn_integer(digit) or 0)) or None
    if m["half"]:
        return 6 if m["half"] == "上半年" else 12
    if m["to_month"]:
        return _month(m["to_month"])
    return _month(m["month"])


def _zh_year(m: re.Match[str]) -> int | None:
    year = int(m["year"]) if m["year"].isdigit() else cn_integer(m["year"])
    if year is not None and m["fy"]:
        return year + 1  # 二零一四/一五年度: a fiscal year is dated by the year it ends in
    return year


_OF_FIGURE = re.compile(r"的(?:[\d一二两三四五六七八九十百千]|约|近|超过|逾)")


def _attributive(text: str, end: int) -> bool:
    """2012年末的9899万人: the date qualifies the figure right after it (的 and a figure)."""
    return bool(_OF_FIGURE.match(text, end))


def _zh_base(text: str, start: int, end: int) -> bool:
    """比2016年末, 与上年相比, 2019年以来: a comparison's base or a running total's start;
    从2012年末的10.2%: the date of the figure it qualifies (的), not a base."""
    before = text[max(0, start - 2) : start]
    if _attributive(text, end) and not before.endswith(("比", "较", "与", "同比")):
        return False
    if _ZH_SPAN_BASE.search(text[max(0, start - 10) : start]):
        return True  # 较二零零七至二零零八年度: the end of a span that is the base
    return before.endswith(_ZH_BASE_BEFORE) or bool(_ZH_BASE_AFTER.match(text[end : end + 5]))


_ZH_SPAN_BASE = re.compile(r"(?:比|较|与)(?:\d{4}|[〇○零一二三四五六七八九]{4})年?(?:至|到|—|-)$")


def _zh_mention(m: re.Match[str], text: str, year: int | None, word: str) -> DateMention:
    groups = m.groupdict()
    eoy = bool(groups.get("eoy") or groups.get("eom"))
    day = groups.get("day")
    month = _period_month(m) or (12 if eoy else None)
    return DateMention(
        year,
        month,
        (int(day) if day.isdigit() else cn_integer(day)) if day else None,
        word,
        m.group(0),
        m.start(),
        m.end(),
        eoy,
        _zh_base(text, m.start(), m.end()),
        _attributive(text, m.end()),
        period=bool(eoy or groups.get("quarter") or groups.get("half") or groups.get("to_month")),
    )


# A Republic of China year (民国67年, 113年度, 111年8月): the Gregorian year is 1911 more.
_ROC_DATE = re.compile(
    r"(?:民国|(?<![\d.]))(?P<year>\d{2,3})年(?:(?P<fy>度)|(?=\d{1,2}月)|(?<=民国\d\d年)|"
    r"(?<=民国\d\d\d年)|(?=起|以来|底|末))"
    rf"(?P<eoy>底|末)?(?:{_ZH_PERIOD}|{_ZH_MONTH_DAY})?"
)


def _roc_dates(text: str, taken: list[tuple[int, int]]) -> list[DateMention]:
    found = []
    for m in _ROC_DATE.finditer(text):
        year = int(m["year"])
        if not 38 <= year <= 150 or any(s <= m.start() < e for s, e in taken):
            continue
        found.append(_zh_mention(m, text, year + 1911, ""))
    return found


# A year in brackets, as a title dates its data: 《县域数字乡村指数(2020)》.
_ZH_BRACKET_YEAR = re.compile(r"(?<=\()(?P<year>(?:19|20)\d\d)(?=\))")


def zh_dates(text: str) -> list[DateMention]:
    found = [_zh_mention(m, text, _zh_year(m), "") for m in _ZH_DATE.finditer(text)]
    found += [
        DateMention(int(m["year"]), None, None, "", m.group(0), m.start(), m.end())
        for m in _ZH_BRACKET_YEAR.finditer(text)
    ]
    found += _roc_dates(text, [(d.start, d.end) for d in found])
    for m in _ZH_RELATIVE.finditer(text):
        word = m["word"] or m["month_word"] or m["ago"] or m["within"] or m["now"]
        found.append(_zh_mention(m, text, None, word))
    taken = [(d.start, d.end) for d in found]
    for m in _ZH_MONTH_ONLY.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or not _period_month(m):
            continue
        if m["month"] and not (m["day"] or m["eom"]) and text[m.end() : m.end() + 1] not in "，,份":
            continue  # 5个月, 12月 as a duration: a month is dated only as 3月末, 4月, or 4月,
        found.append(_zh_mention(m, text, None, ""))
    return found


_MONTH_EN = (
    r"(?P<month>" + "|".join(MONTHS_EN) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)"
)
_MONTH_NAME = (
    "(?:" + "|".join(MONTHS_EN) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)"
)
_EN_DATE = re.compile(
    # a span of months, dated by its last: "between July and September", "July-September"
    rf"\b(?:(?:between|from)\s+{_MONTH_NAME}\s+(?:and|to|through|until)\s+"
    rf"|{_MONTH_NAME}\s*[-–]\s*)(?P<span_month>{_MONTH_NAME})"
    r"(?:,?\s+(?:of\s+)?(?P<span_year>\d{4}))?\b"
    r"|\b(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+)?"
    + _MONTH_EN
    + r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:-|–|to)\s*\d{1,2})?,?)?"
    r"(?:\s+(?:of\s+)?(?P<year>\d{4}))?\b"
    r"|\b(?:(?:financial|fiscal)\s+year\s+|FY\s?)?(?P<fy1>(?:19|20)\d{2})[-/–](?P<fy2>\d{2})\b"
    r"|\b(?:(?:financial|fiscal)\s+year\s+|FY\s?)(?P<fy>(?:19|20)\d{2})\b"
    r"|\b(?P<mid>mid-?)(?P<mid_year>(?:19|20)\d{2})\b"
    r"|\b(?P<quarter>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of\s+(?P<q_year>\d{4})\b"
    r"|\b(?P<q>Q[1-4])\s?(?P<qq_year>\d{4})\b"
    r"|\bfirst\s+(?P<months>\d{1,2}|\w+)\s+months\s+of\s+(?P<m_year>\d{4})\b"
    r"|\b(?P<half>first|second)\s+half\s+of\s+(?P<h_year>\d{4})\b"
    r"|\b(?:the\s+)?(?P<lone_quarter>first|second|third|fourth)\s+quarter\b(?!\s+of\s+\d)"
    r"|\b(?P<nd>\d{2})\.(?P<nm>\d{2})\.(?P<ny>(?:19|20)\d{2})\b"
    r"|\b(?P<bare>(?:1[89]|20|21)\d{2})\b",
    re.IGNORECASE,
)
_EN_RELATIVE = re.compile(
    r"\b(?:(?P<rmonth>"
    + "|".join(MONTHS_EN)
    + r")\s+(?:of\s+)?)?(?P<word>this year|last year|next year|the previous year|this month|"
    r"last month|(?:\w+|\d+) years? ago|(?:\w+|\d+) months? ago|currently|at present|"
    r"to date|so far|now)\b",
    re.IGNORECASE,
)
_YEAR_BEFORE = re.compile(
    r"\b(?:in|since|by|until|till|from|to|before|after|during|early|late|mid|year|end|the|"
    r"spring|summer|autumn|fall|winter)\s+$",
    re.IGNORECASE,
)
_EN_BASE_BEFORE = re.compile(
    r"\b(?:from|since|than|above|below|through|compared\s+(?:with|to)|versus|vs\.?)\s+"
    r"(?:the\s+)?"
    r"(?:\w+\s+)?$"
    # an event's date in a participle clause: "the record set in 2014", "launched in the
    # autumn of 2013", "implemented in 1994": it dates the event, not a figure
    # an event's date after "after"/"before": "after the attacks in 2001", "before the
    # crisis of 2008"
    r"|\b(?:after|before)\s+(?:the\s+)?[\w/-]+\s+(?:in|of)\s+$"
    r"|\b(?:set|launched|implemented|founded|established|enacted|adopted|introduced|"
    r"announced|began|started|opened|signed)\s+in\s+(?:the\s+\w+\s+of\s+)?$",
    re.IGNORECASE,
)
_QUARTERS = {"first": 3, "second": 6, "third": 9, "fourth": 12, "1st": 3, "2nd": 6, "3rd": 9}
_IDENTIFIER_BEFORE = re.compile(
    r"\b(?:H\.\s?R\.|S\.|No\.|Nos\.|chart|figure|table|section|article|rule|act|bill|"
    r"resolution|route|flight|model|page|p\.)\s*$",
    re.IGNORECASE,
)


def identifier_before(text: str, start: int) -> bool:
    """A number that names something (H.R. 2055, chart 1, section 301), not a figure."""
    return bool(_IDENTIFIER_BEFORE.search(text[max(0, start - 14) : start]))


def _year_in_context(text: str, start: int, end: int) -> bool:
    """A bare four-digit number is a year after "in", "since", "by"… or before punctuation
    or the end ("in 2016", "2016, the town…"); "2000 people" is a figure."""
    if _YEAR_BEFORE.search(text[max(0, start - 12) : start]):
        return True
    after = text[end : end + 2]
    return after == "" or after[0] in ",.;:)!?" or after.startswith("'s")


def _en_month(m: re.Match[str]) -> tuple[int | None, int | None]:
    """(year, month) of an English date match: a month, a fiscal or a bare year."""
    if m["span_month"]:
        name = m["span_month"].lower().rstrip(".")
        month = next(i for i, full in enumerate(MONTHS_EN, 1) if full.startswith(name[:3]))
        return (int(m["span_year"]) if m["span_year"] else None), month
    if m["month"]:
        name = m["month"].lower().rstrip(".")
        month = next(i for i, full in enumerate(MONTHS_EN, 1) if full.startswith(name[:3]))
        return (int(m["year"]) if m["year"] else None), month
    if m["fy1"]:
        return int(m["fy1"][:2] + m["fy2"]) + (100 if m["fy2"] < m["fy1"][2:] else 0), None
    if m["fy"]:
        return int(m["fy"]), None
    if m["mid_year"]:
        return int(m["mid_year"]), 6
    if m["ny"]:
        return int(m["ny"]), int(m["nm"]) if 1 <= int(m["nm"]) <= 12 else None
    if m["bare"]:
        return int(m["bare"]), None
    return _en_period(m)


def _en_period(m: re.Match[str]) -> tuple[int | None, int | None]:
    """(year, month it ends in) of a quarter, a half or the first months of a year."""
    if m["quarter"]:
        return int(m["q_year"]), _QUARTERS.get(m["quarter"].lower(), 12)
    if m["q"]:
        return int(m["qq_year"]), 3 * int(m["q"][1])
    if m["lone_quarter"]:
        return None, _QUARTERS[m["lone_quarter"].lower()]
    if m["h_year"]:
        return int(m["h_year"]), 6 if m["half"].lower() == "first" else 12
    months = m["months"]
    value = int(months) if months.isdigit() else EN_UNITS.get(months.lower())
    return int(m["m_year"]), value if value and value <= 12 else None


def en_dates(text: str) -> list[DateMention]:
    found = []
    for m in _EN_DATE.finditer(text):
        if m["bare"] and (
            not _year_in_context(text, m.start(), m.end()) or identifier_before(text, m.start())
        ):
            continue  # "2000 people": a figure; H.R. 2055: a name
        if (
            m["month"]
            and not m["year"]
            and not (m["d1"] or m["d2"])
            and m["month"].lower()
            in (
                "may",
                "march",
            )
        ):
            continue  # "may", "march" without a year are words
        year, month = _en_month(m)
        day = m["d1"] or m["d2"] or m["nd"]
        base = bool(_EN_BASE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
        found.append(
            DateMention(
                year,
                month,
                int(day) if day else None,
                "",
                m.group(0),
                m.start(),
                m.end(),
                base=base,
                period=bool(m["lone_quarter"] or m["span_month"]),
            )
        )
    found = _with_words_dates(text, found)
    for m in _EN_RELATIVE.finditer(text):
        month = MONTHS_EN.index(m["rmonth"].lower()) + 1 if m["rmonth"] else None
        found = [d for d in found if not (m.start() <= d.start < m.end())]  # "June this year"
        base = bool(_EN_BASE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]))
        found.append(
            DateMention(
                None, month, None, m["word"].lower(), m.group(0), m.start(), m.end(), base=base
            )
        )
    return found


_ORDINALS = {
    **{w: n for n, w in enumerate(("first", "second", "third", "fourth", "fifth"), 1)},
    **{"sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11},
    **{"twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16},
    **{"seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20},
    "thirtieth": 30,
}
_ORDINAL = (
    r"(?:(?:twenty|thirty)[\s-]+)?(?:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
)
_WORD = r"[a-z]+(?:-[a-z]+)?"
# A date written out, as acts and proclamations are: "the third day of January, two
# thousand and nineteen", "the 3rd day of January, 2019".
_EN_WORDS_DATE = re.compile(
    rf"\b(?:the\s+)?(?P<day>{_ORDINAL}|\d{{1,2}}(?:st|nd|rd|th))\s+day\s+of\s+"
    rf"(?P<month>{'|'.join(MONTHS_EN)}),?\s+(?:in\s+the\s+year\s+)?"
    rf"(?P<year>\d{{4}}|(?:two\s+thousand|nineteen|twenty)(?:\s+and)?(?:\s+{_WORD}){{1,2}})",
    re.IGNORECASE,
)


def _ordinal(text: str) -> int | None:
    if text[0].isdigit():
        return int(text[:-2])
    words = re.split(r"[\s-]+", text.lower())
    tens = {"twenty": 20, "thirty": 30}.get(words[0], 0) if len(words) > 1 else 0
    return tens + _ORDINALS[words[-1]]


def year_in_words(text: str) -> int | None:
    """A year written in words: two thousand and nineteen 2019, twenty nineteen 2019,
    nineteen ninety-eight 1998 (None when it is not one)."""
    if text.isdigit():
        return int(text)
    words = [w for w in re.split(r"\s+", text.lower()) if w != "and"]
    if words[:2] == ["two", "thousand"]:
        rest = en_words(" ".join(words[2:])) if words[2:] else 0
        return 2000 + int(rest) if rest is not None and rest < 100 else None
    century = en_words(words[0])
    rest = en_words(" ".join(words[1:]))
    if century is None or rest is None or not 10 <= century <= 21 or rest >= 100:
        return None
    return int(century * 100 + rest)


def _with_words_dates(text: str, found: list[DateMention]) -> list[DateMention]:
    """The dates written out in words, in place of what they overlap."""
    for m in _EN_WORDS_DATE.finditer(text):
        year = year_in_words(m["year"])
        if year is None:
            continue
        month = MONTHS_EN.index(m["month"].lower()) + 1
        found = [d for d in found if d.end <= m.start() or d.start >= m.end()]
        found.append(
            DateMention(year, month, _ordinal(m["day"]), "", m.group(0), m.start(), m.end())
        )
    return found

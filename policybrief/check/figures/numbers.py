"""Numbers as sources write them: Chinese numerals (三千零七十四, 五亿二千九百万, 四点一,
三分之一), English number words (Fifty-nine, five-point-seven, four in five, three-quarters)
and the scale words after a number (万/亿, million/bn/m, lakh/crore)."""

from __future__ import annotations

import re
from decimal import Decimal

from policybrief.check.figures.text import to_simplified

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
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
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)
CN_ZERO = "零〇○"
# Digits grouped in threes (1,000), in lakh and crore (11,41,575) or by a space (2 188.04).
ARABIC = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?!\d)(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?"
    r"|\d{1,3}(?: \d{3})+(?![\d.,]\d)(?:\.\d+)?|\d+(?:\.\d+)?"
)


def arabic(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace(" ", ""))


def cn_integer(text: str) -> int | None:
    """A Chinese numeral as an integer: 三 3, 十一 11, 二十万 200000, 三千零七十四 3074,
    五亿二千九百万 529000000, 二〇一六 2016 (digit by digit). None if it is not a
    well-formed numeral."""
    if not text or any(ch not in CN_CHARS for ch in text):
        return None
    if all(ch in CN_DIGITS for ch in text):  # 二〇一六: digits written out one by one
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    high, wan, section, digit = 0, 0, 0, None
    for ch in text:
        if ch in CN_ZERO:
            digit = None  # 三千零七十四: a zero only marks a gap
        elif ch in CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a positional numeral
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[ch]
            digit = None
        elif ch == "万":
            wan = (wan + section + (digit or 0) or 1) * CN_BIG[ch]
            section, digit = 0, None
        else:  # 亿 (万亿 multiplies what came before)
            high = (high + wan + section + (digit or 0) or 1) * CN_BIG[ch]
            wan, section, digit = 0, 0, None
    return high + wan + section + (digit or 0)


def cn_number(text: str) -> Decimal | None:
    """A Chinese numeral with an optional decimal part: 四点一 4.1, 十一点五七 11.57,
    零点五七 0.57."""
    whole, dot, fraction = text.partition("点")
    if not dot:
        integer = cn_integer(whole)
        return None if integer is None else Decimal(integer)
    integer = 0 if whole in CN_ZERO else cn_integer(whole)
    if integer is None or not fraction or any(ch not in CN_DIGITS for ch in fraction):
        return None
    return Decimal(f"{integer}." + "".join(str(CN_DIGITS[ch]) for ch in fraction))


def magnitude(mag: str) -> int:
    factor = 1
    for ch in mag:
        factor *= {**CN_SMALL, **CN_BIG}.get(ch, 1)
    return factor


# -- English ---------------------------------------------------------------------------------
EN_UNITS = {
    "zero": 0,
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
}
EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
EN_SCALE = {
    "hundred": 100,
    "thousand": 10**3,
    "k": 10**3,
    "lakh": 10**5,
    "lakhs": 10**5,
    "million": 10**6,
    "millions": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "crore": 10**7,
    "crores": 10**7,
    "billion": 10**9,
    "billions": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
    "trn": 10**12,
}
EN_DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "tenth": 10,
    "tenths": 10,
}
_WORD = "|".join(sorted([*EN_UNITS, *EN_TENS], key=len, reverse=True))
# A number in words: "fifty-nine", "two hundred and five", "five-point-seven", "a dozen".
EN_WORDS = (
    rf"(?:(?:{_WORD}|a)[\s-]+hundred(?:[\s-]+and)?[\s-]+)?(?:{_WORD})(?:[\s-]+(?:{_WORD}))?"
    rf"(?:[\s-]+point[\s-]+(?:{_WORD})(?:[\s-]+(?:{_WORD}))*)?"
)
EN_FRACTION = (
    rf"(?:a|one|two|three|four|five|seven|nine)[\s-]+(?:{'|'.join(EN_DENOMINATORS)})\b"
    r"|\bhalf\b"
)
EN_IN = rf"(?:{_WORD}|\d{{1,3}})[\s-]+(?:in|out[\s-]+of)[\s-]+(?:{_WORD}|\d{{1,3}})\b(?![.,]\d)"


def en_words(text: str) -> Decimal | None:
    """The value of a number in words (Fifty-nine 59, two hundred and five 205,
    five-point-seven 5.7), or None."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    whole, fraction, point = 0, "", False
    for word in words:
        if word == "point":
            point = True
        elif point:
            if word not in EN_UNITS or EN_UNITS[word] > 9:
                return None
            fraction += str(EN_UNITS[word])
        elif word == "hundred":
            whole = (whole or 1) * 100
        elif word == "a":
            whole = 1
        elif word in EN_UNITS or word in EN_TENS:
            whole += EN_UNITS.get(word, 0) + EN_TENS.get(word, 0)
        else:
            return None
    return Decimal(f"{whole}.{fraction}") if fraction else Decimal(whole)


def en_fraction(text: str) -> Decimal | None:
    """A fraction in words as a percentage: a third 33.33…, three-quarters 75, half 50,
    four in five 80."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w]
    if words == ["half"]:
        return Decimal(50)
    if len(words) == 3 and words[1] in ("in", "of") or len(words) == 4:
        num, den = _en_count(words[0]), _en_count(words[-1])
    elif len(words) == 2 and words[1] in EN_DENOMINATORS:
        num, den = (1 if words[0] == "a" else _en_count(words[0])), EN_DENOMINATORS[words[1]]
    else:
        return None
    if not num or not den or num > den:
        return None
    return Decimal(num) / Decimal(den) * 100


def _en_count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return EN_UNITS.get(word)


# -- number words in prose ---------------------------------------------------------------------
# A figure typed in words is still a typed figure: "two years", "a million people", 两份材料,
# 三千家, 百分之六十. Left out: "one" and 一 alone (an article), ordinals (first, 第一),
# and the idioms below; a brief lists its own names and idioms under allow_digits.
PROSE_IDIOMS_ZH = (
    "一带一路",
    "十四五",
    "十三五",
    "两会",
    "三农",
    "万一",
    "千万",
    "百姓",
    "千方百计",
    "一些",
    "一起",
    "一直",
    "一定",
    "一般",
    "一样",
    "统一",
    "唯一",
    "进一步",
    "一体化",
    "一系列",
    "一方面",
)
_EN_PROSE = "|".join(
    [w for w in [*EN_UNITS, *EN_TENS] if w not in ("zero", "one")]
    + ["hundreds?", "thousands?", "millions?", "billions?", "trillions?", "dozens?"]
)
_EN_PLURAL_PARTS = "halves|thirds|quarters|fourths|fifths|sixths|eighths|tenths"
_EN_PART = "half|third|quarter|fourth|fifth|sixth|eighth|tenth"
# Fractions are figures too: two-thirds, three quarters, "a third of", half (not "the first
# half" of a year, which is a period, nor half-hearted, half-baked, half-truth).
_EN_PROSE_FRACTION = (
    rf"\b(?:{_EN_PROSE})[\s-]+(?:{_EN_PLURAL_PARTS})\b"
    rf"|\b(?:a|one)[\s-]+(?:{_EN_PART})[\s-]+of\b"
    r"|(?<!first )(?<!second )(?<!latter )(?<!better )\bhalf\b(?![\s-]*(?:hearted|baked|truth))"
)
PROSE_NUMBER_WORDS = re.compile(
    rf"{_EN_PROSE_FRACTION}"
    rf"|\b(?:{_EN_PROSE})\b(?:[\s-]+(?:{_EN_PROSE})\b)*"
    r"|[零〇一二两三四五六七八九十百千]+分之[零〇一二两三四五六七八九十百千点]+"
    r"|一半|半数|过半"
    r"|(?<!第)(?=[二两三四五六七八九十百千万亿]|一[十百千万亿])"
    r"[零〇一二两三四五六七八九十百千万亿]+(?=[个家名人位项座年月天份倍成万亿种类])",
    re.IGNORECASE,
)


def prose_number_words(text: str) -> list[tuple[int, str]]:
    """The figures typed in words in a brief's prose, as (offset, the words as written),
    past the idioms above; Traditional characters are read as their Simplified forms
    (兩份, 三萬個), which take the same places, so each is quoted as written."""
    read = to_simplified(text)
    for idiom in PROSE_IDIOMS_ZH:
        read = read.replace(idiom, " " * len(idiom))
    return [(m.start(), text[m.start() : m.end()]) for m in PROSE_NUMBER_WORDS.finditer(read)]

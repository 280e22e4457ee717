"""Languages and locale-aware formatting of figures and dates with Babel.

A :class:`Language` (with its Babel ``Locale``) is passed explicitly to every function;
nothing here reads or sets process-wide locale state. Adding a language means adding a
``Language`` entry and, if its number words differ, a formatter.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

from policybrief.core.model import Fact, PartialDate, Range, Unit

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Language:
    code: str  # the project's short code: zh, en
    tag: str  # BCP-47 for HTML lang and PDF metadata
    locale: Locale
    name: str  # the language's name in itself, for language switches

    def exhibit(self, kind: str, number: int) -> str:
        """The label of a numbered exhibit: 图2 / Figure 2, 表1 / Table 1."""
        if self.code == "zh":
            return f"{'表' if kind == 'table' else '图'}{number}"
        return f"{'Table' if kind == 'table' else 'Figure'} {number}"

    def date(self, value: PartialDate) -> str:
        day = datetime.date(value.year, value.month or 1, value.day or 1)
        if value.day:
            return format_date(day, format="long", locale=self.locale)
        return format_skeleton("yMMMM" if value.month else "y", day, locale=self.locale)


LANGUAGES: dict[str, Language] = {
    "zh": Language("zh", "zh-Hans", Locale.parse("zh_Hans_CN"), "中文"),
    "en": Language("en", "en", Locale.parse("en"), "English"),
}

# Magnitudes for writing large figures the way each language reads them.
_ZH_MAGNITUDES = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
_EN_MAGNITUDES = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
)
_ZH_PREFIX = {"over": "超过", "nearly": "近", "about": "约", "up_to": "最高"}
_EN_PREFIX = {
    "over": "over ",
    "nearly": "nearly ",
    "about": "about ",
    "more_than": "more than ",
    "up_to": "up to ",
}


def _scaled(value: Decimal, magnitudes: tuple[tuple[Decimal, str], ...]) -> tuple[Decimal, str]:
    """Express ``value`` in the largest magnitude that keeps it exact to two decimals."""
    for size, word in magnitudes:
        if abs(value) >= size:
            mantissa = value / size
            if mantissa == mantissa.quantize(HUNDREDTH):
                return mantissa.normalize(), word
    return value, ""


def _number(value: Decimal, lang: Language, group: bool) -> str:
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format_decimal(
        value, locale=lang.locale, group_separator=group, decimal_quantization=False
    )


def format_number(
    value: Decimal, unit: Unit, qualifier: str, lang: Language, with_unit: bool = True
) -> str:
    """A figure as a reader of ``lang`` expects it: 近4万人 / nearly 40,000 people."""
    if unit.kind == "percent":
        text = format_percent(value / 100, locale=lang.locale, decimal_quantization=False)
        prefix = _ZH_PREFIX if lang.code == "zh" else _EN_PREFIX
        if qualifier == "more_than" and lang.code == "zh":
            return text + "多"
        return prefix.get(qualifier, "") + text
    if unit.kind == "year":
        year = PartialDate(int(value))
        return lang.date(year)
    if lang.code == "zh":
        return _zh(value, unit, qualifier, lang, with_unit)
    return _en(value, unit, qualifier, lang, with_unit)


def _zh(value: Decimal, unit: Unit, qualifier: str, lang: Language, with_unit: bool) -> str:
    mantissa, word = _scaled(value, _ZH_MAGNITUDES)
    digits = _number(mantissa, lang, group=not word and abs(value) >= 10**5)
    counter = unit.zh if with_unit else ""
    if qualifier == "more_than":
        # 多 follows a round number (60多家, 700多万人) or the magnitude word (2万多人);
        # after other small numbers Chinese says 超过 instead.
        if mantissa == mantissa.to_integral_value() and mantissa % 10 == 0:
            return f"{digits}多{word}{counter}"
        if word:
            return f"{digits}{word}多{counter}"
        return f"超过{digits}{counter}"
    return f"{_ZH_PREFIX.get(qualifier, '')}{digits}{word}{counter}"


def _en(value: Decimal, unit: Unit, qualifier: str, lang: Language, with_unit: bool) -> str:
    mantissa, word = _scaled(value, _EN_MAGNITUDES)
    digits = _number(mantissa, lang, group=True)
    amount = f"{digits} {word}" if word else digits
    if unit.kind == "money":
        text = f"{unit.currency} {amount}" if with_unit else amount
    else:
        noun = unit.en[0] if value == 1 and not word else unit.en[1]
        text = f"{amount} {noun}" if with_unit and noun else amount
    return _EN_PREFIX.get(qualifier, "") + text


def format_range(
    value: Range, unit: Unit, qualifier: str, lang: Language, with_unit: bool = True
) -> str:
    """A range as each language writes it: 95.7%至96.2% / 95.7%–96.2%, 3至5个 / 3–5 towns."""
    joiner = "至" if lang.code == "zh" else "–"
    high = format_number(value.high, unit, "exact", lang, with_unit)
    if unit.kind == "money" and lang.code == "en" and with_unit:
        high = format_number(value.high, unit, "exact", lang, with_unit=False)
        low = format_number(value.low, unit, "exact", lang, with_unit=False)
        text = f"{unit.currency} {low}{joiner}{high}"
    else:
        keep = unit.kind == "percent"  # 95.7%–96.2%: each end keeps its sign
        low = format_number(value.low, unit, "exact", lang, with_unit=keep)
        text = f"{low}{joiner}{high}"
    prefix = (_ZH_PREFIX if lang.code == "zh" else _EN_PREFIX).get(qualifier, "")
    return prefix + text


def format_fact(fact: Fact, unit: Unit, lang: Language, with_unit: bool = True) -> str:
    if isinstance(fact.value, PartialDate):
        return lang.date(fact.value)
    if isinstance(fact.value, Range):
        return format_range(fact.value, unit, fact.qualifier, lang, with_unit)
    return format_number(fact.value, unit, fact.qualifier, lang, with_unit)

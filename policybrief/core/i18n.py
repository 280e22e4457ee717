"""Locale-aware formatting of figures and dates with Babel, for any :class:`Language`.

A :class:`~policybrief.core.languages.Language` (with its Babel ``Locale``) is passed
explicitly to every function; nothing here reads or sets process-wide locale state. What
differs between languages is data on the Language (languages.py): Babel's number symbols,
plural rules and words for large numbers, the engine table's grouping and "more than"
particle, and the catalog's words for qualifiers and ranges. No language is named here.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from policybrief.core.languages import QUALIFIER_MESSAGES, Language, Magnitude
from policybrief.core.model import Fact, PartialDate, Range, Unit

__all__ = ["Language", "format_fact", "format_number", "format_range"]

HUNDREDTH = Decimal("0.01")


def _scaled(value: Decimal, magnitudes: tuple[Magnitude, ...]) -> tuple[Decimal, Magnitude | None]:
    """Express ``value`` in the largest magnitude that keeps it exact to two decimals."""
    for magnitude in magnitudes:
        if abs(value) >= magnitude.size:
            mantissa = value / magnitude.size
            if mantissa == mantissa.quantize(HUNDREDTH):
                return mantissa.normalize(), magnitude
    return value, None


def _number(value: Decimal, lang: Language, group: bool) -> str:
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format_decimal(
        value, locale=lang.locale, group_separator=group, decimal_quantization=False
    )


def _qualified(text: str, qualifier: str, lang: Language) -> str:
    """``text`` with the qualifier's words around it: nearly 40,000 people, 近4万人."""
    message = QUALIFIER_MESSAGES.get(qualifier)
    return lang.word(message, figure=text) if message else text


def _currency_first(lang: Language) -> bool:
    """Whether the locale writes a currency before the amount (CNY 8 billion) or after it
    (8 milliards CNY), from its currency pattern."""
    pattern = str(lang.locale.currency_formats["standard"].pattern)
    return pattern.find("¤") < max(pattern.find("0"), pattern.find("#"))


def _with_unit(amount: str, unit: Unit, lang: Language, one: bool) -> str:
    """A figure with its unit: the unit's name in the language (4万人, 40,000 people, 35亿元),
    else, for money, the currency code where the locale puts it (CNY 3.5 billion)."""
    noun = unit.name(lang.code, one)
    if noun:
        return f"{amount}{lang.unit_space}{noun}"
    if unit.kind == "money" and unit.currency:
        return f"{unit.currency} {amount}" if _currency_first(lang) else f"{amount} {unit.currency}"
    return amount


def format_number(
    value: Decimal, unit: Unit, qualifier: str, lang: Language, with_unit: bool = True
) -> str:
    """A figure as a reader of ``lang`` expects it: 近4万人 / nearly 40,000 people."""
    if unit.kind == "percent":
        text = format_percent(value / 100, locale=lang.locale, decimal_quantization=False)
        if qualifier == "more_than" and lang.more:
            return text + lang.more
        return _qualified(text, qualifier, lang)
    if unit.kind == "year":
        return lang.date(PartialDate(int(value)))
    mantissa, magnitude = _scaled(value, lang.magnitudes)
    category = lang.locale.plural_form(mantissa)
    before, after = magnitude.affixes(category) if magnitude else ("", "")
    group = lang.group_from == 0 or (not magnitude and abs(value) >= 10**lang.group_from)
    digits = _number(mantissa, lang, group)
    one = magnitude is None and category == "one"

    def unit_of(amount: str) -> str:
        return _with_unit(amount, unit, lang, one) if with_unit else amount

    if qualifier == "more_than" and lang.more:
        # Chinese: 多 follows a round number (60多家, 700多万人) or the magnitude word
        # (2万多人); after other small numbers it says "more than" in words (超过3人).
        if mantissa == mantissa.to_integral_value() and mantissa % 10 == 0:
            return unit_of(f"{before}{digits}{lang.more}{after}")
        if magnitude:
            return unit_of(f"{before}{digits}{after}{lang.more}")
    return _qualified(unit_of(f"{before}{digits}{after}"), qualifier, lang)


def format_range(
    value: Range, unit: Unit, qualifier: str, lang: Language, with_unit: bool = True
) -> str:
    """A range as each language writes it: 95.7%至96.2% / 95.7%–96.2%, 3至5个 / 3–5 towns."""
    if unit.kind == "money" and with_unit and not unit.name(lang.code):
        high = format_number(value.high, unit, "exact", lang, with_unit=False)
        low = format_number(value.low, unit, "exact", lang, with_unit=False)
        span = lang.word("%(low)s–%(high)s", low=low, high=high)
        text = f"{unit.currency} {span}" if _currency_first(lang) else f"{span} {unit.currency}"
    else:
        high = format_number(value.high, unit, "exact", lang, with_unit)
        keep = unit.kind == "percent"  # 95.7%–96.2%: each end keeps its sign
        low = format_number(value.low, unit, "exact", lang, with_unit=keep)
        text = lang.word("%(low)s–%(high)s", low=low, high=high)
    return _qualified(text, qualifier, lang)


def format_fact(fact: Fact, unit: Unit, lang: Language, with_unit: bool = True) -> str:
    if isinstance(fact.value, PartialDate):
        return lang.date(fact.value)
    if isinstance(fact.value, Range):
        return format_range(fact.value, unit, fact.qualifier, lang, with_unit)
    return format_number(fact.value, unit, fact.qualifier, lang, with_unit)

"""Babel formatting of figures and dates, per language, as a reader sees them."""

from decimal import Decimal

import pytest
from helpers import ROOT

from policybrief.core.i18n import format_number
from policybrief.core.model import PartialDate, Unit
from policybrief.load.languages import project_languages

# zh and en as a project declares them: with the built-in templates' catalogs' words
LANGUAGES = project_languages(("zh", "en"), (ROOT / "templates",))


def unit(name: str, kind: str, zh: str = "", en: tuple[str, str] = ("", ""), currency: str = ""):
    names = (("en", en),) if any(en) else ()
    names += (("zh", (zh, zh)),) if zh else ()
    return Unit(name, kind, names, currency)


CNY = unit("cny", "money", "元", currency="CNY")
USD = unit("usd", "money", "美元", currency="USD")
PERSON = unit("person", "count", "人", ("person", "people"))
ENTERPRISE = unit("enterprise", "count", "家", ("enterprise", "enterprises"))
PERCENT = Unit("percent", "percent")
SQKM = unit("sqkm", "area", "平方公里", ("square kilometre", "square kilometres"))


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "zh", "en"),
    [
        (8_000_000_000, CNY, "exact", "80亿元", "CNY 8 billion"),
        (8_000_000_000, CNY, "over", "超过80亿元", "over CNY 8 billion"),
        (336_000_000, CNY, "exact", "3.36亿元", "CNY 336 million"),
        (40_000, PERSON, "exact", "4万人", "40,000 people"),
        (40_000, PERSON, "nearly", "近4万人", "nearly 40,000 people"),
        (7_000_000, PERSON, "more_than", "700多万人", "more than 7 million people"),
        (60, ENTERPRISE, "more_than", "60多家", "more than 60 enterprises"),
        (20_000, PERSON, "more_than", "2万多人", "more than 20,000 people"),
        (3, PERSON, "more_than", "超过3人", "more than 3 people"),
        (1, ENTERPRISE, "exact", "1家", "1 enterprise"),
        (126_000_000_000, USD, "exact", "1260亿美元", "USD 126 billion"),
        (6_300_000_000_000, CNY, "exact", "6.3万亿元", "CNY 6.3 trillion"),
        (58, PERCENT, "exact", "58%", "58%"),
        (20, SQKM, "nearly", "近20平方公里", "nearly 20 square kilometres"),
        (10_000_000, CNY, "up_to", "最高1000万元", "up to CNY 10 million"),
        (1000, ENTERPRISE, "about", "约1000家", "about 1,000 enterprises"),
        (123_456, PERSON, "exact", "123,456人", "123,456 people"),
    ],
)
def test_figures_read_naturally_in_each_language(value, unit, qualifier, zh, en):
    assert format_number(Decimal(value), unit, qualifier, LANGUAGES["zh"]) == zh
    assert format_number(Decimal(value), unit, qualifier, LANGUAGES["en"]) == en


def test_without_unit_keeps_the_qualifier():
    assert format_number(Decimal(40000), PERSON, "nearly", LANGUAGES["zh"], False) == "近4万"
    assert format_number(Decimal(481), ENTERPRISE, "exact", LANGUAGES["en"], False) == "481"


@pytest.mark.parametrize(
    ("date", "zh", "en"),
    [
        (PartialDate(2016, 12), "2016年12月", "December 2016"),
        (PartialDate(2015, 4, 17), "2015年4月17日", "April 17, 2015"),
        (PartialDate(2011), "2011年", "2011"),
    ],
)
def test_dates_at_their_precision(date, zh, en):
    assert LANGUAGES["zh"].date(date) == zh
    assert LANGUAGES["en"].date(date) == en


def test_languages_carry_bcp47_tags():
    assert LANGUAGES["zh"].tag == "zh-Hans"
    assert LANGUAGES["en"].tag == "en"

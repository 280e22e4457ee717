"""The currency a figure is written in: 美元 and US$ are US dollars, 港元 and HK$ Hong Kong
dollars, € euros … A bare 元 or $ names a family (元: yuan, Hong Kong, New Taiwan or Macau
dollars, as each government writes its own), so the fact's unit must be one of it."""

from __future__ import annotations

import re

_YUAN = ("CNY", "HKD", "TWD", "MOP")
_DOLLAR = ("USD", "HKD", "TWD", "CAD", "AUD", "NZD", "SGD")
# Longest first: 澳门元 before 澳元 before 元.
_ZH_AFTER = (
    ("美元", ("USD",)),
    ("港元", ("HKD",)),
    ("港币", ("HKD",)),
    ("澳门元", ("MOP",)),
    ("澳门币", ("MOP",)),
    ("新台币", ("TWD",)),
    ("欧元", ("EUR",)),
    ("英镑", ("GBP",)),
    ("日元", ("JPY",)),
    ("卢比", ("INR",)),
    ("加元", ("CAD",)),
    ("澳元", ("AUD",)),
    ("兰特", ("ZAR",)),
    ("人民币", ("CNY",)),
    ("元", _YUAN),
)
_EN_SIGNS = {
    "us$": ("USD",),
    "hk$": ("HKD",),
    "nt$": ("TWD",),
    "c$": ("CAD",),
    "a$": ("AUD",),
    "nz$": ("NZD",),
    "s$": ("SGD",),
    "$": _DOLLAR,
    "€": ("EUR",),
    "£": ("GBP",),
    "₹": ("INR",),
    "rs": ("INR",),
    "rs.": ("INR",),
    "inr": ("INR",),
    "r": ("ZAR",),
    "¥": ("CNY", "JPY"),
    "rmb": ("CNY",),
    "usd": ("USD",),
    "eur": ("EUR",),
    "gbp": ("GBP",),
}
_EN_WORDS = re.compile(
    r"\s*(?:(?P<us>u\.?s\.?\s+dollars?)|(?P<yuan>yuan|renminbi)|(?P<euro>euros?)"
    r"|(?P<pound>pounds?(?:\s+sterling)?)|(?P<rupee>rupees?)|(?P<rand>rand)"
    r"|(?P<hk>hong\s+kong\s+dollars?)|(?P<dollar>dollars?))\b",
    re.IGNORECASE,
)
_EN_WORD_CODES = {
    "us": ("USD",),
    "yuan": ("CNY",),
    "euro": ("EUR",),
    "pound": ("GBP",),
    "rupee": ("INR",),
    "rand": ("ZAR",),
    "hk": ("HKD",),
    "dollar": _DOLLAR,
}


def currency_zh(text: str, end: int) -> tuple[str, ...]:
    """The currencies a Chinese figure may be in, from the word after it (多/余 between)."""
    rest = text[end : end + 6].lstrip("多余")
    for word, codes in _ZH_AFTER:
        if rest.startswith(word):
            return codes
    return ()


def currency_en(sign: str | None, text: str, end: int) -> tuple[str, ...]:
    """The currencies an English figure may be in, from its sign (US$, €) or the word
    after it (yuan, U.S. dollars)."""
    if sign:
        return _EN_SIGNS.get(re.sub(r"\s+", "", sign).lower(), ())
    found = _EN_WORDS.match(text, end)
    if found and found.lastgroup:
        return _EN_WORD_CODES[found.lastgroup]
    return ()

"""Hedges: the words before or after a figure that the fact's ``qualifier`` records
(近 nearly, 多 more_than, 以上 over, "up to" up_to …). docs/authoring.md has the table.
A hedge may stand before a currency sign or a verb (nearly US$ 40 billion, 约合20533美元,
最高可获得100万元) and after a measure word or unit (280个县左右, 1.3万亿斤以上)."""

from __future__ import annotations

import re

# Longest words first: 将近 before 近, 超过 before 超.
HEDGES_BEFORE: tuple[tuple[str, str], ...] = (
    ("将近", "nearly"),
    ("接近", "nearly"),
    ("近", "nearly"),
    ("突破", "over"),
    ("超过", "over"),
    ("至少", "over"),
    ("逾", "over"),
    ("超", "over"),
    ("约合", "about"),
    ("差不多", "about"),
    ("大约", "about"),
    ("约", "about"),
    ("大概", "about"),
    ("最高", "up_to"),
    ("最多", "up_to"),
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
    ("以内", "up_to"),
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
    ("exceeds", "over"),
    ("exceeded", "over"),
    ("topped", "over"),
    ("tops", "over"),
    ("at least", "over"),
    ("in excess of", "over"),
    ("upwards of", "over"),
    ("about", "about"),
    ("around", "about"),
    ("approximately", "about"),
    ("approx.", "about"),
    ("~", "about"),
    ("roughly", "about"),
    ("some", "about"),
    ("an estimated", "about"),
    ("circa", "about"),
    ("up to", "up_to"),
    ("as many as", "up_to"),
    ("as much as", "up_to"),
    ("as high as", "up_to"),
    ("at most", "up_to"),
    ("not to exceed", "up_to"),
    ("within", "up_to"),
    ("a maximum of", "up_to"),
    ("maximum capacity of", "up_to"),
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
Hedge = tuple[str, str]  # (qualifier, the words as written); ("", "") when there are none

# A currency sign or word between a hedge and its number: nearly US$ 40 billion, over Rs 5.
EN_CURRENCY = r"(?:US\s?\$|(?:HK|NT|NZ|A|C|S|R)\$|\$|€|£|₹|¥|Rs\.?|INR|USD|EUR|GBP|RMB|R(?=\d))"
_EN_CURRENCY_END = re.compile(EN_CURRENCY + r"\s*$")
# A verb of amount between a hedge and its figure: "Nearly Clocks $13 Billion".
_EN_VERB_END = re.compile(
    r"(?:(?<=nearly)|(?<=almost)|(?<=over)|(?<=around))\s+(?:clocks|clocked|hits|hit|reaches|reached|totals|"
    r"totaled|totalled|costs|attracts|attracted)$",
    re.IGNORECASE,
)
_EN_BEFORE = [
    (re.compile(r"(?:^|[^\w.])" + re.escape(word) + r"\s*$", re.IGNORECASE), hedge, word)
    for word, hedge in EN_HEDGES_BEFORE
]
_EN_AFTER = [
    (re.compile(r"\s*" + re.escape(word) + r"\b", re.IGNORECASE), hedge, word)
    for word, hedge in EN_HEDGES_AFTER
]
_ZH_HEDGE_VERB = re.compile(
    r"(最高|最多|至多|超过|约|大约|接近|将近|突破)(?:可以|可|能|将|已)?"
    r"(?:获得|达到|达|为|是|有|占|享受|给予|补贴|奖励|资助|支持|了)$"
)
# 高达 and 达 stress a figure (平均…高达10385个, 则高达0.38); "may reach" (可能高达) bounds it.
_ZH_UP_TO_REACH = re.compile(r"(?:可能|或|将|预计|最多)(?:会)?高达$")
# Measure words and units a hedge may follow: 280个县左右, 1.3万亿斤以上, 两亩多, 5年左右.
_MEASURE = "个家名人位条件所项次批期套节座只台辆张本种类国元美港欧英日镑斤吨亩户县年月天日倍公里米"
_ZH_AFTER = re.compile(
    rf"(?:[{_MEASURE}]{{1,3}}(?:[\u4e00-\u9fff](?=左右|以上|以内|以下|上下))?)?"
    r"(有余|左右|上下|以上|以内|以下)"
    rf"|[{_MEASURE}](多|余)(?![个种次样])"
)


def hedge_before_en(text: str, start: int) -> Hedge:
    """The hedge before an English figure, across a currency sign: "nearly US$ 40"."""
    before = text[max(0, start - 24) : start]
    before = _EN_VERB_END.sub("", _EN_CURRENCY_END.sub("", before).rstrip())
    for pattern, hedge, word in _EN_BEFORE:
        if pattern.search(before):
            return hedge, word
    return "", ""


def hedge_after_en(text: str, end: int) -> Hedge:
    rest = text[end : end + 12]
    for pattern, hedge, word in _EN_AFTER:
        if pattern.match(rest) or rest.lower().startswith(word):
            return hedge, word
    return "", ""


def hedge_before_zh(text: str, start: int) -> Hedge:
    """The hedge before a Chinese figure, or before a verb that governs it (约为3亿元)."""
    before = text[max(0, start - 16) : start]
    if before.endswith("高达"):
        return ("up_to", "高达") if _ZH_UP_TO_REACH.search(before) else ("", "")
    for word, hedge in HEDGES_BEFORE:
        if before.endswith(word):
            return hedge, word
    found = _ZH_HEDGE_VERB.search(before)
    if found:
        return dict(HEDGES_BEFORE)[found.group(1)], found.group(0)
    return "", ""


def hedge_after_zh(text: str, end: int) -> Hedge:
    """The hedge after a Chinese figure, past its measure word or unit (多 and 余 right
    after the number are read with the figure itself: 30多, 2万多)."""
    rest = text[end : end + 8]
    for word, hedge in HEDGES_AFTER:
        if word not in ("多", "余") and rest.startswith(word):
            return hedge, word
    found = _ZH_AFTER.match(rest)
    if found:
        word = found.group(1) or found.group(2)
        return dict(HEDGES_AFTER)[word], word
    return "", ""


def combine(before: Hedge, inside: Hedge, after: Hedge) -> Hedge:
    """One qualifier from the hedges around a figure. Two hedges that agree are one; 近…多
    (近百多人) and 近…左右 read as 'about'; any other pair is ambiguous."""
    hedges = [h for h in (before, inside, after) if h[0]]
    if not hedges:
        return "exact", ""
    kinds = {h for h, _ in hedges}
    words = "…".join(w for _, w in hedges)
    if len(kinds) == 1:
        return hedges[0][0], words
    if kinds in ({"nearly", "more_than"}, {"nearly", "about"}, {"about", "more_than"}):
        return "about", words
    return "ambiguous", words

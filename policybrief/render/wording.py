"""Render stage, wording: how a figure, a citation and a quote read on the page, the way
a publisher sets them.

- a figure and its label are composed so that no word is printed twice ("41 carriages
  carriages on a freight train" becomes "41 carriages on a freight train") and the label's
  own parenthetical and the date share one pair of brackets;
- after a source's first full citation, a note cites it in short form: Jia (2017),
  贾振成（2017）;
- a quote in another language than the page's is given in the office's translation, the
  original beneath it; a quote's own quotation marks become inner ones (‘ ’) inside the
  marks the page puts round it.
"""

from __future__ import annotations

import re

from policybrief.core.model import Source, Unit

_PAREN_RE = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$")
# words after which a label's noun phrase goes on to qualify what is counted
_AFTER_HEAD = re.compile(r"\b(?:for|of|in|on|at|with|by|that|which|from|to|since|per)\b")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# what a reader sees for each status of a figure (fact.status), in the page's language
STATUS_WORDS = {
    "official": ("官方统计", "Official statistic"),
    "company": ("企业说法", "Company claim"),
    "projection": ("预测", "Projection"),
    "target": ("政策目标", "Policy target"),
    "reported": ("原文所载", "As reported"),
    "calculated": ("计算所得", "Calculated"),
}


def chinese(code: str) -> bool:
    """Whether a language code is a Chinese one (zh, zh-Hant, ...)."""
    return code.split("-")[0].split("_")[0] == "zh"


# the same in Traditional characters, for a zh-Hant (zh-TW, zh-HK) page
_TRADITIONAL = {
    "官方统计": "官方統計",
    "企业说法": "企業說法",
    "预测": "預測",
    "计算所得": "計算所得",
}


def status_words(status: str, code: str) -> str:
    zh, en = STATUS_WORDS.get(status, STATUS_WORDS["reported"])
    if not chinese(code):
        return en
    traditional = any(part in code for part in ("Hant", "TW", "HK", "MO"))
    return _TRADITIONAL.get(zh, zh) if traditional else zh


def sentence_case(text: str) -> str:
    """A label printed on its own begins with a capital (labels are written to follow a
    figure: "jobs created in host countries")."""
    return text[:1].upper() + text[1:]


def split_label(label: str) -> tuple[str, str]:
    """A label and its own closing parenthetical: ("jobs ... in Malaysia", "long-term
    target"); ("label", "") when it has none."""
    match = _PAREN_RE.match(label)
    return (match.group(1), match.group(2)) if match else (label, "")


def bracketed(parts: list[str], code: str) -> str:
    """One parenthetical of several parts: (long-term target, 2035), （远期目标，2035年）."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if chinese(code):
        return "（" + "，".join(parts) + "）"
    return "(" + ", ".join(parts) + ")"


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def _unit_words(unit: Unit, code: str) -> set[str]:
    if unit.kind != "count":
        return set()
    return {w.lower() for w in (unit.name(code, one=True), unit.name(code)) if w}


def names_unit(label: str, unit: Unit, code: str) -> bool:
    """Whether the label already names what the unit counts ("carriages on a train" for
    the unit carriage): then the figure is printed without its unit word, once."""
    if chinese(code):
        return False
    head = re.split(_AFTER_HEAD, label, maxsplit=1)[0]  # "towns" in "target for towns" is not
    return bool(_unit_words(unit, code) & _words(head))


def short_citation(source: Source | None, code: str) -> str:
    """A source cited in short form: Jia (2017), Jia and Li (2017), Jia et al. (2017);
    贾振成（2017）. A source without named persons goes by its ``author`` (an organisation,
    or for an unsigned text the collection it appeared in)."""
    if source is None:
        return ""
    zh = chinese(code)
    names = [_short_name(p.family, p.given, p.literal, source, code) for p in source.authors]
    if not names:
        names = [source.author.get(code) or source.author.get("zh" if zh else "en")]
    names = [n for n in names if n]
    if not zh and any(_CJK_RE.search(n) for n in names) and source.author.get(code):
        names = [source.author.get(code)]  # the names in characters: the source's own words
    if not names:
        names = [source.title.get(code) or source.title.get(source.language)]
    if len(names) == 2:
        name = ("、" if zh else " and ").join(names)
    else:
        name = names[0] + (("等" if zh else " et al.") if len(names) > 2 else "")
    year = str(source.year or (source.issued.year if source.issued else ""))
    if not year:
        return name
    return f"{name}（{year}）" if zh else f"{name} ({year})"


def _short_name(family: str, given: str, literal: str, source: Source, code: str) -> str:
    if literal:
        return literal
    cjk = bool(_CJK_RE.search(family))
    if chinese(code):
        return family + given if cjk else family
    if cjk:
        # the name as the source writes it in this language, family first: "Jia Zhencheng"
        romanised = source.author.get(code).split()
        return romanised[0] if len(source.authors) == 1 and romanised else family
    return family


def inner_quotes(quote: str, code: str) -> str:
    """A quote's own quotation marks as inner ones, for printing inside the marks the page
    puts round it: “出海” inside an English page's “…” becomes ‘出海’. A Chinese page
    quotes in 「…」, inside which “…” are already the inner marks."""
    return quote if chinese(code) else quote.replace("“", "‘").replace("”", "’")

"""Which date of a quote a figure holds at: the date that governs its clause.

"2017年末…3046万人，比2016年末减少1289万人": 3046万 and 1289万 are both dated 2017年末 (the
last date before them in the sentence); 2016年末 is the base of a comparison and dates
neither. "54% …, down from 61% in 2006": "in 2006" right after 61% is 61%'s own date, so it
does not date 54%. A date the quote states for another figure, or as a comparison's base, must
not pass as the fact's date."""

from __future__ import annotations

import re

from policybrief.check.figures.reading import DateMention, QuotedFigure, Reading

_ZH_SENTENCE = re.compile(r"[。！？；;!?]")
_EN_SENTENCE = re.compile(r"[;!?]|\.(?:\s+(?=[A-Z“\"(])|$)")
_EN_CLAUSE = re.compile(r"[,;:()]| and | but | while | compared ")
_EN_AFTER = 48  # how far after a figure its own date may stand ("$4.6 billion in 2020")


def _bounds(text: str, start: int, end: int, splitter: re.Pattern[str]) -> tuple[int, int]:
    """The span of the sentence (or clause) around [start, end)."""
    left = max((m.end() for m in splitter.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in splitter.finditer(text, end)), len(text))
    return left, right


def _dates(reading: Reading) -> list[DateMention]:
    return [
        d
        for d in reading.dates
        if not d.base and (d.year is not None or d.month is not None or d.relative)
    ]


_EN_LINKED = re.compile(r"\s*(?:-|–|to)\s*")  # 361-61, 30 to 35: one group of figures
# A date of the figure before it is an adverbial: "$4.6 billion in 2020", "vote on June 5".
_EN_DATED = re.compile(
    r"(?:\s*[\w’'-]+){0,6}?\s+(?:in|on|at|by|for|to|during|as\s+of|through|until)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def _own_after(
    reading: Reading, figure: QuotedFigure, dates: list[DateMention]
) -> list[DateMention]:
    """English dates right after a figure (or its group: 361-61), in its clause, with no
    other figure between, introduced by in/on/by…"""
    text, end = reading.text, figure.end
    plain = sorted((f for f in reading.figures if f.high is None), key=lambda f: f.start)
    for other in plain:
        if other.start >= end and _EN_LINKED.fullmatch(text[end : other.start]):
            end = other.end
    _, clause_end = _bounds(text, figure.start, end, _EN_CLAUSE)
    stop = min([clause_end, end + _EN_AFTER, *(f.start for f in plain if f.start >= end)])
    return [d for d in dates if end <= d.start < stop and _EN_DATED.fullmatch(text, end, d.start)]


def _next_figure(reading: Reading, date: DateMention) -> QuotedFigure | None:
    after = [f for f in reading.figures if f.start >= date.end and f.high is None]
    return min(after, key=lambda f: f.start) if after else None


def governing_date(reading: Reading, figure: QuotedFigure) -> DateMention | None:
    """The date that dates ``figure``, or None when the quote states none for it."""
    dates = _dates(reading)
    if not reading.chinese:
        after = _own_after(reading, figure, dates)
        if after:
            return after[0]
        owned = {
            id(d)
            for other in reading.figures
            if other is not figure
            for d in _own_after(reading, other, dates)[:1]
        }
        dates = [d for d in dates if id(d) not in owned]
    else:
        dates = [d for d in dates if not d.attributive or _next_figure(reading, d) is figure]
    splitter = _ZH_SENTENCE if reading.chinese else _EN_SENTENCE
    left, right = _bounds(reading.text, figure.start, figure.end, splitter)
    before = [d for d in dates if left <= d.start and d.end <= figure.start]
    if before:
        return before[-1]
    clause = _bounds(reading.text, figure.start, figure.end, re.compile(r"[，,；;。]"))
    after = [d for d in dates if figure.end <= d.start < min(right, clause[1])]
    if after or reading.chinese:
        return after[0] if after else None
    # "The first 380 mile stretch …, from the coast to Nairobi, is due … in early 2018": the
    # sentence's one date after the figure, when no other figure stands between.
    nexts = [f.start for f in reading.figures if f.start >= figure.end and f.high is None]
    later = [d for d in dates if figure.end <= d.start < min([right, *nexts])]
    return later[0] if len(later) == 1 else None


def foreign_dates(reading: Reading, figure: QuotedFigure) -> list[DateMention]:
    """Dates of the quote that are not ``figure``'s: comparisons' bases, and dates that
    belong to another figure (its "in 2006" right after it, its 2012年末的)."""
    dates = _dates(reading)
    found = [d for d in reading.dates if d.base and d.year is not None]
    for other in reading.figures:
        if other is figure or other.high is not None:
            continue
        if reading.chinese:
            found += [d for d in dates if d.attributive and _next_figure(reading, d) is other]
        else:
            found += _own_after(reading, other, dates)[:1]
    return [d for d in found if d.year is not None]

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
_EN_SENTENCE = re.compile(r"[;!?]|\.(?:\s|$)(?![a-z])")
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


def _own_after(
    reading: Reading, figure: QuotedFigure, dates: list[DateMention]
) -> list[DateMention]:
    """English dates right after a figure, in its clause, with no other figure between."""
    _, clause_end = _bounds(reading.text, figure.start, figure.end, _EN_CLAUSE)
    nexts = [f.start for f in reading.figures if f.start >= figure.end and f.high is None]
    stop = min([clause_end, figure.end + _EN_AFTER, *nexts])
    return [d for d in dates if figure.end <= d.start < stop]


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
    return after[0] if after else None

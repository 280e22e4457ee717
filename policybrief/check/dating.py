"""Check stage, dates: which part of a fact's date its own quote states.

A figure's date is proven by its quote (:mod:`policybrief.check.prove`), but it may come
from elsewhere: the year the source was written, a note, or a second source
(``date_source`` / ``date_quote``). A brief prints that: :func:`unstated_part` names the
first part of the date (the whole date, its month or its day) that neither the quote nor
the source's own date states, and the notes say "date not stated in the source"
(:mod:`policybrief.render.dating`)."""

from __future__ import annotations

from policybrief.check.figures.binding import governing_date
from policybrief.check.prove import figure_of
from policybrief.check.quotes import DateMention, read_quote
from policybrief.core.model import Fact, FactBase, PartialDate


def _parts(date: PartialDate, mentions: list[DateMention]) -> str:
    """The first part of ``date`` no mention states: "date" (not even its year), "month",
    "day", or "" when they state it all. A relative date (今年10月, last year) states the
    year, which its note resolves; a month written with no year takes the source's."""
    if not any(m.relative or m.year == date.year for m in mentions):
        return "date"
    if date.month is not None and not any(m.month == date.month for m in mentions):
        return "month"
    if date.day is not None and not any(m.day == date.day for m in mentions):
        return "day"
    return ""


def unstated_part(fact: Fact, facts: FactBase) -> str:
    """What of the fact's date (a date fact's value) its quote leaves unstated: "date",
    "month", "day", or "" (stated, undated, or dated by a second source's quote)."""
    date = fact.value if isinstance(fact.value, PartialDate) else fact.date
    unit = facts.units.get(fact.unit)
    if date is None or fact.date_quote or not fact.quote or unit is None:
        return ""
    if fact.derived is not None:
        return ""
    source = facts.sources.get(fact.source)
    reading = read_quote(fact.quote, source.issued if source else None)
    figure = figure_of(fact, unit, reading)
    if figure is not None:
        mention = governing_date(reading, figure)
        return _parts(date, [mention] if mention else [])
    return _parts(date, [d for d in reading.dates if not d.base])

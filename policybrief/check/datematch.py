"""Check stage, dates: how a date a quote states agrees with a fact's date.

Shared by the figure check (:mod:`policybrief.check.prove`) and what the notes say of a
date (:mod:`policybrief.check.dating`): whether a mention agrees with a date, states all of
it, which of several dates a date fact takes (``figure:``), and what the source's own date
accounts for."""

from __future__ import annotations

from dataclasses import replace

from policybrief.check.quotes import DateMention, Reading, normalize
from policybrief.core.model import Fact, PartialDate

Msg = tuple[str, str]  # (message, hint)


def agrees(date: PartialDate, mention: DateMention, strict_month: bool) -> bool:
    if mention.year is not None and mention.year != date.year:
        return False
    if mention.month is not None and date.month is not None and mention.month != date.month:
        return False
    if mention.month is not None and date.month is None and strict_month:
        return False
    if mention.day is not None and date.day is not None and mention.day != date.day:
        return False
    return True


def near_issue(date: PartialDate, issued: PartialDate) -> bool:
    """A date the source's own date accounts for: its month, or the month before (a
    report of May gives April's figures); a day only when it is the source's day."""
    if issued.month is None or date.month is None:
        return False
    months = (issued.year * 12 + issued.month) - (date.year * 12 + date.month)
    if date.day is not None:
        return months == 0 and date.day == issued.day
    return months in (0, 1)


def states(date: PartialDate, mention: DateMention) -> bool:
    """The mention states the whole date: its month and day too, when the date has them."""
    return (
        agrees(date, mention, strict_month=True)
        and (date.month is None or mention.month is not None)
        and (date.day is None or mention.day is not None)
    )


def dated(reading: Reading) -> list[DateMention]:
    """The dates a quote states with their year (not a bare 3月 or 今年)."""
    return [d for d in reading.dates if d.year is not None]


def _disagree(a: DateMention, b: DateMention) -> bool:
    """Two dates that cannot both be one date (2016年8月31日 and 2017年4月1日; not 2016 and
    2016年8月)."""
    return (
        a.year != b.year
        or (a.month is not None and b.month is not None and a.month != b.month)
        or (a.day is not None and b.day is not None and a.day != b.day)
    )


def pin_date(fact: Fact, reading: Reading) -> tuple[Reading, list[Msg]]:
    """A date fact's quote with only the date it takes: the one its ``figure:`` words
    state, when the quote states several dates that disagree (signed on one day, in force
    on another); without ``figure:`` such a quote is a problem, since any of its dates
    would pass."""
    if not isinstance(fact.value, PartialDate):
        return reading, []
    if isinstance(fact.figure, str):
        words = normalize(fact.figure)[0] if reading.chinese else fact.figure
        start = reading.text.find(words)
        end = start + len(words)
        kept = tuple(d for d in reading.dates if d.start < end and d.end > start)
        if start < 0 or not kept:
            return reading, [
                (
                    f"its figure: {fact.figure!r} is not a date of its quote",
                    "give the words of the quote that state the date, e.g. figure: 2017年4月1日",
                )
            ]
        return replace(reading, dates=kept), []
    own = [d for d in reading.dates if d.year is not None and not d.year_from_source]
    if not any(_disagree(a, b) for a in own for b in own):
        return reading, []
    said = ", ".join(dict.fromkeys(d.text for d in own))
    return reading, [
        (
            f"value {fact.value}: its quote states several dates ({said})",
            f"give figure: the words that state this one, e.g. figure: {own[0].text!r}",
        )
    ]

"""The source's own date, for the dates a quote writes without their year.

News and notices leave the year out of dates near their own: "signed … on October 23" in
an article of 2019-10-30, "funding … until December 7" in one of 2018-09, 3月末 in a report
of April. A quote's month (and day) with no year takes its year from the source's date
(``issued``, known to the month): the occurrence nearest that date, or for the end of a
period (一季度, 上半年, 3月末, the first quarter), which is reported once it is over, the
latest occurrence not after it. A source dated only to its year binds nothing: the year of
a month written in January may be the year before."""

from __future__ import annotations

from dataclasses import replace

from policybrief.check.figures.reading import DateMention
from policybrief.core.model import PartialDate


def _months(year: int, month: int, day: int | None) -> float:
    """A date as a count of months, for distances between dates."""
    return year * 12 + month + ((day or 15) - 1) / 31


def _bound_year(mention: DateMention, issued: PartialDate) -> int:
    month = mention.month or 12
    here = _months(issued.year, issued.month or 12, issued.day)
    years = (issued.year - 1, issued.year, issued.year + 1)
    if mention.period:
        past = [y for y in years if _months(y, month, mention.day or 28) <= here + 0.5]
        return max(past)
    return min(years, key=lambda y: abs(_months(y, month, mention.day) - here))


def bind_years(dates: list[DateMention], issued: PartialDate | None) -> list[DateMention]:
    """``dates`` with each month that has no year (and is not relative, nor a comparison's
    base) given its year from the source's date ``issued``; as they were when the source's
    date is not known to the month."""
    if issued is None or issued.month is None:
        return dates
    return [
        replace(d, year=_bound_year(d, issued), year_from_source=True)
        if d.year is None and d.month is not None and not d.relative and not d.base
        else d
        for d in dates
    ]

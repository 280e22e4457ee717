"""Check stage, figures: every fact's value, qualifier and date proven by its own quote.

For each fact with a quote, :func:`prove_fact` reads the quote (:mod:`policybrief.check.quotes`)
and checks that

- one figure of the quote equals the fact's value in its unit (a percentage for a percent
  unit, a year for a year unit, a date for a date unit), or the figure the fact's
  ``figure:`` field points at when the quote states several;
- the hedge around that figure is the fact's ``qualifier`` (docs/authoring.md has the
  table: 近 → nearly, 多/余 → more_than, ...);
- the dates the quote states agree with the fact's ``date`` (or its value for a date fact);
  a relative date (今年10月, 两年前) needs a ``note`` that resolves it, and what it does
  state (the month) must still agree; a date the quote does not state is the source's year
  of writing or is explained in the note.

Each disagreement is one problem at the fact's line, naming what the quote says.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from policybrief.check.datematch import Msg, agrees, dated, near_issue, pin_date, states
from policybrief.check.figures.binding import foreign_dates, governing_date
from policybrief.check.quotes import (
    DateMention,
    QuotedFigure,
    Reading,
    normalize,
    read_quote,
    unread_words,
)
from policybrief.core.errors import Problem
from policybrief.core.model import Fact, FactBase, PartialDate, Range, Source, Unit


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def shown_value(fact: Fact, unit: Unit) -> str:
    """The fact's value as a message prints it: 94.8%, 180000000, 2016-10, 95.7–96.2%."""
    value = fact.value
    pct = "%" if unit.kind == "percent" else ""
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, Range):
        return f"{_plain(value.low)}–{_plain(value.high)}{pct}"
    return f"{_plain(value)}{pct}"


def _figures_found(reading: Reading, unit: Unit) -> str:
    if unit.kind in ("date", "year"):
        found = [d.text for d in reading.dates]
    else:
        found = [f.text for f in reading.figures if f.high is None]
    return ", ".join(dict.fromkeys(found)) or "none"


def _candidates(fact: Fact, reading: Reading) -> tuple[QuotedFigure, ...]:
    """The figures the fact may take: all of them, or the one its ``figure:`` names."""
    chosen = fact.figure
    if chosen is None:
        return reading.figures
    if isinstance(chosen, int):
        plain = [f for f in reading.figures if f.high is None]
        return (plain[chosen - 1],) if 0 < chosen <= len(plain) else ()
    start = reading.text.find(normalize(chosen)[0] if reading.chinese else chosen)
    if start < 0:
        return ()
    end = start + len(chosen)
    return tuple(f for f in reading.figures if f.start < end and f.end > start)


def _matches(fact: Fact, unit: Unit, figure: QuotedFigure) -> bool:
    percent = unit.kind == "percent"
    if figure.percent != percent:
        return False
    value = fact.value
    if isinstance(value, Range):
        return figure.high is not None and (figure.value, figure.high) == (value.low, value.high)
    if figure.high is not None or not isinstance(value, Decimal):
        return False
    if figure.value == value:
        return True
    # "a third" is 33.33...%: equal when rounded as the fact is written (33.3); a figure
    # the quote writes to its last digit (4.1) is never rounded (4 is not 4.1).
    written = figure.value.normalize().as_tuple().exponent
    if isinstance(written, int) and written >= -3:
        return False
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return figure.value.quantize(Decimal(1).scaleb(-places)) == value


def _check_value(fact: Fact, unit: Unit, reading: Reading, hint_unit: str) -> list[Msg]:
    """Problems with the value and qualifier; empty when they hold."""
    candidates = _candidates(fact, reading)
    if fact.figure is not None and not candidates:
        return [
            (
                f"its figure: {fact.figure!r} does not point at a figure of the quote "
                f"(figures found: {_figures_found(reading, unit)})",
                "give the part of the quote that states the figure, e.g. figure: 18万个",
            )
        ]
    equal = [f for f in candidates if _matches(fact, unit, f)]
    if not equal:
        return [_unmatched(fact, unit, reading, candidates, hint_unit)]
    money = [f for f in equal if not f.currencies or unit.currency in f.currencies]
    if unit.kind == "money" and unit.currency and not money:
        said = equal[0]
        return [
            (
                f"unit {fact.unit} ({unit.currency}), but its quote states {said.text} in "
                f"{' or '.join(said.currencies)}",
                "use the unit of the currency the quote names",
            )
        ]
    if any(f.hedge == fact.qualifier for f in money or equal):
        return []
    return [_hedge_mismatch(fact, (money or equal)[0])]


def _unmatched(
    fact: Fact, unit: Unit, reading: Reading, candidates: tuple[QuotedFigure, ...], hint_unit: str
) -> Msg:
    """Why no figure of the quote equals the value: it has only a vague amount, no figure
    at all, or other figures."""
    shown = shown_value(fact, unit)
    if reading.vague:
        return (
            f"value {shown}: its quote gives no exact figure, only the amount {reading.vague[0]!r}",
            "a vague amount (十几, 数百, 上千) is not a value: "
            "record the statement as a claim, or quote the clause with the figure",
        )
    if not reading.figures:
        words = unread_words(reading)
        where = f"the words {', '.join(map(repr, words))}" if words else repr(fact.quote[:40])
        return (
            f"value {shown} is not stated by its quote: no figure could be read in {where}",
            "quote the clause that states the figure in digits or numerals (481, "
            "四百八十一, 2.1个亿, 40 percent)",
        )
    ranged = isinstance(fact.value, Range)
    found = (
        ", ".join(dict.fromkeys(f.text for f in candidates if (f.high is not None) == ranged))
        or "none"
    )
    return (
        f"value {shown} does not match its quote, which says {found}",
        f"the value is in whole units{hint_unit}; if the quote states the figure "
        "another way, write it as the quote does or give figure: the words that "
        "state it",
    )


def _hedge_mismatch(fact: Fact, figure: QuotedFigure) -> Msg:
    """The quote hedges the figure equal to the value otherwise than the qualifier says."""
    if figure.hedge == "exact":
        return (
            f"qualifier {fact.qualifier}, but its quote states {figure.text} with no hedge",
            "use qualifier: exact, or quote the words that hedge the figure",
        )
    if figure.hedge == "ambiguous":
        return (
            f"qualifier {fact.qualifier}: the hedges {figure.hedge_word!r} around "
            f"{figure.text} disagree",
            "see the qualifier table in docs/authoring.md",
        )
    if figure.hedge == "under":
        return (
            f"its quote hedges {figure.text} with {figure.hedge_word!r} (less than), "
            "which no qualifier expresses",
            "record the bound as a claim instead",
        )
    return (
        f"qualifier {fact.qualifier}, but its quote says {figure.hedge_word!r} "
        f"({figure.text}), which is {figure.hedge}",
        f"use qualifier: {figure.hedge}",
    )


def figure_of(fact: Fact, unit: Unit, reading: Reading) -> QuotedFigure | None:
    """The figure of the quote that states the fact's value (with its hedge, if one does)."""
    if unit.kind in ("date", "year"):
        return None
    equal = [f for f in _candidates(fact, reading) if _matches(fact, unit, f)]
    hedged = [f for f in equal if f.hedge == fact.qualifier]
    found = hedged or equal
    return found[0] if found else None


_NOW = ("目前", "截至目前", "截止目前", "迄今", "至今", "如今", "现在", "当前")
_NOW_EN = ("currently", "at present", "to date", "so far", "now")


def _check_bound_date(
    fact: Fact,
    facts: FactBase,
    mention: DateMention | None,
    date: PartialDate | None,
    others: list[DateMention],
    reading: Reading,
) -> list[Msg]:
    """The fact's date against the date that governs its figure (``governing_date``)."""
    if date is None:
        if mention is not None and mention.year is not None and not mention.year_from_source:
            return [
                (f"no date, but its quote states {mention.text}", f'add date: "{mention.year}"')
            ]
        return []
    if mention is None or mention.relative in (*_NOW, *_NOW_EN):
        taken = [
            d
            for d in others
            if d.year == date.year and d.month == date.month and not d.year_from_source
        ]
        if taken:
            return [
                (
                    f"date {date} is the date its quote gives another figure or a "
                    f"comparison's base ({taken[0].text}), not this figure's",
                    "write the date the figure holds at, with a note if the quote does not "
                    "state it",
                )
            ]
        if mention is not None:
            return _check_now(fact, facts, date, mention)
        return _check_unstated_month(fact, facts, date, reading) or _check_unstated(
            fact, facts, date, False
        )
    if mention.relative:
        source = facts.sources.get(fact.source)
        return _check_relative(fact, date, [mention], "date", source.year if source else None)
    if mention.year is None:  # a month with no year (3月末): the month must agree
        if not agrees(date, mention, strict_month=True):
            return [
                (
                    f"date {date} does not match its quote, which dates the figure {mention.text}",
                    "write the month the quote states",
                )
            ]
        return _check_unstated(fact, facts, date, False)
    if agrees(date, mention, strict_month=False):
        return []
    return [
        (
            f"date {date} does not match its quote, which dates the figure {mention.text}",
            "write the date the quote states for this figure (not another figure's, nor a "
            "comparison's base)",
        )
    ]


def _check_unstated_month(
    fact: Fact, facts: FactBase, date: PartialDate, reading: Reading
) -> list[Msg]:
    """A date the quote does not state for the figure: the source's year of writing
    accounts for its year only. A month (and day) must be a date the quote states, the
    source's own date, or be explained in a note or by a second source."""
    if date.month is None or fact.note is not None or fact.date_quote:
        return []
    source = facts.sources.get(fact.source)
    issued = source.issued if source else None
    if issued is not None and near_issue(date, issued):
        return []
    if any(states(date, d) for d in dated(reading)):
        return []
    return [
        (
            f"date {date}: its quote states no date for the figure, and none of its dates "
            f"is {date}",
            "write the year alone, quote the words that give the month, or explain it in a note",
        )
    ]


def _check_now(fact: Fact, facts: FactBase, date: PartialDate, now: DateMention) -> list[Msg]:
    """The source's own time (目前, currently) is the source's date: a month the fact gives
    must be the month the source was written in, when its date is known to the month."""
    source = facts.sources.get(fact.source)
    issued = source.issued if source else None
    if issued is None or issued.month is None or date.month is None:
        return _check_unstated(fact, facts, date, False)
    if (date.year, date.month) == (issued.year, issued.month):
        return []
    return [
        (
            f"date {date}: its quote dates the figure {now.text!r}, the time of its source "
            f"({issued})",
            f'write date: "{issued.year}-{issued.month:02d}"',
        )
    ]


def _stated(date: PartialDate, fact: Fact, reading: Reading) -> bool:
    """A date fact's value is stated by one mention (June 1, 1964), by a year and a month
    written apart (the June 1 holiday … in 1964), or by its year when a note says how the
    month was taken (the summer of 2025)."""
    years = [d for d in reading.dates if d.year is not None and not d.relative]
    if any(states(date, d) for d in years):
        return True
    if not any(agrees(date, d, strict_month=False) and d.month is None for d in years):
        return False
    months = [
        d for d in reading.dates if (d.year is None or d.year_from_source) and d.month is not None
    ]
    return fact.note is not None or any(states(date, replace(d, year=date.year)) for d in months)


def _check_month_day(
    fact: Fact, date: PartialDate, reading: Reading, year: int | None
) -> list[Msg] | None:
    """A date fact whose quote gives a month and day with no year (on June 16, by Nov. 6):
    they must be the value's, the year resolved in a note to the source's year (or the one
    before, for a source written early in a year). None when the quote gives none."""
    monthly = [d for d in reading.dates if d.year is None and d.month and not d.relative]
    if not monthly or fact.note is None or _stated(date, fact, reading):
        return None
    if year is not None and date.year not in (year, year - 1):
        return [
            (
                f"value {date}: its quote says {monthly[0].text} with no year, and {date.year} "
                f"is not the year its source was written ({year})",
                f"write {year}, or quote the words that give the year",
            )
        ]
    if any(states(date, replace(d, year=date.year)) for d in monthly):
        return []
    return [
        (
            f"value {date} does not match its quote, which says {monthly[0].text}",
            "the note may resolve the year, but the month and day the quote states must stay",
        )
    ]


def _check_dates(fact: Fact, facts: FactBase, reading: Reading) -> list[Msg]:
    date = fact.value if isinstance(fact.value, PartialDate) else fact.date
    if isinstance(fact.value, PartialDate):
        source = facts.sources.get(fact.source)
        found = _check_month_day(fact, fact.value, reading, source.year if source else None)
        if found is not None:
            return found
    absolute = dated(reading)
    relative = [d for d in reading.dates if d.relative]
    is_date_fact = isinstance(fact.value, PartialDate)
    what = "value" if is_date_fact else "date"
    if date is None:
        absolute = [d for d in absolute if not d.year_from_source]
        if absolute and not is_date_fact:
            return [
                (
                    f"no date, but its quote states {absolute[0].text}",
                    f'add date: "{absolute[0].year}"',
                )
            ]
        return []
    if absolute:
        if is_date_fact and _stated(date, fact, reading):
            return []
        if not is_date_fact and any(agrees(date, d, strict_month=False) for d in absolute):
            return []
        if relative and fact.note is not None and any(agrees(date, d, False) for d in relative):
            return []
        said = ", ".join(d.text for d in absolute)
        return [
            (
                f"{what} {date} does not match its quote, which says {said}",
                "write the date the quote states",
            )
        ]
    if relative:
        return _check_relative(fact, date, relative, what)
    return _check_unstated(fact, facts, date, is_date_fact)


_YEAR_OFFSETS = {
    "今年": 0,
    "本年": 0,
    "去年": -1,
    "前年": -2,
    "明年": 1,
    "this year": 0,
    "last year": -1,
    "next year": 1,
}


def _resolved_bases(reading: Reading, source: Source | None) -> list[DateMention]:
    """Relative bases of comparisons (较去年9月至11月) resolved by the source's year."""
    if source is None or source.year is None:
        return []
    return [
        replace(d, year=source.year + _YEAR_OFFSETS[d.relative])
        for d in reading.dates
        if d.base and d.relative in _YEAR_OFFSETS
    ]


def _check_relative(
    fact: Fact, date: PartialDate, relative: list[DateMention], what: str, year: int | None = None
) -> list[Msg]:
    """A quote that dates the figure only relatively ("last year"): a note must resolve
    it, keeping any month and day the quote states, and the year of a word the source's
    year resolves (去年 in a source of 2023 is 2022)."""
    if fact.note is None:
        return [
            (
                f"its quote dates the figure relatively ({relative[0].text}); a relative "
                "date needs a note that resolves it",
                "add note: {zh: …, en: …} saying which date it is",
            )
        ]
    stated = [d for d in relative if d.month is not None or d.day is not None]
    if stated and not any(agrees(date, d, strict_month=False) for d in stated):
        return [
            (
                f"{what} {date} does not match its quote, which says {stated[0].text}",
                "the note may resolve the year, but the month and day the quote states must stay",
            )
        ]
    offset = _YEAR_OFFSETS.get(relative[0].relative)
    if year is not None and offset is not None and date.year != year + offset:
        return [
            (
                f"{what} {date} does not match its quote, which says {relative[0].text}: "
                f"{year + offset} from its source's year ({year})",
                f"write {year + offset}",
            )
        ]
    return []


def _check_unstated(
    fact: Fact, facts: FactBase, date: PartialDate, is_date_fact: bool
) -> list[Msg]:
    """A date the quote does not state: a date fact needs a note; another fact's date, one
    unless it is the year its source was written, or a second source's quote that states
    it (``date_source``, ``date_quote``)."""
    if fact.date_quote:
        return _check_date_quote(fact, facts, date)
    if is_date_fact:
        if fact.note is None:
            return [
                (
                    f"value {date} is a date its quote does not state",
                    "quote the clause with the date, or explain it in a note",
                )
            ]
        return []
    source = facts.sources.get(fact.source)
    if (
        fact.note is None
        and source is not None
        and source.year is not None
        and date.year != source.year
    ):
        return [
            (
                f"date {date}: its quote states no date, and {date.year} is not the year "
                f"its source was written ({source.year})",
                "explain the date in a note, or leave date out: the brief then says the "
                "date is not given",
            )
        ]
    return []


def _date_reading(fact: Fact, facts: FactBase) -> Reading:
    """What the second source's quote (``date_quote``) states, read in its own time."""
    source = facts.sources.get(fact.date_source)
    return read_quote(fact.date_quote, source.issued if source else None)


def _check_date_quote(fact: Fact, facts: FactBase, date: PartialDate) -> list[Msg]:
    """The date a second source states (``date_quote``) must be the fact's date."""
    stated = dated(_date_reading(fact, facts))
    if any(states(replace(date, month=date.month or d.month), d) for d in stated):
        return []
    said = ", ".join(d.text for d in stated) or "no date"
    return [
        (
            f"date {date} is not what its date_quote states ({said})",
            "quote the words of the second source that state the date",
        )
    ]


def _check_since(fact: Fact, facts: FactBase, reading: Reading) -> list[Msg]:
    """``since:`` is the start of the period the figure covers: the quote must state it
    (2019年以来, since 2013, from 2014 to 2018), or the date_quote must."""
    since = fact.since
    if since is None:
        return []
    stated = dated(reading)
    if fact.date_quote:
        stated += dated(_date_reading(fact, facts))
    if any(agrees(since, d, strict_month=False) for d in stated):
        return []
    said = ", ".join(d.text for d in stated) or "no date"
    return [
        (
            f"since {since} is not stated by its quote (dates found: {said})",
            "quote the words that say when the period starts, or leave since out",
        )
    ]


def prove_fact(fact: Fact, facts: FactBase) -> list[Problem]:
    """Every way the fact disagrees with its quote, as problems at the fact's line."""
    unit = facts.units.get(fact.unit)
    if unit is None or fact.derived is not None or not fact.quote:
        return []
    source = facts.sources.get(fact.source)
    reading = read_quote(fact.quote, source.issued if source else None)
    messages: list[Msg] = []
    if unit.kind == "year":
        value = fact.value
        years = dated(reading)
        if isinstance(value, Decimal) and not any(d.year == value for d in years):
            said = ", ".join(d.text for d in years) or "no year"
            messages.append(
                (
                    f"value {_plain(value)} does not match its quote, which says {said}",
                    "a year fact's value is the year the quote states",
                )
            )
    elif unit.kind != "date":  # a date fact's value is checked with the dates below
        hint_unit = ""
        if unit.kind == "money":
            hint_unit = f", e.g. 8000000000 for 80亿{unit.name('zh') or ' ' + unit.currency}"
        elif unit.kind == "percent":
            hint_unit = ", e.g. 58 for 58%"
        messages += _check_value(fact, unit, reading, hint_unit)
    figure = figure_of(fact, unit, reading)
    if figure is not None:
        date = fact.date
        mention = governing_date(reading, figure)
        others = [d for d in foreign_dates(reading, figure) if d is not mention]
        others += _resolved_bases(reading, facts.sources.get(fact.source))
        messages += _check_bound_date(fact, facts, mention, date, others, reading)
    else:
        own, pinned = pin_date(fact, reading)
        messages += pinned or _check_dates(fact, facts, own)
    messages += _check_since(fact, facts, reading)
    return [
        Problem(fact.loc.path, fact.loc.line, f"fact {fact.id!r}: {message}", hint)
        for message, hint in messages
    ]


def prove(facts: FactBase) -> list[Problem]:
    problems: list[Problem] = []
    for fact in facts.facts.values():
        if fact.source in facts.sources or fact.derived is not None:
            problems += prove_fact(fact, facts)
    return problems

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

from decimal import Decimal

from policybrief.check.quotes import DateMention, QuotedFigure, Reading, read_quote
from policybrief.core.errors import Problem
from policybrief.core.model import Fact, FactBase, PartialDate, Range, Unit


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
    start = reading.text.find(chosen)
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
    # "a third" is 33.33...%: equal when rounded as the fact is written (33.3).
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return figure.value.quantize(Decimal(1).scaleb(-places)) == value


Msg = tuple[str, str]  # (message, hint)


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
    if any(f.hedge == fact.qualifier for f in equal):
        return []
    return [_hedge_mismatch(fact, equal[0])]


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
        return (
            f"value {shown} is not stated by its quote: no figure could be read in "
            f"{fact.quote[:40]!r}",
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


def _agrees(date: PartialDate, mention: DateMention, strict_month: bool) -> bool:
    if mention.year is not None and mention.year != date.year:
        return False
    if mention.month is not None and date.month is not None and mention.month != date.month:
        return False
    if mention.month is not None and date.month is None and strict_month:
        return False
    if mention.day is not None and date.day is not None and mention.day != date.day:
        return False
    return True


def _check_dates(fact: Fact, facts: FactBase, reading: Reading) -> list[Msg]:
    date = fact.value if isinstance(fact.value, PartialDate) else fact.date
    absolute = [d for d in reading.dates if d.year is not None]
    relative = [d for d in reading.dates if d.relative]
    is_date_fact = isinstance(fact.value, PartialDate)
    what = "value" if is_date_fact else "date"
    if date is None:
        if absolute and not is_date_fact:
            return [
                (
                    f"no date, but its quote states {absolute[0].text}",
                    f'add date: "{absolute[0].year}"',
                )
            ]
        return []
    if absolute:
        if any(_agrees(date, d, strict_month=is_date_fact) for d in absolute):
            return []
        if relative and fact.note is not None and any(_agrees(date, d, False) for d in relative):
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


def _check_relative(
    fact: Fact, date: PartialDate, relative: list[DateMention], what: str
) -> list[Msg]:
    """A quote that dates the figure only relatively ("last year"): a note must resolve
    it, keeping any month and day the quote states."""
    if fact.note is None:
        return [
            (
                f"its quote dates the figure relatively ({relative[0].text}); a relative "
                "date needs a note that resolves it",
                "add note: {zh: …, en: …} saying which date it is",
            )
        ]
    stated = [d for d in relative if d.month is not None or d.day is not None]
    if stated and not any(_agrees(date, d, strict_month=False) for d in stated):
        return [
            (
                f"{what} {date} does not match its quote, which says {stated[0].text}",
                "the note may resolve the year, but the month and day the quote states must stay",
            )
        ]
    return []


def _check_unstated(
    fact: Fact, facts: FactBase, date: PartialDate, is_date_fact: bool
) -> list[Msg]:
    """A date the quote does not state: a date fact needs a note; another fact's date, one
    unless it is the year its source was written."""
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


def prove_fact(fact: Fact, facts: FactBase) -> list[Problem]:
    """Every way the fact disagrees with its quote, as problems at the fact's line."""
    unit = facts.units.get(fact.unit)
    if unit is None or fact.derived is not None or not fact.quote:
        return []
    reading = read_quote(fact.quote)
    messages: list[Msg] = []
    if unit.kind == "year":
        value = fact.value
        years = [d for d in reading.dates if d.year is not None]
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
    messages += _check_dates(fact, facts, reading)
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

"""Render stage, the dates of a note: the period a figure covers and where its date comes
from. A fact may say when its running total starts (``since``) and may cite a second
source for a date its quote does not state (``date_source``, ``date_quote``); without one,
the note says which part of the date the source does not state
(:func:`policybrief.check.dating.unstated_part`). The words are the templates' (the notes
partial prints them through the catalogs); this module gives the data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from policybrief.check.dating import unstated_part
from policybrief.core.languages import Language
from policybrief.core.model import Fact, FactBase
from policybrief.render.templatedata import SourceEntry
from policybrief.render.wording import inner_quotes


class Dating(TypedDict):
    """A note's dating: the part of the date no source states ("date", "month", "day" or
    ""), and the second source that states it, with its words."""

    unstated: str
    date_source: SourceEntry | None
    date_quote: str


def period(fact: Fact, lang: Language) -> str:
    """The date a note prints beside the label: the fact's date, or the period from its
    ``since`` to it (2014–2017, 2014年至2017年); "" for a date fact or an undated one."""
    if not fact.date or fact.date == fact.value:
        return ""
    if fact.since is None:
        return lang.date(fact.date)
    return lang.word("%(low)s–%(high)s", low=lang.date(fact.since), high=lang.date(fact.date))


def dating(
    facts: FactBase,
    fact: Fact | None,
    lang: Language,
    source_entry: Callable[[FactBase, str, Language], SourceEntry],
) -> Dating:
    """What a note says about where the date of ``fact`` (None for a claim) comes from;
    ``source_entry`` makes the second source's dict as the note's own is made."""
    if fact is None:
        return {"unstated": "", "date_source": None, "date_quote": ""}
    second = source_entry(facts, fact.date_source, lang) if fact.date_quote else None
    return {
        "unstated": unstated_part(fact, facts),
        "date_source": second,
        "date_quote": inner_quotes(fact.date_quote, lang.code) if fact.date_quote else "",
    }

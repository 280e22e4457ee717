"""Load stage, a brief's press details: ``release:`` and ``spokesperson:`` in brief.yaml.

``release: {date: 2026-10-16, embargo: "2026-10-16T10:00+08:00"}``: the day the press
release is issued (default: the brief's date) and, if the news may not be published before
a moment, that moment with its UTC offset. ``spokesperson: {name: {…}, role: {…}, quote:
{…}}``: the person the release quotes, as the office names them, in each language; the
release shows the slot only when the brief fills it, so no one is invented.
"""

from __future__ import annotations

import datetime

from policybrief.core.errors import Problem
from policybrief.core.model import Release, Spokesperson
from policybrief.load.yamlio import Fields, YMap

RELEASE_FIELDS = ("date", "embargo")
SPOKESPERSON_FIELDS = ("name", "role", "quote")


def embargo_time(value: str) -> datetime.datetime | None:
    """An embargo as a time with its offset; None if it is not one."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and "T" in value else None


def _mapping(
    data: YMap, key: str, shown: str, problems: list[Problem], example: str
) -> YMap | None:
    spec = data.get(key)
    if spec is None:
        return None
    if not isinstance(spec, YMap):
        problems.append(
            Problem(shown, data.line_of(key), f"brief: {key!r} must be a mapping", example)
        )
        return None
    return spec


def release(data: YMap, shown: str, problems: list[Problem]) -> Release | None:
    example = 'e.g. release: {date: 2026-10-16, embargo: "2026-10-16T10:00+08:00"}'
    spec = _mapping(data, "release", shown, problems, example)
    if spec is None:
        return None
    f = Fields(spec, shown, problems, "release")
    f.unknown(RELEASE_FIELDS)
    date = f.date("date", required=False)
    embargo = spec.get("embargo", "")
    if embargo and not (isinstance(embargo, str) and embargo_time(embargo.strip())):
        f.bad(
            "embargo",
            f"release: embargo {embargo!r} is not a date and time with its UTC offset",
            'write embargo: "2026-10-16T10:00+08:00" (10:00 Beijing time)',
        )
        embargo = ""
    return Release(date, embargo.strip() if isinstance(embargo, str) else "")


def spokesperson(data: YMap, shown: str, problems: list[Problem]) -> Spokesperson | None:
    example = "e.g. spokesperson: {name: {zh: …, en: …}, role: {zh: …, en: …}, quote: {…}}"
    spec = _mapping(data, "spokesperson", shown, problems, example)
    if spec is None:
        return None
    f = Fields(spec, shown, problems, "spokesperson")
    f.unknown(SPOKESPERSON_FIELDS)
    name, quote, role = f.text("name"), f.text("quote"), f.text("role", required=False)
    return Spokesperson(name, quote, role) if name and quote else None

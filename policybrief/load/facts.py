"""Load stage for the fact base: every ``facts/*.yaml`` (facts, claims, conflicts) but
``sources.yaml`` and ``units.yaml`` (:mod:`sources`), and the derived facts' values. Shape
errors are collected as problems with their lines; cross-references are checked later by
:mod:`policybrief.check.rules`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import TypeVar

from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.model import (
    QUALIFIERS,
    STATUSES,
    Claim,
    Conflict,
    Derivation,
    Fact,
    FactBase,
    Loc,
    PartialDate,
    Range,
    RawValue,
    Text,
    Unit,
)
from policybrief.load import ownparts, yamlio
from policybrief.load.records import fact_files
from policybrief.load.sheets import parse_cell
from policybrief.load.yamlio import Fields, YList, YMap, parse_date

__all__ = ["Fields", "load_factbase", "parse_date", "parse_number"]

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
RESERVED = ("sources.yaml", "units.yaml", "cells-stamp.yaml")


def parse_number(value: RawValue) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if abs(number) < Decimal(10) ** 18 else None


DERIVED_OPS = ("sum", "difference", "ratio", "share", "growth")
FACT_FIELDS = (
    "id",
    "value",
    "unit",
    "qualifier",
    "date",
    "label",
    "source",
    "quote",
    "note",
    "reference",
    "figure",
    "derived",
    "since",
    "date_source",
    "date_quote",
    "curator_note",
    "translation",
    "status",
    "cell",
)


def _value(
    raw: RawValue, unit: str, date_units: set[str], f: Fields, what: str
) -> Decimal | PartialDate | Range | None:
    """A fact's value: a number, a date for a date unit, or [low, high] for a range."""
    if unit in date_units:
        value = parse_date(raw)
        if value is None:
            f.bad(
                "value",
                f"{what}: value {raw!r} is not a date",
                'a date fact\'s value is "YYYY", "YYYY-MM" or "YYYY-MM-DD"',
            )
        return value
    if isinstance(raw, list):
        low, high = [parse_number(item) for item in raw] if len(raw) == 2 else [None, None]
        if low is None or high is None or not low < high:
            f.bad(
                "value",
                f"{what}: a range is [low, high], two numbers, low first",
                "e.g. value: [95.7, 96.2]",
            )
            return None
        return Range(low, high)
    number = parse_number(raw)
    if number is None:
        f.bad(
            "value",
            f"{what}: value {raw!r} is not a finite number",
            "write the figure in full, e.g. 8000000000 for 80亿",
        )
    return number


def _derivation(spec: YMap, f: Fields, what: str) -> Derivation | None:
    raw = spec.get("derived")
    if not isinstance(raw, YMap):
        f.bad(
            "derived",
            f"{what}: 'derived' must be a mapping",
            "e.g. derived: {op: growth, from: [old.id, new.id]}",
        )
        return None
    d = Fields(raw, f.path, f.problems, f"{what}: derived")
    d.unknown(("op", "from", "places"))
    op = raw.get("op")
    if op not in DERIVED_OPS:
        d.bad(
            "op" if "op" in raw else None,
            f"{what}: unknown operation {op!r}",
            "allowed: " + ", ".join(DERIVED_OPS),
        )
        return None
    inputs = raw.get("from")
    if (
        not isinstance(inputs, list)
        or len(inputs) < 2
        or not all(isinstance(i, str) for i in inputs)
    ):
        d.bad(
            "from" if "from" in raw else None,
            f"{what}: 'from' must list the ids of the facts it is computed from",
        )
        return None
    if op != "sum" and len(inputs) != 2:
        d.bad("from", f"{what}: {op} takes exactly two facts", "for more, use op: sum")
        return None
    places = raw.get("places", 1)
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 6:
        d.bad("places", f"{what}: 'places' must be a whole number from 0 to 6")
        places = 1
    return Derivation(op, tuple(inputs), places)


def _load_fact(
    spec: YMap, shown: str, problems: list[Problem], date_units: set[str]
) -> Fact | None:
    fid = spec.get("id")
    what = f"fact {fid!r}" if isinstance(fid, str) else "fact"
    f = Fields(spec, shown, problems, what)
    f.unknown(FACT_FIELDS)
    fid = f.string("id")
    if fid and not ID_RE.match(fid):
        f.bad("id", f"fact id {fid!r} is not valid", "use lowercase words joined by dots")
    unit = f.string("unit")
    derived = None
    value: Decimal | PartialDate | Range | None
    if "derived" in spec:
        _no_own_value(spec, f, what)
        derived = _derivation(spec, f, what)
        value, source, quote, cell = Decimal(0), "", "", None
        if derived is None:
            return None
    else:
        raw = spec.get("value")
        if raw is None:
            f.bad(None, f"{what}: missing field 'value'")
            value = None
        else:
            value = _value(raw, unit, date_units, f, what)
        cell = parse_cell(spec["cell"], f) if "cell" in spec else None
        source, quote = f.string("source"), f.string("quote", required="cell" not in spec)
    qualifier = _qualifier(spec, f, what)
    date = f.date("date", required=False)
    if date is None and isinstance(value, PartialDate):
        date = value
    figure = _figure(spec, f, what)
    label = f.text("label")
    note = f.text("note", required=False)
    if value is None or not fid or label is None:
        return None
    return Fact(
        fid,
        value,
        unit,
        qualifier,
        date,
        label,
        source,
        quote,
        note,
        Loc(shown, spec.line),
        f.flag("reference"),
        figure,
        derived,
        *_period(spec, f, what, date),
        curator_note=office_text(spec, f, "curator_note"),
        translation=translations(spec, f),
        status="calculated" if derived else _status(spec, f, what),
        cell=cell,
    )


def _qualifier(spec: YMap, f: Fields, what: str) -> str:
    """The fact's hedge; an unknown one is reported, and read as exact meanwhile."""
    qualifier = spec.get("qualifier", "exact")
    if qualifier not in QUALIFIERS:
        f.bad(
            "qualifier",
            f"{what}: unknown qualifier {qualifier!r}",
            "allowed: " + ", ".join(QUALIFIERS),
        )
        return "exact"
    return str(qualifier)


def _period(
    spec: YMap, f: Fields, what: str, date: PartialDate | None
) -> tuple[PartialDate | None, str, str]:
    """``since:`` (the start of the period the figure covers) and ``date_source:`` with
    ``date_quote:`` (a second source that states the date the fact's own quote does not)."""
    since = f.date("since", required=False)
    if (
        since is not None
        and date is not None
        and (since.year, since.month or 0)
        > (
            date.year,
            date.month or 12,
        )
    ):
        f.bad("since", f"{what}: 'since' {since} is after its date {date}", "since comes first")
    source = f.string("date_source", required=False)
    quote = f.string("date_quote", required=False)
    if bool(source) != bool(quote):
        f.bad(
            "date_source" if not source else "date_quote",
            f"{what}: 'date_source' and 'date_quote' go together",
            "name the second source and quote its words that state the date",
        )
    return since, source, quote


def _status(spec: YMap, f: Fields, what: str) -> str:
    status = spec.get("status", "reported")
    if status not in STATUSES:
        f.bad(
            "status",
            f"{what}: unknown status {status!r}",
            "allowed: " + ", ".join(STATUSES) + " (a derived fact is calculated)",
        )
        return "reported"
    return str(status)


def office_text(spec: YMap, f: Fields, key: str) -> Text | None:
    """A text the office keeps for itself (``curator_note``): one text, or one per
    language; it is never printed, so it need not be in every language."""
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Text((("", value.strip()),))
    pairs = _pairs(value)
    if pairs is None:
        f.bad(key, f"{f.what}: {key!r} must be a text, or map languages to texts")
        return None
    return Text(pairs)


def translations(spec: YMap, f: Fields) -> tuple[tuple[str, str], ...]:
    """``translation: {en: ...}``: the office's translation of the quote into the
    languages of the editions that print it (the source's own language needs none)."""
    value = spec.get("translation")
    if value is None:
        return ()
    pairs = _pairs(value)
    if pairs is None:
        f.bad(
            "translation",
            f"{f.what}: 'translation' must map languages to texts",
            "e.g. translation: {en: In 2016 ...}",
        )
        return ()
    return pairs


def _pairs(value: RawValue) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict) or not value:
        return None
    pairs = []
    for lang, item in value.items():
        if not isinstance(lang, str) or not isinstance(item, str) or not item.strip():
            return None
        pairs.append((lang, " ".join(item.split())))
    return tuple(sorted(pairs))


def _no_own_value(spec: YMap, f: Fields, what: str) -> None:
    """A derived fact states no value, source, quote, figure or qualifier of its own."""
    for key in ("value", "source", "quote", "figure", "qualifier"):
        if key in spec:
            f.bad(
                key,
                f"{what}: a derived fact has no {key!r}",
                "the engine computes its value and qualifier from the facts it names",
            )


def _figure(spec: YMap, f: Fields, what: str) -> str | int | None:
    """``figure:``, which figure of the quote the fact states: its words or its position."""
    figure = spec.get("figure")
    if (
        figure is not None
        and not (isinstance(figure, str) and figure.strip())
        and not (isinstance(figure, int) and not isinstance(figure, bool) and figure > 0)
    ):
        f.bad(
            "figure",
            f"{what}: 'figure' must be the words of the quote that state the "
            "figure, or its position (1 for the first)",
        )
        return None
    return figure


def _load_claim(spec: YMap, shown: str, problems: list[Problem]) -> Claim | None:
    cid = spec.get("id")
    f = Fields(spec, shown, problems, f"claim {cid!r}" if isinstance(cid, str) else "claim")
    f.unknown(
        ("id", "label", "date", "source", "quote", "reference", "curator_note", "translation")
    )
    cid, label = f.string("id"), f.text("label")
    date = f.date("date", required=False)
    source, quote = f.string("source"), f.string("quote")
    if not cid or label is None:
        return None
    return Claim(
        cid,
        label,
        date,
        source,
        quote,
        Loc(shown, spec.line),
        f.flag("reference"),
        office_text(spec, f, "curator_note"),
        translations(spec, f),
    )


def _load_conflict(spec: YMap, shown: str, problems: list[Problem]) -> Conflict | None:
    cid = spec.get("id")
    f = Fields(spec, shown, problems, f"conflict {cid!r}" if isinstance(cid, str) else "conflict")
    f.unknown(("id", "facts", "note", "curator_note"))
    cid, note = f.string("id"), f.text("note")
    ids = spec.get("facts")
    if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, str) for i in ids):
        f.bad(
            "facts" if "facts" in spec else None,
            f"conflict {cid!r}: 'facts' must list at least two fact ids",
        )
        return None
    if not cid or note is None:
        return None
    return Conflict(
        cid, tuple(ids), note, Loc(shown, spec.line), office_text(spec, f, "curator_note")
    )


def load_factbase(root: Path, problems: list[Problem]) -> FactBase:
    folder = root / "facts"
    units = ownparts.all_units(root, problems)
    count = len(problems)
    sources = ownparts.all_sources(root, problems)
    # (sources.yaml that did not parse would make every fact's source look unknown)
    complete = bool(sources) or len(problems) == count
    date_units = {name for name, unit in units.items() if unit.kind == "date"}
    facts: dict[str, Fact] = {}
    claims: dict[str, Claim] = {}
    conflicts: dict[str, Conflict] = {}
    seen: dict[str, Loc] = {}  # facts and claims share one id space; conflicts have their own
    seen_conflicts: dict[str, Loc] = {}
    for shown, data, found in _facts_files(root, folder):
        problems += found
        if data is None:
            # An empty or comments-only file holds nothing; one that did not parse makes
            # every id in it look unknown, so ids are not checked until it is fixed.
            complete = complete and not found
            continue
        if isinstance(data, YMap):
            for key in data:
                if key not in ("facts", "claims", "conflicts"):
                    problems.append(
                        Problem(
                            shown,
                            data.line_of(key),
                            f"unknown section {key!r}",
                            "a facts file has facts, claims and conflicts",
                        )
                    )
        found_facts = _entries(
            data,
            shown,
            problems,
            "facts",
            partial(_load_fact, shown=shown, problems=problems, date_units=date_units),
        )
        found_claims = _entries(
            data, shown, problems, "claims", partial(_load_claim, shown=shown, problems=problems)
        )
        found_conflicts = _entries(
            data,
            shown,
            problems,
            "conflicts",
            partial(_load_conflict, shown=shown, problems=problems),
        )
        _add(found_facts, facts, seen, problems)
        _add(found_claims, claims, seen, problems)
        _add(found_conflicts, conflicts, seen_conflicts, problems)
    facts = derive(facts, units, problems)
    return FactBase(sources, units, facts, claims, conflicts, complete)


def _facts_files(root: Path, folder: Path) -> Iterator[tuple[str, RawValue, list[Problem]]]:
    """Every facts file as (shown path, data, problems): the project's ``facts/`` (YAML,
    CSV, .xlsx), then each brief's own ``facts.yaml`` and ``facts/`` folder."""
    yield from fact_files(folder, root, RESERVED)
    for brief in ownparts.brief_folders(root):
        own = brief / "facts.yaml"
        if own.is_file():
            shown = own.relative_to(root).as_posix()
            yield (shown, *yamlio.load(str(own), shown))
        yield from fact_files(brief / "facts", root, RESERVED)


Item = TypeVar("Item", Fact, Claim, Conflict)


def _entries(
    data: RawValue,
    shown: str,
    problems: list[Problem],
    key: str,
    loader: Callable[[YMap], Item | None],
) -> list[Item]:
    """The loaded entries of one section (facts, claims or conflicts) of a facts file."""
    items = yamlio.top(data, shown, problems, key, YList) or YList()
    loaded = []
    for index, spec in enumerate(items):
        if not isinstance(spec, YMap):
            problems.append(
                Problem(shown, items.line_of(index), f"each entry of {key!r} must be a mapping")
            )
            continue
        item = loader(spec)
        if item is not None:
            loaded.append(item)
    return loaded


def _add(
    items: list[Item], table: dict[str, Item], seen: dict[str, Loc], problems: list[Problem]
) -> None:
    """Add entries to their table; an id already seen (in any file) is a problem."""
    for item in items:
        if item.id in seen:
            problems.append(
                Problem(
                    item.loc.path,
                    item.loc.line,
                    f"duplicate id {item.id!r}",
                    f"first defined at {seen[item.id]}",
                )
            )
            continue
        seen[item.id] = item.loc
        table[item.id] = item


def _compute(op: str, values: list[Decimal]) -> Decimal | None:
    a, b = values[0], values[-1]
    if op == "sum":
        return sum(values, Decimal(0))
    if op == "difference":
        return a - b
    if b == 0 and op in ("ratio", "share") or a == 0 and op == "growth":
        return None
    if op == "ratio":
        return a / b
    if op == "share":
        return a / b * 100
    return (b - a) / a * 100  # growth from the first to the second


def derive(
    facts: dict[str, Fact], units: dict[str, Unit], problems: list[Problem]
) -> dict[str, Fact]:
    """The fact table with every derived fact's value, qualifier and date computed from the
    facts it names (derived facts may build on derived facts; a cycle is a problem)."""
    done = {fid: fact for fid, fact in facts.items() if fact.derived is None}
    waiting = {fid: fact for fid, fact in facts.items() if fact.derived is not None}
    while waiting:
        progress = False
        for fid, fact in list(waiting.items()):
            assert fact.derived is not None
            inputs = fact.derived.inputs
            unknown = [i for i in inputs if i not in facts]
            if unknown:
                problems.append(
                    Problem(
                        fact.loc.path,
                        fact.loc.line,
                        f"fact {fid!r}: derived from unknown fact {unknown[0]!r}",
                        did_you_mean(unknown[0], facts, "check the id in facts/*.yaml"),
                    )
                )
                del waiting[fid]
                continue
            if any(i in waiting for i in inputs):
                continue
            progress = True
            del waiting[fid]
            made = _derived_fact(fact, [done[i] for i in inputs], units, problems)
            if made is not None:
                done[fid] = made
        if not progress:
            for fid, fact in waiting.items():
                problems.append(
                    Problem(
                        fact.loc.path,
                        fact.loc.line,
                        f"fact {fid!r}: derived facts depend on each other in a circle",
                        "derive each from stated facts",
                    )
                )
            break
    return {fid: done[fid] for fid in facts if fid in done}


def _derived_fact(
    fact: Fact, inputs: list[Fact], units: dict[str, Unit], problems: list[Problem]
) -> Fact | None:
    assert fact.derived is not None
    op = fact.derived.op

    def bad(message: str, hint: str = "") -> None:
        problems.append(Problem(fact.loc.path, fact.loc.line, f"fact {fact.id!r}: {message}", hint))

    values = [i.value for i in inputs]
    if not all(isinstance(v, Decimal) for v in values):
        bad(f"{op} needs figures, not dates or ranges")
        return None
    in_units = {i.unit for i in inputs}
    kind = units[fact.unit].kind if fact.unit in units else ""
    if op in ("sum", "difference") and in_units != {fact.unit}:
        bad(
            f"{op} adds figures of one unit: the facts are in {', '.join(sorted(in_units))} "
            f"and the result in {fact.unit}",
            "derive from facts of the result's unit",
        )
        return None
    if op in ("share", "growth") and kind != "percent":
        bad(f"{op} gives a percentage: its unit must be a percent unit")
        return None
    if op in ("share", "growth") and len(in_units) != 1:
        bad(f"{op} compares figures of one unit: the facts are in {', '.join(sorted(in_units))}")
        return None
    exact = _compute(op, values)  # type: ignore[arg-type]
    if exact is None:
        bad(f"{op} would divide by zero")
        return None
    places = fact.derived.places
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    rounded = (
        rounded.normalize()
        if rounded != rounded.to_integral_value()
        else rounded.quantize(Decimal(1))
    )
    hedged = rounded != exact or any(i.qualifier != "exact" for i in inputs)
    qualifier = "about" if hedged else "exact"
    dates = [i.date for i in inputs if i.date is not None]
    date = fact.date or max(dates, key=lambda d: (d.year, d.month or 0, d.day or 0), default=None)
    return replace(fact, value=rounded, qualifier=qualifier, date=date)

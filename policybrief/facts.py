"""Load stage for the fact base: ``facts/sources.yaml``, ``facts/units.yaml`` and every
other ``facts/*.yaml`` (facts, claims, conflicts). Shape errors are collected as problems
with their lines; cross-references are checked later by :mod:`policybrief.check`."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import Problem
from .i18n import LANGUAGES
from .model import (
    QUALIFIERS,
    Claim,
    Conflict,
    Fact,
    FactBase,
    Loc,
    PartialDate,
    Source,
    Text,
    Unit,
)
from .yamlio import YList, YMap

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
UNIT_KINDS = ("count", "money", "percent", "area", "length", "duration", "date", "year")
LANGS = tuple(LANGUAGES)  # the languages a label or note may have: i18n.LANGUAGES
RESERVED = ("sources.yaml", "units.yaml")


class Fields:
    """Reads typed fields from one YAML mapping, recording a problem for each bad one."""

    def __init__(self, data: YMap, path: str, problems: list[Problem], what: str):
        self.data, self.path, self.problems, self.what = data, path, problems, what

    def loc(self, key: str | None = None) -> Loc:
        return Loc(self.path, self.data.line_of(key) if key else self.data.line)

    def bad(self, key: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, self.loc(key).line, message, hint))

    def unknown(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self.bad(key, f"{self.what}: unknown field {key!r}",
                         "allowed: " + ", ".join(allowed))

    def str(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(None, f"{self.what}: missing field {key!r}")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.bad(key, f"{self.what}: {key!r} must be a non-empty text",
                     f"got {type(value).__name__}")
            return ""
        return value.strip()

    def text(self, key: str, required: bool = True) -> Text | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(None, f"{self.what}: missing field {key!r}",
                         "give it in each language: {zh: ..., en: ...}")
            return None
        if not isinstance(value, dict):
            self.bad(key, f"{self.what}: {key!r} must map languages to texts",
                     "write {zh: ..., en: ...}")
            return None
        pairs = []
        for lang, item in value.items():
            if lang not in LANGS:
                self.bad(key, f"{self.what}: {key!r} has unknown language {lang!r}",
                         "use " + " or ".join(LANGS))
            elif not isinstance(item, str) or not item.strip():
                self.bad(key, f"{self.what}: {key}.{lang} must be a non-empty text")
            else:
                pairs.append((lang, item.strip()))
        return Text(tuple(sorted(pairs)))

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.bad(key, f"{self.what}: {key!r} must be true or false")
            return False
        return value

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(None, f"{self.what}: missing field {key!r}")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.bad(key, f"{self.what}: {key!r} is not a valid date: {value!r}",
                     'write "YYYY", "YYYY-MM" or "YYYY-MM-DD"')
        return parsed


def parse_date(value: Any) -> PartialDate | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = DATE_RE.match(value.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        import datetime

        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)


def parse_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if abs(number) < Decimal(10) ** 18 else None


def _top(data: Any, path: str, problems: list[Problem], key: str, kind: type) -> Any:
    """Return ``data[key]`` if it has the right kind, else record a problem."""
    if not isinstance(data, YMap):
        problems.append(Problem(path, 1, f"expected a mapping with {key!r} at the top",
                                "see docs/authoring.md"))
        return None
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        what = "a list" if kind is YList else "a mapping"
        problems.append(Problem(path, data.line_of(key), f"{key!r} must be {what}"))
        return None
    return value


def load_units(path: Path, shown: str, problems: list[Problem]) -> dict[str, Unit]:
    data, found = yamlio.load(str(path), shown)
    problems += found
    units: dict[str, Unit] = {}
    table = _top(data, shown, problems, "units", YMap) if data is not None else None
    for name, spec in (table or {}).items():
        line = table.line_of(name)
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, line, f"unit {name!r} must be a mapping"))
            continue
        kind = spec.get("kind", "count")
        if kind not in UNIT_KINDS:
            problems.append(Problem(shown, line, f"unit {name!r}: unknown kind {kind!r}",
                                    "allowed: " + ", ".join(UNIT_KINDS)))
            continue
        en = spec.get("en", ("", ""))
        if isinstance(en, str):
            en = (en, en)
        if not (isinstance(en, list | tuple) and len(en) == 2):
            problems.append(Problem(shown, line, f"unit {name!r}: en must be [singular, plural]"))
            continue
        currency = str(spec.get("currency", ""))
        if kind == "money" and not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(Problem(shown, line, f"unit {name!r}: money needs a currency code",
                                    "e.g. currency: CNY"))
        units[name] = Unit(name, kind, str(spec.get("zh", "") or ""), (en[0] or "", en[1] or ""),
                           currency)
    return units


def load_sources(path: Path, shown: str, problems: list[Problem]) -> dict[str, Source]:
    data, found = yamlio.load(str(path), shown)
    problems += found
    table = _top(data, shown, problems, "sources", YMap) if data is not None else None
    sources: dict[str, Source] = {}
    for sid, spec in (table or {}).items():
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, table.line_of(sid), f"source {sid!r} must be a mapping"))
            continue
        f = Fields(spec, shown, problems, f"source {sid!r}")
        f.unknown(("file", "title", "author", "publication", "year", "note"))
        year = spec.get("year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
            f.bad("year", f"source {sid!r}: year must be a number")
            year = None
        sources[sid] = Source(
            id=sid, file=f.str("file"), title=f.text("title") or Text(()),
            author=f.text("author") or Text(()), publication=f.text("publication") or Text(()),
            year=year, note=f.text("note", required=False), loc=Loc(shown, table.line_of(sid)),
        )
    return sources


def _load_fact(spec: YMap, shown: str, problems: list[Problem],
               date_units: set[str]) -> Fact | None:
    fid = spec.get("id")
    what = f"fact {fid!r}" if isinstance(fid, str) else "fact"
    f = Fields(spec, shown, problems, what)
    f.unknown(("id", "value", "unit", "qualifier", "date", "label", "source", "quote", "note",
               "reference"))
    fid = f.str("id")
    if fid and not ID_RE.match(fid):
        f.bad("id", f"fact id {fid!r} is not valid", "use lowercase words joined by dots")
    unit = f.str("unit")
    raw = spec.get("value")
    value: Decimal | PartialDate | None
    if raw is None:
        f.bad(None, f"{what}: missing field 'value'")
        value = None
    elif unit in date_units:
        value = parse_date(raw)
        if value is None:
            f.bad("value", f"{what}: value {raw!r} is not a date",
                  'a date fact\'s value is "YYYY", "YYYY-MM" or "YYYY-MM-DD"')
    else:
        value = parse_number(raw)
        if value is None:
            f.bad("value", f"{what}: value {raw!r} is not a finite number",
                  "write the figure in full, e.g. 8000000000 for 80亿")
    qualifier = spec.get("qualifier", "exact")
    if qualifier not in QUALIFIERS:
        f.bad("qualifier", f"{what}: unknown qualifier {qualifier!r}",
              "allowed: " + ", ".join(QUALIFIERS))
    date = f.date("date", required=unit != "date")
    if date is None and isinstance(value, PartialDate):
        date = value
    label, source, quote = f.text("label"), f.str("source"), f.str("quote")
    note = f.text("note", required=False)
    if value is None or not fid or label is None:
        return None
    return Fact(fid, value, unit, qualifier if qualifier in QUALIFIERS else "exact", date,
                label, source, quote, note, Loc(shown, spec.line), f.flag("reference"))


def _load_claim(spec: YMap, shown: str, problems: list[Problem]) -> Claim | None:
    cid = spec.get("id")
    f = Fields(spec, shown, problems, f"claim {cid!r}" if isinstance(cid, str) else "claim")
    f.unknown(("id", "label", "date", "source", "quote", "reference"))
    cid, label = f.str("id"), f.text("label")
    date = f.date("date", required=False)
    source, quote = f.str("source"), f.str("quote")
    if not cid or label is None:
        return None
    return Claim(cid, label, date, source, quote, Loc(shown, spec.line), f.flag("reference"))


def _load_conflict(spec: YMap, shown: str, problems: list[Problem]) -> Conflict | None:
    cid = spec.get("id")
    f = Fields(spec, shown, problems, f"conflict {cid!r}" if isinstance(cid, str) else "conflict")
    f.unknown(("id", "facts", "note"))
    cid, note = f.str("id"), f.text("note")
    ids = spec.get("facts")
    if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, str) for i in ids):
        f.bad("facts" if "facts" in spec else None,
              f"conflict {cid!r}: 'facts' must list at least two fact ids")
        return None
    if not cid or note is None:
        return None
    return Conflict(cid, tuple(ids), note, Loc(shown, spec.line))


def load_factbase(root: Path, problems: list[Problem]) -> FactBase:
    folder = root / "facts"
    rel = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    units = load_units(folder / "units.yaml", "facts/units.yaml", problems)
    sources = load_sources(folder / "sources.yaml", "facts/sources.yaml", problems)
    date_units = {name for name, unit in units.items() if unit.kind == "date"}
    facts: dict[str, Fact] = {}
    claims: dict[str, Claim] = {}
    conflicts: dict[str, Conflict] = {}
    seen: dict[str, Loc] = {}  # facts and claims share one id space; conflicts have their own
    seen_conflicts: dict[str, Loc] = {}
    complete = True
    for path in sorted(folder.glob("*.yaml")):
        if path.name in RESERVED:
            continue
        shown = rel(path)
        data, found = yamlio.load(str(path), shown)
        problems += found
        if data is None:
            complete = False
            continue
        if isinstance(data, YMap):
            for key in data:
                if key not in ("facts", "claims", "conflicts"):
                    problems.append(Problem(shown, data.line_of(key), f"unknown section {key!r}",
                                            "a facts file has facts, claims and conflicts"))
        for key, loader, table in (("facts", _load_fact, facts), ("claims", _load_claim, claims),
                                   ("conflicts", _load_conflict, conflicts)):
            items = _top(data, shown, problems, key, YList)
            for index, spec in enumerate(items or []):
                if not isinstance(spec, YMap):
                    problems.append(Problem(shown, items.line_of(index),
                                            f"each entry of {key!r} must be a mapping"))
                    continue
                item = (loader(spec, shown, problems, date_units) if key == "facts"
                        else loader(spec, shown, problems))
                if item is None:
                    continue
                ids = seen_conflicts if key == "conflicts" else seen
                if item.id in ids:
                    problems.append(Problem(shown, item.loc.line, f"duplicate id {item.id!r}",
                                            f"first defined at {ids[item.id]}"))
                    continue
                ids[item.id] = item.loc
                table[item.id] = item
    return FactBase(sources, units, facts, claims, conflicts, complete)

"""Load stage for what the facts stand on: ``facts/sources.yaml`` (the documents quoted,
with what a reference style needs of each) and ``facts/units.yaml`` (what the figures
count). Shape errors are collected as problems with their lines; :mod:`facts` loads the
facts, claims and conflicts that cite them."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TypedDict

from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.files import long_name
from policybrief.core.model import Loc, PartialDate, Person, Source, Text, Unit
from policybrief.load import yamlio
from policybrief.load.yamlio import Fields, YList, YMap

UNIT_KINDS = ("count", "money", "percent", "area", "length", "duration", "date", "year")


def load_units(path: Path, shown: str, problems: list[Problem]) -> dict[str, Unit]:
    data, found = yamlio.load(str(path), shown)
    problems += found
    units: dict[str, Unit] = {}
    table = (
        yamlio.top(data, shown, problems, "units", YMap) if data is not None else None
    ) or YMap()
    for name, spec in table.items():
        line = table.line_of(name)
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, line, f"unit {name!r} must be a mapping"))
            continue
        kind = spec.get("kind", "count")
        if kind not in UNIT_KINDS:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"unit {name!r}: unknown kind {kind!r}",
                    "allowed: " + ", ".join(UNIT_KINDS),
                )
            )
            continue
        names = _unit_names(name, spec, shown, line, problems)
        if names is None:
            continue
        currency = str(spec.get("currency", ""))
        if kind == "money" and not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                Problem(
                    shown, line, f"unit {name!r}: money needs a currency code", "e.g. currency: CNY"
                )
            )
        units[name] = Unit(name, kind, names, currency, Loc(shown, line))
    return units


def _unit_names(
    name: str, spec: YMap, shown: str, line: int, problems: list[Problem]
) -> tuple[tuple[str, tuple[str, str]], ...] | None:
    """A unit's name in each language (every key but kind and currency): one word
    (``zh: 人``) or ``[singular, plural]``; which languages it needs is checked with the
    project's (load/languages.py)."""
    names = []
    for lang, value in spec.items():
        if lang in ("kind", "currency"):
            continue
        forms = (value, value) if isinstance(value, str) else value
        if not (
            isinstance(lang, str)
            and isinstance(forms, list | tuple)
            and len(forms) == 2
            and all(isinstance(f, str) for f in forms)
        ):
            problems.append(
                Problem(shown, line, f"unit {name!r}: {lang} must be [singular, plural]")
            )
            return None
        if forms[0] or forms[1]:
            names.append((lang, (forms[0], forms[1])))
    return tuple(sorted(names))


def load_sources(path: Path, shown: str, problems: list[Problem]) -> dict[str, Source]:
    data, found = yamlio.load(str(path), shown)
    problems += found
    table = (
        yamlio.top(data, shown, problems, "sources", YMap) if data is not None else None
    ) or YMap()
    sources: dict[str, Source] = {}
    for sid, spec in table.items():
        if not isinstance(sid, str) or not SOURCE_ID_RE.fullmatch(sid):
            problems.append(
                Problem(
                    shown,
                    table.line_of(sid),
                    f"source id {sid!r} may hold only letters, digits, '-', '_', ':' and '.'",
                    "it names the source in citations and reference managers' files: "
                    "write it like qiaotou-case",
                )
            )
            continue
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, table.line_of(sid), f"source {sid!r} must be a mapping"))
            continue
        f = Fields(spec, shown, problems, f"source {sid!r}")
        f.unknown(SOURCE_FIELDS)
        year = spec.get("year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
            f.bad("year", f"source {sid!r}: year must be a number")
            year = None
        sources[sid] = Source(
            id=sid,
            file=_source_file(f, sid),
            title=f.text("title") or Text(()),
            author=f.text("author") or Text(()),
            publication=f.text("publication") or Text(()),
            year=year,
            note=f.text("note", required=False),
            loc=Loc(shown, table.line_of(sid)),
            url=_url(f, sid),
            accessed=f.date("accessed", required=False),
            publisher=f.text("publisher", required=False),
            kind=_kind(f, sid),
            language=_language(f, sid),
            **_bibliographic(f, sid),
            **_snapshot(f, sid),
        )
        issued = sources[sid].issued
        if year is None and issued is not None and issued.year:
            # `issued` alone dates the source: the short attribution ("Bureau 2025") and
            # every other place that prints the year read it from there
            sources[sid] = replace(sources[sid], year=issued.year)
    return sources


SOURCE_FIELDS = (
    "file",
    "title",
    "author",
    "publication",
    "year",
    "note",
    "url",
    "accessed",
    "publisher",
    "kind",
    "language",
    "authors",
    "container",
    "issued",
    "volume",
    "issue",
    "pages",
    "number",
    "doi",
    "sha256",
    "size",
)
# Each maps to a CSL type (policybrief/references.py); "article" is a journal article.
SOURCE_KINDS = (
    "journal article",
    "magazine article",
    "newspaper article",
    "article",
    "web page",
    "report",
    "government document",
    "statute",
    "dataset",
    "book",
    "speech",
)
PERSON_FIELDS = ("family", "given", "literal")
# A source's id is the key of its BibTeX entry and the ID of its RIS record: letters and
# digits, and punctuation that neither format gives a meaning (no braces, comma, space).
SOURCE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


class Bibliographic(TypedDict):
    """A source's fields a reference style needs beyond title, author and year."""

    authors: tuple[Person, ...]
    container: str
    issued: PartialDate | None
    volume: str
    issue: str
    pages: str
    number: str
    doi: str


def _bibliographic(f: Fields, sid: str) -> Bibliographic:
    """The fields a reference style needs beyond title, author and year (read in this
    order, which is the order of their problems)."""
    authors = _authors(f, sid)
    container = f.string("container", required=False)
    issued = f.date("issued", required=False)
    numbers: dict[str, str] = {}
    for key in ("volume", "issue", "pages", "number"):
        raw = f.data.get(key)
        if isinstance(raw, int) and not isinstance(raw, bool):
            numbers[key] = str(raw)  # volume: 12 reads as a number in YAML
        else:
            numbers[key] = f.string(key, required=False)
    doi = f.string("doi", required=False)
    if doi and not DOI_RE.match(doi):
        f.bad("doi", f"source {sid!r}: doi {doi!r} is not a DOI", "write it as 10.1234/abc")
        doi = ""
    return Bibliographic(
        authors=authors,
        container=container,
        issued=issued,
        volume=numbers["volume"],
        issue=numbers["issue"],
        pages=numbers["pages"],
        number=numbers["number"],
        doi=doi,
    )


def _authors(f: Fields, sid: str) -> tuple[Person, ...]:
    """``authors:``, a list of persons ``{family, given}`` or organisations ``{literal}``."""
    raw = f.data.get("authors")
    if raw is None:
        return ()
    if not isinstance(raw, YList):
        f.bad("authors", f"source {sid!r}: authors must be a list", AUTHORS_HINT)
        return ()
    people = []
    for index, entry in enumerate(raw):
        what = f"source {sid!r}: authors[{index + 1}]"
        line = raw.line_of(index)
        if not isinstance(entry, YMap):
            f.problems.append(Problem(f.path, line, f"{what} must be a mapping", AUTHORS_HINT))
            continue
        person = Fields(entry, f.path, f.problems, what)
        person.unknown(PERSON_FIELDS)
        names = {k: person.string(k, required=False) for k in PERSON_FIELDS}
        if bool(names["literal"]) == bool(names["family"] or names["given"]):
            f.problems.append(
                Problem(f.path, line, f"{what} needs a family name or a literal", AUTHORS_HINT)
            )
            continue
        if names["given"] and not names["family"]:
            f.problems.append(Problem(f.path, line, f"{what} has a given name but no family"))
            continue
        people.append(Person(**names))
    return tuple(people)


AUTHORS_HINT = "e.g. [{family: 京, given: 钟雁}, {literal: 国家发展改革委}]"


def _source_file(f: Fields, sid: str) -> str:
    """The source text's name inside the source folders: relative, no ``..``."""
    name = f.string("file")
    if name and (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name)
        or ".." in re.split(r"[/\\]", name)
    ):
        f.bad(
            "file",
            f"source {sid!r}: file {name!r} must name a file inside the source folders",
            "write the path relative to the source folder, without '..'",
        )
        return ""
    too_long = long_name(name) if name else None
    if too_long:
        f.bad("file", f"source {sid!r}: {too_long}", "rename the file")
        return ""
    return name


class Snapshot(TypedDict):
    """What ``source add`` recorded of the file: its SHA-256 and size (check compares)."""

    sha256: str
    size: int | None


def _snapshot(f: Fields, sid: str) -> Snapshot:
    digest = f.string("sha256", required=False).lower()
    if digest and not re.fullmatch(r"[0-9a-f]{64}", digest):
        f.bad("sha256", f"source {sid!r}: sha256 must be 64 hexadecimal digits")
        digest = ""
    size = f.data.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        f.bad("size", f"source {sid!r}: size must be a number of bytes")
        size = None
    return Snapshot(sha256=digest, size=size)


def _url(f: Fields, sid: str) -> str:
    url = f.string("url", required=False)
    if url and not re.match(r"^https?://[^\s/]+", url):
        f.bad("url", f"source {sid!r}: url {url!r} is not an http(s) address")
        return ""
    return url


def _kind(f: Fields, sid: str) -> str:
    kind = f.string("kind", required=False)
    if kind and kind not in SOURCE_KINDS:
        f.bad(
            "kind",
            f"source {sid!r}: unknown kind {kind!r}",
            did_you_mean(kind, SOURCE_KINDS, "allowed: " + ", ".join(SOURCE_KINDS)),
        )
        return ""
    return kind


def _language(f: Fields, sid: str) -> str:
    language = f.string("language", required=False)
    if language and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
        f.bad(
            "language",
            f"source {sid!r}: language {language!r} is not a language tag",
            "e.g. zh, en, zh-Hans",
        )
        return ""
    return language

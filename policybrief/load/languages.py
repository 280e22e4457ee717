"""Load stage for languages: the project's declared languages made into
:class:`~policybrief.core.languages.Language` objects with their catalogs' words, and the
check that every text written in several languages holds each language it must.

Which languages a text must hold:

- facts, claims, conflicts, sources and units (the fact base is every brief's): each
  language the project declares (a figure a batch row defines in a brief's folder: the
  brief's languages);
- a brief's own texts (authors, chart titles and labels, the revision note, batch rows):
  each of the brief's languages;
- audience labels (template folders, which several projects may share): each language of
  a brief that prints the audience; the theme's texts: each declared language.

A key that is not a declared language is an error, except in template folders, which may
carry languages their project does not use (if Babel knows them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from policybrief.core.errors import Problem
from policybrief.core.languages import DEFAULT, ENGINE_MESSAGES, Language, alternatives, language
from policybrief.core.model import Project, Text, Unit
from policybrief.load.catalogs import Translations


def declared(config: dict) -> tuple[str, ...]:
    """The project's languages: ``languages`` in ``[tool.policybrief]`` (checked by
    config.py), else zh and en."""
    return tuple(config.get("languages") or DEFAULT)


def project_languages(
    codes: tuple[str, ...], template_dirs: tuple[Path, ...]
) -> dict[str, Language]:
    """Each declared language with the engine's words from its catalog (those the catalog
    lacks stay in English, and `check` reports them: catalogs.missing_translations)."""
    languages: dict[str, Language] = {}
    for code in codes:
        translations = Translations(template_dirs, code)
        words = {m: found for m in ENGINE_MESSAGES if (found := translations.translated(m))}
        languages[code] = language(code).with_words(words)
    return languages


def _texts(value: object, seen: set[int]) -> Iterator[Text]:
    """Every :class:`Text` inside ``value`` (dataclasses, tuples, lists and dict values)."""
    if isinstance(value, Text):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) in seen:
            return
        seen.add(id(value))
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name), seen)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item, seen)


def _text_problems(
    text: Text, needed: tuple[str, ...], known: tuple[str, ...], shared: bool
) -> Iterator[Problem]:
    """A problem for each language of ``needed`` the text lacks and each it has that is not
    ``known`` (in a ``shared`` template folder, a valid code the project does not use is
    fine)."""
    from policybrief.core.languages import code_problem

    site = text.site
    if site is None:  # made by the engine, not read from a file
        return
    have = text.langs()
    for lang, _value in text.values:
        if lang in known or (shared and code_problem(lang) is None):
            continue
        yield Problem(
            site.loc.path,
            site.loc.line,
            f"{site.what}: {site.key!r} has unknown language {lang!r}",
            f"use {alternatives(known)}, or declare it in [tool.policybrief] languages",
        )
    for lang in needed:
        if lang not in have:
            yield Problem(
                site.loc.path,
                site.loc.line,
                f"{site.what}: no {site.key} in {lang}",
                f"add {site.key}.{lang}",
            )


def _unit_problems(unit: Unit, codes: tuple[str, ...]) -> Iterator[Problem]:
    """A unit that names itself in one language names itself in each (money may print its
    currency code instead); a name in an undeclared language is unknown."""
    if unit.loc is None:
        return
    have = {lang for lang, _forms in unit.names}
    for lang in sorted(have - set(codes)):
        yield Problem(
            unit.loc.path,
            unit.loc.line,
            f"unit {unit.id!r} has unknown language {lang!r}",
            f"use {alternatives(codes)}, or declare it in [tool.policybrief] languages",
        )
    if have and unit.kind != "money":
        for lang in codes:
            if lang not in have:
                yield Problem(
                    unit.loc.path,
                    unit.loc.line,
                    f"unit {unit.id!r}: no name in {lang}",
                    f"add {lang}: [singular, plural] (or one word)",
                )


def text_problems(project: Project) -> list[Problem]:
    """Every text that lacks a language it must hold, or holds one nobody declared (see
    the module docstring)."""
    codes = project.codes
    found: list[Problem] = []
    # a fact written in a brief's folder (a batch row's figure) is that brief's alone
    folders = {brief.folder: brief.languages for brief in project.briefs.values()}
    for text in _texts(project.facts, set()):
        where = text.site.loc.path.rpartition("/")[0] if text.site else ""
        found += _text_problems(text, folders.get(where, codes), codes, shared=False)
    for unit in project.facts.units.values():
        found += _unit_problems(unit, codes)
    printed_in: dict[int, tuple[str, ...]] = {}  # audience label (by id) -> languages
    for brief in project.briefs.values():
        for text in _texts(brief, set()):
            found += _text_problems(text, brief.languages, codes, shared=False)
        for name in brief.audiences:
            audience = project.templates(brief.slug).audiences.get(name)
            if audience is not None:
                key = id(audience.label)
                printed_in[key] = (*printed_in.get(key, ()), *brief.languages)
    sets = [project.templates(slug) for slug in project.briefs] or [project.templates("")]
    labels = {id(a.label): a.label for s in sets for a in s.audiences.values()}
    for key, label in labels.items():
        needed = tuple(dict.fromkeys(printed_in.get(key, ())))
        found += _text_problems(label, needed, codes, shared=True)
    themes = {id(s.theme): s.theme for s in sets}
    for theme in themes.values():
        for text in _texts(theme, set()):
            found += _text_problems(text, codes, codes, shared=True)
    return sorted(set(found), key=lambda p: (p.path, p.line, p.message))

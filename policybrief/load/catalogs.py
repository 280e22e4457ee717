"""Gettext catalogs for the templates' own words (section titles, "Sources", page footers).

Catalogs live beside the templates as ``locales/<lang>/LC_MESSAGES/messages.po`` and are
compiled in memory at build time (``.po`` is what is committed). English is the source
language. A message with no translation is reported, never silently shown in English.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from policybrief.core.errors import Problem
from policybrief.core.languages import ENGINE_MESSAGES, SOURCE

SOURCE_LANG = SOURCE  # the language the templates are written in
TEMPLATE_GLOBS = ("*.html", "*.j2")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def catalog_path(folder: Path, lang: str) -> Path:
    """The catalog of ``lang`` in a template folder: ``locales/<lang>/...``, the folder
    named by the code as written (zh-Hant) or as gettext and pybabel name it (zh_Hant)."""
    written = folder / "locales" / lang / "LC_MESSAGES" / "messages.po"
    gettext_name = folder / "locales" / lang.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    return gettext_name if not written.is_file() and gettext_name.is_file() else written


@lru_cache(maxsize=32)
def _compiled(source: bytes) -> gettext.GNUTranslations:
    """A catalog's text compiled, once per process for each text wherever its file is
    (every copy of a project, and each build of ``serve``, reads the same catalogs)."""
    catalog = read_po(io.BytesIO(source))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _table(catalog: gettext.GNUTranslations) -> dict[str | tuple[str, int], str]:
    """The messages of a compiled catalog: a message, or (singular, plural form) for a
    plural, to its translation. GNUTranslations keeps them in ``_catalog`` and offers no
    lookup that tells a missing message from one translated as itself; read here only."""
    table: dict[str | tuple[str, int], str] = catalog._catalog  # type: ignore[attr-defined]
    return table


class Translations:
    """gettext for one language across the template folders (earlier folders win).

    Records every message that had no translation, so the build can report it.
    """

    def __init__(self, template_dirs: tuple[Path, ...], lang: str):
        self.lang = lang
        self.missing: set[str] = set()
        self._catalogs = []
        for folder in template_dirs:
            path = catalog_path(folder, lang)
            if path.is_file():
                self._catalogs.append(_compiled(path.read_bytes()))

    def translated(self, message: str) -> str | None:
        """The message's translation, or None; not recorded as missing."""
        for catalog in self._catalogs:
            found = _table(catalog).get(message)
            if found:
                return found
        return None

    def gettext(self, message: str) -> str:
        if self.lang == SOURCE_LANG:
            return message
        found = self.translated(message)
        if found is None:
            self.missing.add(message)
            return message
        return found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.lang == SOURCE_LANG:
            return singular if n == 1 else plural
        for catalog in self._catalogs:
            plural_form = catalog.plural(n)  # type: ignore[attr-defined]
            found = _table(catalog).get((singular, plural_form))
            if found:
                return found
        self.missing.add(singular)
        return singular if n == 1 else plural


def template_messages(
    template_dirs: tuple[Path, ...], root: Path
) -> Iterator[tuple[str, int, str]]:
    """(shown path, line, message) for every translatable string in the templates."""
    for folder in template_dirs:
        for pattern in TEMPLATE_GLOBS:
            for path in sorted(folder.rglob(pattern)):
                try:
                    shown = path.relative_to(root).as_posix()
                except ValueError:
                    shown = str(path)
                for line, first in _messages(path.read_bytes()):
                    yield shown, line, first


@lru_cache(maxsize=256)
def _messages(source: bytes) -> tuple[tuple[int, str], ...]:
    """(line, message) for each translatable string of one template's text; cached by the
    text, since `check` and every build read the same templates again (parsing them is
    most of what `check` costs)."""
    found = []
    for line, _func, message, _comments in babel_extract(
        io.BytesIO(source), list(KEYWORDS), [], {"extensions": "jinja2.ext.i18n"}
    ):
        first = message[0] if isinstance(message, tuple) else message
        if first:
            found.append((line, first))
    return tuple(found)


def missing_translations(
    template_dirs: tuple[Path, ...], root: Path, langs: tuple[str, ...]
) -> list[Problem]:
    """A warning for each message of the templates, and each of the engine's own words
    (languages.ENGINE_MESSAGES), that a language of ``langs`` has no translation for."""
    problems = []
    for lang in langs:
        if lang == SOURCE_LANG:  # the language the templates are written in
            continue
        translations = Translations(template_dirs, lang)
        hint = (
            f"add it to templates/locales/{lang}/LC_MESSAGES/messages.po "
            "(see README: updating translations)"
        )
        for shown, line, message in template_messages(template_dirs, root):
            if translations.translated(message) is None:
                problems.append(
                    Problem(shown, line, f"no {lang} translation for {message!r}", hint, "warning")
                )
        catalogs = [catalog_path(d, lang) for d in template_dirs] or [Path("messages.po")]
        catalog = next((c for c in catalogs if c.is_file()), catalogs[-1])
        try:
            shown = catalog.relative_to(root).as_posix()
        except ValueError:
            shown = str(catalog)
        for message in ENGINE_MESSAGES:  # the engine's own words have no template line
            if translations.translated(message) is None and any(d.is_dir() for d in template_dirs):
                problems.append(
                    Problem(
                        shown,
                        0,
                        f"no {lang} translation for the engine's {message!r}",
                        "add it to the catalog (see README: updating translations)",
                        "warning",
                    )
                )
    return problems

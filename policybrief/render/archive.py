"""Render stage: what a brief's web page says about the brief itself, for machines and for
readers who cite it.

- The brief as a CSL-JSON item (:func:`brief_item`): a report, by its authors, published by
  the house (the theme's ``organisation``, else the first author), on its date, in its
  language. The page's "cite this brief" block formats it in the page's reference style
  (GB/T 7714 for Chinese, Chicago author-date for English, as the reference list), and
  the build writes it beside the pages as CSL-JSON, BibTeX and RIS (``cite.<lang>.*``).
- schema.org JSON-LD (:func:`json_ld`): a ``Report`` with the same author, publisher, date
  and language, and a ``citation`` for each source the page shows, from the same CSL
  items as the reference exports. The JSON is written so that nothing in it can end the
  ``<script>`` element that holds it: every ``<``, ``>`` and ``&`` is a JSON escape.
- The Open Graph card's facts (:func:`og_locale`, :func:`social_name`); the card's picture
  is drawn by :mod:`policybrief.output.social`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

from markupsafe import Markup

from policybrief.render.notes import text_of
from policybrief.render.references import (
    CJK_RE,
    CslItem,
    CslPerson,
    csl_item,
    format_item,
    source_language,
)
from policybrief.render.templatedata import ArchiveEntry

if TYPE_CHECKING:
    from policybrief.core.languages import Language
    from policybrief.core.model import Brief, Project

SCHEMA_TYPES = {  # CSL type -> schema.org type of a citation
    "article-journal": "ScholarlyArticle",
    "article-magazine": "Article",
    "article-newspaper": "NewsArticle",
    "book": "Book",
    "report": "Report",
    "legislation": "Legislation",
    "dataset": "Dataset",
    "webpage": "WebPage",
    "speech": "CreativeWork",
}
# What may not appear as such inside <script>: "</script>" and "<!--" need "<"; ">" and
# "&" are escaped too, and the line separators that end a JavaScript string.
SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def social_name(lang: str) -> str:
    """The brief's social card beside its pages: one picture per language."""
    return f"social.{lang}.png"


def cite_names(lang: str) -> dict[str, str]:
    """The brief's own citation beside its pages, for reference managers, per language."""
    return {kind: f"cite.{lang}.{kind}" for kind in ("json", "bib", "ris")}


def publisher(project: Project, brief: Brief, lang: Language) -> str:
    """Who publishes the brief: the house (the theme's organisation), else its first
    author."""
    theme = project.templates(brief.slug).theme
    house = text_of(theme.organisation, lang) if theme.organisation else ""
    return house or (text_of(brief.authors[0], lang) if brief.authors else "")


def brief_item(project: Project, brief: Brief, lang: Language, title: str) -> CslItem:
    """The brief itself as a CSL-JSON report, in ``lang`` (its title there)."""
    date = brief.date
    parts = [date.year, *(p for p in (date.month, date.day) if p)]
    item: dict[str, object] = {
        "id": brief.slug,
        "type": "report",
        "title": title,
        "author": [{"literal": text_of(a, lang)} for a in brief.authors],
        "publisher": publisher(project, brief, lang),
        "issued": {"date-parts": [parts]},
        "language": lang.tag,
    }
    # the fields above, typed as CslItem, with an empty publisher left out
    return cast(CslItem, {k: v for k, v in item.items() if v})


def cite_this(item: CslItem, lang: str, style: str) -> Markup:
    """The brief's entry in ``style`` (the page's reference style), as HTML."""
    return format_item(item, lang, style)


def citations(project: Project, source_ids: list[str]) -> list[CslItem]:
    """The sources ``source_ids`` as CSL-JSON, each in its own language, as the brief's
    reference exports hold them."""
    sources = [project.facts.sources[s] for s in dict.fromkeys(source_ids)]
    return [csl_item(s, source_language(s)) for s in sources]


def _person(name: CslPerson) -> dict[str, str]:
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]}
    return {
        "@type": "Person",
        "familyName": name.get("family", ""),
        **({"givenName": name["given"]} if name.get("given") else {}),
        "name": _full_name(name.get("family", ""), name.get("given", "")),
    }


def _full_name(family: str, given: str) -> str:
    """Given then family, or for a Chinese name family then given with no space."""
    if CJK_RE.search(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def _iso(parts: list[int]) -> str:
    return "-".join([str(parts[0]), *(f"{p:02d}" for p in parts[1:])])


def schema_work(item: CslItem) -> dict[str, object]:
    """A CSL-JSON item as a schema.org creative work (a citation, or the brief itself)."""
    work: dict[str, object] = {
        "@type": SCHEMA_TYPES.get(item["type"], "CreativeWork"),
        "name": item.get("title", ""),
        "author": [_person(a) for a in item.get("author", [])],
        "publisher": {"@type": "Organization", "name": item["publisher"]}
        if item.get("publisher")
        else None,
        "datePublished": _iso(item["issued"]["date-parts"][0]) if item.get("issued") else None,
        "inLanguage": item.get("language"),
        "isPartOf": item.get("container-title"),
        "url": item.get("URL"),
        "sameAs": f"https://doi.org/{item['DOI']}" if item.get("DOI") else None,
    }
    return {k: v for k, v in work.items() if v}


def json_ld(
    item: CslItem, description: str, image: str, sources: list[CslItem], files: dict[str, str]
) -> Markup:
    """The page's schema.org JSON-LD: the brief as a Report, citing ``sources``, its
    editions (``files``: media type -> file beside the page) as encodings."""
    report = {
        "@context": "https://schema.org",
        **schema_work(item),
        "headline": item.get("title", ""),
        "description": description,
        "image": image,
        "encoding": [
            {"@type": "MediaObject", "encodingFormat": kind, "contentUrl": name}
            for kind, name in files.items()
        ],
        "citation": [schema_work(s) for s in sources],
    }
    return script_json(report)


def script_json(data: object) -> Markup:
    """``data`` as JSON that can stand inside a ``<script>`` element as it is."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    for char, escape in SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(text)


def og_locale(lang: Language) -> str:
    """Open Graph's locale, language_TERRITORY: zh_CN, zh_TW, en_US."""
    return lang.region_tag.replace("-", "_")


def page_archive(
    project: Project,
    brief: Brief,
    lang: Language,
    style: str,
    page: dict[str, str],
    shown: list[str],
) -> ArchiveEntry:
    """The page's ``archive`` context: its JSON-LD, Open Graph card and "cite this brief"
    block. ``page``: the page's title, description and files (html, pdf, docx);
    ``shown``: the facts and claims the page shows (their sources are its citations)."""
    facts = project.facts
    found = [facts.facts.get(i) or facts.claims.get(i) for i in shown]
    sources = sorted({f.source for f in found if f is not None and f.source})
    item = brief_item(project, brief, lang, page["title"])
    image = social_name(lang.code)
    files = {
        "text/html": page["html"],
        "application/pdf": page["pdf"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": page["docx"],
    }
    return {
        "json_ld": json_ld(item, page["description"], image, citations(project, sources), files),
        "image": image,
        "image_alt": page["title"],
        "locale": og_locale(lang),
        "locale_alternates": [
            og_locale(project.language(c)) for c in brief.languages if c != lang.code
        ],
        "cite": cite_this(item, lang.code, style),
        "cite_files": cite_names(lang.code),
        "site_name": publisher(project, brief, lang),
    }

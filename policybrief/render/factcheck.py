"""Render stage, fact check: every fact and claim with its value in each language, its
source and quote, the briefs and sections that cite it, and any conflict it is part of.

Feeds ``dist/facts.html`` (the whole base) and the full report's appendix (the facts that
one brief cites)."""

from __future__ import annotations

from policybrief.core.i18n import Language, format_fact
from policybrief.core.languages import SOURCE
from policybrief.core.model import Claim, Fact, FactBase, Project, Source, Text
from policybrief.editions.revisions import fact_history
from policybrief.load.citations import Citation, usage
from policybrief.load.markup import note_text
from policybrief.load.sheets import cell_text
from policybrief.render.references import page_locator
from policybrief.render.templatedata import CitedIn, FactConflict, FactRow, FactSource
from policybrief.render.wording import sentence_case, status_words

SECTION_ANCHORS = {"summary": "", "recommendations": "recommendations"}


def anchor(section: str) -> str:
    return SECTION_ANCHORS.get(section, f"sec-{section}")


def reference_edition(project: Project, slug: str) -> str:
    """The edition a fact's "cited in" links point to: the first of the brief's audiences
    that prints every section in full with full endnotes (so every citation and its note
    is on the page), else the first that prints the full text, else the first. Chosen by
    the audiences' settings, never by their names."""

    def rank(name: str) -> tuple[bool, bool]:
        audience = project.audience(slug, name)
        return (
            audience.section_text == "full",
            audience.section_text == "full" and audience.endnotes == "full",
        )

    audiences = project.briefs[slug].audiences
    best = max(rank(name) for name in audiences)
    return next(name for name in audiences if rank(name) == best)


def _cited_by(citations: list[Citation], project: Project) -> list[CitedIn]:
    seen: dict[tuple[str, str, str], CitedIn] = {}
    for cite in citations:
        key = (cite.brief, cite.lang, cite.section)
        if key in seen:
            continue
        audience = reference_edition(project, cite.brief)
        fragment = anchor(cite.section)
        seen[key] = {
            "brief": cite.brief,
            "lang": cite.lang,
            "section": cite.section,
            "href": f"{cite.brief}/{audience}.{cite.lang}.html"
            + (f"#{fragment}" if fragment else ""),
            "where": str(cite.loc),
            "anchor": fragment,
        }
    return list(seen.values())


def rows(
    project: Project, only: list[str] | None = None, brief: str | None = None
) -> list[FactRow]:
    """One row per fact or claim (all of them, or ``only`` these ids in this order)."""
    facts = project.facts
    used = usage(project)
    history = fact_history(project)
    ids = only if only is not None else [*sorted(facts.facts), *sorted(facts.claims)]
    # a brief's appendix: the brief's languages; the fact base page: the project's, and
    # English, which that page is written in
    codes = project.briefs[brief].languages if brief else (*project.codes, SOURCE)
    langs = {code: project.language(code) for code in codes}
    result = []
    for item_id in ids:
        citations = [c for c in used.get(item_id, []) if brief is None or c.brief == brief]
        cited_by = _cited_by(citations, project)
        result.append(_row(facts, item_id, cited_by, history.get(item_id, []), langs))
    return result


def _row(
    facts: FactBase,
    item_id: str,
    cited_by: list[CitedIn],
    history: list[dict[str, str]],
    langs: dict[str, Language],
) -> FactRow:
    """A fact's or claim's row: what the fact base states, where it is cited, its history,
    in each of ``langs``."""
    item: Fact | Claim
    if item_id in facts.facts:
        fact = facts.facts[item_id]
        unit = facts.units[fact.unit]
        values = {code: format_fact(fact, unit, lang) for code, lang in langs.items()}
        labels = {code: sentence_case(fact.label.get(code)) for code in langs}
        item, kind, status = fact, "fact", fact.status
    else:
        item, kind, status = facts.claims[item_id], "claim", "reported"
        values = {code: "" for code in langs}
        labels = {code: sentence_case(item.label.get(code)) for code in langs}
    derived = getattr(item, "derived", None)
    conflicts: list[FactConflict] = [
        {
            "id": c.id,
            "note": {code: note_text(facts, c.note, lang) for code, lang in langs.items()},
            "others": [o for o in c.facts if o != item_id],
        }
        for c in facts.conflicts_of(item_id)
    ]
    return {
        "id": item_id,
        "kind": kind,
        "value": values,
        "labels": labels,
        "date": {code: lang.date(item.date) if item.date else "" for code, lang in langs.items()},
        "derived": list(derived.inputs) if derived else [],
        "qualifier": getattr(item, "qualifier", ""),
        "source": _source(facts, item, tuple(langs)),
        "quote": item.quote,
        "cell": cell_text(item.cell, "en", False) if isinstance(item, Fact) and item.cell else "",
        "locator": page_locator(facts.pages.get(item.id, ()), "en"),  # the page is in English
        "translation": item.translated("en"),
        "note": {
            code: note_text(facts, getattr(item, "note", None), lang)
            for code, lang in langs.items()
        },
        "reference": item.reference,
        "status": {code: status_words(status, code) for code in langs},
        "curator_note": _office(item.curator_note),
        "conflicts": conflicts,
        "cited_by": cited_by,
        "defined_at": str(item.loc),
        "history": history,
    }


def _source(facts: FactBase, item: Fact | Claim, codes: tuple[str, ...]) -> FactSource:
    source = facts.sources.get(item.source) or Source(
        "", "", Text(()), Text(()), Text(()), None, None, item.loc
    )
    return {
        "id": source.id,
        "file": source.file,
        "author": {code: source.author.get(code) for code in codes},
        "title": {code: source.title.get(code) for code in codes},
        "year": source.year or "",
        "url": source.url,
        "note": source.note.get(SOURCE) if source.note else "",
    }


def _office(text: Text | None) -> dict[str, str]:
    """The office's working note by language ("" key: written in one language only)."""
    return dict(text.values) if text else {}

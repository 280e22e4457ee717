"""What an output shows: for a brief, a language and an audience, the prose it prints
(whole sections or their leads, the recommendations or not), its key figures, the charts
it draws, the labels of the exhibits it numbers, the facts and claims it can show (cited
there, in the key figures and in the charts, with the other side of their conflicts and
what their notes cite), the images it embeds and the house style it is drawn in.

One definition, :func:`shows`, read by the renderer (what a page prints), by the build
cache (an output's key is made of what it shows, so editing anything else rebuilds
nothing), by the editions (which outputs a change reaches) and by the PDF and reference
exports (the facts and sources a brief's files carry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from policybrief.core.model import Audience, Brief, Chart, LangText, Project, Text, Theme
from policybrief.load import images
from policybrief.load.citations import (
    CALL_RE,
    REF_RE,
    chart_citations,
    citations,
    key_figures,
    referenced,
)

# A numbered exhibit's caption line in prose: "Table[id]: ..." or "Figure[id]: ..."
EXHIBIT_RE = re.compile(r"^(Table|Figure)\[([a-z0-9][a-z0-9-]*)\]:", re.M)

# What an output shows when no audience narrows it: every part of the text, in full.
EVERYTHING = Audience(name="", template="", label=Text(()))


@dataclass(frozen=True)
class Shown:
    """What one output of a brief in one language shows (see :func:`shows`)."""

    lang: str
    front: tuple[str, str, str]  # title, subtitle, summary, as written
    recommendations: tuple[str, ...] | None  # None: the output prints none
    lead_only: bool  # each section's first paragraph only
    sections: tuple[tuple[str, str], ...]  # (key, the prose printed: whole or its lead)
    key_figures: tuple[str, ...]  # fact ids, in order; () where none are printed
    charts: tuple[Chart, ...]  # the charts drawn, each at the end of its section
    exhibit_list: bool  # a list of the brief's tables and figures
    exhibits: tuple[tuple[str, str, int], ...]  # (id, table|figure, number) of each label
    items: tuple[str, ...]  # every fact and claim id it can show, sorted
    cited_in: tuple[tuple[str, tuple[str, ...]], ...]  # fact-check appendix: sections citing
    pictures: tuple[tuple[str, str], ...]  # (name, sha256) of each image it embeds
    theme: Theme  # the house style: colours, fonts, logo, organisation, running header

    @property
    def texts(self) -> tuple[str, ...]:
        """Every piece of prose printed, as written."""
        return (*self.front, *(self.recommendations or ()), *(s for _k, s in self.sections))


def exhibit_numbers(text: LangText, charts: tuple[Chart, ...]) -> dict[str, tuple[str, int]]:
    """The number of every numbered exhibit of a brief's text, in reading order: tables
    (``Table[id]: …``) and images (``Figure[id]: …``) as they come in the prose, each
    section's charts at its end; images and charts share the figure numbers. Alike in every
    audience, so "Figure 2" means one thing."""
    numbers: dict[str, tuple[str, int]] = {}  # id -> (kind, number)
    counts = {"table": 0, "figure": 0}
    for section in text.sections:
        found = [(m.group(1).lower(), m.group(2)) for m in EXHIBIT_RE.finditer(section.markdown)]
        found += [("figure", chart.id) for chart in charts if chart.section == section.key]
        for kind, exhibit_id in found:
            counts[kind] += 1
            numbers[exhibit_id] = (kind, counts[kind])
    return numbers


def shows(project: Project, brief: Brief, lang: str, audience: Audience | None = None) -> Shown:
    """What the output of ``brief`` in ``lang`` for ``audience`` shows; everything the
    language's text holds when ``audience`` is None."""
    audience = audience or EVERYTHING
    text = brief.texts[lang]
    resolve = brief.row.resolve if brief.row else (lambda item_id: item_id)
    lead_only = audience.section_text == "lead"
    sections = tuple((s.key, s.lead if lead_only else s.markdown) for s in text.sections)
    recommendations = (
        tuple(rec for rec, _loc in text.recommendations) if audience.recommendations else None
    )
    figures = tuple(key_figures(brief)) if audience.key_figures else ()
    charts = tuple(brief.charts) if audience.charts else ()
    shown = Shown(
        lang=lang,
        front=(text.title, text.subtitle, text.summary),
        recommendations=recommendations,
        lead_only=lead_only,
        sections=sections,
        key_figures=figures,
        charts=charts,
        exhibit_list=not lead_only,
        exhibits=(),
        items=(),
        cited_in=(),
        pictures=(),
        theme=project.templates(brief.slug).theme,
    )
    printed = shown.texts
    direct = {resolve(m.group(3)) for part in printed for m in CALL_RE.finditer(part)}
    direct |= set(figures)
    for chart in charts:
        direct |= {resolve(f) for f in (*chart.facts, chart.note) if f}
    facts = project.facts
    for conflict in facts.conflicts.values():  # a note prints the other side of a conflict
        if direct & set(conflict.facts):
            direct |= set(conflict.facts)
    items = tuple(sorted(referenced(facts, direct)))
    return replace(
        shown,
        exhibits=_labelled(text, brief.charts, shown),
        items=items,
        cited_in=_cited_in(brief, lang, items) if audience.fact_appendix else (),
        pictures=tuple(images.shown(brief, printed)),
    )


def _labelled(
    text: LangText, charts: tuple[Chart, ...], shown: Shown
) -> tuple[tuple[str, str, int], ...]:
    """The numbers of the exhibits whose label an output prints: all of them where it prints
    the whole text; else those of the charts it draws, of the captions in the prose it
    prints and of the exhibits that prose refers to."""
    numbers = exhibit_numbers(text, charts)
    if shown.lead_only:
        printed = shown.texts
        wanted = {chart.id for chart in shown.charts}
        wanted |= {m.group(2) for part in printed for m in EXHIBIT_RE.finditer(part)}
        wanted |= {m.group(2) for part in printed for m in REF_RE.finditer(part)}
        numbers = {k: v for k, v in numbers.items() if k in wanted}
    return tuple((exhibit_id, kind, n) for exhibit_id, (kind, n) in numbers.items())


def _cited_in(
    brief: Brief, lang: str, items: tuple[str, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """For a fact-check appendix: the sections of the language's whole text that cite each
    item, in reading order (the appendix names them, whatever the audience prints)."""
    where: dict[str, dict[str, None]] = {}
    for cite in [*citations(brief), *chart_citations(brief)]:
        if cite.lang == lang:
            where.setdefault(cite.item_id, {})[cite.section] = None
    return tuple((item, tuple(where[item])) for item in items if item in where)

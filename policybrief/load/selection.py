"""What an output shows: for a brief, a language and an audience, the prose it prints
(whole sections or their leads, the recommendations or not) and the facts and claims it
can show (cited there, in the key figures, in the charts it draws, with the other side of
their conflicts and what their notes cite).

One definition, read by the renderer (what a page prints), by the build cache (an
output's key is made of what it shows, so editing anything else rebuilds nothing), by
the editions (which outputs a change reaches) and by the PDF and reference exports (the
facts and sources a brief's files carry).
"""

from __future__ import annotations

from policybrief.core.model import Audience, Brief, Project
from policybrief.load.citations import CALL_RE, citations, key_figures, referenced


def shown_texts(brief: Brief, lang: str, audience: Audience | None = None) -> list[str]:
    """The prose of one language an output can show: everything, or what ``audience``
    prints (title, subtitle, summary, its recommendations, whole sections or their leads)."""
    text = brief.texts[lang]
    if audience is None:
        return [
            text.title,
            text.subtitle,
            text.summary,
            *(rec for rec, _loc in text.recommendations),
            *(section.markdown for section in text.sections),
        ]
    parts = [text.title, text.subtitle, text.summary]
    if audience.recommendations:
        parts += [rec for rec, _loc in text.recommendations]
    parts += [
        section.lead if audience.section_text == "lead" else section.markdown
        for section in text.sections
    ]
    return parts


def shown_items(
    project: Project, brief: Brief, lang: str, audience: Audience | None = None
) -> list[str]:
    """Ids of every fact or claim an output of this brief in this language can show: all
    that the language's text cites (and the key figures), or only what ``audience`` shows
    (the citations in the prose it prints, its key figures and charts if it has them)."""
    facts = project.facts
    resolve = brief.row.resolve if brief.row else (lambda item_id: item_id)
    if audience is None:
        items = {c.item_id for c in citations(brief) if c.lang == lang} | set(key_figures(brief))
        for chart in brief.charts or ():
            items |= {resolve(f) for f in chart.facts}
            items |= {resolve(chart.note)} if chart.note else set()
    else:
        items = {
            resolve(match.group(3))
            for part in shown_texts(brief, lang, audience)
            for match in CALL_RE.finditer(part)
        }
        if audience.key_figures:
            items |= set(key_figures(brief))
        if audience.charts:
            for chart in brief.charts or ():
                items |= {resolve(f) for f in chart.facts}
                items |= {resolve(chart.note)} if chart.note else set()
    for conflict in facts.conflicts.values():
        if items & set(conflict.facts):
            items |= set(conflict.facts)
    return sorted(referenced(facts, items))

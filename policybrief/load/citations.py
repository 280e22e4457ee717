"""What prose cites: the fact and claim calls of a brief's texts, where each one stands, and
the facts an endnote can print besides the one it is about.

Shared by the check stage (unknown ids, unused facts), the cache (what an output shows),
the fact base's "cited in" links, the parity check and ``changes``; it depends only on the
model, so none of them needs the check stage to ask what a text cites."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from policybrief.core.model import Brief, FactBase, Loc, Project

REF_RE = re.compile(r"\{\{-?\s*ref\(\s*([\"'])([^\"'\n]{1,200})\1")
CALL_RE = re.compile(r"\{\{-?\s*(fact|when|claim)\(\s*([\"'])([^\"'\n]{1,200})\2")


@dataclass(frozen=True)
class Citation:
    item_id: str
    function: str
    loc: Loc
    brief: str
    lang: str
    section: str


def prose_blocks(brief: Brief) -> Iterator[tuple[str, str, Loc, str]]:
    """(lang, text, loc, section) for every piece of prose in a brief, in every language."""
    for lang, text in brief.texts.items():
        yield lang, text.summary, text.summary_loc, "summary"
        for rec, loc in text.recommendations:
            yield lang, rec, loc, "recommendations"
        for section in text.sections:
            yield lang, section.markdown, section.loc, section.key


def line_at(text: str, index: int, loc: Loc) -> int:
    return loc.line + text.count("\n", 0, index)


def citations(brief: Brief) -> list[Citation]:
    """Every fact and claim the brief's prose cites; ``row.x`` resolved for batch rows."""
    resolve = brief.row.resolve if brief.row else (lambda item_id: item_id)
    found = []
    for lang, text, loc, section in prose_blocks(brief):
        for match in CALL_RE.finditer(text):
            found.append(
                Citation(
                    resolve(match.group(3)),
                    match.group(1),
                    Loc(loc.path, line_at(text, match.start(), loc)),
                    brief.slug,
                    lang,
                    section,
                )
            )
    return found


def key_figures(brief: Brief) -> list[str]:
    return [brief.row.resolve(f) if brief.row else f for f in brief.key_figures]


def blank_expressions(text: str) -> str:
    """Template expressions replaced by spaces (newlines kept, so lines stay right).
    A linear scan: a regex would take quadratic time on many unclosed ``{{``."""
    out, start = [], 0
    closers = {"{{": "}}", "{%": "%}", "{#": "#}"}
    while True:
        found = [(text.find(o, start), o) for o in closers]
        found = [(i, o) for i, o in found if i != -1]
        if not found:
            out.append(text[start:])
            return "".join(out)
        index, opener = min(found)
        end = text.find(closers[opener], index + 2)
        if end == -1:
            out.append(text[start:])
            return "".join(out)
        end += 2
        out.append(text[start:index])
        out.append(re.sub(r"[^\n]", " ", text[index:end]))
        start = end


def referenced(facts: FactBase, ids: set[str]) -> set[str]:
    """``ids`` with every fact their endnotes can print besides themselves: the inputs of
    derived facts and the facts named in notes (of the facts and of their conflicts)."""
    found, todo = set(ids), list(ids)
    while todo:
        item = facts.facts.get(todo.pop())
        if item is None:
            continue
        texts = [item.note] + [c.note for c in facts.conflicts_of(item.id)]
        more = set(item.derived.inputs if item.derived else ())
        more |= {
            m.group(3)
            for text in texts
            if text
            for _lang, value in text.values
            for m in CALL_RE.finditer(value)
        }
        for other in more - found:
            found.add(other)
            todo.append(other)
    return found


def usage(project: Project) -> dict[str, list[Citation]]:
    """Every citation of each fact or claim, across all briefs: in the prose, and in the
    charts (a chart cites each figure it draws, in its section, in every language)."""
    used: dict[str, list[Citation]] = defaultdict(list)
    for brief in project.briefs.values():
        for cite in [*citations(brief), *chart_citations(brief)]:
            used[cite.item_id].append(cite)
    return used


def chart_citations(brief: Brief) -> list[Citation]:
    """The figures the brief's charts draw (and their notes), as citations at the chart's
    line in brief.yaml."""
    return [
        Citation(fact_id, "chart", chart.loc, brief.slug, lang, chart.section)
        for chart in brief.charts
        for fact_id in dict.fromkeys(f for f in (*chart.facts, chart.note) if f)
        for lang in brief.languages
    ]

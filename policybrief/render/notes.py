"""Render stage, notes: what a page prints about each fact or claim it cites (value,
source, quote, note, conflict), each source for the templates and in the reference style,
and the numbering that turns citation placeholders into numbered links or footnotes.
"""

from __future__ import annotations

import re

from policybrief.core.i18n import Language, format_fact
from policybrief.core.model import Claim, Fact, FactBase, Text
from policybrief.load.markup import note_text
from policybrief.render.dating import dating, period
from policybrief.render.prose import CITE_RE
from policybrief.render.references import Reference, page_locator
from policybrief.render.templatedata import (
    ConflictEntry,
    ConflictingFigure,
    DerivedEntry,
    DerivedInput,
    Note,
    ReferenceEntry,
    SourceEntry,
)
from policybrief.render.wording import (
    bracketed,
    chinese,
    inner_quotes,
    names_unit,
    short_citation,
    split_label,
)


def endnotes(facts: FactBase, order: list[str], lang: Language) -> list[Note]:
    """The notes of the items a page cites, in ``order`` (their first citations); a
    source's own note is printed once, at its first endnote (``source_first``)."""
    notes = [note(facts, item, n, lang) for n, item in enumerate(order, 1)]
    seen: set[str] = set()
    for made in notes:
        made["source_first"] = made["source"]["id"] not in seen
        seen.add(made["source"]["id"])
    return notes


def references(
    facts: FactBase,
    notes: list[Note],
    lang: str,
    style: str,
    known: dict[tuple[tuple[str, ...], str, str], dict[str, Reference]],
) -> list[ReferenceEntry]:
    """Format the sources of ``notes`` in reference style ``style`` (through CSL, see
    :mod:`references`); put each one's entry into the notes' source dicts and return the
    reference list, in the style's order. ``known``: formatted lists already made."""
    from policybrief.render import references as csl

    ids = [sid for sid in note_sources(notes) if sid]
    key = (tuple(ids), lang, style)
    if key not in known:
        known[key] = csl.format_references(facts, ids, lang, style)
    formatted = known[key]
    for source in note_source_dicts(notes):
        made = formatted.get(source["id"])
        source["reference"] = made.html if made else ""
    return [
        {"id": r.source, "label": r.label, "html": r.html, "text": r.text}
        for r in formatted.values()
    ]


def note_source_dicts(notes: list[Note]) -> list[SourceEntry]:
    """Every source dict in the notes, in reading order: each note's own, then those of a
    derived figure's inputs and of the other side of a conflict."""
    found = []
    for made in notes:
        second = made.get("date_source")
        found += [made["source"]] + ([second] if second else [])
        found += [i["source"] for i in (made["derived"] or {"inputs": []})["inputs"]]
        found += [o["source"] for c in made["conflicts"] for o in c["others"]]
    return found


def note_sources(notes: list[Note]) -> list[str]:
    return list(dict.fromkeys(source["id"] for source in note_source_dicts(notes)))


FOOTNOTE_END = "<!--/fn-->"


def number_citations(
    html: str, numbers: dict[str, int], footnotes: dict[str, str] | None = None
) -> str:
    """Turn citation placeholders into numbered links to the endnotes or, when
    ``footnotes`` gives each note's HTML, into footnotes at the first citation (later
    citations of the same note repeat its number)."""
    seen: dict[str, int] = {}

    def mark(match: re.Match[str]) -> str:
        item = match.group(1)
        number = numbers[item]
        seen[item] = seen.get(item, 0) + 1
        anchor = f"cite-{number}" + (f"-{seen[item]}" if seen[item] > 1 else "")
        if footnotes is not None:
            if seen[item] == 1:
                return (
                    f'<span class="footnote" id="note-{number}" data-n="{number}" '
                    f'role="doc-footnote">{footnotes[item]}{FOOTNOTE_END}</span>'
                )
            return f'<sup class="cite cite-again" id="{anchor}">{number}</sup>'
        return (
            f'<sup class="cite"><a href="#note-{number}" id="{anchor}" '
            f'role="doc-noteref">{number}</a></sup>'
        )

    return CITE_RE.sub(mark, html)


_XREF_RE = re.compile(r'<a class="xref" href="#([^"<>]+)">([^<]*)</a>')
_ID_RE = re.compile(r'\sid="([^"]+)"')


def unlink_absent_exhibits(html: str) -> str:
    """A cross-reference (``ref()``) to an exhibit this edition does not print, as in a
    lead-only edition whose figure sits in a later paragraph, keeps its label (图2 /
    Figure 2, the brief's numbering) as text instead of a link that goes nowhere."""
    ids = set(_ID_RE.findall(html))
    return _XREF_RE.sub(
        lambda m: m.group(0) if m.group(1) in ids else f'<span class="xref">{m.group(2)}</span>',
        html,
    )


def text_of(text: Text | None, lang: Language) -> str:
    return text.get(lang.code) if text else ""


def source_dict(facts: FactBase, source_id: str, lang: Language) -> SourceEntry:
    """A source for the templates; a derived fact's (empty id) has no source of its own."""
    source = facts.sources.get(source_id)
    if source is None:
        return {
            "id": "",
            "title": "",
            "author": "",
            "publication": "",
            "year": "",
            "file": "",
            "url": "",
            "accessed": "",
            "publisher": "",
            "kind": "",
            "language": "",
            "note": "",
            "container": "",
            "reference": "",
            "short": "",
        }
    return {
        "id": source.id,
        "title": text_of(source.title, lang),
        "author": text_of(source.author, lang),
        "publication": text_of(source.publication, lang),
        "year": source.year or "",
        "file": source.file,
        "url": source.url,
        "accessed": lang.date(source.accessed) if source.accessed else "",
        "publisher": text_of(source.publisher, lang),
        "kind": source.kind,
        "language": source.language,
        "note": text_of(source.note, lang),
        "container": source.container,
        "reference": "",  # the entry in the page's reference style, set by Renderer.references
        "short": short_citation(source, lang.code),
    }


def derived_dict(facts: FactBase, fact: Fact, lang: Language) -> DerivedEntry | None:
    """What a derived fact is calculated from: each input's value, label and source."""
    if fact.derived is None:
        return None
    inputs: list[DerivedInput] = []
    for input_id in fact.derived.inputs:
        used = facts.facts[input_id]
        inputs.append(
            {
                "id": input_id,
                "value": format_fact(used, facts.units[used.unit], lang),
                "label": text_of(used.label, lang),
                "source": source_dict(facts, used.source, lang),
            }
        )
    return {"op": fact.derived.op, "inputs": inputs}


def note(facts: FactBase, item_id: str, number: int, lang: Language) -> Note:
    """An endnote for one cited fact or claim: value, source, quote and any conflict."""
    if item_id in facts.facts:
        fact = facts.facts[item_id]
        value, label = figure_and_label(facts, fact, lang)
        conflicts: list[ConflictEntry] = []
        for conflict in facts.conflicts_of(item_id):
            others: list[ConflictingFigure] = [
                {
                    "id": other,
                    "value": format_fact(
                        facts.facts[other], facts.units[facts.facts[other].unit], lang
                    ),
                    "source": source_dict(facts, facts.facts[other].source, lang),
                    "quote": inner_quotes(facts.facts[other].quote, lang.code),
                    "translation": translation(facts, facts.facts[other], lang),
                }
                for other in conflict.facts
                if other != item_id and other in facts.facts
            ]
            conflicts.append(
                {"id": conflict.id, "note": note_text(facts, conflict.note, lang), "others": others}
            )
        return {
            "number": number,
            "id": item_id,
            "kind": "fact",
            "value": value,
            "label": label,
            "quote": inner_quotes(fact.quote, lang.code),
            "translation": translation(facts, fact, lang),
            "cell": cell_place(fact, lang),
            "note": note_text(facts, fact.note, lang),
            "date": "",  # in the label's brackets
            "undated": fact.date is None,
            "derived": derived_dict(facts, fact, lang),
            "source": source_dict(facts, fact.source, lang),
            "locator": page_locator(facts.pages.get(item_id, ()), lang.code),
            "conflicts": conflicts,
            **dating(facts, fact, lang, source_dict),
        }
    claim = facts.claims[item_id]
    return {
        "number": number,
        "id": item_id,
        "kind": "claim",
        "value": "",
        "label": text_of(claim.label, lang),
        "quote": inner_quotes(claim.quote, lang.code),
        "translation": translation(facts, claim, lang),
        "cell": "",
        "note": "",
        "date": lang.date(claim.date) if claim.date else "",
        "undated": False,
        "derived": None,
        "source": source_dict(facts, claim.source, lang),
        "locator": page_locator(facts.pages.get(item_id, ()), lang.code),
        "conflicts": [],
        **dating(facts, None, lang, source_dict),
    }


def figure_and_label(facts: FactBase, fact: Fact, lang: Language) -> tuple[str, str]:
    """A figure and its label as a note prints them together: the unit word once (the
    label's, when it names what is counted) and one parenthetical for the label's own
    aside and the date (when the figure is not itself the date)."""
    unit = facts.units[fact.unit]
    base, aside = split_label(text_of(fact.label, lang))
    value = format_fact(fact, unit, lang, with_unit=not names_unit(base, unit, lang.code))
    date = period(fact, lang)
    brackets = bracketed([aside, date], lang.code)
    if not brackets:
        return value, base
    return value, base + brackets if chinese(lang.code) else f"{base} {brackets}"


def translation(facts: FactBase, item: Fact | Claim, lang: Language) -> str:
    """The office's translation of the item's quote for a page in ``lang``, where its source
    is in another language ("" where none is needed, or none is written: check says so)."""
    source = facts.sources.get(item.source)
    if source is None or not source.needs_translation(lang.code):
        return ""
    return inner_quotes(item.translated(lang.code), lang.code)


def cell_place(fact: Fact, lang: Language) -> str:
    """Where a reader finds a figure from a dataset: "Table 3, sheet ‘GDP’, row ‘浙江’,
    column ‘2023’." (表3，工作表“GDP”，“浙江”行“2023”列。); "" for a quoted figure."""
    from policybrief.load.sheets import cell_text

    if fact.cell is None:
        return ""
    zh = chinese(lang.code)
    text = cell_text(fact.cell, lang.code, zh)
    return text + "。" if zh else text[:1].upper() + text[1:] + "."

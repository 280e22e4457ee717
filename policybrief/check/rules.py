"""Check stage: every cross-reference and rule that needs the whole project.

``check(project)`` returns every problem it finds (errors and warnings) without rendering
anything, so ``python build.py check`` is fast and the full build can run it first.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from policybrief.check.cells import check_cells
from policybrief.check.figures.numbers import prose_number_words
from policybrief.check.prove import prove
from policybrief.check.sources import SourceTexts
from policybrief.core import xmlsafe
from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.model import Brief, Claim, Fact, FactBase, Loc, Project, Text
from policybrief.load.catalogs import missing_translations
from policybrief.load.citations import (
    CALL_RE,
    REF_RE,
    Citation,
    blank_expressions,
    citations,
    key_figures,
    line_at,
    prose_blocks,
    usage,
)
from policybrief.load.images import FIGURE_ID_RE, IMAGE_NAME_RE
from policybrief.load.markup import NOTE_FUNCTIONS, exhibit_ids, validate

_TABLE_ID_RE = re.compile(r"^Table\[[a-z0-9-]+\]", re.M)
# Every script's decimal digits (ASCII, full-width, Arabic-Indic…) and the digits that are
# not decimal but still write a figure: superscripts and subscripts (¹², ₂), circled and
# parenthesized numbers (①, ⑴, ⒈, ❶, ㉑).
DIGIT_RE = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u249b"
    "\u24ea-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]+"
)
_QUOTED_RE = re.compile(r"“([^”]*)”|「([^」]*)」|\"([^\"]*)\"")
# Bounds that keep rendering time and memory small whatever the prose holds: Markdown's
# list parser is exponential in nesting depth, and layout time grows with length.
MAX_INDENT = 48  # columns of leading whitespace (twelve levels of four spaces)
MAX_QUOTE_DEPTH = 12
MAX_PROSE_CHARS = 200_000  # per language file
_SPACE_RE = re.compile(r"\s+")


def check_digits(brief: Brief) -> list[Problem]:
    problems = []
    for _lang, text, loc, _section in prose_blocks(brief):
        bare = blank_expressions(text)
        # A table's or figure's id (Table[id]:) and an image's file name are names, not
        # figures.
        bare = _TABLE_ID_RE.sub(lambda m: " " * len(m.group(0)), bare)
        bare = FIGURE_ID_RE.sub(lambda m: " " * len(m.group(0)), bare)
        bare = IMAGE_NAME_RE.sub(lambda m: _blank_group(m, 1), bare)
        for token in brief.allow_digits:
            bare = bare.replace(token, " " * len(token))
        for match in DIGIT_RE.finditer(bare):
            problems.append(
                Problem(
                    loc.path,
                    line_at(bare, match.start(), loc),
                    f"figure {match.group(0)!r} typed into prose",
                    'cite it from the fact base with {{ fact("id") }}, or list a name '
                    "that contains digits under allow_digits in brief.yaml",
                )
            )
        problems += _number_words(bare, loc)
    return problems


def _number_words(bare: str, loc: Loc) -> list[Problem]:
    """Figures typed in words (two years, a million, 三千家, 百分之六十), past the idioms
    (一带一路, 两会…) and whatever the brief lists under allow_digits."""
    return [
        Problem(
            loc.path,
            line_at(bare, start, loc),
            f"number word {words!r} typed into prose",
            'cite the figure from the fact base with {{ fact("id") }}, or list the words '
            "(a name or an idiom) under allow_digits in brief.yaml",
        )
        for start, words in prose_number_words(bare)
    ]


def check_prose(brief: Brief) -> list[Problem]:
    """Prose may hold text and calls of fact, when, claim (and row) with literal ids:
    nothing else, so no expression can make a figure or run long."""
    problems = []
    for _lang, text, loc, _section in prose_blocks(brief):
        for line, why in validate(text):
            problems.append(
                Problem(
                    loc.path,
                    loc.line + line - 1,
                    f"not allowed in prose: {why}",
                    "prose may only call fact, when and claim, with the id in quotes",
                )
            )
        for offset, written in xmlsafe.invalid_references(text):
            problems.append(
                Problem(
                    loc.path,
                    line_at(text, offset, loc),
                    f"{written} writes a control character, which no Word file can hold",
                    "delete it",
                )
            )
    return problems


def _blank_group(match: re.Match[str], group: int) -> str:
    """The match with one group's text turned into spaces."""
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    whole = match.group(0)
    return whole[:start] + " " * (end - start) + whole[end:]


def check_refs(brief: Brief) -> list[Problem]:
    """Every ref("id") names a numbered table, figure or chart of the brief."""
    problems = []
    charts = brief.charts
    for lang, text, loc, _section in prose_blocks(brief):
        known = exhibit_ids(brief.texts[lang], charts)
        for match in REF_RE.finditer(text):
            if match.group(2) not in known:
                problems.append(
                    Problem(
                        loc.path,
                        line_at(text, match.start(), loc),
                        f"ref({match.group(2)!r}): no numbered table, figure or chart has that id",
                        did_you_mean(
                            match.group(2),
                            known,
                            "a table needs a caption line 'Table[id]: …' right before it, "
                            "an image 'Figure[id]: …'; a chart an id in brief.yaml",
                        ),
                    )
                )
    return problems


def check_limits(brief: Brief) -> list[Problem]:
    problems = []
    for text in brief.texts.values():
        size = (
            len(text.summary)
            + sum(len(s.markdown) for s in text.sections)
            + sum(len(r) for r, _ in text.recommendations)
        )
        if size > MAX_PROSE_CHARS:
            problems.append(
                Problem(
                    text.path,
                    1,
                    f"text is {size:,} characters long; the limit is {MAX_PROSE_CHARS:,}",
                    "split it into several briefs",
                )
            )
    for _lang, prose, loc, _section in prose_blocks(brief):
        for offset, line in enumerate(prose.split("\n")):
            indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
            quoted = re.match(r"[>\s]*", line)
            depth = len(quoted.group(0).replace(" ", "").replace("\t", "")) if quoted else 0
            if indent > MAX_INDENT or depth > MAX_QUOTE_DEPTH:
                problems.append(
                    Problem(
                        loc.path,
                        loc.line + offset,
                        "nested too deeply",
                        f"at most {MAX_INDENT // 4} list levels and {MAX_QUOTE_DEPTH} quote levels",
                    )
                )
                break
    return problems


def check_facts(
    facts: FactBase, source_texts: tuple[Path, ...], cache_root: Path | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    texts = SourceTexts(facts, source_texts, problems, cache_root) if source_texts else None
    items: list[Fact | Claim] = [*facts.facts.values(), *facts.claims.values()]
    for item in items:
        problems += _check_item(item, facts, texts)
    for source in facts.sources.values():
        if source.sha256 and texts is not None:
            texts.get(source.id)  # a recorded file is compared even before a fact quotes it
    for fact in facts.facts.values():
        if fact.unit not in facts.units:
            problems.append(
                Problem(
                    fact.loc.path,
                    fact.loc.line,
                    f"fact {fact.id!r}: unknown unit {fact.unit!r}",
                    did_you_mean(
                        fact.unit, facts.units, "use a unit from facts/units.yaml or add one there"
                    ),
                )
            )
    for conflict in facts.conflicts.values():
        for fid in conflict.facts:
            if fid not in facts.facts:
                problems.append(
                    Problem(
                        conflict.loc.path,
                        conflict.loc.line,
                        f"conflict {conflict.id!r}: unknown fact {fid!r}",
                        did_you_mean(fid, facts.facts),
                    )
                )
    problems += prove(facts)
    problems += check_notes(facts)
    return problems


def _check_item(item: Fact | Claim, facts: FactBase, texts: SourceTexts | None) -> list[Problem]:
    """A fact's or claim's source (known) and quote (found in the source's text, when the
    source folder is given)."""
    problems = []
    kind = "fact" if item.id in facts.facts else "claim"
    if getattr(item, "derived", None) is not None:
        pass  # computed from other facts: no source or quote of its own
    elif item.source not in facts.sources:
        if facts.complete:  # (else sources.yaml or a facts file did not parse)
            problems.append(
                Problem(
                    item.loc.path,
                    item.loc.line,
                    f"{kind} {item.id!r}: unknown source {item.source!r}",
                    did_you_mean(item.source, facts.sources, "add it to facts/sources.yaml"),
                )
            )
    elif texts is not None and facts.sources[item.source].kind != "dataset":  # cells.py
        missing = texts.missing(item.source, item.quote, f"{kind} {item.id!r}: quote")
        if missing is not None:
            problems.append(replace(missing, path=item.loc.path, line=item.loc.line))
    if isinstance(item, Fact) and item.date_source:
        problems += _check_date_source(item, facts, texts)
    # a label in each of the project's languages: load/languages.py, at the label's line
    return problems


def _check_date_source(fact: Fact, facts: FactBase, texts: SourceTexts | None) -> list[Problem]:
    """A fact's second source for its date: known, and its date_quote found in its text."""
    where = (fact.loc.path, fact.loc.line)
    if fact.date_source not in facts.sources:
        if not facts.complete:  # sources.yaml or a facts file did not parse: blame no fact
            return []
        message = f"fact {fact.id!r}: unknown date_source {fact.date_source!r}"
        return [Problem(*where, message, did_you_mean(fact.date_source, facts.sources))]
    what = f"fact {fact.id!r}: date_quote"
    missing = texts.missing(fact.date_source, fact.date_quote, what) if texts else None
    return [replace(missing, path=where[0], line=where[1])] if missing else []


def _typed_digits(text: str, quotes: list[str], calls: bool = True) -> list[str]:
    """Digits typed into a note or label: outside fact()/when() calls (notes only), and
    outside quoted words (“…”) that are copied from the quotes of the facts it speaks of."""
    bare = blank_expressions(text) if calls else text
    squashed = [_SPACE_RE.sub("", q) for q in quotes]

    def keep_copied(match: re.Match[str]) -> str:
        inner = next(g for g in match.groups() if g is not None)
        if any(_SPACE_RE.sub("", inner) in q for q in squashed):
            return " " * len(match.group(0))
        return match.group(0)

    bare = _QUOTED_RE.sub(keep_copied, bare)
    return DIGIT_RE.findall(bare)


def _check_text(
    facts: FactBase, text: Text | None, quotes: list[str], loc: Loc, what: str, field: str
) -> list[Problem]:
    if text is None:
        return []
    problems = []
    calls = field == "note"  # labels are plain text: printed as written, never expanded
    for lang, value in text.values:
        for _line, why in validate(value, NOTE_FUNCTIONS) if calls else ():
            problems.append(
                Problem(
                    loc.path,
                    loc.line,
                    f"{what}: {field}.{lang}: {why}",
                    'a note may call fact("id") and when("id")',
                )
            )
        for match in CALL_RE.finditer(value) if calls else ():
            if match.group(3) not in facts.facts:
                problems.append(
                    Problem(
                        loc.path,
                        loc.line,
                        f"{what}: {field}.{lang} cites unknown fact {match.group(3)!r}",
                        did_you_mean(match.group(3), facts.facts, "check the id in facts/*.yaml"),
                    )
                )
        digits = _typed_digits(value, quotes, calls)
        if digits:
            problems.append(
                Problem(
                    loc.path,
                    loc.line,
                    f"{what}: figure {digits[0]!r} typed into {field}.{lang}",
                    'cite it with {{ fact("id") }} or {{ when("id") }}, derive it (derived:), '
                    "or quote the source's words “…” exactly",
                )
            )
    return problems


def check_notes(facts: FactBase) -> list[Problem]:
    """Notes and labels may not type figures: every figure a reader sees has a source."""
    problems: list[Problem] = []
    for fact in facts.facts.values():
        quotes = [fact.quote] + [
            facts.facts[i].quote
            for i in (fact.derived.inputs if fact.derived else ())
            if i in facts.facts
        ]
        what = f"fact {fact.id!r}"
        problems += _check_text(facts, fact.note, quotes, fact.loc, what, "note")
        problems += _check_text(facts, fact.label, quotes, fact.loc, what, "label")
    for claim in facts.claims.values():
        problems += _check_text(
            facts, claim.label, [claim.quote], claim.loc, f"claim {claim.id!r}", "label"
        )
    for conflict in facts.conflicts.values():
        quotes = [facts.facts[i].quote for i in conflict.facts if i in facts.facts]
        problems += _check_text(
            facts, conflict.note, quotes, conflict.loc, f"conflict {conflict.id!r}", "note"
        )
    return problems


def check_briefs(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    known = set(project.facts.facts) | set(project.facts.claims)
    # A facts file that did not parse would make every id in it look unknown: say nothing
    # about ids until it is fixed, rather than bury its one error under dozens.
    check_ids = project.facts.complete
    for brief in project.briefs.values():
        problems += _audience_problems(brief, project)
        if check_ids:
            problems += _key_figure_problems(brief, project.facts)
            for cite in citations(brief):
                problem = _citation_problem(cite, project.facts, known)
                if problem is not None:
                    problems.append(problem)
        problems += check_prose(brief)
        problems += check_refs(brief)
        problems += check_digits(brief)
        problems += check_limits(brief)
    return problems


def _audience_problems(brief: Brief, project: Project) -> list[Problem]:
    known = project.templates(brief.slug).audiences  # the brief's own folder's, too
    return [
        Problem(
            brief.loc.path,
            brief.line_of(f"audiences/{audience}"),
            f"unknown audience {audience!r}",
            did_you_mean(audience, known, "known: " + ", ".join(sorted(known))),
        )
        for audience in brief.audiences
        if audience not in known
    ]


def _key_figure_problems(brief: Brief, facts: FactBase) -> list[Problem]:
    return [
        Problem(
            brief.loc.path,
            brief.line_of(f"key_figures/{raw}"),
            f"key figure {fid!r} is not a known fact",
            did_you_mean(fid, facts.facts, "check the id in facts/*.yaml"),
        )
        for raw, fid in zip(brief.key_figures, key_figures(brief), strict=True)
        if fid not in facts.facts
    ]


def _citation_problem(cite: Citation, facts: FactBase, known: set[str]) -> Problem | None:
    """What is wrong with one citation: an unknown id, the wrong function for its kind
    (fact or claim), or when() of a fact without a date."""
    item = cite.item_id
    if item not in known:
        message = f"unknown fact {item!r}"
        hint = did_you_mean(item, known, "check the id in facts/*.yaml")
    elif cite.function == "claim" and item not in facts.claims:
        message, hint = f"{item!r} is a fact, not a claim", "use fact(...)"
    elif cite.function != "claim" and item not in facts.facts:
        message, hint = f"{item!r} is a claim, not a fact", "use claim(...)"
    elif cite.function == "when" and facts.facts[item].date is None:
        message = f"when({item!r}): the fact has no date (its source gives none)"
        hint = "cite the figure with fact(...) and leave the date out"
    else:
        return None
    return Problem(cite.loc.path, cite.loc.line, message, hint)


def check_unused(project: Project) -> list[Problem]:
    """Facts and claims no brief cites or charts (nor shows as the other side of a cited
    conflict)."""
    if not project.briefs:
        return []
    cited = set(usage(project))  # prose and charts
    shown = set(cited)
    for conflict in project.facts.conflicts.values():
        if cited & set(conflict.facts):
            shown |= set(conflict.facts)
    problems = []
    items: list[Fact | Claim] = [*project.facts.facts.values(), *project.facts.claims.values()]
    for item in items:
        if item.id not in shown and not item.reference:
            problems.append(
                Problem(
                    item.loc.path,
                    item.loc.line,
                    f"{item.id!r} is not cited by any brief",
                    "cite it, or mark it `reference: true` to keep it for the record",
                    "warning",
                )
            )
    return problems


def check_quote_translations(project: Project) -> list[Problem]:
    """Every quote an edition prints from a source in another language has the office's
    translation into the edition's language (``translation:``): a figure cited in that
    language, and the other side of a conflict it is part of, which its note prints."""
    facts = project.facts
    needed: dict[str, set[str]] = {}  # item id -> languages that print its quote
    for item_id, cites in usage(project).items():
        langs = {cite.lang for cite in cites}
        for member in [item_id, *(f for c in facts.conflicts_of(item_id) for f in c.facts)]:
            needed.setdefault(member, set()).update(langs)
    problems = []
    for item_id, langs in sorted(needed.items()):
        item: Fact | Claim | None = facts.facts.get(item_id) or facts.claims.get(item_id)
        source = facts.sources.get(item.source) if item else None
        if item is None or source is None or not item.quote:
            continue
        for lang in sorted(langs):
            if source.needs_translation(lang) and not item.translated(lang):
                problems.append(
                    Problem(
                        item.loc.path,
                        item.loc.line,
                        f"{item_id!r}: its quote has no {lang} translation, which the "
                        f"{lang} editions print",
                        f"add translation: {{{lang}: ...}}, the office's translation, printed "
                        "with the original beneath",
                    )
                )
    return problems


def check(project: Project) -> list[Problem]:
    problems = check_facts(project.facts, project.source_texts, project.root)
    problems += check_briefs(project)
    problems += check_quote_translations(project)
    problems += check_cells(project)  # facts from dataset cells
    # A brief with errors may not cite what it means to: its "not cited" warnings would
    # only bury the error that causes them.
    if not any(p.severity == "error" and p.path.startswith("briefs/") for p in problems):
        problems += check_unused(project)
    from policybrief.check.parity import (
        check_translations,  # parity builds on this module's citation scan
    )

    problems += check_translations(project.root, project.briefs)
    problems += missing_translations(project.template_dirs, project.root, project.codes)
    for own in project.own.values():
        problems += missing_translations(own.dirs, project.root, project.codes)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))


def inventory(facts: FactBase) -> dict[str, dict[str, dict[str, int]]]:
    """Counts of facts, claims and conflicts per source document and per topic (id prefix)."""
    table: dict[str, dict[str, dict[str, int]]] = {"source": {}, "topic": {}}

    def bump(kind: str, key: str, column: str) -> None:
        row = table[kind].setdefault(key, {"facts": 0, "claims": 0, "conflicts": 0})
        row[column] += 1

    for column, items in (("facts", facts.facts.values()), ("claims", facts.claims.values())):
        for item in items:
            bump("source", item.source or "(derived)", column)
            bump("topic", item.id.split(".")[0], column)
    for conflict in facts.conflicts.values():
        members = [facts.facts[f] for f in conflict.facts if f in facts.facts]
        for source in sorted({m.source for m in members}):
            bump("source", source, "conflicts")
        for topic in sorted({m.id.split(".")[0] for m in members}):
            bump("topic", topic, "conflicts")
    return table

"""Render stage, part two: a brief's prose into an audience's page (HTML string).

The page template is rendered twice: the first pass finds the order in which facts are
cited (the template decides the reading order), the second renders the endnotes in that
order; then each citation placeholder becomes a numbered link. Nothing here touches the
filesystem except the template loader.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import __version__, charts, factcheck
from .catalogs import Translations
from .check import key_figures
from .editions import revision_context
from .errors import RenderError
from .i18n import LANGUAGES, Language, format_fact
from .model import Audience, Brief, Fact, FactBase, PartialDate, Project, Text
from .prose import CITE_RE, RenderedText, exhibits, figure_html, html_text, note_text


@dataclass(frozen=True)
class Page:
    """One rendered output page, ready for the writers."""

    html: str
    title: str
    lang: Language
    notes: int
    missing_translations: frozenset[str]
    cited: tuple[dict[str, Any], ...] = ()  # each note (render.note), in citation order


def css_content(message: str) -> Markup:
    """Turn "Page %(page)s of %(pages)s" into a CSS ``content`` value with counters."""
    parts: list[str] = []
    rest = message
    while rest:
        cut = min((rest.find(m) for m in ("%(page)s", "%(pages)s") if m in rest), default=-1)
        if cut == -1:
            parts.append(css_string(rest))
            break
        if cut:
            parts.append(css_string(rest[:cut]))
        name = "pages" if rest.startswith("%(pages)s", cut) else "page"
        parts.append(f"counter({name})")
        rest = rest[cut + len(f"%({name})s"):]
    return Markup(" ".join(parts) or '""')


def css_string(text: str) -> Markup:
    """Any text as a CSS string literal; everything but letters, digits and spaces escaped."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


class Renderer:
    """Keeps one sandboxed Jinja environment per language for the page templates."""

    def __init__(self, project: Project):
        self.project = project
        self._envs: dict[str, tuple[SandboxedEnvironment, Translations]] = {}

    def env(self, lang: str) -> tuple[SandboxedEnvironment, Translations]:
        if lang not in self._envs:
            env = SandboxedEnvironment(
                loader=FileSystemLoader([str(d) for d in self.project.template_dirs]),
                autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
            translations = Translations(self.project.template_dirs, lang)
            env.install_gettext_callables(translations.gettext, translations.ngettext,
                                          newstyle=False)
            env.filters["css_content"] = css_content
            env.filters["css_string"] = css_string
            self._envs[lang] = (env, translations)
        return self._envs[lang]

    def page(self, brief: Brief, audience: Audience, prose: RenderedText,
             medium: str = "screen") -> Page:
        """Render one page; ``medium`` is "screen" for the HTML file, "print" for the PDF."""
        lang = LANGUAGES[prose.lang]
        env, translations = self.env(prose.lang)
        translations.missing.clear()
        context = page_context(self.project, brief, audience, prose, lang)
        context["medium"] = medium
        template_name = audience.template
        try:
            template = env.get_template(template_name)
            first = template.render(context)
            order = list(dict.fromkeys(CITE_RE.findall(first)))
            notes = [note(self.project.facts, item, n, lang) for n, item in enumerate(order, 1)]
            seen: set[str] = set()
            for made in notes:  # a source's own note is printed once, at its first endnote
                made["source_first"] = made["source"]["id"] not in seen
                seen.add(made["source"]["id"])
            context["notes"] = notes
            if audience.fact_appendix:
                context["fact_check"] = [
                    {**row, "number": n}
                    for n, row in enumerate(factcheck.rows(self.project, order, brief.slug), 1)]
            html = template.render(context)
        except TemplateNotFound as exc:
            folders = ", ".join(self._shown(d) for d in self.project.template_dirs)
            where = ("templates/audiences.yaml: audience " + repr(audience.name)
                     if exc.name == template_name else self._where(exc))
            raise RenderError(f"{where}: template {exc.name!r} not found (looked in {folders}; "
                              "names are relative to a template folder)") from None
        except TemplateSyntaxError as exc:
            raise RenderError(f"{self._shown(exc.filename)}:{exc.lineno}: template syntax "
                              f"error: {exc.message}") from None
        except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            raise RenderError(f"{self._where(exc)}: template error: {exc}") from None
        footnotes = None
        if audience.citations == "footnotes":
            partial = env.get_template("_partials/footnote.html")
            footnotes = {n["id"]: partial.render(note=n, lang=context["lang"]).strip()
                         for n in context["notes"]}
        html = number_citations(html, {item: n for n, item in enumerate(order, 1)}, footnotes)
        for problem in external_references(html):
            raise RenderError(f"{self._shown(template.filename)}: {problem} (a page may load "
                              "only what is inline or in its template folders)")
        return Page(html, prose.title, lang, len(order), frozenset(translations.missing),
                    tuple(context["notes"]))

    def _shown(self, filename: str | Path | None) -> str:
        if not filename:
            return "<template>"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.project.root).as_posix()
        except ValueError:
            return str(path)

    def _where(self, exc: BaseException) -> str:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith((".html", ".j2", ".css"))]
        if not frames:
            return "<template>"
        return f"{self._shown(frames[-1].filename)}:{frames[-1].lineno}"


_LOADING_TAGS = ("img|image|script|link|iframe|frame|object|embed|source|video|audio|track|use|"
                 "feimage|input")
_REMOTE_ATTR = re.compile(
    rf"<(?:{_LOADING_TAGS})\b[^>]*?\s(?:src|href|xlink:href|data|srcset|poster)\s*=\s*"
    r"[\"']?\s*((?:[a-z][a-z0-9+.-]*:|//)[^\s\"'>]*)", re.I)
_CSS_URL = re.compile(r"url\(\s*[\"']?\s*((?:[a-z][a-z0-9+.-]*:|//)[^\"')]*)", re.I)
_ATTACHMENT = re.compile(r"<(?:link|a)\b[^>]*\brel\s*=\s*[\"']?[^>]*\battachment\b", re.I)


def external_references(html: str) -> list[str]:
    """Resources a page would fetch from outside: any URL with a scheme other than data:,
    protocol-relative URLs, and attachments (the engine adds its own, never a template)."""
    problems = []
    for match in [*_REMOTE_ATTR.finditer(html), *_CSS_URL.finditer(html)]:
        url = match.group(1)
        if not url.lower().startswith("data:"):
            problems.append(f"refers to an outside resource {url[:80]!r}")
    if _ATTACHMENT.search(html):
        problems.append("asks for a PDF attachment (rel=attachment)")
    return problems


FOOTNOTE_END = "<!--/fn-->"


def number_citations(html: str, numbers: dict[str, int],
                     footnotes: dict[str, str] | None = None) -> str:
    """Turn citation placeholders into numbered links to the endnotes or, when
    ``footnotes`` gives each note's HTML, into footnotes at the first citation (later
    citations of the same note repeat its number)."""
    seen: dict[str, int] = {}

    def mark(match) -> str:
        item = match.group(1)
        number = numbers[item]
        seen[item] = seen.get(item, 0) + 1
        anchor = f"cite-{number}" + (f"-{seen[item]}" if seen[item] > 1 else "")
        if footnotes is not None:
            if seen[item] == 1:
                return (f'<span class="footnote" id="note-{number}" data-n="{number}" '
                        f'role="doc-footnote">{footnotes[item]}{FOOTNOTE_END}</span>')
            return f'<sup class="cite cite-again" id="{anchor}">{number}</sup>'
        return (f'<sup class="cite"><a href="#note-{number}" id="{anchor}" '
                f'role="doc-noteref">{number}</a></sup>')

    return CITE_RE.sub(mark, html)


def _text(text: Text | None, lang: Language) -> str:
    return text.get(lang.code) if text else ""


def source_dict(facts: FactBase, source_id: str, lang: Language) -> dict[str, Any]:
    """A source for the templates; a derived fact's (empty id) has no source of its own."""
    source = facts.sources.get(source_id)
    if source is None:
        return {"id": "", "title": "", "author": "", "publication": "", "year": "", "file": "",
                "url": "", "accessed": "", "publisher": "", "kind": "", "language": "",
                "note": ""}
    return {"id": source.id, "title": _text(source.title, lang),
            "author": _text(source.author, lang), "publication": _text(source.publication, lang),
            "year": source.year or "", "file": source.file, "url": source.url,
            "accessed": lang.date(source.accessed) if source.accessed else "",
            "publisher": _text(source.publisher, lang), "kind": source.kind,
            "language": source.language, "note": _text(source.note, lang)}


def derived_dict(facts: FactBase, fact: Fact, lang: Language) -> dict[str, Any] | None:
    """What a derived fact is calculated from: each input's value, label and source."""
    if fact.derived is None:
        return None
    inputs = []
    for input_id in fact.derived.inputs:
        used = facts.facts[input_id]
        inputs.append({"id": input_id, "value": format_fact(used, facts.units[used.unit], lang),
                       "label": _text(used.label, lang),
                       "source": source_dict(facts, used.source, lang)})
    return {"op": fact.derived.op, "inputs": inputs}


def note(facts: FactBase, item_id: str, number: int, lang: Language) -> dict[str, Any]:
    """An endnote for one cited fact or claim: value, source, quote and any conflict."""
    if item_id in facts.facts:
        fact = facts.facts[item_id]
        unit = facts.units[fact.unit]
        value = format_fact(fact, unit, lang)
        conflicts = []
        for conflict in facts.conflicts_of(item_id):
            others = [{"id": other, "value": format_fact(facts.facts[other],
                                                         facts.units[facts.facts[other].unit],
                                                         lang),
                       "source": source_dict(facts, facts.facts[other].source, lang),
                       "quote": facts.facts[other].quote}
                      for other in conflict.facts if other != item_id and other in facts.facts]
            conflicts.append({"id": conflict.id, "note": note_text(facts, conflict.note, lang),
                              "others": others})
        return {"number": number, "id": item_id, "kind": "fact", "value": value,
                "label": _text(fact.label, lang), "quote": fact.quote,
                "note": note_text(facts, fact.note, lang),
                "date": lang.date(fact.date) if fact.date and fact.date != fact.value else "",
                "undated": fact.date is None,
                "derived": derived_dict(facts, fact, lang),
                "source": source_dict(facts, fact.source, lang), "conflicts": conflicts}
    claim = facts.claims[item_id]
    return {"number": number, "id": item_id, "kind": "claim", "value": "",
            "label": _text(claim.label, lang), "quote": claim.quote, "note": "",
            "date": lang.date(claim.date) if claim.date else "", "undated": False,
            "derived": None,
            "source": source_dict(facts, claim.source, lang), "conflicts": []}


def languages_context() -> list[dict[str, str]]:
    """Every language the engine knows (i18n.LANGUAGES), for tables that show all of them."""
    return [{"code": code, "tag": lang.tag, "name": lang.name} for code, lang in LANGUAGES.items()]


def build_date(brief: Brief) -> PartialDate:
    """The date printed as the build date: the brief's own date. Never the clock, nor
    ``SOURCE_DATE_EPOCH``, so that every build of a brief gives the same files."""
    return brief.date


def page_context(project: Project, brief: Brief, audience: Audience, prose: RenderedText,
                 lang: Language) -> dict[str, Any]:
    facts = project.facts
    figures = []
    for fid in key_figures(brief):
        fact = facts.facts[fid]
        value = format_fact(fact, facts.units[fact.unit], lang)
        figures.append({"id": fid, "value": Markup(figure_html(fid, value)),
                            "text": value, "label": _text(fact.label, lang),
                            "source": source_dict(facts, fact.source, lang),
                            "date": lang.date(fact.date) if fact.date else ""})
    drawn = [chart for chart in brief.charts or () if audience.charts]
    labels = exhibits(brief.texts[lang.code], brief.charts, lang)
    sections = [{"key": s.key, "id": f"sec-{s.key}",
                 "html": s.lead if audience.section_text == "lead" else s.html,
                 "charts": [{**charts.render(chart, facts, lang, n, project.theme),
                             "label": labels.get(chart.id, ("", ""))[0],
                             "anchor": labels.get(chart.id, ("", f"fig-{chart.id}"))[1]}
                            for n, chart in enumerate(drawn, 1) if chart.section == s.key]}
                for s in prose.sections]
    base = f"{audience.name}.{lang.code}"
    alternates = [{"code": code, "tag": LANGUAGES[code].tag, "name": LANGUAGES[code].name,
                   "href": f"{audience.name}.{code}.html", "current": code == lang.code}
                  for code in brief.languages]
    return {
        "lang": {"code": lang.code, "tag": lang.tag, "name": lang.name},
        "brief": {
            "slug": brief.slug, "title": prose.title, "subtitle": prose.subtitle,
            "summary": prose.summary, "topic": brief.topic,
            "summary_text": html_text(CITE_RE.sub("", str(prose.summary))),
            "date": lang.date(brief.date), "date_iso": str(brief.date),
            "authors": [_text(a, lang) for a in brief.authors],
        },
        "audience": {**asdict(audience), "label": _text(audience.label, lang)},
        "sections": sections,
        "key_figures": figures if audience.key_figures else [],
        "recommendations": list(prose.recommendations) if audience.recommendations else [],
        "notes": [],
        "fact_check": [],
        "alternates": alternates,
        "languages": languages_context(),
        "links": {"html": f"{base}.html", "pdf": f"{base}.pdf", "docx": f"{base}.docx",
                  "index": "../index.html"},
        "theme": {"css": Markup(project.theme.css()), "logo": project.theme.logo,
                  "organisation": _text(project.theme.organisation, lang),
                  "running_header": _text(project.theme.running_header, lang)},
        "generator": f"policybrief {__version__}",
        "build_date": lang.date(build_date(brief)),
        "draft": brief.status == "draft",
        "revision": revision_context(project, brief, lang.code),
    }

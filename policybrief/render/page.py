"""Render stage, part two: a brief's prose into an audience's page (HTML string).

What the page prints (whole sections or leads, key figures, charts, exhibits, the theme)
is what :func:`~policybrief.load.selection.shows` says the output shows, the definition
the build cache keys the output by. The page template is rendered twice: the first pass
finds the order in which facts are cited (the template decides the reading order), the
second renders the endnotes in that order (:mod:`notes`); then each citation placeholder
becomes a numbered link. Templates run in the sandbox of :mod:`environment`, each render
bounded in time and memory here. Nothing here touches the filesystem except the template
loader.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup

from policybrief import __version__
from policybrief.core.builtin import folder_name
from policybrief.core.errors import Problem, RenderError
from policybrief.core.i18n import Language
from policybrief.core.model import (
    Audience,
    Brief,
    FactBase,
    PartialDate,
    Project,
    Text,
    Theme,
)
from policybrief.core.patches import TooSlow, bounded, describe
from policybrief.editions.revisions import revision_context
from policybrief.load.catalogs import Translations
from policybrief.load.project import audience_file
from policybrief.load.selection import Shown, shows
from policybrief.render import archive, chartsvg, factcheck, notes
from policybrief.render.environment import (
    COMPILED,
    FolderLoader,
    Sandbox,
    css_content,
    css_string,
)
from policybrief.render.notes import figure_and_label, number_citations, source_dict, text_of
from policybrief.render.prose import (
    CITE_RE,
    RenderedText,
    exhibit_labels,
    exhibit_list,
    figure_html,
    html_text,
)
from policybrief.render.references import Reference
from policybrief.render.templatedata import (
    Alternate,
    ArchiveEntry,
    ExhibitEntry,
    KeyFigure,
    LanguageEntry,
    Note,
    OfficeEntry,
    PageContext,
    PageLanguage,
    ReferenceEntry,
    ReleaseEntry,
    SectionEntry,
    SpokespersonEntry,
    ThemeEntry,
)
from policybrief.render.typography import typeset
from policybrief.render.wording import split_label

# Bounds on what one template render may cost (templates are untrusted input); bounds on
# loops and sizes are the sandbox's (environment.py).
MAX_SECONDS = 20  # wall clock per render; the largest real page takes well under a second
MAX_MEMORY = 1 << 30  # bytes a render may allocate beyond what the process had
MAX_PAGE_CHARS = 50_000_000  # a rendered page; the largest real one is under 1 MB


@dataclass(frozen=True)
class Page:
    """One rendered output page, ready for the writers."""

    html: str
    title: str
    lang: Language
    notes: int
    missing_translations: frozenset[str]
    cited: tuple[Note, ...] = ()  # each note (notes.note), in citation order


# What a template can raise while it renders: each becomes a RenderError with its line.
TEMPLATE_FAILURES = (
    TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    OverflowError,
    RecursionError,
    MemoryError,
    TooSlow,
)


class PageTemplate(Template):
    """A page template: every render runs under the environment's bounds. :meth:`render`
    (``index.html``, ``facts.html``) checks the page and gives it its security policy;
    :meth:`render_fragment` leaves that to the caller (a brief's page is finished after its
    citations are numbered)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = cast("PageEnvironment", self.environment)
        try:
            html = self.render_fragment(*args, **kwargs)
        except TEMPLATE_FAILURES as exc:
            raise RenderError(env.failure(exc)) from None
        return env.secured(html, self.filename)

    def render_fragment(self, *args: Any, **kwargs: Any) -> str:
        env = cast("PageEnvironment", self.environment)
        if env.rendering:  # an include or macro renders inside an outer render
            return Template.render(self, *args, **kwargs)
        env.rendering, env.range_items = True, 0
        try:
            with bounded(MAX_SECONDS, MAX_MEMORY):
                html = Template.render(self, *args, **kwargs)
        finally:
            env.rendering = False
        if len(html) > MAX_PAGE_CHARS:
            raise RenderError(
                Problem(
                    env.shown(self.filename),
                    0,
                    f"template error: the page is {len(html):,} characters long; "
                    f"at most {MAX_PAGE_CHARS:,}",
                )
            )
        return html


class PageEnvironment(Sandbox):
    """The sandbox for page templates (see :mod:`environment`), each render bounded in time
    and memory."""

    template_class = PageTemplate

    def failure(self, exc: BaseException) -> Problem:
        """What a template raised while it rendered, at its template line."""
        return Problem(*self.where(exc), f"template error: {describe(exc, MAX_MEMORY)}")


FOOTNOTE_TEMPLATE = "_partials/footnote.html"  # each footnote, where citations are footnotes


def page_templates(audience: Audience) -> tuple[str, ...]:
    """The templates :class:`Renderer` loads for a page of ``audience`` (with those they
    extend, include or import, they are what the page reads: see
    :func:`environment.template_files`)."""
    return (audience.template, *([FOOTNOTE_TEMPLATE] if audience.citations == "footnotes" else []))


class Renderer:
    """Keeps one sandboxed Jinja environment per language for the page templates."""

    def __init__(self, project: Project):
        self.project = project
        self._envs: dict[tuple, tuple[PageEnvironment, Translations]] = {}
        self._references: dict[tuple[tuple[str, ...], str, str], dict[str, Reference]] = {}

    def env(
        self, lang: str, dirs: tuple[Path, ...] | None = None
    ) -> tuple[PageEnvironment, Translations]:
        """The environment for ``lang`` over template folders ``dirs`` (the project's by
        default; a brief with its own folder has its own environment)."""
        dirs = dirs or self.project.template_dirs
        if (lang, dirs) not in self._envs:
            env = PageEnvironment(
                loader=FolderLoader([str(d) for d in dirs]),
                root=self.project.root,
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
                bytecode_cache=COMPILED,
            )
            translations = Translations(dirs, lang)
            # installed on the environment by the jinja2.ext.i18n extension
            env.install_gettext_callables(  # type: ignore[attr-defined]
                translations.gettext, translations.ngettext, newstyle=False
            )
            env.filters["css_content"] = css_content
            env.filters["css_string"] = css_string
            self._envs[lang, dirs] = (env, translations)
        return self._envs[lang, dirs]

    def page(
        self,
        brief: Brief,
        audience: Audience,
        prose: RenderedText,
        medium: str = "screen",
        for_word: bool = False,
    ) -> Page:
        """Render one page; ``medium`` is "screen" for the HTML file, "print" for the PDF.
        ``for_word``: the page the Word converter reads, whose citation links become Word's
        own notes (so an audience printing footnotes needs no ``#note-N`` target there)."""
        lang = self.project.language(prose.lang)
        dirs = self.project.templates(brief.slug).dirs
        env, translations = self.env(prose.lang, dirs)
        translations.missing.clear()
        shown = shows(self.project, brief, prose.lang, audience)
        context = page_context(self.project, brief, audience, prose, lang, shown)
        context["medium"] = medium
        try:
            template = cast(PageTemplate, env.get_template(audience.template))
            order = self._cite(template, context, brief, audience, lang)
            html = template.render_fragment(context)
        except TemplateNotFound as exc:
            raise RenderError(self._not_found(exc, audience, dirs)) from None
        except TemplateSyntaxError as exc:
            raise RenderError(env.syntax_error(exc)) from None
        except TEMPLATE_FAILURES as exc:
            raise RenderError(env.failure(exc)) from None
        numbers = {item: n for n, item in enumerate(order, 1)}
        html = number_citations(html, numbers, self._footnotes(env, audience, context))
        html = notes.unlink_absent_exhibits(html)
        html = typeset(html, lang, joins=not for_word)
        return Page(
            env.secured(html, template.filename, links=not for_word),
            prose.title,
            lang,
            len(order),
            frozenset(translations.missing),
            tuple(context["notes"]),
        )

    def _cite(
        self,
        template: PageTemplate,
        context: PageContext,
        brief: Brief,
        audience: Audience,
        lang: Language,
    ) -> list[str]:
        """The first pass: the order in which the page cites facts and claims; puts their
        endnotes (and fact-check rows) in the context for the second pass."""
        first = template.render_fragment(context)
        order = list(dict.fromkeys(CITE_RE.findall(first)))
        made = notes.endnotes(self.project.facts, order, lang)
        context["notes"] = made
        context["references"] = self.references(audience, made, lang.code)
        if audience.fact_appendix:
            context["fact_check"] = [
                {**row, "number": n}
                for n, row in enumerate(factcheck.rows(self.project, order, brief.slug), 1)
            ]
        return order

    def _footnotes(
        self, env: PageEnvironment, audience: Audience, context: PageContext
    ) -> dict[str, str] | None:
        """Each note's footnote HTML, for an audience whose citations are footnotes."""
        if audience.citations != "footnotes":
            return None
        partial = cast(PageTemplate, env.get_template(FOOTNOTE_TEMPLATE))
        return {
            n["id"]: partial.render_fragment(note=n, lang=context["lang"]).strip()
            for n in context["notes"]
        }

    def _not_found(
        self, exc: TemplateNotFound, audience: Audience, dirs: tuple[Path, ...]
    ) -> Problem:
        folders = ", ".join(folder_name(d, self._shown(d)) for d in dirs)
        hint = f"looked in {folders}; names are relative to a template folder"
        message = f"template {exc.name!r} not found"
        if exc.name != audience.template:  # an include or extends inside the page
            return Problem(*self.env("en", dirs)[0].where(exc), message, hint)
        path, line = audience_file(dirs, audience.name, self.project.root)
        return Problem(path, line, f"audience {audience.name!r}: {message}", hint)

    def references(self, audience: Audience, made: list[Note], lang: str) -> list[ReferenceEntry]:
        """The reference list of the sources of the notes ``made``, in the audience's
        reference style, each note's source given its entry (see :func:`notes.references`)."""
        from policybrief.load import refstyles

        style = refstyles.style_for(lang, audience.reference_style, self.project.reference_style)
        return notes.references(self.project.facts, made, lang, style, self._references)

    def _shown(self, filename: str | Path | None) -> str:
        if not filename:
            return "<template>"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.project.root).as_posix()
        except ValueError:
            return str(path)


def languages_context(
    project: Project, codes: tuple[str, ...] | None = None
) -> list[LanguageEntry]:
    """Languages for tables that show each of them: ``codes`` (a brief's languages, for its
    fact-check appendix), or every language the project writes in."""
    return [
        {"code": code, "tag": lang.tag, "name": lang.name}
        for code in (project.codes if codes is None else codes)
        for lang in [project.language(code)]
    ]


def _key_figures(facts: FactBase, shown: Shown, lang: Language) -> list[KeyFigure]:
    figures: list[KeyFigure] = []
    for fid in shown.key_figures:
        fact = facts.facts[fid]
        value, label = figure_and_label(facts, fact, lang)
        base = split_label(label)[0] if fact.date or "(" in label or "（" in label else label
        figures.append(
            {
                "id": fid,
                "value": Markup(figure_html(fid, value)),
                "text": value,
                "label": base,
                "source": source_dict(facts, fact.source, lang),
                # the label's aside and the date in one pair of brackets: (long-term target, 2035)
                "date": label[len(base) :].strip(),
            }
        )
    return figures


def _sections(
    project: Project, shown: Shown, prose: RenderedText, lang: Language
) -> list[SectionEntry]:
    """Each section as the output shows it (whole, or its lead), with the charts it draws."""
    labels = exhibit_labels({i: (kind, n) for i, kind, n in shown.exhibits}, lang)
    return [
        {
            "key": s.key,
            "id": f"sec-{s.key}",
            "html": s.lead if shown.lead_only else s.html,
            "charts": [
                {
                    **chartsvg.render(chart, project.facts, lang, n, shown.theme),
                    "label": labels.get(chart.id, ("", ""))[0],
                    "anchor": labels.get(chart.id, ("", f"fig-{chart.id}"))[1],
                }
                for n, chart in enumerate(shown.charts, 1)
                if chart.section == s.key
            ],
        }
        for s in prose.sections
    ]


def _exhibits(brief: Brief, shown: Shown, lang: Language) -> list[ExhibitEntry]:
    """The brief's tables and figures that this page lists: none where only the sections'
    leads are printed, and no chart where the output draws none."""
    if not shown.exhibit_list:
        return []
    listed = exhibit_list(brief.texts[lang.code], brief.charts, lang)
    return [e for e in listed if shown.charts or not e["chart"]]


def build_date(brief: Brief) -> PartialDate:
    """The date printed as the build date: the brief's own date. Never the clock, nor
    ``SOURCE_DATE_EPOCH``, so that every build of a brief gives the same files."""
    return brief.date


def _alternates(
    project: Project, brief: Brief, audience: Audience, lang: Language
) -> list[Alternate]:
    """This page in each of the brief's languages, for the language switch."""
    return [
        {
            "code": code,
            "tag": project.language(code).tag,
            "name": project.language(code).name,
            "href": f"{audience.name}.{code}.html",
            "current": code == lang.code,
        }
        for code in brief.languages
    ]


def page_language(lang: Language) -> PageLanguage:
    """The page's language as its templates see it."""
    return {
        "code": lang.code,
        "tag": lang.tag,
        "name": lang.name,
        "dir": lang.direction,
        "cjk": lang.cjk,
        "exhibit_separator": lang.exhibit_separator,
        "quotes": list(lang.quotes),
    }


def theme_entry(theme: Theme, lang: Language) -> ThemeEntry:
    return {
        "css": Markup(theme.css()),
        "logo": theme.logo,
        "organisation": text_of(theme.organisation, lang),
        "running_header": text_of(theme.running_header, lang),
    }


def release_entry(brief: Brief, lang: Language) -> ReleaseEntry:
    """The release's day and embargo as the page prints them."""
    from policybrief.load.release import embargo_time

    issued = brief.release.date if brief.release and brief.release.date else brief.date
    moment = embargo_time(brief.release.embargo) if brief.release else None
    if moment is None:
        return {"date": lang.date(issued), "embargo_date": "", "embargo_time": ""}
    offset = moment.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}"
    return {
        "date": lang.date(issued),
        "embargo_date": lang.date(PartialDate(moment.year, moment.month, moment.day)),
        "embargo_time": f"{moment:%H:%M}（{zone}）" if lang.cjk else f"{moment:%H:%M} ({zone})",
    }


def spokesperson_entry(brief: Brief, lang: Language) -> SpokespersonEntry | None:
    person = brief.spokesperson
    if person is None:
        return None
    return {
        "name": text_of(person.name, lang),
        "role": text_of(person.role, lang),
        "quote": text_of(person.quote, lang),
    }


def office_entry(project: Project, lang: Language, organisation: Text | None) -> OfficeEntry:
    """The office in the page's language; its name defaults to the theme's organisation."""
    office = project.office
    contact = [part for part in (office.email, office.phone, office.web) if part]
    return {
        "name": text_of(office.name or organisation, lang),
        "about": text_of(office.about, lang),
        "email": office.email,
        "phone": office.phone,
        "web": office.web,
        "contact": " · ".join(contact),
    }


def page_context(
    project: Project,
    brief: Brief,
    audience: Audience,
    prose: RenderedText,
    lang: Language,
    shown: Shown | None = None,
) -> PageContext:
    """The page template's context; ``shown``: what the output shows (computed from the
    audience when not given)."""
    shown = shown or shows(project, brief, lang.code, audience)
    theme = shown.theme  # the brief's own house style, if any
    base = f"{audience.name}.{lang.code}"
    return {
        "lang": page_language(lang),
        "brief": {
            "slug": brief.slug,
            "title": prose.title,
            "subtitle": prose.subtitle,
            "summary": prose.summary,
            "topic": brief.topic,
            "summary_text": html_text(CITE_RE.sub("", str(prose.summary))),
            "date": lang.date(brief.date),
            "date_iso": str(brief.date),
            "authors": [text_of(a, lang) for a in brief.authors],
            "release": release_entry(brief, lang),
            "spokesperson": spokesperson_entry(brief, lang),
        },
        "audience": {**asdict(audience), "label": text_of(audience.label, lang)},
        "sections": _sections(project, shown, prose, lang),
        "exhibits": _exhibits(brief, shown, lang),
        "key_figures": _key_figures(project.facts, shown, lang),
        "recommendations": list(prose.recommendations) if shown.recommendations is not None else [],
        "notes": [],
        "references": [],
        "fact_check": [],
        "alternates": _alternates(project, brief, audience, lang),
        "languages": languages_context(project, brief.languages),
        "links": {
            "html": f"{base}.html",
            "pdf": f"{base}.pdf",
            "docx": f"{base}.docx",
            "index": "../index.html",
            # the brief's sources for reference managers (exports.EXPORTS), beside it
            "references": {
                "json": "references.json",
                "bib": "references.bib",
                "ris": "references.ris",
            },
        },
        "theme": theme_entry(theme, lang),
        "office": office_entry(project, lang, theme.organisation),
        "printing": {"pages": project.printing.pages, "colophon": project.printing.colophon},
        "generator": f"policybrief {__version__}",
        "build_date": lang.date(build_date(brief)),
        "draft": brief.status == "draft",
        "revision": revision_context(project, brief, lang.code),
        "archive": _archive(project, brief, audience, lang, prose, shown, base),
    }


def _archive(
    project: Project,
    brief: Brief,
    audience: Audience,
    lang: Language,
    prose: RenderedText,
    shown: Shown,
    base: str,
) -> ArchiveEntry:
    """The page's JSON-LD, Open Graph card and "cite this brief" block (render/archive.py)."""
    from policybrief.load import refstyles

    style = refstyles.style_for(lang.code, audience.reference_style, project.reference_style)
    page = {
        "title": prose.title,
        "description": html_text(CITE_RE.sub("", str(prose.summary))),
        **{kind: f"{base}.{kind}" for kind in ("html", "pdf", "docx")},
    }
    return archive.page_archive(project, brief, lang, style, page, list(shown.items))

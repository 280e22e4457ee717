"""Files a build derives beside the pages, each keyed by what it shows and rewritten through
the cache only when that changed: each chart's data as CSV, each brief's sources for
reference managers (CSL-JSON, BibTeX, RIS), and the project-wide ``index.html`` and
``facts.html``. The bytes are made by the render and output stages; deciding whether to
make them again is the build's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache as cache_once
from functools import partial
from pathlib import Path

from policybrief.build.cache import (
    BuildCache,
    brief_files_digest,
    items_digest,
    templates_digest,
)
from policybrief.build.plan import Output
from policybrief.build.staging import Staging
from policybrief.core.digest import digest, engine_digest
from policybrief.core.model import Project
from policybrief.load.selection import shows
from policybrief.output.exports import EXPORTS
from policybrief.output.social import social_card
from policybrief.render import archive, chartdata, chartsvg, references, site


def stage_chart_data(
    project: Project,
    outputs: list[Output],
    cache: BuildCache,
    staging: Staging,
    force: bool,
) -> None:
    """Each chart's data as CSV beside the brief's web pages (``<brief>/<chart>.<lang>.csv``,
    linked under the chart), for every brief and language with a web page that draws
    charts; keyed, like the pages, by what the file shows."""
    pairs = {
        (o.brief, o.lang)
        for o in outputs
        if "html" in o.formats and project.audience(o.brief, o.audience).charts
    }
    engine = engine_digest()
    for slug, lang in sorted(pairs):
        for chart in project.briefs[slug].charts:
            name = f"{slug}/{chartsvg.csv_name(chart, lang)}"
            shown = (chart.series, chart.totals, chart.labels)  # not its line in brief.yaml
            key = digest(engine, repr(shown), items_digest(project, list(chart.facts)), lang)
            make = partial(chartdata.csv_data, chart, project.facts, project.language(lang))
            cache.refresh(name, key, staging.out, make, staging.put, force)


def stage_exports(
    project: Project,
    slugs: list[str],
    cache: BuildCache,
    staging: Staging,
    out: Path,
    force: bool = False,
) -> None:
    """Each brief's sources for reference managers (CSL-JSON, BibTeX, RIS) beside its pages,
    rewritten only when the sources the brief shows (or the engine) change."""
    for slug in slugs:
        brief = project.briefs[slug]
        ids = sorted({s for lang in brief.languages for s in _shown_sources(project, slug, lang)})
        sources = [project.facts.sources[sid] for sid in ids]
        key = digest(
            engine_digest(),
            [repr({k: v for k, v in vars(s).items() if k != "loc"}) for s in sources],
        )
        items = [references.csl_item(s, references.source_language(s)) for s in sources]
        for name, export in EXPORTS.items():
            make = partial(export, items)
            cache.refresh(f"{slug}/{name}", key, out, make, staging.put, force)


def stage_archive(
    project: Project,
    outputs: list[Output],
    cache: BuildCache,
    staging: Staging,
    force: bool,
) -> None:
    """For each brief and language with a web page, beside it: the social card its Open
    Graph tags name (``social.<lang>.png``) and the brief's own citation for reference
    managers (``cite.<lang>.json``, ``.bib``, ``.ris``), keyed by the brief's text and
    settings and the theme, so rewritten only when its title, date or house change."""
    pairs = sorted({(o.brief, o.lang) for o in outputs if "html" in o.formats})
    engine = engine_digest()
    for slug, lang in pairs:
        brief = project.briefs[slug]
        theme = project.templates(slug).theme
        key = digest(
            engine,
            brief_files_digest(project, brief, lang),
            items_digest(project, shows(project, brief, lang).items),
            repr(theme.colors),
            repr(theme.organisation),
        )
        item = cache_once(partial(_brief_item, project, slug, lang))
        for kind, name in archive.cite_names(lang).items():
            make = partial(_export, EXPORTS[f"references.{kind}"], item)
            cache.refresh(f"{slug}/{name}", key, staging.out, make, staging.put, force)
        card = partial(_card, project, slug, lang, item)
        name = f"{slug}/{archive.social_name(lang)}"
        cache.refresh(name, key, staging.out, card, staging.put, force)


def _export(
    export: Callable[[list[references.CslItem]], bytes],
    item: Callable[[], references.CslItem],
) -> bytes:
    return export([item()])


def _brief_item(project: Project, slug: str, lang: str) -> references.CslItem:
    from policybrief.render.prose import ProseRenderer

    brief, language = project.briefs[slug], project.language(lang)
    title, _summary = ProseRenderer(project.facts, language).headline(brief.texts[lang], brief.row)
    return archive.brief_item(project, brief, language, title)


def _card(project: Project, slug: str, lang: str, item: Callable[[], references.CslItem]) -> bytes:
    brief, language = project.briefs[slug], project.language(lang)
    byline = " · ".join(
        p for p in (archive.publisher(project, brief, language), language.date(brief.date)) if p
    )
    colors = project.templates(slug).theme.colors
    return social_card(item().get("title", ""), byline, language.cjk, colors)


def _shown_sources(project: Project, slug: str, lang: str) -> list[str]:
    facts = project.facts
    items = shows(project, project.briefs[slug], lang).items
    found = [(facts.facts.get(i) or facts.claims.get(i)) for i in items]
    return [item.source for item in found if item is not None and item.source]


def pages_key(project: Project, built: set[str]) -> str:
    """The cache key of ``index.html`` and ``facts.html``: the engine, the templates, every
    fact and claim, every brief's text, and which outputs exist."""
    return digest(
        engine_digest(),
        templates_digest(project.template_dirs),
        [templates_digest(s.dirs) for s in project.own.values()],
        items_digest(project, sorted([*project.facts.facts, *project.facts.claims])),
        [
            brief_files_digest(project, b, lang)
            for b in project.briefs.values()
            for lang in b.languages
        ],
        sorted(built),
    )


def stage_site_pages(
    project: Project,
    out: Path,
    built: set[str],
    cache: BuildCache,
    put: Callable[[str, bytes], object],
) -> None:
    """Render ``index.html`` and ``facts.html`` and hand them to ``put`` (the build's
    staging), unless what they show is unchanged since the last build into ``out``."""
    key = pages_key(project, built)
    pages: dict[str, Callable[[], bytes]] = {
        "index.html": lambda: site.render_index(project, built).encode("utf-8"),
        "facts.html": lambda: site.render_facts_page(project).encode("utf-8"),
    }
    for name, make in pages.items():
        cache.refresh(name, key, out, make, put)

"""Render stage, project-wide pages: ``index.html`` (every brief, audience, language and
file) and ``facts.html`` (the whole fact base, checked)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import factcheck
from .check import inventory
from .i18n import LANGUAGES
from .model import Project
from .prose import CITE_RE, ProseRenderer, note_text
from .render import Renderer, languages_context

if TYPE_CHECKING:
    from .cache import BuildCache

FORMATS = ("html", "pdf", "docx")


def output_name(brief: str, audience: str, lang: str, fmt: str) -> str:
    return f"{brief}/{audience}.{lang}.{fmt}"


def render_index(project: Project, built: set[str]) -> str:
    """``built``: the output paths (relative to the output folder) that exist."""
    env, _translations = Renderer(project).env("en")
    briefs = []
    for brief in project.briefs.values():
        entries = []
        for audience in brief.audiences:
            for lang in brief.languages:
                files = [
                    {"format": fmt.upper(), "href": name, "built": name in built}
                    for fmt in FORMATS
                    for name in [output_name(brief.slug, audience, lang, fmt)]
                ]
                entries.append(
                    {
                        "audience": project.audience(brief.slug, audience).label.get(lang),
                        "audience_key": audience,
                        "lang": LANGUAGES[lang].name,
                        "tag": LANGUAGES[lang].tag,
                        "files": files,
                    }
                )
        texts = []
        for lang in brief.languages:
            text = brief.texts[lang]
            prose = ProseRenderer(project.facts, LANGUAGES[lang])
            title, summary = prose.headline(text, brief.row)
            plain = CITE_RE.sub("", str(summary))
            texts.append({"tag": LANGUAGES[lang].tag, "title": title, "summary": Markup(plain)})
        briefs.append(
            {
                "slug": brief.slug,
                "texts": texts,
                "date": str(brief.date),
                "topic": brief.topic,
                "entries": entries,
                "draft": brief.status == "draft",
            }
        )
    return env.get_template("index.html").render(briefs=briefs)


def render_facts_page(project: Project) -> str:
    """``facts.html``: the whole fact base, as checked, with where each item is cited."""
    env, _translations = Renderer(project).env("en")
    facts = project.facts
    conflicts = [
        {"id": c.id, "note": note_text(facts, c.note, LANGUAGES["en"]), "facts": c.facts}
        for c in facts.conflicts.values()
    ]
    return env.get_template("facts.html").render(
        rows=factcheck.rows(project),
        conflicts=conflicts,
        inventory=inventory(facts),
        languages=languages_context(),
        references=source_references(project),
    )


def source_references(project: Project) -> dict[str, Any]:
    """Every source formatted by the project's English reference style (the fact base is
    an English page), by source id."""
    from . import references

    style = references.style_for("en", None, project.reference_style)
    sources = sorted(project.facts.sources)
    formatted = references.format_references(project.facts, sources, "en", style)
    return {sid: made.html for sid, made in formatted.items()}


def built_outputs(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.glob("*/*.*")
        if p.suffix in (".html", ".pdf", ".docx") and not p.name.startswith(".")
    }


def pages_key(project: Project, built: set[str]) -> str:
    """The cache key of ``index.html`` and ``facts.html``: the engine, the templates, every
    fact and claim, every brief's text, and which outputs exist."""
    from . import cache as cachelib

    return cachelib.digest(
        cachelib.engine_digest(),
        cachelib.templates_digest(project.template_dirs),
        [cachelib.templates_digest(s.dirs) for s in project.own.values()],
        cachelib.items_digest(project, sorted([*project.facts.facts, *project.facts.claims])),
        [
            cachelib.brief_digest(project, b, lang)
            for b in project.briefs.values()
            for lang in b.languages
        ],
        sorted(built),
    )


def write_pages(
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
        "index.html": lambda: render_index(project, built).encode("utf-8"),
        "facts.html": lambda: render_facts_page(project).encode("utf-8"),
    }
    for name, make in pages.items():
        cache.refresh(name, key, out, make, put)

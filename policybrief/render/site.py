"""Render stage, project-wide pages: ``index.html`` (every brief, audience, language and
file) and ``facts.html`` (the whole fact base, checked)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from policybrief.check.rules import inventory
from policybrief.core.languages import SOURCE
from policybrief.core.model import Project
from policybrief.load.markup import note_text
from policybrief.render import factcheck
from policybrief.render.page import Renderer, languages_context
from policybrief.render.prose import CITE_RE, ProseRenderer

FORMATS = ("html", "pdf", "docx")


def output_name(brief: str, audience: str, lang: str, fmt: str) -> str:
    return f"{brief}/{audience}.{lang}.{fmt}"


def render_index(project: Project, built: set[str]) -> str:
    """``built``: the output paths (relative to the output folder) that exist."""
    env, _translations = Renderer(project).env(SOURCE)  # the index is in the engine's language
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
                        "lang": project.language(lang).name,
                        "tag": project.language(lang).tag,
                        "files": files,
                    }
                )
        texts = []
        for lang in brief.languages:
            text = brief.texts[lang]
            language = project.language(lang)
            prose = ProseRenderer(project.facts, language)
            title, summary = prose.headline(text, brief.row)
            plain = CITE_RE.sub("", str(summary))
            texts.append({"tag": language.tag, "title": title, "summary": Markup(plain)})
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
    env, _translations = Renderer(project).env(SOURCE)  # the fact base page is in English
    facts = project.facts
    conflicts = [
        {"id": c.id, "note": note_text(facts, c.note, project.language(SOURCE)), "facts": c.facts}
        for c in facts.conflicts.values()
    ]
    return env.get_template("facts.html").render(
        rows=factcheck.rows(project),
        conflicts=conflicts,
        inventory=inventory(facts),
        languages=languages_context(project),
        references=source_references(project),
    )


def source_references(project: Project) -> dict[str, Markup]:
    """Every source formatted by the project's English reference style (the fact base is
    an English page), by source id."""
    from policybrief.load import refstyles
    from policybrief.render import references

    style = refstyles.style_for(SOURCE, None, project.reference_style)
    sources = sorted(project.facts.sources)
    formatted = references.format_references(project.facts, sources, SOURCE, style)
    return {sid: made.html for sid, made in formatted.items()}


def built_outputs(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.glob("*/*.*")
        if p.suffix in (".html", ".pdf", ".docx") and not p.name.startswith(".")
    }

"""Check stage, part two: render every selected output's HTML in memory (no PDF, nothing
written), so that ``check`` finds template and prose errors the build would meet: a missing
brace, an unknown function, a template that refers outside the page. Each becomes a problem
with its file and line, one per output, all in one run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policybrief.core.errors import Problem, RenderError
from policybrief.core.model import Project

if TYPE_CHECKING:
    from policybrief.build.plan import Options


def render_problems(project: Project, options: Options) -> list[Problem]:
    """Every problem met while rendering the selected outputs' HTML."""
    from policybrief.build.plan import plan
    from policybrief.render.page import Renderer
    from policybrief.render.prose import ProseRenderer

    outputs = plan(project, options)
    problems: list[Problem] = []
    prose = {}
    renderers: dict[str, ProseRenderer] = {}
    for slug, lang in sorted({(o.brief, o.lang) for o in outputs}):
        if lang not in renderers:
            renderers[lang] = ProseRenderer(project.facts, project.language(lang))
        renderer = renderers[lang]
        brief = project.briefs[slug]
        try:
            prose[(slug, lang)] = renderer.render(
                brief.texts[lang], brief.row, brief.charts, brief.pictures
            )
        except RenderError as exc:
            problems.append(exc.problem)
    pages = Renderer(project)
    for output in outputs:
        text = prose.get((output.brief, output.lang))
        if text is None:
            continue  # its prose failed: reported once above
        try:
            pages.page(
                project.briefs[output.brief],
                project.audience(output.brief, output.audience),
                text,
                medium="screen",
            )
        except RenderError as exc:
            problems.append(exc.problem)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))

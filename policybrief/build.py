"""The pipeline: load -> check -> render -> write. Reads top to bottom as stage calls.

Everything is rendered in memory before the first file is written, so a build that fails
anywhere leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import factcheck
from .check import check, inventory
from .errors import InputError, OutputError, Problem, RenderError, UsageError
from .i18n import LANGUAGES
from .model import Project
from .project import load_project
from .prose import CITE_RE, ProseRenderer, RenderedText
from .render import Page, Renderer
from .write import atomic_write, output_lock

log = logging.getLogger(__name__)
FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Options:
    root: Path
    out: Path | None = None
    briefs: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    strict: bool = False
    templates: tuple[Path, ...] = ()
    source_texts: Path | None = None

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "dist"


@dataclass(frozen=True)
class Output:
    brief: str
    audience: str
    lang: str
    formats: tuple[str, ...]

    def path(self, out: Path, fmt: str) -> Path:
        path = out / self.brief / f"{self.audience}.{self.lang}.{fmt}"
        if not path.resolve().is_relative_to(out.resolve()) or path.name.startswith("."):
            raise OutputError(f"{path}: output path leaves the output folder")
        return path


@dataclass
class Written:
    path: Path
    pages: int | None
    size: int
    seconds: float


@dataclass
class BuildReport:
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load_and_check(options: Options) -> tuple[Project, list[Problem]]:
    """Load and check stages; raise InputError on errors (or warnings when strict)."""
    project, problems = load_project(options.root, options.templates, options.source_texts)
    problems = sorted(set(problems + check(project)), key=lambda p: (p.path, p.line, p.message))
    if any(p.severity == "error" for p in problems) or (options.strict and problems):
        raise InputError(problems)
    return project, problems


def plan(project: Project, options: Options) -> list[Output]:
    for name, chosen, known in (("brief", options.briefs, project.briefs),
                                ("audience", options.audiences, project.audiences),
                                ("language", options.langs, LANGUAGES)):
        for item in chosen:
            if item not in known:
                raise UsageError(f"unknown {name} {item!r} (known: {', '.join(sorted(known))})")
    outputs = []
    for brief in project.briefs.values():
        if options.briefs and brief.slug not in options.briefs:
            continue
        for audience in brief.audiences:
            if options.audiences and audience not in options.audiences:
                continue
            for lang in brief.languages:
                if options.langs and lang not in options.langs:
                    continue
                outputs.append(Output(brief.slug, audience, lang, options.formats))
    if not outputs:
        raise UsageError("the selection matches no output (check --brief, --audience, --lang "
                         "against each brief's audiences and languages)")
    return outputs


def render_prose(project: Project, outputs: list[Output]) -> dict[tuple[str, str], RenderedText]:
    renderers = {}
    prose = {}
    for output in outputs:
        key = (output.brief, output.lang)
        if key not in prose:
            renderer = renderers.setdefault(output.lang,
                                            ProseRenderer(project.facts, LANGUAGES[output.lang]))
            prose[key] = renderer.render(project.briefs[output.brief].texts[output.lang])
    return prose


def render_pages(project: Project, outputs: list[Output],
                 prose: dict[tuple[str, str], RenderedText], report: BuildReport,
                 reported: frozenset[str] = frozenset()) -> dict[tuple[Output, str], Page]:
    """Each output's page for each format: "html" renders for screens, "pdf" for print."""
    renderer = Renderer(project)
    pages = {}
    missing: set[tuple[str, str]] = set()
    for output in outputs:
        brief = project.briefs[output.brief]
        for fmt in output.formats:
            page = renderer.page(brief, project.audiences[output.audience],
                                 prose[(output.brief, output.lang)],
                                 medium="screen" if fmt == "html" else "print")
            missing |= {(output.lang, message) for message in page.missing_translations}
            pages[(output, fmt)] = page
    # `check` reports untranslated template strings with file and line; this catches any
    # that reach a page some other way, once each.
    for lang, message in sorted(missing):
        text = f"no {lang} translation for {message!r}"
        if text not in reported:
            report.warnings.append(f"templates: {text} (add it to the catalog; see README)")
    return pages


def render_pdfs(project: Project, pages: dict[tuple[Output, str], Page], out: Path,
                report: BuildReport) -> dict[Output, tuple[bytes, int, float]]:
    todo = [output for output, fmt in pages if fmt == "pdf"]
    if not todo:
        return {}
    from .pdf import PdfWriter  # WeasyPrint is heavy: import it only when a PDF is due

    writer = PdfWriter(tuple(project.template_dirs))
    pdfs = {}
    for output in todo:
        started = time.perf_counter()
        result = writer.render(pages[(output, "pdf")].html, project.root / "templates")
        seconds = time.perf_counter() - started
        audience = project.audiences[output.audience]
        where = project.briefs[output.brief].texts[output.lang].path
        if result.blocked:
            raise RenderError(f"{where}:1: the {audience.name} PDF tried to load "
                              f"{', '.join(repr(u[:80]) for u in result.blocked)}; only data: "
                              "URIs and files in the template folders may be loaded")
        if audience.max_pages and result.pages > audience.max_pages:
            raise RenderError(f"{where}:1: the {audience.name} PDF runs to {result.pages} pages; "
                              f"its limit is {audience.max_pages} (shorten the section leads, "
                              "summary or recommendations)")
        for message in result.warnings:
            report.warnings.append(f"{output.path(out, 'pdf')}: WeasyPrint: {message}")
        pdfs[output] = (result.data, result.pages, seconds)
    return pdfs


def build(options: Options) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    project, problems = load_and_check(options)
    report.warnings += [str(p) for p in problems]
    outputs = plan(project, options)
    prose = render_prose(project, outputs)
    pages = render_pages(project, outputs, prose, report,
                         frozenset(p.message for p in problems))
    out = options.out_dir
    pdfs = render_pdfs(project, pages, out, report)
    if options.strict and report.warnings:
        raise InputError([Problem("build", 0, w, severity="warning") for w in report.warnings])
    files = {output.path(out, fmt): (page, output, fmt) for (output, fmt), page in pages.items()}
    with output_lock(out):
        for path, (page, output, fmt) in files.items():
            if fmt == "html":
                data, count, seconds = page.html.encode("utf-8"), None, 0.0
            else:
                data, count, seconds = pdfs[output]
            atomic_write(path, data)
            report.written.append(Written(path, count, len(data), seconds))
        atomic_write(out / "index.html", render_index(project, out).encode("utf-8"))
        atomic_write(out / "facts.html", render_facts_page(project).encode("utf-8"))
    report.seconds = time.perf_counter() - started
    return report


def render_index(project: Project, out: Path) -> str:
    renderer = Renderer(project)
    env, _translations = renderer.env("en")
    briefs = []
    for brief in project.briefs.values():
        entries = []
        for audience in brief.audiences:
            for lang in brief.languages:
                output = Output(brief.slug, audience, lang, FORMATS)
                entries.append({
                    "audience": project.audiences[audience].label.get(lang),
                    "audience_key": audience, "lang": LANGUAGES[lang].name,
                    "tag": LANGUAGES[lang].tag,
                    "files": [{"format": fmt.upper(),
                               "href": output.path(Path("."), fmt).as_posix(),
                               "built": output.path(out, fmt).is_file()} for fmt in FORMATS],
                })
        texts = []
        for lang in brief.languages:
            text = brief.texts[lang]
            prose = ProseRenderer(project.facts, LANGUAGES[lang])
            summary = CITE_RE.sub("", str(prose.inline(text.summary, text.summary_loc)))
            texts.append({"tag": LANGUAGES[lang].tag, "title": text.title,
                          "summary": Markup(summary)})
        briefs.append({"slug": brief.slug, "texts": texts, "date": str(brief.date),
                       "topic": brief.topic, "entries": entries})
    return env.get_template("index.html").render(briefs=briefs)


def render_facts_page(project: Project) -> str:
    """``facts.html``: the whole fact base, as checked, with where each item is cited."""
    env, _translations = Renderer(project).env("en")
    facts = project.facts
    conflicts = [{"id": c.id, "note": c.note.get("en"), "facts": c.facts}
                 for c in facts.conflicts.values()]
    return env.get_template("facts.html").render(
        rows=factcheck.rows(project), conflicts=conflicts, inventory=inventory(facts))

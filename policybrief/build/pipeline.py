"""The pipeline: load -> check -> plan -> render -> write. Reads top to bottom as stage calls.

Everything is rendered in memory before the first file is written, so a build that fails
anywhere leaves the previous outputs exactly as they were. Outputs whose inputs have not
changed since the last build into the same folder are skipped (see :mod:`cache`).

Each stage's work is in its own folder: loading in :mod:`policybrief.load`, checking in
:mod:`policybrief.check`, rendering in :mod:`policybrief.render`, each kind of file in
:mod:`policybrief.output`; planning, the cache, the PDF workers, derived files, sharded
builds and the atomic write are this folder's other modules. This one only calls them in
order.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from policybrief.build import cache as cachelib  # light: the no-op check runs before anything heavy
from policybrief.build.plan import (
    Options,
    Output,
    output_keys,
    plan,
    selection,
    stale,
    with_overrides,
)
from policybrief.build.staging import Staging, output_lock
from policybrief.core.builtin import BUILTIN
from policybrief.core.errors import InputError, Problem, RenderError
from policybrief.core.patches import interrupts_deferred

if TYPE_CHECKING:  # the stages are imported where used: a no-op build needs none of them
    from policybrief.build.cache import BuildCache
    from policybrief.build.workers import PdfJob
    from policybrief.core.model import Project
    from policybrief.render.page import Page
    from policybrief.render.prose import RenderedText

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
Pages = dict[tuple[Output, str], "Page"]
Made = dict[tuple[Output, str], "Written"]


@dataclass
class Written:
    path: str  # relative to the output folder
    format: str
    status: str  # built | skipped
    pages: int | None
    size: int
    seconds: float
    # print edition: footnotes that did not fit on the page of their call, moved to the
    # "Further notes" list at the end (the build summary names them)
    late_notes: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    out: str = ""
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    shard: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def load_and_check(options: Options) -> tuple[Project, list[Problem]]:
    """Load and check stages; raise InputError on errors (or warnings when strict)."""
    from policybrief.check.rules import check
    from policybrief.editions.revisions import attach_editions
    from policybrief.load.project import load_project

    project, problems = load_project(options.root, options.templates, options.source_texts)
    project, found = attach_editions(project)  # revision boxes: changes since `since`
    problems = sorted(
        set(problems + found + check(project)), key=lambda p: (p.path, p.line, p.message)
    )
    if any(p.severity == "error" for p in problems) or (options.strict and problems):
        raise InputError(problems)
    return project, problems


def build(options: Options, progress: Progress | None = None) -> BuildReport:
    from policybrief.build import derived
    from policybrief.build.cache import BuildCache
    from policybrief.editions import revisions as editions

    started = time.perf_counter()
    out = options.out_dir
    run_key, inputs = cachelib.key_and_digest(
        options.root, selection(options), options.templates, options.source_texts
    )
    report = BuildReport(
        out=str(out), shard="{}/{}".format(*options.shard) if options.shard else ""
    )
    project, problems = load_and_check(options)  # load, check
    project = with_overrides(project, options)
    report.warnings += [str(p) for p in problems]
    outputs = plan(project, options)  # plan
    editions.guard_publication(
        project, {o.brief for o in outputs}, out, options.draft, options.publish
    )
    cache = BuildCache(out)
    keys = output_keys(project, outputs)
    todo = stale(keys, cache, options)
    prose = render_prose(project, {(o.brief, o.lang) for o, _ in todo})  # render
    pages = render_pages(project, todo, prose, report, frozenset(p.message for p in problems))
    with Staging(out) as staging:  # write: every file staged, then swapped in at once
        made = write_outputs(project, pages, options, staging, report, progress)
        derived.stage_chart_data(project, outputs, cache, staging, options.force)  # charts' CSV
        if "html" in options.formats:  # the pages link each brief's reference exports
            slugs = sorted({o.brief for o in outputs})
            derived.stage_exports(project, slugs, cache, staging, out, options.force)
            derived.stage_archive(project, outputs, cache, staging, options.force)
        if options.strict and report.warnings:
            raise InputError([Problem("build", 0, w, severity="warning") for w in report.warnings])
        with output_lock(out):
            report.written += record(keys, made, cache)
            write_site(project, options, cache, report, staging)
            editions.record(project, out, options.publish, staging.put)  # for `changes OUT`
            staging.put(cache.path.name, cache.data())
            report.seconds = time.perf_counter() - started
            staging.put(
                cachelib.MANIFEST, cachelib.record_run(out, run_key, inputs, asdict(report))
            )
            with interrupts_deferred():
                staging.commit()  # every file of this build, or none of them
                staging.close()  # committed: clear the staging folder before an interrupt
    return report


def render_prose(
    project: Project, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], RenderedText]:
    from policybrief.render.prose import ProseRenderer

    renderers: dict[str, ProseRenderer] = {}
    prose = {}
    for slug, lang in sorted(pairs):
        if lang not in renderers:
            renderers[lang] = ProseRenderer(project.facts, project.language(lang))
        renderer = renderers[lang]
        brief = project.briefs[slug]
        prose[(slug, lang)] = renderer.render(
            brief.texts[lang], brief.row, brief.charts, brief.pictures
        )
    return prose


def render_pages(
    project: Project,
    todo: list[tuple[Output, str]],
    prose: dict[tuple[str, str], RenderedText],
    report: BuildReport,
    reported: frozenset[str] = frozenset(),
) -> dict[tuple[Output, str], Page]:
    """Each output's page for each format: "html" renders for screens, "pdf" for print."""
    from policybrief.render.page import Renderer

    renderer = Renderer(project)
    pages: dict[tuple[Output, str], Page] = {}
    missing: set[tuple[str, str]] = set()
    for output, fmt in todo:
        audience = project.audience(output.brief, output.audience)
        if fmt == "docx":  # Word numbers its own notes: the page keeps numbered links
            # rendered for Word even when the PDF's page has the same links: Word's page is
            # typeset without the PDF's line-breaking joins (render/typography.py)
            audience = replace(audience, citations="links")
        page = renderer.page(
            project.briefs[output.brief],
            audience,
            prose[(output.brief, output.lang)],
            medium="screen" if fmt == "html" else "print",
            for_word=fmt == "docx",
        )
        missing |= {(output.lang, message) for message in page.missing_translations}
        pages[(output, fmt)] = page
    # `check` reports untranslated template strings with file and line; this catches any
    # that reach a page some other way, once each.
    for lang, message in sorted(missing):
        text = f"no {lang} translation for {message!r}"
        if text not in reported:
            report.warnings.append(f"templates: {text} (add it to the catalog; see README)")
    return pages


def write_outputs(
    project: Project,
    pages: Pages,
    options: Options,
    staging: Staging,
    report: BuildReport,
    progress: Progress | None,
) -> Made:
    """Every rendered page into its file in the staging folder: the HTML as it is, the PDFs
    by the worker pool, the Word editions by the docx writer."""
    made: Made = {}
    for (output, fmt), page in pages.items():
        if fmt == "html":
            data = page.html.encode("utf-8")
            staging.put(output.name(fmt), data)
            made[(output, fmt)] = Written(output.name(fmt), fmt, "built", None, len(data), 0.0)

    def words() -> None:  # the Word editions, in this process while the workers render PDFs
        made.update(render_docx(project, pages, staging))

    made.update(render_pdfs(project, pages, options, staging, report, progress, words))
    return made


def pdf_jobs(project: Project, pages: Pages, staging: Staging) -> list[PdfJob]:
    """One worker job per PDF page, with the files its PDF variant embeds."""
    from policybrief.build.workers import PdfJob
    from policybrief.output.pdf import attachments
    from policybrief.output.printshop import print_spec

    jobs = []
    for (output, fmt), page in pages.items():
        if fmt != "pdf":
            continue
        audience = project.audience(output.brief, output.audience)
        variant = audience.pdf_variant
        brief = project.briefs[output.brief]
        jobs.append(
            PdfJob(
                output,
                page.html,
                staging.path(output.name("pdf")),
                output.name("pdf"),
                weight=len(page.html),
                variant=variant,
                attachments=attachments(project, brief, output.lang, variant),
                printing=print_spec(project, output.brief, output.lang, page.html)
                if variant == "pdf/x-4"
                else None,
                one_page=audience.max_pages == 1,
            )
        )
    return jobs


def render_pdfs(
    project: Project,
    pages: Pages,
    options: Options,
    staging: Staging,
    report: BuildReport,
    progress: Progress | None,
    meanwhile: Callable[[], None] = lambda: None,
) -> Made:
    """Render the PDFs into the staging folder, each checked against its audience's limits
    (see :func:`pdf.check_result`); ``meanwhile`` runs in this process as the workers
    render (or first, when there are none)."""
    from policybrief.build.workers import default_jobs, render_all
    from policybrief.output import fonts as fontlib
    from policybrief.output.pdf import check_result

    jobs = pdf_jobs(project, pages, staging)
    if not jobs:
        meanwhile()
        return {}
    made: Made = {}
    faces = fontlib.prepare(
        options.out_dir, fontlib.characters(project.root, project.template_dirs, project.codes)
    )
    # every template folder a page may read from: the project's and each brief's own
    sets = (*project.own.values(), project.templates(""))
    roots = tuple(dict.fromkeys(d for s in sets for d in s.dirs))
    base = BUILTIN
    workers = options.jobs or default_jobs()
    temp = staging.temporary()  # WeasyPrint's font copies: they go with the staging folder
    html = {job.key: job.html for job in jobs}
    for done in render_all(jobs, roots, base, workers, progress, faces, temp, meanwhile):
        output, result = done.key, done.result
        name = output.name("pdf")
        where = project.briefs[output.brief].texts[output.lang].path
        audience = project.audience(output.brief, output.audience)
        if not result.blocked and audience.max_pages and result.pages > audience.max_pages:
            from policybrief.build.overflow import overflow_problem

            staged = staging.files[name]
            limit = audience.max_pages
            problem = overflow_problem(
                project.root, html[output], staged, name, audience.name, limit, where
            )
            raise RenderError(problem)
        check_result(result, audience, where)
        report.warnings += [f"{name}: WeasyPrint: {message}" for message in result.warnings]
        size = staging.files[name].stat().st_size
        made[(output, "pdf")] = Written(
            name, "pdf", "built", result.pages, size, done.seconds, list(result.demoted)
        )
    return made


def render_docx(project: Project, pages: Pages, staging: Staging) -> Made:
    """The Word editions, from the print pages, into the staging folder."""
    todo = [(output, page) for (output, fmt), page in pages.items() if fmt == "docx"]
    if not todo:
        return {}
    from policybrief.output.docx import DocxWriter

    writer = DocxWriter(project)
    made: Made = {}
    for output, page in todo:
        name = output.name("docx")
        started = time.perf_counter()
        try:
            data = writer.write(
                project.briefs[output.brief], project.audience(output.brief, output.audience), page
            )
        except RenderError as exc:  # a problem with no file of its own is this edition's
            problem = exc.problem
            raise RenderError(problem if problem.path else replace(problem, path=name)) from None
        staging.put(name, data)
        made[(output, "docx")] = Written(
            name, "docx", "built", None, len(data), time.perf_counter() - started
        )
    return made


def record(keys: dict[tuple[Output, str], str], made: Made, cache: BuildCache) -> list[Written]:
    """Each planned output's line in the report, in plan order: built now (its cache entry
    updated) or skipped (as the cache remembers it)."""
    written = []
    for (output, fmt), key in keys.items():
        name = output.name(fmt)
        entry = made.get((output, fmt))
        if entry is None:
            old = cache.entry(name)
            pages, size, late = old.get("pages"), old.get("size", 0), old.get("late_notes", [])
            written.append(Written(name, fmt, "skipped", pages, size, 0.0, late))
            continue
        cache.record(name, key, entry.size, pages=entry.pages, late_notes=entry.late_notes)
        written.append(entry)
    return written


def write_site(
    project: Project, options: Options, cache: BuildCache, report: BuildReport, staging: Staging
) -> None:
    """index.html and facts.html (see :mod:`site`); a shard instead leaves its report and
    cache for the `index` step (see :mod:`shards`)."""
    if options.shard:
        from policybrief.build import shards

        shards.write_report(report.shard, report.to_json().encode("utf-8"), cache, staging.put)
        return
    from policybrief.build import derived
    from policybrief.render import site

    out = options.out_dir
    built = site.built_outputs(out) | set(staging.files)
    derived.stage_site_pages(project, out, built, cache, staging.put)


def assemble_index(options: Options) -> list[str]:
    """The `index` step after sharded builds (see :func:`shards.assemble`); returns the
    shard reports it read."""
    from policybrief.build import shards

    project, _problems = load_and_check(options)
    return shards.assemble(project, options.out_dir)


def replay(options: Options) -> BuildReport | None:
    """The no-op fast path: the last report, every output skipped, if nothing changed."""
    started = time.perf_counter()
    key, inputs = cachelib.key_and_digest(
        options.root, selection(options), options.templates, options.source_texts
    )
    last = cachelib.unchanged(options.out_dir, key, inputs)
    if last is None:
        return None
    written = [
        Written(**{**item, "status": "skipped", "seconds": 0.0}) for item in last.get("written", [])
    ]
    return BuildReport(
        out=last.get("out", ""),
        written=written,
        warnings=last.get("warnings", []),
        seconds=time.perf_counter() - started,
        shard=last.get("shard", ""),
    )

"""The pipeline: load -> check -> plan -> render -> write. Reads top to bottom as stage calls.

Everything is rendered in memory before the first file is written, so a build that fails
anywhere leaves the previous outputs exactly as they were. Outputs whose inputs have not
changed since the last build into the same folder are skipped (see :mod:`cache`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import manifest
from .errors import InputError, OutputError, Problem, RenderError, UsageError
from .write import Staging, interrupts_deferred, output_lock

if TYPE_CHECKING:  # the stages are imported where used: a no-op build needs none of them
    from .cache import BuildCache
    from .model import Project
    from .prose import RenderedText
    from .render import Page

FORMATS = ("html", "pdf", "docx")

log = logging.getLogger(__name__)
REPORTS = ".reports"
Progress = Callable[[int, int, str], None]


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
    force: bool = False
    jobs: int = 0  # 0: one worker per core
    shard: tuple[int, int] | None = None  # (i, n), 1-based: build every n-th output
    page_size: str | None = None  # overrides every audience's page size
    pdf_variant: str | None = None  # overrides every audience's PDF variant
    draft: bool = False  # --draft: every brief built as a draft (watermark, banner)
    publish: bool = False  # --publish: mark the output folder for publication

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "dist"


@dataclass(frozen=True)
class Output:
    brief: str
    audience: str
    lang: str
    formats: tuple[str, ...]

    def name(self, fmt: str) -> str:
        return f"{self.brief}/{self.audience}.{self.lang}.{fmt}"

    def path(self, out: Path, fmt: str) -> Path:
        path = out / self.name(fmt)
        if not path.resolve().is_relative_to(out.resolve()) or path.name.startswith("."):
            raise OutputError(f"{path}: output path leaves the output folder")
        return path


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
    from .check import check
    from .editions import attach_editions
    from .project import load_project

    project, problems = load_project(options.root, options.templates, options.source_texts)
    project, found = attach_editions(project)  # revision boxes: changes since `since`
    problems = sorted(
        set(problems + found + check(project)), key=lambda p: (p.path, p.line, p.message)
    )
    if any(p.severity == "error" for p in problems) or (options.strict and problems):
        raise InputError(problems)
    return project, problems


def plan(project: Project, options: Options) -> list[Output]:
    from .i18n import LANGUAGES

    for name, chosen, known in (
        ("brief", options.briefs, project.briefs),
        ("audience", options.audiences, project.audiences),
        ("language", options.langs, LANGUAGES),
    ):
        for item in chosen:
            if item not in known:
                raise UsageError(f"unknown {name} {item!r} (known: {', '.join(sorted(known))})")
    outputs = [
        Output(brief.slug, audience, lang, options.formats)
        for brief in project.briefs.values()
        if not options.briefs or brief.slug in options.briefs
        for audience in brief.audiences
        if not options.audiences or audience in options.audiences
        for lang in brief.languages
        if not options.langs or lang in options.langs
    ]
    if not outputs:
        raise UsageError(
            "the selection matches no output (check --brief, --audience, --lang "
            "against each brief's audiences and languages)"
        )
    if options.shard:
        index, count = options.shard
        outputs = sorted(outputs, key=lambda o: o.name(""))[index - 1 :: count]
    return outputs


def output_keys(project: Project, outputs: list[Output]) -> dict[tuple[Output, str], str]:
    """The cache key of each (output, format): a digest of what that output can show."""
    from . import cache as cachelib

    keys = cachelib.output_keys(
        project, [(o.brief, o.audience, o.lang, o.formats) for o in outputs]
    )
    return {
        (o, fmt): keys[(o.brief, o.audience, o.lang, fmt)] for o in outputs for fmt in o.formats
    }


def render_prose(
    project: Project, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], RenderedText]:
    from .i18n import LANGUAGES
    from .prose import ProseRenderer

    renderers: dict[str, ProseRenderer] = {}
    prose = {}
    for slug, lang in sorted(pairs):
        renderer = renderers.setdefault(lang, ProseRenderer(project.facts, LANGUAGES[lang]))
        brief = project.briefs[slug]
        prose[(slug, lang)] = renderer.render(brief.texts[lang], brief.row, brief.charts)
    return prose


def render_pages(
    project: Project,
    todo: list[tuple[Output, str]],
    prose: dict[tuple[str, str], RenderedText],
    report: BuildReport,
    reported: frozenset[str] = frozenset(),
) -> dict[tuple[Output, str], Page]:
    """Each output's page for each format: "html" renders for screens, "pdf" for print."""
    from .render import Renderer

    renderer = Renderer(project)
    pages: dict[tuple[Output, str], Page] = {}
    missing: set[tuple[str, str]] = set()
    for output, fmt in todo:
        audience = project.audiences[output.audience]
        if fmt == "docx":  # Word numbers its own notes: the page keeps numbered links
            if audience.citations == "links" and (output, "pdf") in pages:
                pages[(output, fmt)] = pages[(output, "pdf")]  # the very same page
                continue
            audience = replace(audience, citations="links")
        page = renderer.page(
            project.briefs[output.brief],
            audience,
            prose[(output.brief, output.lang)],
            medium="screen" if fmt == "html" else "print",
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


def render_pdfs(
    project: Project,
    pages: dict[tuple[Output, str], Page],
    options: Options,
    staging: Staging,
    report: BuildReport,
    progress: Progress | None,
) -> dict[Output, tuple[int, int, float, list[str]]]:
    """Render the PDFs into the staging folder; (pages, size, seconds, late notes) per
    output."""
    from . import fonts as fontlib
    from .workers import PdfJob, default_jobs, render_all

    jobs = []
    for (output, fmt), page in pages.items():
        if fmt != "pdf":
            continue
        variant = project.audiences[output.audience].pdf_variant
        jobs.append(
            PdfJob(
                output,
                page.html,
                staging.path(output.name("pdf")),
                output.name("pdf"),
                weight=len(page.html),
                variant=variant,
                attachments=attachments(project, output, variant),
            )
        )
    if not jobs:
        return {}
    pdfs = {}
    faces = fontlib.prepare(
        options.out_dir, fontlib.characters(project.root, project.template_dirs)
    )
    for done in render_all(
        jobs,
        tuple(project.template_dirs),
        project.root / "templates",
        options.jobs or default_jobs(),
        progress,
        faces,
    ):
        output, result = cast(Output, done.key), done.result
        audience = project.audiences[output.audience]
        where = project.briefs[output.brief].texts[output.lang].path
        if result.blocked:
            raise RenderError(
                f"{where}:1: the {audience.name} PDF tried to load "
                f"{', '.join(repr(u[:80]) for u in result.blocked)}; only data: "
                "URIs and files in the template folders may be loaded"
            )
        if audience.max_pages and result.pages > audience.max_pages:
            raise RenderError(
                f"{where}:1: the {audience.name} PDF runs to {result.pages} pages; "
                f"its limit is {audience.max_pages} (shorten the section leads, "
                "summary or recommendations)"
            )
        for message in result.warnings:
            report.warnings.append(f"{output.name('pdf')}: WeasyPrint: {message}")
        size = staging.files[output.name("pdf")].stat().st_size
        pdfs[output] = (result.pages, size, done.seconds, list(result.demoted))
    return pdfs


def render_docx(
    project: Project, pages: dict[tuple[Output, str], Page], staging: Staging
) -> dict[Output, tuple[int, float]]:
    """The Word editions, from the print pages, into the staging folder; (size, seconds)."""
    todo = [(output, page) for (output, fmt), page in pages.items() if fmt == "docx"]
    if not todo:
        return {}
    from .docx import DocxWriter

    writer = DocxWriter(project)
    done = {}
    for output, page in todo:
        started = time.perf_counter()
        try:
            data = writer.write(
                project.briefs[output.brief], project.audiences[output.audience], page
            )
        except RenderError as exc:
            raise RenderError(f"{output.name('docx')}: {exc}") from None
        staging.put(output.name("docx"), data)
        done[output] = (len(data), time.perf_counter() - started)
    return done


def attachments(project: Project, output: Output, variant: str | None) -> tuple:
    """PDF/A-3 carries the facts the brief shows, as data, beside the printed page."""
    if variant != "pdf/a-3b":
        return ()
    import datetime

    from . import cache as cachelib
    from . import factcheck
    from .pdf import Attachment

    brief = project.briefs[output.brief]
    ids = cachelib.shown_items(project, brief, output.lang)
    data = json.dumps(
        factcheck.rows(project, ids, brief.slug), ensure_ascii=False, indent=1, sort_keys=True
    ).encode("utf-8")
    day = brief.date
    date = datetime.datetime(day.year, day.month or 1, day.day or 1, tzinfo=datetime.UTC)
    return (
        Attachment("facts.json", data, "The facts this brief shows, with sources and quotes", date),
    )


def with_overrides(project: Project, options: Options) -> Project:
    """Command-line page size and PDF variant apply to every audience."""
    changes: dict[str, Any] = {
        k: v
        for k, v in (("page_size", options.page_size), ("pdf_variant", options.pdf_variant))
        if v
    }
    if options.draft:
        from .editions import as_drafts

        project = as_drafts(project)
    if not changes:
        return project
    audiences = {name: replace(a, **changes) for name, a in project.audiences.items()}
    return replace(project, audiences=audiences)


def selection(options: Options) -> dict:
    """What distinguishes one build's outputs from another's (the manifest key)."""
    return {
        "root": str(options.root),
        "briefs": options.briefs,
        "audiences": options.audiences,
        "langs": options.langs,
        "formats": options.formats,
        "strict": options.strict,
        "templates": [str(t) for t in options.templates],
        "sources": str(options.source_texts),
        "shard": options.shard,
        "page_size": options.page_size,
        "pdf_variant": options.pdf_variant,
        "draft": options.draft,
        "publish": options.publish,
        "published": (options.out_dir / ".publish").is_file(),
    }


def build(options: Options, progress: Progress | None = None) -> BuildReport:
    from . import cache as cachelib
    from . import editions

    started = time.perf_counter()
    out = options.out_dir
    run_key, inputs = manifest.key_and_digest(
        options.root, selection(options), options.templates, options.source_texts
    )
    report = BuildReport(
        out=str(out), shard="{}/{}".format(*options.shard) if options.shard else ""
    )
    project, problems = load_and_check(options)
    project = with_overrides(project, options)
    report.warnings += [str(p) for p in problems]
    outputs = plan(project, options)
    editions.guard_publication(
        project, {o.brief for o in outputs}, out, options.draft, options.publish
    )
    cache = cachelib.BuildCache(out)
    keys = output_keys(project, outputs)
    todo = [
        item
        for item, key in keys.items()
        if options.force or not cache.fresh(item[0].name(item[1]), key, item[0].path(out, item[1]))
    ]
    prose = render_prose(project, {(o.brief, o.lang) for o, _ in todo})
    pages = render_pages(project, todo, prose, report, frozenset(p.message for p in problems))
    with Staging(out) as staging:
        for (output, fmt), page in pages.items():
            if fmt == "html":
                staging.put(output.name(fmt), page.html.encode("utf-8"))
        pdfs = render_pdfs(project, pages, options, staging, report, progress)
        docs = render_docx(project, pages, staging)
        if options.strict and report.warnings:
            raise InputError([Problem("build", 0, w, severity="warning") for w in report.warnings])
        with output_lock(out):
            for (output, fmt), key in keys.items():
                name = output.name(fmt)
                if (output, fmt) not in pages:
                    entry = cache.entry(name)
                    report.written.append(
                        Written(
                            name,
                            fmt,
                            "skipped",
                            entry.get("pages"),
                            entry.get("size", 0),
                            0.0,
                            entry.get("late_notes", []),
                        )
                    )
                    continue
                if fmt == "html":
                    count, size, seconds = None, len(pages[(output, fmt)].html.encode()), 0.0
                    late: list[str] = []
                elif fmt == "docx":
                    count, (size, seconds), late = None, docs[output], []
                else:
                    count, size, seconds, late = pdfs[output]
                cache.record(name, key, size, pages=count, late_notes=late)
                report.written.append(Written(name, fmt, "built", count, size, seconds, late))
            if "html" in options.formats:  # the pages link them
                write_exports(project, sorted({o.brief for o in outputs}), cache, staging, out)
            write_site(project, out, cache, report, sharded=bool(options.shard), staging=staging)
            editions.record(project, out, options.publish, staging.put)  # for `changes OUT`
            staging.put(cache.path.name, cache.data())
            report.seconds = time.perf_counter() - started
            staging.put(manifest.MANIFEST, manifest.record(out, run_key, inputs, asdict(report)))
            with interrupts_deferred():
                staging.commit()  # every file of this build, or none of them
                staging.close()  # committed: clear the staging folder before an interrupt
    return report


def replay(options: Options) -> BuildReport | None:
    """The no-op fast path: the last report, every output skipped, if nothing changed."""
    started = time.perf_counter()
    key, inputs = manifest.key_and_digest(
        options.root, selection(options), options.templates, options.source_texts
    )
    last = manifest.unchanged(options.out_dir, key, inputs)
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


def write_site(
    project: Project,
    out: Path,
    cache: BuildCache,
    report: BuildReport,
    sharded: bool,
    staging: Staging,
) -> None:
    """index.html and facts.html; a shard writes its build report for the `index` step."""
    from . import cache as cachelib
    from .site import built_outputs, render_facts_page, render_index

    if sharded:
        name = f"{REPORTS}/shard-{report.shard.replace('/', '-of-')}"
        staging.put(f"{name}.json", report.to_json().encode("utf-8"))
        # Shards' folders are merged by copying, so each shard's cache would replace the
        # others': keep a copy under the shard's name for `index` to merge.
        staging.put(f"{name}.cache", cache.data())
        return
    built = built_outputs(out) | set(staging.files)
    key = cachelib.digest(
        cachelib.engine_digest(),
        cachelib.templates_digest(project),
        cachelib.items_digest(project, sorted([*project.facts.facts, *project.facts.claims])),
        [
            cachelib.brief_digest(project, b, lang)
            for b in project.briefs.values()
            for lang in b.languages
        ],
        sorted(built),
    )
    for name, render in (
        ("index.html", lambda: render_index(project, built)),
        ("facts.html", lambda: render_facts_page(project)),
    ):
        if not cache.fresh(name, key, out / name):
            data = render().encode("utf-8")
            staging.put(name, data)
            cache.record(name, key, len(data))


def write_exports(
    project: Project, slugs: list[str], cache: BuildCache, staging: Staging, out: Path
) -> None:
    """Each brief's sources for reference managers (CSL-JSON, BibTeX, RIS) beside its pages,
    rewritten only when the sources the brief shows (or the engine) change."""
    from . import cache as cachelib
    from . import exports, references

    for slug in slugs:
        brief = project.briefs[slug]
        ids = sorted({s for lang in brief.languages for s in _shown_sources(project, slug, lang)})
        sources = [project.facts.sources[sid] for sid in ids]
        key = cachelib.digest(
            cachelib.engine_digest(),
            [repr({k: v for k, v in vars(s).items() if k != "loc"}) for s in sources],
        )
        items = [references.csl_item(s, references.source_language(s)) for s in sources]
        for name, export in exports.EXPORTS.items():
            relative = f"{slug}/{name}"
            if cache.fresh(relative, key, out / relative):
                continue
            data = export(items)
            staging.put(relative, data)
            cache.record(relative, key, len(data))


def _shown_sources(project: Project, slug: str, lang: str) -> list[str]:
    from . import cache as cachelib

    facts = project.facts
    items = cachelib.shown_items(project, project.briefs[slug], lang)
    found = [(facts.facts.get(i) or facts.claims.get(i)) for i in items]
    return [item.source for item in found if item is not None and item.source]


def assemble_index(options: Options) -> list[str]:
    """The `index` step after sharded builds: index.html and facts.html from the shards'
    reports (and whatever outputs are present), and one cache merged from the shards' caches,
    so that the next build in the merged folder skips what the shards built. Returns the
    report files it read."""
    from . import cache as cachelib
    from .site import built_outputs, render_facts_page, render_index

    project, _problems = load_and_check(options)
    out = options.out_dir
    reports = sorted((out / REPORTS).glob("*.json"))
    built = built_outputs(out)
    for path in reports:
        for item in json.loads(path.read_text(encoding="utf-8")).get("written", []):
            if (out / item["path"]).is_file():
                built.add(item["path"])
    index, facts = render_index(project, built), render_facts_page(project)
    cache = cachelib.BuildCache(out)
    with Staging(out) as staging, output_lock(out):
        for path in sorted((out / REPORTS).glob("*.cache")):
            cache.merge(path, out)
        staging.put("index.html", index.encode("utf-8"))
        staging.put("facts.html", facts.encode("utf-8"))
        staging.put(cache.path.name, cache.data())
        staging.commit()
    return [str(p) for p in reports]

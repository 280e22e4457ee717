"""Plan stage: which outputs a build makes, from the command line's options and the loaded
project, and which of them are out of date (their cache key changed since the last build
into the same folder, see :mod:`cache`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from policybrief.core.errors import OutputError, UsageError

if TYPE_CHECKING:
    from policybrief.build.cache import BuildCache
    from policybrief.core.model import Audience, Project

FORMATS = ("html", "pdf", "docx")


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
    source_texts: tuple[Path, ...] = ()  # --sources, searched before the configured ones
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


def _own_audiences(project: Project) -> dict[str, Audience]:
    """The audiences of the briefs' own template folders (see :meth:`Project.templates`)."""
    return {name: a for s in project.own.values() for name, a in s.audiences.items()}


def plan(project: Project, options: Options) -> list[Output]:
    """The outputs the options select (every n-th of them for a shard), in a fixed order;
    UsageError for a name that does not exist or a selection that matches nothing."""
    for name, chosen, known in (
        ("brief", options.briefs, project.briefs),
        ("audience", options.audiences, {**project.audiences, **_own_audiences(project)}),
        ("language", options.langs, project.codes),
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
    from policybrief.build import cache as cachelib

    keys = cachelib.output_keys(
        project, [(o.brief, o.audience, o.lang, o.formats) for o in outputs]
    )
    return {
        (o, fmt): keys[(o.brief, o.audience, o.lang, fmt)] for o in outputs for fmt in o.formats
    }


def stale(
    keys: dict[tuple[Output, str], str], cache: BuildCache, options: Options
) -> list[tuple[Output, str]]:
    """The (output, format) pairs to build: all with ``--force``, else those whose key
    changed or whose file is gone."""
    out = options.out_dir
    return [
        (output, fmt)
        for (output, fmt), key in keys.items()
        if options.force or not cache.fresh(output.name(fmt), key, output.path(out, fmt))
    ]


class _AudienceOverrides(TypedDict, total=False):
    """The audience fields the command line can set for every audience."""

    page_size: str
    pdf_variant: str


def with_overrides(project: Project, options: Options) -> Project:
    """Command-line page size and PDF variant apply to every audience; ``--draft`` makes
    every brief a draft."""
    changes: _AudienceOverrides = {}
    if options.page_size:
        changes["page_size"] = options.page_size
    if options.pdf_variant:
        changes["pdf_variant"] = options.pdf_variant
    if options.draft:
        from policybrief.editions.revisions import as_drafts

        project = as_drafts(project)
    if not changes:
        return project

    def changed(audiences: dict[str, Audience]) -> dict[str, Audience]:
        return {name: replace(a, **changes) for name, a in audiences.items()}

    own = {slug: replace(s, audiences=changed(s.audiences)) for slug, s in project.own.items()}
    return replace(project, audiences=changed(project.audiences), own=own)


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
        "sources": [str(s) for s in options.source_texts],
        "shard": options.shard,
        "page_size": options.page_size,
        "pdf_variant": options.pdf_variant,
        "draft": options.draft,
        "publish": options.publish,
        "published": (options.out_dir / ".publish").is_file(),
    }

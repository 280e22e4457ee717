"""Incremental builds: what each output depends on, hashed, and remembered between runs.

Each output (brief, audience, language, format) has its own key, made of what that output
shows, as :func:`~policybrief.load.selection.shows` defines it for the renderer too: the
prose it prints (whole sections or their leads, the recommendations or not), its key
figures and charts, its exhibits' numbers, the images it embeds, its house style (the
theme files, the one named in the settings included), and the facts and claims it can
show with their units, sources and conflicts; plus its brief's settings (``brief.yaml``),
the template files its page reads (its audience's template and every template that one
extends, includes or imports, the files it embeds with ``asset()``, the catalogs of its
language; every file of the template folders for a Word edition), the audience's
settings, the fonts as fontconfig sees them and the subset faces PDFs embed (PDFs only),
the facts a PDF/A-3 attaches, the engine's own source and library versions, and the
format. Editing anything else rebuilds nothing: editing a fact rebuilds only the outputs
that show it, a template only the outputs whose page reads it, a catalog only the outputs
in its language. The cache lives in ``<out>/.policybrief-cache.json``; deleting it only
means the next build redoes everything.

Before any of that, the no-op fast path at the end of this module answers whether anything
at all changed since the last build with the same options (a directory scan against
``<out>/.policybrief-manifest.json``) over the files :func:`config.input_paths` lists; it
is why this module imports nothing heavy at the top.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.core.digest import PACKAGE, digest, engine_digest

if TYPE_CHECKING:
    from collections.abc import Callable

if TYPE_CHECKING:  # imported where used: the no-op fast path below needs none of them
    from policybrief.core.model import Audience, Brief, Project
    from policybrief.load.selection import Shown

CACHE_NAME = ".policybrief-cache.json"
FONT_CACHE_DIRS = ("/var/cache/fontconfig", "~/.cache/fontconfig")


def fonts_digest(project: Project | None = None) -> str:
    """Changes whenever fonts are installed or updated (fontconfig rewrites its caches) and,
    given the project, whenever the subset faces its PDFs embed would change (see
    :mod:`fonts`: the face files, the project's character set, HarfBuzz's version)."""
    entries: list = []
    if project is not None:
        from policybrief.output import fonts

        chars = fonts.characters(project.root, project.template_dirs, project.codes)
        entries.append(fonts.fonts_key(chars, fonts.system_faces()))
    for folder in FONT_CACHE_DIRS:
        path = Path(folder).expanduser()
        if path.is_dir():
            with os.scandir(path) as scan:
                entries += sorted(
                    (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in scan if e.is_file()
                )
    return digest(entries)


def templates_digest(dirs: tuple[Path, ...]) -> str:
    files = []
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files.append((str(path.relative_to(folder)), path.read_bytes()))
    return digest(files)


def items_digest(project: Project, ids: Iterable[str]) -> str:
    facts = project.facts
    records: list[object] = []
    for item_id in ids:
        item = facts.facts.get(item_id) or facts.claims.get(item_id)
        if item is None:
            records.append((item_id, None))
            continue
        unit = facts.units.get(getattr(item, "unit", ""))
        source = facts.sources.get(item.source)
        conflicts = facts.conflicts_of(item_id)
        # Locations are left out: moving a fact within its file changes no output.
        records.append(
            (
                repr(_without_loc(item)),
                repr(unit),
                repr(_without_loc(source)),
                [repr(_without_loc(c)) for c in conflicts],
                facts.pages.get(item_id),  # the page its note prints (an original PDF's)
            )
        )
    return digest(records)


def _without_loc(item: object) -> object:
    if item is None or not hasattr(item, "loc"):
        return item
    return {k: v for k, v in vars(item).items() if k != "loc"}


def brief_digest(project: Project, brief: Brief, shown: Shown) -> str:
    """The brief's settings and what one output of it shows (``shown``)."""
    settings = (project.root / brief.folder / "brief.yaml").read_bytes()
    # status: --draft changes it without a file changing; the edition holds the old figures
    return digest(
        settings,
        repr(shown),
        brief.row.record if brief.row else None,
        brief.status,
        project.editions.get(brief.slug),
    )


def brief_files_digest(project: Project, brief: Brief, lang: str) -> str:
    """The brief's settings and its text in ``lang`` as written, lines and all (the facts
    page names the line of every citation)."""
    folder = project.root / brief.folder
    return digest(
        (folder / "brief.yaml").read_bytes(),
        (folder / f"{lang}.md").read_bytes(),
        brief.row.record if brief.row else None,
        brief.status,
        project.editions.get(brief.slug),
    )


def attached_digest(project: Project, brief: Brief, lang: str, audience: Audience) -> str:
    """The files a PDF of this audience's variant embeds (a PDF/A-3's facts, with where the
    whole text cites them), by content; "" for a variant that embeds none."""
    if audience.pdf_variant is None:
        return ""
    from policybrief.output.pdf import attachments

    return digest(repr(attachments(project, brief, lang, audience.pdf_variant)))


def house_digest(project: Project) -> str:
    """``[tool.policybrief.office]`` and ``[tool.policybrief.print]``, with the printer's
    profile by content: a press release, a back cover or a print file shows them."""
    profile = project.printing.profile
    data = profile.read_bytes() if profile and profile.is_file() else b""
    return digest(repr((project.office, project.printing)), hashlib.sha256(data).hexdigest())


def output_keys(
    project: Project, outputs: list[tuple[str, str, str, tuple[str, ...]]]
) -> dict[tuple[str, str, str, str], str]:
    """The key of each (brief, audience, language, format) in ``outputs``: a digest of
    everything that output shows (:func:`~policybrief.load.selection.shows`) and of what
    shapes it."""
    from policybrief.load.selection import shows
    from policybrief.render.environment import template_files
    from policybrief.render.page import page_templates

    engine = engine_digest()
    # The subset faces' digest only where PDFs are asked for: an HTML build needs no fonts.
    wants_pdf = any("pdf" in formats for *_rest, formats in outputs)
    fonts = fonts_digest(project) if wants_pdf else fonts_digest()
    docx_key = ""
    if any("docx" in formats for *_rest, formats in outputs):
        from policybrief.output.docx import fingerprint

        docx_key = digest(fonts, fingerprint())  # the Word edition's charts use the fonts
    read: dict[tuple, str] = {}  # the template files a page reads, by folders, entries, lang
    every: dict[tuple[Path, ...], str] = {}  # every file of the folders (the Word edition's)
    keys = {}
    for slug, name, lang, formats in outputs:
        brief, audience = project.briefs[slug], project.audience(slug, name)
        dirs = project.templates(slug).dirs
        shown = shows(project, brief, lang, audience)
        entry = (dirs, page_templates(audience), lang)
        if entry not in read:
            read[entry] = digest(template_files(*entry))
        base = digest(
            engine,
            read[entry],
            repr(project.reference_style),  # (pyproject.toml) shapes every page's sources
            house_digest(project),  # the office and print settings (pyproject.toml)
            repr(audience),
            brief_digest(project, brief, shown),
            items_digest(project, shown.items),
            name,
            lang,
        )
        for fmt in formats:
            if fmt == "pdf":
                extra = digest(fonts, attached_digest(project, brief, lang, audience))
            elif fmt == "docx":  # its own partials and reference.docx: all the folders' files
                if dirs not in every:
                    every[dirs] = templates_digest(dirs)
                extra = digest(docx_key, every[dirs])
            else:
                extra = ""
            keys[(slug, name, lang, fmt)] = digest(base, fmt, extra)
    return keys


class BuildCache:
    """Keys of the outputs last written into one output folder."""

    def __init__(self, out: Path):
        self.path = out / CACHE_NAME
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def fresh(self, relative: str, key: str, target: Path) -> bool:
        entry = self.entries.get(relative)
        if not entry or entry.get("key") != key:
            return False
        try:
            return target.stat().st_size == entry.get("size")
        except OSError:
            return False

    def refresh(
        self,
        relative: str,
        key: str,
        out: Path,
        make: Callable[[], bytes],
        put: Callable[[str, bytes], object],
        force: bool = False,
    ) -> None:
        """A file beside the outputs (a chart's CSV, a reference export, a site page):
        ``make()``'s bytes handed to ``put`` (the build's staging) and recorded, unless the
        last build into ``out`` left it there with this key."""
        if force or not self.fresh(relative, key, out / relative):
            data = make()
            put(relative, data)
            self.record(relative, key, len(data))

    def record(self, relative: str, key: str, size: int, **extra: object) -> None:
        self.entries[relative] = {"key": key, "size": size, **extra}

    def entry(self, relative: str) -> dict:
        return self.entries.get(relative, {})

    def data(self) -> bytes:
        return json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8")

    def merge(self, path: Path, out: Path) -> int:
        """Add the entries of another cache file (a shard's) whose output is present in
        ``out`` at the recorded size; returns how many were added."""
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        added = 0
        inside = out.resolve()
        for relative, entry in entries.items() if isinstance(entries, dict) else ():
            try:
                target = out / relative
                present = target.resolve().is_relative_to(inside) and (
                    target.stat().st_size == entry.get("size")
                )
            except (OSError, AttributeError):
                present = False
            if present:
                self.entries[relative] = entry
                added += 1
        return added


# -- The no-op fast path ------------------------------------------------------------------
#
# If no input file has changed since the last successful build with the same options into
# the same folder, the build has nothing to do.
#
# "Changed" is judged by each file's size and modification time (as make does), over every
# folder and file the settings say a build reads (config.input_paths: facts, briefs,
# template folders, source texts, the theme file, the settings) and the engine's own code,
# plus the font caches; every output of that build must still be there with its size. This
# module is imported before anything heavy, so a no-op build costs a directory scan, not a
# load and check. Any doubt (no manifest, a changed file) falls through to the full build,
# which has its own per-output cache. ``SOURCE_DATE_EPOCH`` is not an input: no output
# prints the clock or it (page.build_date; tests/test_print.py).


MANIFEST = ".policybrief-manifest.json"
ENGINE = PACKAGE


def _walk(path: Path, entries: list) -> None:
    """(path, size, mtime) of ``path`` if it is a file, else of every file under it."""
    try:
        with os.scandir(path) as scan:
            for entry in scan:
                if entry.name.startswith(".") or entry.name == "__pycache__":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    _walk(Path(entry.path), entries)
                elif entry.is_file():
                    stat = entry.stat()
                    entries.append((entry.path, stat.st_size, stat.st_mtime_ns))
    except NotADirectoryError:
        try:
            stat = path.stat()
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            entries.append((str(path), -1, -1))
    except OSError:
        entries.append((str(path), -1, -1))


def inputs_digest(paths: Iterable[Path]) -> str:
    """Size and modification time of every file under ``paths`` (what a build reads, as
    :func:`config.input_paths` lists it), of the engine's code and of the font caches."""
    entries: list = []
    for path in (*paths, ENGINE, *(Path(d).expanduser() for d in FONT_CACHE_DIRS)):
        _walk(path, entries)
    return hashlib.sha256(repr(sorted(entries)).encode("utf-8")).hexdigest()


def _load(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def unchanged(out: Path, key: str, digest: str) -> dict | None:
    """The last build report for these options if nothing changed since; else None."""
    entry = _load(out).get(key)
    if not entry or entry.get("inputs") != digest:
        return None
    report = entry.get("report", {})
    for item in report.get("written", []):
        try:
            if (out / item["path"]).stat().st_size != item["size"]:
                return None
        except OSError:
            return None
    return report


def record_run(out: Path, key: str, digest: str, report: dict) -> bytes:
    """The manifest's new contents (written by the caller, atomically)."""
    manifest = _load(out)
    manifest[key] = {"inputs": digest, "report": report}
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def key_and_digest(
    root: Path, selection: dict, templates: tuple[Path, ...], sources: tuple[Path, ...]
) -> tuple[str, str]:
    """The manifest key for these options and the digest of the inputs they read (the
    paths the build reads, as config.py lists them)."""
    from policybrief.load.config import input_paths, quiet_settings

    key = repr(sorted((k, repr(v)) for k, v in selection.items()))
    return key, inputs_digest(input_paths(root, templates, sources, quiet_settings(root)))

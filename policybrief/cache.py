"""Incremental builds: what each output depends on, hashed, and remembered between runs.

An output's key covers its brief's files, only the facts and claims it can show (cited,
key figures, the other side of their conflicts) with their units and sources, every file
in the template folders (templates, partials, CSS, audiences, catalogs), the fonts as
fontconfig sees them and the subset faces PDFs embed, the engine's own source and library
versions, and the options that shape the output. The cache lives in
``<out>/.policybrief-cache.json``; deleting it only means the next build redoes everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path

from .check import citations, key_figures
from .model import Brief, Project

CACHE_NAME = ".policybrief-cache.json"
FONT_CACHE_DIRS = ("/var/cache/fontconfig", "~/.cache/fontconfig")
LIBRARIES = ("weasyprint", "jinja2", "babel", "markdown", "pyyaml", "pydyf", "tinycss2")


def digest(*parts: object) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()


@cache
def engine_digest() -> str:
    """The engine's own code and the versions of the libraries that shape its output."""
    here = Path(__file__).resolve().parent
    sources = [(p.name, p.read_bytes()) for p in sorted(here.glob("*.py"))]
    versions = []
    for name in LIBRARIES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    return digest(sources, versions)


def fonts_digest(project: Project | None = None) -> str:
    """Changes whenever fonts are installed or updated (fontconfig rewrites its caches) and,
    given the project, whenever the subset faces its PDFs embed would change (see
    :mod:`fonts`: the face files, the project's character set, HarfBuzz's version)."""
    entries: list = []
    if project is not None:
        from . import fonts

        chars = fonts.characters(project.root, project.template_dirs)
        entries.append(fonts.fonts_key(chars, fonts.system_faces()))
    for folder in FONT_CACHE_DIRS:
        path = Path(folder).expanduser()
        if path.is_dir():
            with os.scandir(path) as scan:
                entries += sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns)
                                  for e in scan if e.is_file())
    return digest(entries)


def templates_digest(project: Project) -> str:
    files = []
    for folder in project.template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files.append((str(path.relative_to(folder)), path.read_bytes()))
    return digest(files)


def shown_items(project: Project, brief: Brief, lang: str) -> list[str]:
    """Ids of every fact or claim an output of this brief in this language can show."""
    facts = project.facts
    items = {c.item_id for c in citations(brief) if c.lang == lang} | set(key_figures(brief))
    for conflict in facts.conflicts.values():
        if items & set(conflict.facts):
            items |= set(conflict.facts)
    return sorted(items)


def items_digest(project: Project, ids: list[str]) -> str:
    facts = project.facts
    records = []
    for item_id in ids:
        item = facts.facts.get(item_id) or facts.claims.get(item_id)
        if item is None:
            records.append((item_id, None))
            continue
        unit = facts.units.get(getattr(item, "unit", ""))
        source = facts.sources.get(item.source)
        conflicts = facts.conflicts_of(item_id)
        # Locations are left out: moving a fact within its file changes no output.
        records.append((repr(_without_loc(item)), repr(unit), repr(_without_loc(source)),
                        [repr(_without_loc(c)) for c in conflicts]))
    return digest(records)


def _without_loc(item: object) -> object:
    if item is None or not hasattr(item, "loc"):
        return item
    return {k: v for k, v in vars(item).items() if k != "loc"}


def brief_digest(project: Project, brief: Brief, lang: str) -> str:
    folder = project.root / brief.folder
    files = [(name, (folder / name).read_bytes()) for name in ("brief.yaml", f"{lang}.md")]
    return digest(files, brief.row.record if brief.row else None)


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

    def record(self, relative: str, key: str, size: int, **extra: object) -> None:
        self.entries[relative] = {"key": key, "size": size, **extra}

    def entry(self, relative: str) -> dict:
        return self.entries.get(relative, {})

    def data(self) -> bytes:
        return json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8")

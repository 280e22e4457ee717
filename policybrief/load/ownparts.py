"""Load stage, self-contained briefs: a brief's folder may hold its own sources, units and
facts beside brief.yaml, found with no settings:

- ``sources.yaml`` (entries as in ``facts/sources.yaml``), their texts in ``sources/``;
- ``units.yaml`` (as ``facts/units.yaml``);
- ``facts.yaml`` and any ``facts/*.yaml``, ``.csv`` or ``.xlsx`` (as the project's facts
  files; load/facts.py reads them).

They join the project's: one id space across the project, so an id defined twice is an
error at the second place naming the first (``path:line`` each). A brief's source text
is looked up in its own ``sources/`` folder first (the source's ``file`` becomes
``<slug>/sources/<file>`` under ``briefs/``, which joins the source folders)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from policybrief.core.errors import Problem
from policybrief.core.model import Source, Unit
from policybrief.load.sources import load_sources, load_units

Part = TypeVar("Part", Source, Unit)


def brief_folders(root: Path) -> list[Path]:
    """The brief folders under ``briefs/``, in name order (hidden ones left out)."""
    top = root / "briefs"
    if not top.is_dir():
        return []
    return sorted(p for p in top.iterdir() if p.is_dir() and not p.name.startswith("."))


def has_own_sources(root: Path) -> bool:
    """Whether any brief holds its own ``sources.yaml`` (then ``briefs/`` is searched for
    source texts)."""
    return any((folder / "sources.yaml").is_file() for folder in brief_folders(root))


def _project_file(root: Path, name: str) -> Path | None:
    """``facts/<name>``, or None when it is missing and some brief holds its own (a project
    whose briefs are self-contained needs no ``facts/`` folder)."""
    path = root / "facts" / name
    if path.exists() or path.is_symlink():
        return path
    owned = any((folder / name).is_file() for folder in brief_folders(root))
    return None if owned else path


def all_units(root: Path, problems: list[Problem]) -> dict[str, Unit]:
    """The project's units (``facts/units.yaml``) with each brief's ``units.yaml`` added."""
    path = _project_file(root, "units.yaml")
    units = load_units(path, "facts/units.yaml", problems) if path else {}
    for folder in brief_folders(root):
        path = folder / "units.yaml"
        if path.is_file():
            found = load_units(path, _shown(path, root), problems)
            units = _merge(units, found, "unit", problems)
    return units


def all_sources(root: Path, problems: list[Problem]) -> dict[str, Source]:
    """The project's sources (``facts/sources.yaml``) with each brief's ``sources.yaml``
    added; a brief's source text is named inside ``briefs/`` (``<slug>/sources/<file>``)."""
    path = _project_file(root, "sources.yaml")
    sources = load_sources(path, "facts/sources.yaml", problems) if path else {}
    for folder in brief_folders(root):
        path = folder / "sources.yaml"
        if not path.is_file():
            continue
        found = load_sources(path, _shown(path, root), problems)
        found = {
            sid: replace(s, file=f"{folder.name}/sources/{s.file}") if s.file else s
            for sid, s in found.items()
        }
        sources = _merge(sources, found, "source", problems)
    return sources


def _merge(
    table: dict[str, Part], found: dict[str, Part], what: str, problems: list[Problem]
) -> dict[str, Part]:
    merged = dict(table)
    for name, item in found.items():
        first = merged.get(name)
        if first is None:
            merged[name] = item
            continue
        where = item.loc
        problems.append(
            Problem(
                where.path if where else "",
                where.line if where else 0,
                f"duplicate {what} {name!r}",
                f"first defined at {first.loc}; ids are unique across the project",
            )
        )
    return merged


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()

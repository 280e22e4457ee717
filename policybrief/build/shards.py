"""Write stage, sharded builds: what a shard leaves behind, and the ``index`` step that
assembles the shards' gathered output folders into one site.

A shard (``--shard I/N``) writes its build report and a copy of its cache under
``.reports/``; gathering the shards' folders by copying keeps only the last shard's
``.policybrief-cache.json``, so ``index`` merges the copies back into one cache and writes
``index.html`` and ``facts.html`` for every output that is present.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from policybrief.build.cache import BuildCache
from policybrief.build.staging import Staging, output_lock
from policybrief.core.errors import InputError, Problem
from policybrief.core.model import Project

REPORTS = ".reports"


def write_report(
    shard: str, report: bytes, cache: BuildCache, put: Callable[[str, bytes], object]
) -> None:
    """A shard's build report (``shard``: "I/N") and a copy of its cache, for ``index``."""
    name = f"{REPORTS}/shard-{shard.replace('/', '-of-')}"
    put(f"{name}.json", report)
    # Shards' folders are merged by copying, so each shard's cache would replace the
    # others': keep a copy under the shard's name for `index` to merge.
    put(f"{name}.cache", cache.data())


def assemble(project: Project, out: Path) -> list[str]:
    """The `index` step after sharded builds: index.html and facts.html from the shards'
    reports (and whatever outputs are present), and one cache merged from the shards'
    caches, so that the next build in the merged folder skips what the shards built.
    Returns the report files it read."""
    from policybrief.render.site import built_outputs, render_facts_page, render_index

    reports = sorted((out / REPORTS).glob("*.json"))
    built = built_outputs(out)
    problems: list[Problem] = []
    for path in reports:
        built.update(name for name in _reported(path, out, problems) if (out / name).is_file())
    if problems:
        raise InputError(problems)
    index, facts = render_index(project, built), render_facts_page(project)
    cache = BuildCache(out)
    with Staging(out) as staging, output_lock(out):
        for path in sorted((out / REPORTS).glob("*.cache")):
            cache.merge(path, out)
        staging.put("index.html", index.encode("utf-8"))
        staging.put("facts.html", facts.encode("utf-8"))
        staging.put(cache.path.name, cache.data())
        staging.commit()
    return [str(p) for p in reports]


def _reported(path: Path, out: Path, problems: list[Problem]) -> list[str]:
    """The outputs a shard's report says it wrote, each inside ``out``; a report that is not
    one (truncated by a failed copy, edited by hand) is a problem at its line."""
    hint = "build that shard again (its --shard I/N), or delete the file"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), 0, f"cannot read the shard report: {exc}", hint))
        return []
    except json.JSONDecodeError as exc:
        problems.append(Problem(str(path), exc.lineno, f"not a shard report: {exc.msg}", hint))
        return []
    written = data.get("written") if isinstance(data, dict) else None
    if not isinstance(written, list):
        problems.append(Problem(str(path), 1, "not a shard report: no 'written' list", hint))
        return []
    names = []
    inside = out.resolve()
    for item in written:
        name = item.get("path") if isinstance(item, dict) else None
        if not isinstance(name, str) or not (out / name).resolve().is_relative_to(inside):
            problems.append(
                Problem(str(path), 1, f"shard report names an output {name!r} outside {out}", hint)
            )
            continue
        names.append(name)
    return names

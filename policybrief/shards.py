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

from .cache import BuildCache
from .model import Project
from .write import Staging, output_lock

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
    from .site import built_outputs, render_facts_page, render_index

    reports = sorted((out / REPORTS).glob("*.json"))
    built = built_outputs(out)
    for path in reports:
        for item in json.loads(path.read_text(encoding="utf-8")).get("written", []):
            if (out / item["path"]).is_file():
                built.add(item["path"])
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

#!/usr/bin/env python3
"""How long tinyhtml5 takes to parse each page of a build, with and without the repair in
policybrief/core/patches.py (section 3). Prints medians and their ratio; asserts nothing.

    python3 benchmarks/parse.py [--runs 9] [DIST]   # DIST: a build's folder (default: the
                                                   # fixture project, built here first)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import tinyhtml5  # noqa: E402
import tinyhtml5.inputstream  # noqa: E402

from policybrief.core import patches  # noqa: E402


def pages_of(dist: Path | None, tmp: Path) -> list[str]:
    if dist is None:
        from helpers import copy_fixture

        from policybrief.build.pipeline import Options, build

        root = copy_fixture(tmp / "project")
        dist = root / "dist"
        build(Options(root=root, out=dist, formats=("html",)))
    return [p.read_text(encoding="utf-8") for p in sorted(dist.rglob("*.html"))]


def timed(texts: list[str], runs: int) -> float:
    """Median over ``runs`` of the time to parse every page once."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            tinyhtml5.parse(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        texts = pages_of(args.dist, Path(tmp))
    tinyhtml5.inputstream.characters_until_regex = {}  # as tinyhtml5 ships it
    stock = timed(texts, args.runs)
    patches.repair_tinyhtml5()
    repaired = timed(texts, args.runs)
    size = sum(len(t) for t in texts) / 1000
    print(f"{len(texts)} pages, {size:.0f} thousand characters; medians of {args.runs} runs")
    for name, seconds in (("tinyhtml5 as shipped", stock), ("with the repair", repaired)):
        each = seconds / len(texts) * 1000
        print(f"{name:<22} {seconds * 1000:7.1f} ms ({each:.1f} ms a page)")
    print(f"{'ratio':<22} {stock / repaired:7.2f}x")


if __name__ == "__main__":
    main()

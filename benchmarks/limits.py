#!/usr/bin/env python3
"""How long the input limits take to refuse hostile input (the tests only check that it is
refused, with the right message). Prints the median of several runs; asserts nothing.

    python3 benchmarks/limits.py [--runs 5]

Each case loads and checks a throwaway copy of the test fixture project (tests/fixture/)
with one hostile file added; "nested Markdown" also renders the brief (HTML only).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import copy_fixture  # noqa: E402

from policybrief.build.pipeline import Options, build, load_and_check  # noqa: E402
from policybrief.core.errors import InputError  # noqa: E402
from policybrief.load import yamlio  # noqa: E402

BOMB = (
    "facts:\n  - id: t.a\n    value: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"    f{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 9))
)


def nested_markdown(project: Path) -> None:
    """2,000 levels of nested list in a brief's prose (Markdown's parser is exponential in
    the depth; the limit is twelve)."""
    path = project / "briefs/hexi/en.md"
    extra = "".join("  " * i + "- x\n" for i in range(2000))
    path.write_text(
        path.read_text(encoding="utf-8").replace("# lessons\n", f"# lessons\n\n{extra}\n", 1),
        encoding="utf-8",
    )
    build(
        Options(
            root=project, out=project / "dist", briefs=("hexi",), langs=("en",), formats=("html",)
        )
    )


CASES = {
    "alias bomb in a facts file (10^9 nodes if expanded)": {"facts/gen.yaml": BOMB},
    "facts file over the 5 MB limit": {
        "facts/gen.yaml": "facts: []\n"
        + ("# " + "x" * 998 + "\n") * (yamlio.MAX_FILE_BYTES // 1000 + 1)
    },
    "2,000,000 nested flow lists": {"facts/gen.yaml": "x: " + "[" * 2_000_000},
    "1,000,000 nested flow mappings": {"facts/gen.yaml": "x: " + "{a: " * 1_000_000},
    "2,000 nested block lists": {"facts/gen.yaml": "".join(" " * i + "- \n" for i in range(2000))},
    "2,000 levels of nested Markdown list": nested_markdown,
}


def once(case) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_fixture(Path(tmp) / "project")
        if isinstance(case, dict):
            for name, text in case.items():
                (project / name).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        try:
            if callable(case):
                case(project)
            else:
                load_and_check(Options(root=project))
        except InputError as exc:
            refused = [
                p
                for p in exc.problems
                if re.search(r"anchors|larger than|nest|nested too deeply", p.message)
            ]
            if not refused:
                sys.exit(f"not refused by a limit: {exc.problems[:3]}")
        else:
            sys.exit("the hostile input was accepted")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':<56} median (s)  runs (s)")
    for name, case in CASES.items():
        times = [once(case) for _ in range(args.runs)]
        print(
            f"{name:<56} {statistics.median(times):>10.3f}  " + ", ".join(f"{t:.3f}" for t in times)
        )


if __name__ == "__main__":
    main()

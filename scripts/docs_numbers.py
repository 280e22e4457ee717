#!/usr/bin/env python3
"""The numbers the docs print, each written by the script that knows it, never by hand.

A number in README.md or docs/*.md that the code decides, or that a benchmark measured,
sits between markers::

    <!-- n:planted-figures -->333<!-- /n -->

``MARKERS`` below is the one list of them, name -> where the number comes from:

- a function: a count or limit computed here from the code and the data (a test module's
  case list, the shipped project, a constant of the engine). The shipped project is the
  project as this repository ships it, the briefs of ``SHIPPED_BRIEFS`` (tests/helpers.py)
  and no other: a brief a user adds to their checkout changes no count. ``python3
  scripts/docs_numbers.py`` writes every one of them into the docs, and tests/test_docs.py
  recomputes each and fails when the docs disagree.
- ``Measured(part)``: a timing or size that only a benchmark can measure; ``python3
  benchmarks/run.py --only PART --update-docs`` measures it and writes it through
  :func:`update`. The tests only check that the marker is there and not empty.

    python3 scripts/docs_numbers.py            # rewrite every count and limit in the docs
    python3 scripts/docs_numbers.py --check    # list the ones that disagree; exit 1 if any
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MARKER_RE = re.compile(r"<!-- n:([a-z0-9-]+) -->(.*?)<!-- /n -->", re.S)


@dataclass(frozen=True)
class Measured:
    """A number only a benchmark can measure: ``benchmarks/run.py --only PART`` writes it."""

    part: str


def docs(root: Path = ROOT) -> list[Path]:
    """The files whose markers are kept: the README and the guides."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _path() -> None:
    for folder in (ROOT, ROOT / "tests"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


def _module(name: str) -> ModuleType:
    """A module of this checkout: test modules by their file name, the engine's by their
    stage folder (``policybrief.render.page``)."""
    _path()
    return importlib.import_module(name)


def _thousands(number: int) -> str:
    return f"{number:,}"


# -- counts from the tests ----------------------------------------------------------------------


def count_tests() -> str:
    """Tests the suite collects, as ``python3 -m pytest --collect-only`` counts them.
    (``--assert=plain``: collecting needs no rewritten asserts, and rewriting every test
    module's was more than half of the collection's 6 s.)"""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "--assert=plain",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"^(\d+) tests? collected", result.stdout, re.M)
    if not found:
        raise RuntimeError(f"pytest --collect-only printed no count:\n{result.stdout[-2000:]}")
    return _thousands(int(found.group(1)))


def planted_figures() -> str:
    """Wrong figures tests/test_figures.py plants: every mutation of every fact of the fact
    base it plants them into (tests/factbase/, the shipped one frozen) and of the test's
    own range facts."""
    figures = _module("test_figures")
    files = sorted(
        p
        for p in (figures.FACTBASE / "facts").glob("*.yaml")
        if p.name not in ("sources.yaml", "units.yaml")
    )
    with tempfile.TemporaryDirectory() as tmp:
        ranges = Path(tmp) / "zz-ranges.yaml"
        ranges.write_text(figures.RANGE_FACTS, encoding="utf-8")
        facts = [f for p in [*files, ranges] for f in figures._facts_in(p, p.name)]  # noqa: SLF001
        return _thousands(sum(len(figures.mutations(fact)) for fact in facts))


def hostile_cases() -> str:
    return _thousands(len(_module("test_hostile").CASES))


def preview_cases() -> str:
    return _thousands(len(_module("test_hostile").PREVIEW_CASES))


# -- counts from the shipped project ------------------------------------------------------------


@cache
def _shipped_root(root: Path = ROOT) -> Path:
    """A copy of the project as this repository ships it (tests/helpers.py's
    ``copy_project``: the briefs of ``SHIPPED_BRIEFS`` alone), kept until the process ends.
    (``root``: a checkout other than this one, as tests/test_docs.py makes.)"""
    folder = Path(tempfile.mkdtemp(prefix="shipped-project-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _module("helpers").copy_project(folder / "project", root)


@cache
def _shipped(root: Path = ROOT):
    project = _module("policybrief.load.project")
    loaded, _problems = project.load_project(_shipped_root(root))
    return loaded


def unlisted_briefs(root: Path = ROOT) -> list[str]:
    """Folders of briefs/ that ``SHIPPED_BRIEFS`` leaves out: a user's own, which no count
    includes, or a brief the repository now ships and the list has yet to name."""
    shipped = set(_module("helpers").SHIPPED_BRIEFS)
    return sorted(
        p.name
        for p in (root / "briefs").iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in shipped
    )


def shipped_briefs(root: Path = ROOT) -> str:
    return _thousands(len(_shipped(root).briefs))


def shipped_facts(root: Path = ROOT) -> str:
    return _thousands(len(_shipped(root).facts.facts))


def shipped_editions(root: Path = ROOT) -> str:
    """Editions (brief, audience, language) a full build makes, each in every format."""
    plan = _module("policybrief.build.plan")
    return _thousands(len(plan.plan(_shipped(root), plan.Options(root=_shipped_root(root)))))


def font_characters(root: Path = ROOT) -> str:
    fonts = _module("policybrief.output.fonts")
    return _thousands(len(fonts.characters(_shipped_root(root), _shipped(root).template_dirs)))


def reference_styles() -> str:
    return _thousands(len(_module("policybrief.load.refstyles").STYLES))


# -- the engine's limits ------------------------------------------------------------------------


def _constant(name: str, module: str) -> Callable[[], int]:
    return lambda: getattr(_module(module), name)


_RENDER = "policybrief.render.page"
_SANDBOX = "policybrief.render.environment"
_CHECK = "policybrief.check.rules"
_YAML = "policybrief.load.yamlio"
_SHEETS = "policybrief.load.sheets"
_IMAGES = "policybrief.load.images"
_PDF = "policybrief.output.pdf"


def _limit(make: Callable[[], int], unit: str = "", divide: int = 1) -> Callable[[], str]:
    def text() -> str:
        value, rest = divmod(make(), divide)
        if rest:
            raise ValueError(f"{make()} is not a whole number of {unit}")
        return _thousands(value) + (f" {unit}" if unit else "")

    return text


MARKERS: dict[str, Callable[..., str] | Measured] = {
    # counts
    "tests": count_tests,
    "planted-figures": planted_figures,
    "hostile-cases": hostile_cases,
    "preview-cases": preview_cases,
    "shipped-briefs": shipped_briefs,
    "shipped-facts": shipped_facts,
    "shipped-editions": shipped_editions,
    "font-characters": font_characters,
    "reference-styles": reference_styles,
    # limits (docs/safety.md)
    "limit-range-call": _limit(_constant("MAX_RANGE", "jinja2.sandbox")),
    "limit-range-page": _limit(_constant("MAX_ITEMS", _SANDBOX)),
    "limit-length": _limit(_constant("MAX_LENGTH", _SANDBOX)),
    "limit-render-seconds": _limit(_constant("MAX_SECONDS", _RENDER), "s"),
    "limit-render-memory": _limit(_constant("MAX_MEMORY", _RENDER), "GiB", 2**30),
    "limit-page-chars": _limit(_constant("MAX_PAGE_CHARS", _RENDER)),
    "limit-file-mb": _limit(_constant("MAX_FILE_BYTES", _YAML), "MB", 10**6),
    "limit-yaml-depth": _limit(_constant("MAX_DEPTH", _YAML)),
    "limit-sheet-mb": _limit(_constant("MAX_FILE_BYTES", _SHEETS), "MB", 10**6),
    "limit-sheet-unpacked-mb": _limit(_constant("MAX_UNPACKED_BYTES", _SHEETS), "MB", 10**6),
    "limit-sheet-cells": _limit(_constant("MAX_CELLS", _SHEETS)),
    "limit-number-digits": _limit(_constant("MAX_NUMBER_CHARS", _YAML)),
    "limit-prose-chars": _limit(_constant("MAX_PROSE_CHARS", _CHECK)),
    "limit-list-levels": _limit(_constant("MAX_INDENT", _CHECK), divide=4),
    "limit-quote-levels": _limit(_constant("MAX_QUOTE_DEPTH", _CHECK)),
    "limit-image-mib": _limit(_constant("MAX_BYTES", _IMAGES), "MiB", 2**20),
    "limit-image-pixels": _limit(_constant("MAX_PIXELS", _IMAGES)),
    "limit-logo-pixels": _limit(_constant("MAX_LOGO_PIXELS", _IMAGES)),
    "limit-batch-rows": _limit(_constant("MAX_ROWS", "policybrief.load.batch")),
    "limit-name-bytes": _limit(_constant("MAX_NAME_BYTES", "policybrief.core.files")),
    "limit-image-warning-kib": _limit(_constant("LARGE_BYTES", _IMAGES), "KiB", 2**10),
    "limit-data-uri-mib": _limit(_constant("MAX_DATA_URI", _PDF), "MiB", 2**20),
    # measured by benchmarks/run.py --only PART
    "check-seconds": Measured("check"),
    "check-fast-seconds": Measured("check"),
    "html-build-seconds": Measured("check"),
    "check-measured": Measured("check"),
    "word-total": Measured("word"),
    "word-note": Measured("word"),
    "word-report": Measured("word"),
    "word-measured": Measured("word"),
    "parse-page-ms": Measured("parse"),
    "parse-ratio": Measured("parse"),
    "parse-measured": Measured("parse"),
    "weasyprint-import-ours": Measured("import"),
    "weasyprint-import-plain": Measured("import"),
    "import-measured": Measured("import"),
    "chart-svg-draw": Measured("charts"),
    "chart-svg-bytes": Measured("charts"),
    "chart-mpl-version": Measured("matplotlib"),
    "chart-mpl-import": Measured("matplotlib"),
    "chart-mpl-draw": Measured("matplotlib"),
    "chart-mpl-bytes": Measured("matplotlib"),
    "chart-size-ratio": Measured("matplotlib"),
    "charts-measured": Measured("charts"),
    "chart-mpl-measured": Measured("matplotlib"),  # the charts part, when matplotlib imports
    "build-cold": Measured("build"),
    "build-noop": Measured("build"),
    "build-one-fact": Measured("build"),
    "build-jobs-speedup": Measured("build"),
    "build-measured": Measured("build"),
    "batch-rows": Measured("batch"),
    "batch-seconds": Measured("batch"),
    "batch-per-brief": Measured("batch"),
    "batch-peak": Measured("batch"),
    "batch-measured": Measured("batch"),
    "pdf-note-en": Measured("targets"),
    "pdf-note-zh": Measured("targets"),
    "pdf-report-zh": Measured("targets"),
    "pdf-print-zh": Measured("targets"),
    "pdf-total": Measured("targets"),
    "pdf-worker-peak": Measured("targets"),
    "pdf-cold-build": Measured("targets"),
    "targets-measured": Measured("targets"),
    "typst-times": Measured("targets"),
    "typst-note-en": Measured("targets"),
    "typst-note-en-ratio": Measured("targets"),
    "typst-note-zh": Measured("targets"),
    "typst-note-zh-ratio": Measured("targets"),
    "typst-report-zh": Measured("targets"),
    "typst-report-zh-ratio": Measured("targets"),
    "preview-reload": Measured("preview"),
    "preview-slowest": Measured("preview"),
    "preview-measured": Measured("preview"),
    "suite-wall": Measured("suite"),
    "suite-cpu": Measured("suite"),
    "suite-machine-cpu": Measured("suite"),
    "suite-measured": Measured("suite"),
}


def counted() -> dict[str, Callable[..., str]]:
    """The markers computed from the code: name -> function."""
    return {name: how for name, how in MARKERS.items() if not isinstance(how, Measured)}


def measured(part: str | None = None) -> list[str]:
    """The markers a benchmark writes (those of one part of benchmarks/run.py)."""
    return [
        name
        for name, how in MARKERS.items()
        if isinstance(how, Measured) and part in (None, how.part)
    ]


def found(root: Path = ROOT) -> dict[str, list[tuple[Path, int, str]]]:
    """Every marker in the docs: name -> [(file, line, text between the markers)]."""
    places: dict[str, list[tuple[Path, int, str]]] = {}
    for path in docs(root):
        text = path.read_text(encoding="utf-8")
        for match in MARKER_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            places.setdefault(match.group(1), []).append((path, line, match.group(2)))
    return places


def update(values: dict[str, str], root: Path = ROOT) -> list[Path]:
    """Write ``values`` (marker name -> text) between their markers in the docs; return the
    files changed. A name not in ``MARKERS`` is an error, so a typo cannot pass unseen."""
    unknown = sorted(set(values) - set(MARKERS))
    if unknown:
        raise KeyError(f"not in scripts/docs_numbers.py MARKERS: {unknown}")
    changed = []
    for path in docs(root):
        text = path.read_text(encoding="utf-8")

        def put(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                return match.group(0)
            return f"<!-- n:{name} -->{values[name]}<!-- /n -->"

        new = MARKER_RE.sub(put, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only list what disagrees")
    args = parser.parse_args()
    values = {name: how() for name, how in counted().items()}
    places = found()
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {name} is {text!r}, the code says {values[name]!r}"
        for name, value in values.items()
        for path, line, text in places.get(name, [])
        if text != value
    ]
    for problem in wrong:  # a script's output: written, not logged
        sys.stdout.write(problem + "\n")
    for slug in unlisted_briefs():
        sys.stdout.write(
            f"briefs/{slug}/ is not counted: not in SHIPPED_BRIEFS (tests/helpers.py), "
            "which names the briefs this repository ships\n"
        )
    if args.check:
        return 1 if wrong else 0
    for path in update(values):
        sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Helpers for tests: the fixture project, and built HTML and PDFs parsed the way a reader
would see them (each file parsed once per session: the results are cached by path, size and
modification time, and must not be changed by a test)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixture"
SEEDS = (ROOT / ".." / "shared" / "seeds").resolve()
NS = "{http://www.w3.org/1999/xhtml}"
PROJECT_PARTS = ("facts", "briefs", "templates", "pyproject.toml")


def copy_project(dest: Path) -> Path:
    """A throwaway copy of the project (facts, briefs, templates, settings)."""
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    # Template folders the project names in its settings come along.
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as handle:
        config = tomllib.load(handle).get("tool", {}).get("policybrief", {})
    for folder in config.get("templates", []):
        if (ROOT / folder).is_dir() and not Path(folder).is_absolute():
            shutil.copytree(ROOT / folder, dest / folder)
    # The copy lives elsewhere, so point it at the seed texts by absolute path.
    settings = (dest / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings.replace('source_texts = "../shared/seeds"', f'source_texts = "{SEEDS}"')
    (dest / "pyproject.toml").write_text(settings, encoding="utf-8")
    return dest


def copy_fixture(dest: Path) -> Path:
    """A throwaway copy of the fixture project, with the built-in templates beside it (the
    fixture's own template folder, ``house/``, layers over them)."""
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("dist", ".*"))
    shutil.copytree(ROOT / "templates", dest / "templates")
    return dest


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python build.py ...`` as a user would."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def parse_html(path: Path):
    """The parsed page (shared between tests: do not change it)."""
    return _parse_html(_stamp(path))


@functools.lru_cache(maxsize=256)
def _parse_html(stamp: tuple[str, int, int]):
    from policybrief.core.htmlparse import parse

    return parse(Path(stamp[0]).read_text(encoding="utf-8"))


def find_all(root, tag: str, **attrs):
    for element in root.iter(NS + tag):
        if all(attr_has(element, k.rstrip("_"), v) for k, v in attrs.items()):
            yield element


def attr_has(element, name: str, value: str) -> bool:
    got = element.get(name, "")
    return value in got.split() if name == "class" else got == value


def text_of(element) -> str:
    return "".join(element.itertext())


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as extracted once per file."""
    return list(_pdf_pages(_stamp(path)))


@functools.lru_cache(maxsize=128)
def _pdf_pages(stamp: tuple[str, int, int]) -> tuple[str, ...]:
    reader = pypdf.PdfReader(stamp[0])
    return tuple(page.extract_text() or "" for page in reader.pages)


def pdf_reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(path))


def squash(text: str) -> str:
    """Text with all whitespace removed: PDF extraction breaks lines anywhere."""
    return "".join(text.split())

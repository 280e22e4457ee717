"""Load stage entry: read the whole project (facts, briefs, audiences, settings) into a
:class:`~policybrief.model.Project`, collecting every problem before stopping."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from . import batch, charts, yamlio
from .briefs import SLUG_RE, load_briefs
from .errors import InputError, Problem
from .facts import Fields, load_factbase
from .model import Audience, Project, Text
from .theme import load_theme
from .yamlio import YMap

AUDIENCE_FIELDS = tuple(f.name for f in fields(Audience) if f.name != "name")
PAGE_SIZES = ("A4", "A5", "letter")
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


def settings(root: Path) -> dict:
    """``[tool.policybrief]`` from the project's pyproject.toml, if any."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle).get("tool", {}).get("policybrief", {})
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem("pyproject.toml", getattr(exc, "lineno", 0) or 0,
                                  f"invalid TOML: {exc}")]) from None


def load_audiences(dirs: tuple[Path, ...], root: Path,
                   problems: list[Problem]) -> dict[str, Audience]:
    """Audiences from ``audiences.yaml`` in each template folder; earlier folders win."""
    audiences: dict[str, Audience] = {}
    for folder in reversed(dirs):
        path = folder / "audiences.yaml"
        if not path.is_file():
            continue
        shown = _shown(path, root)
        data, found = yamlio.load(str(path), shown)
        problems += found
        table = data.get("audiences") if isinstance(data, YMap) else None
        if not isinstance(table, YMap):
            problems.append(Problem(shown, 1, "expected a mapping 'audiences:'",
                                    "see docs/templates.md"))
            continue
        for name, spec in table.items():
            if not isinstance(name, str) or not SLUG_RE.match(name):
                problems.append(Problem(shown, table.line_of(name),
                                        f"audience name {name!r} is not valid",
                                        "use lowercase letters, digits and hyphens; it names "
                                        "output files"))
                continue
            if not isinstance(spec, YMap):
                problems.append(Problem(shown, table.line_of(name),
                                        f"audience {name!r} must be a mapping"))
                continue
            f = Fields(spec, shown, problems, f"audience {name!r}")
            f.unknown(AUDIENCE_FIELDS)
            values = {k: spec[k] for k in AUDIENCE_FIELDS if k in spec}
            values["label"] = f.text("label") or Text(())
            values["template"] = f.string("template")
            if values.get("section_text", "full") not in ("full", "lead"):
                f.bad("section_text", f"audience {name!r}: section_text must be full or lead")
            if values.get("endnotes", "full") not in ("full", "compact", "none"):
                f.bad("endnotes", f"audience {name!r}: endnotes must be full, compact or none")
            if values.get("citations", "links") not in ("links", "footnotes"):
                f.bad("citations", f"audience {name!r}: citations must be links or footnotes")
            if values.get("pdf_variant") not in (None, *PDF_VARIANTS):
                f.bad("pdf_variant", f"audience {name!r}: unknown PDF variant",
                      "use " + " or ".join(PDF_VARIANTS))
            if values.get("page_size", "A4") not in PAGE_SIZES:
                f.bad("page_size", f"audience {name!r}: unknown page size",
                      "use " + ", ".join(PAGE_SIZES))
            audiences[name] = Audience(name=name, **values)
    return audiences


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_project(root: Path, extra_templates: tuple[Path, ...] = (),
                 source_texts: Path | None = None) -> tuple[Project, list[Problem]]:
    """Load everything that loads; return it with every problem found on the way, so the
    checker can run over the rest and one run reports everything."""
    root = root.resolve()
    config = settings(root)
    problems: list[Problem] = []
    user_dirs = tuple(Path(d).resolve() for d in extra_templates)
    user_dirs += tuple((root / d).resolve() for d in config.get("templates", []))
    template_dirs = (*user_dirs, root / "templates")
    for folder in user_dirs:
        if not folder.is_dir():
            problems.append(Problem(str(folder), 0, "template folder not found"))
    if source_texts is None and config.get("source_texts"):
        source_texts = root / config["source_texts"]
    facts = load_factbase(root, problems)
    briefs = batch.expand(load_briefs(root, problems), facts, root, problems)
    briefs = {slug: charts.load(brief, facts, problems) for slug, brief in briefs.items()}
    audiences = load_audiences(template_dirs, root, problems)
    theme = load_theme(template_dirs, root, problems)
    return Project(root, facts, briefs, audiences,
                   source_texts.resolve() if source_texts else None, template_dirs,
                   theme), problems
